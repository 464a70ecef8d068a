/** Small inline SVG icons (24 × 24 view box), decorative: always `aria-hidden`. */
const SVG = 'http://www.w3.org/2000/svg';

/* Each path is its own constant, so a bundle keeps only the icons it draws. */
export const CHAT_ICON =
  'M4 6.5A3.5 3.5 0 0 1 7.5 3h9A3.5 3.5 0 0 1 20 6.5v6a3.5 3.5 0 0 1-3.5 3.5H11l-4.6 3.7c-.5.4-1.4.1-1.4-.6V16a3.5 3.5 0 0 1-1-2.5z';
export const CLOSE_ICON = 'M6 6l12 12M18 6L6 18';
export const EXIT_ICON = 'M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3M10 17l5-5-5-5M15 12H3';
export const MINIMISE_ICON = 'M6 9l6 6 6-6';
export const SEND_ICON =
  'M3.4 20.4l17.45-7.48a1 1 0 0 0 0-1.84L3.4 3.6a1 1 0 0 0-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z';
export const LOCK_ICON =
  'M7 10V7a5 5 0 0 1 10 0v3M5.5 10h13c.8 0 1.5.7 1.5 1.5v8c0 .8-.7 1.5-1.5 1.5h-13c-.8 0-1.5-.7-1.5-1.5v-8c0-.8.7-1.5 1.5-1.5z';
export const CHECK_ICON = 'M4.5 12.5l4.5 4.5L19.5 6.5';
export const CHECKS_ICON = 'M1.5 12.5l4.5 4.5L16 6.5M10.5 16.5l.5.5L22 6.5';
export const CLOCK_ICON = 'M12 7v5l3 2M21 12a9 9 0 1 1-18 0 9 9 0 0 1 18 0z';
export const DOWNLOAD_ICON = 'M12 4v11m-5-5l5 5 5-5M5 20h14';
export const WARNING_ICON =
  'M12 9v4m0 4v.01M10.3 3.9L2.4 17.5A2 2 0 0 0 4.1 20.5h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z';
export const SHIELD_ICON = 'M12 3l7.5 3v5.5c0 4.6-3.2 8.3-7.5 9.5-4.3-1.2-7.5-4.9-7.5-9.5V6zM8.5 12l2.5 2.5 4.5-5';
export const ATTACH_ICON =
  'M20.5 11.5l-8.3 8.3a5.2 5.2 0 0 1-7.3-7.3l8.6-8.6a3.4 3.4 0 0 1 4.9 4.9l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9';

/** Draws `path` filled, or with a 2 px stroke. */
export function icon(path: string, size = 20, filled = false): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const p = document.createElementNS(SVG, 'path');
  p.setAttribute('d', path);
  if (filled) p.setAttribute('fill', 'currentColor');
  else {
    p.setAttribute('fill', 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2');
    p.setAttribute('stroke-linecap', 'round');
    p.setAttribute('stroke-linejoin', 'round');
  }
  svg.append(p);
  return svg;
}
