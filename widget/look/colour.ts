/**
 * The business colour and the text drawn on it. WCAG 2.2 §1.4.3 needs a contrast ratio of at least
 * 4.5:1 for text (relative luminance as defined by WCAG 2.2).
 */
export const DEFAULT_COLOUR = '#4f46e5';
const DARK_TEXT = '#111827';

function channel(hex: string, at: number): number {
  const c = parseInt(hex.slice(at, at + 2), 16) / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  return 0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/**
 * The text colour for `background`: white when it reaches 4.5:1, else near-black when that does, else
 * black (every colour reaches 4.5:1 with white or black, since (1.05 / 0.05) ** 0.5 > 4.5).
 */
export function textOn(background: string): string {
  for (const text of ['#ffffff', DARK_TEXT]) if (contrast(background, text) >= 4.5) return text;
  return '#000000';
}

/** Sets the colour variables the style sheets use (CSSOM, which a strict host CSP allows). */
export function applyColour(element: HTMLElement, colour: string): void {
  element.style.setProperty('--sd-accent', colour);
  element.style.setProperty('--sd-on-accent', textOn(colour));
}
