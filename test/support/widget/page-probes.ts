/**
 * TEST CODE ONLY: page functions (as source text, so every engine runs the same) that look at the
 * widget from the host page. Inside the shadow root they work on pages loaded with `?open-shadow`
 * (widget-world.ts), where a host-page script forced the widget's closed root open.
 */
export const PROBES = {
  state: `() => document.querySelector('sealdesk-chat')?.dataset.state ?? ''`,
  ignored: `() => document.querySelector('sealdesk-chat')?.dataset.ignoredMessages ?? '0'`,
  frameIgnored: `() => document.documentElement.dataset.ignoredMessages ?? '0'`,
  shadowModes: `() => window.sealdeskShadowModes ?? []`,
  shadowRootVisible: `() => document.querySelector('sealdesk-chat')?.shadowRoot === null`,
  launcherAt: `() => {
    const r = document.querySelector('sealdesk-chat')?.getBoundingClientRect();
    return r ? [r.left + r.width / 2, r.top + r.height / 2] : null;
  }`,
  text: `(selector) => {
    const all = document.querySelector('sealdesk-chat')?.shadowRoot?.querySelectorAll(selector) ?? [];
    return [...all].map((e) => e.textContent.replace(/\\s+/g, ' ').trim()).join(' | ');
  }`,
  attribute: `(selector, name) => document.querySelector('sealdesk-chat')?.shadowRoot?.querySelector(selector)?.getAttribute(name) ?? null`,
  hidden: `(selector) => {
    const el = document.querySelector('sealdesk-chat')?.shadowRoot?.querySelector(selector);
    return el ? el.hidden || getComputedStyle(el).display === 'none' : null;
  }`,
  active: `() => {
    const a = document.querySelector('sealdesk-chat')?.shadowRoot?.activeElement;
    return a ? a.tagName.toLowerCase() + (a.className ? '.' + a.className : '') : '';
  }`,
  rect: `(selector) => {
    const r = document.querySelector('sealdesk-chat')?.shadowRoot?.querySelector(selector)?.getBoundingClientRect();
    return r ? [r.left + r.width / 2, r.top + r.height / 2] : null;
  }`,
  calls: `() => window.sealdeskScripted?.calls ?? []`,
  emit: `(type, event) => { window.sealdeskScripted.emit(type, event); return true; }`,
  stored: `async () => ({
    cookie: document.cookie,
    local: localStorage.length,
    session: sessionStorage.length,
    databases: indexedDB.databases ? (await indexedDB.databases()).length : 0,
  })`,
} as const;

/** A business message as the runtime would hand it to the UI. */
export function agentMessage(
  seq: number,
  text: string,
  agentName = 'Maya',
): Record<string, string | number | Record<string, string>> {
  const now = Date.now();
  return {
    id: `${'bb'.repeat(16)}:${seq}`,
    conversationId: '5c'.repeat(16),
    from: 'agent',
    senderDeviceId: 'bb'.repeat(16),
    agentName,
    sentAt: now,
    receivedAt: now,
    body: { kind: 'text', text },
  };
}
