/**
 * Adds a style sheet to a shadow root as a constructed sheet (adoptedStyleSheets): CSSOM, so a host
 * page's strict `style-src` does not block it, and host page CSS cannot reach inside.
 */
export function adoptStyles(root: ShadowRoot, css: string): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
