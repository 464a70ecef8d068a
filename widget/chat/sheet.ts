/**
 * A sheet over the chat (encryption details, ending the conversation): a modal dialog inside the panel.
 * The focus moves into it, Tab stays inside, Escape or its buttons close it, and the focus goes back
 * to the control that opened it (WAI-ARIA APG, "Dialog (Modal)").
 */
import { type Child, h } from './dom.js';

export interface Sheet {
  close(): void;
}

const FOCUSABLE = 'button:not([disabled]),[href],textarea,input,[tabindex="0"]';

export function openSheet(container: HTMLElement, title: string, build: (sheet: Sheet) => readonly Child[]): Sheet {
  const opener =
    container.getRootNode() instanceof ShadowRoot
      ? (container.getRootNode() as ShadowRoot).activeElement
      : document.activeElement;
  const heading = h('h3', { id: 'sd-sheet-title', tabindex: -1 }, title);
  const element = h(
    'div',
    { class: 'sheet', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'sd-sheet-title' },
    heading,
  );
  const sheet: Sheet = {
    close() {
      element.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    },
  };
  element.append(...build(sheet).filter((c): c is Node | string => c !== false && c !== null && c !== undefined));
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      sheet.close();
    } else if (event.key === 'Tab') {
      const items = [...element.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = items[0];
      const last = items[items.length - 1];
      const active = (element.getRootNode() as ShadowRoot | Document).activeElement;
      if (event.shiftKey && (active === first || active === heading)) {
        event.preventDefault();
        last?.focus();
      } else if (!event.shiftKey && active === last) {
        event.preventDefault();
        first?.focus();
      }
    }
  });
  container.append(element);
  heading.focus();
  return sheet;
}
