/** Light, dark or the system's choice: sets [data-theme] on <html> and follows system changes. */
export const THEMES = { system: 'system', light: 'light', dark: 'dark' } as const;
export type Theme = (typeof THEMES)[keyof typeof THEMES];

const STORAGE_KEY = 'sealdesk.theme';

export function isTheme(value: unknown): value is Theme {
  return value === 'system' || value === 'light' || value === 'dark';
}

export function storedTheme(): Theme {
  const value = localStorage.getItem(STORAGE_KEY);
  return isTheme(value) ? value : 'system';
}

let unfollow: (() => void) | undefined;

/** Applies `theme` (and remembers it: a display preference, nothing secret). */
export function applyTheme(theme: Theme, remember = true): void {
  if (remember) localStorage.setItem(STORAGE_KEY, theme);
  unfollow?.();
  unfollow = undefined;
  const root = document.documentElement;
  if (theme !== 'system') {
    root.dataset['theme'] = theme;
    return;
  }
  const query = matchMedia('(prefers-color-scheme: dark)');
  const update = (): void => {
    root.dataset['theme'] = query.matches ? 'dark' : 'light';
  };
  update();
  query.addEventListener('change', update);
  unfollow = () => {
    query.removeEventListener('change', update);
  };
}
