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
  /**
   * Draws a small product photo (a PNG from a canvas), hands it to the composer's file input as the
   * visitor's picker would, and returns its bytes as base64 so the test can compare what the agent gets.
   */
  attachPicture: `async (name) => {
    const canvas = document.createElement('canvas');
    canvas.width = 480;
    canvas.height = 320;
    const g = canvas.getContext('2d');
    const sky = g.createLinearGradient(0, 0, 480, 320);
    sky.addColorStop(0, '#f3e4cf');
    sky.addColorStop(1, '#c98b5a');
    g.fillStyle = sky;
    g.fillRect(0, 0, 480, 320);
    g.fillStyle = '#5b2c12';
    g.beginPath();
    g.ellipse(240, 170, 90, 120, 0.3, 0, Math.PI * 2);
    g.fill();
    g.strokeStyle = '#f3e4cf';
    g.lineWidth = 8;
    g.beginPath();
    g.moveTo(200, 70);
    g.bezierCurveTo(270, 140, 200, 200, 280, 270);
    g.stroke();
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    const file = new File([blob], name, { type: 'image/png' });
    const input = document.querySelector('sealdesk-chat').shadowRoot.querySelector('.composer input[type=file]');
    const list = new DataTransfer();
    list.items.add(file);
    input.files = list.files;
    input.dispatchEvent(new Event('change', { bubbles: true }));
    const bytes = new Uint8Array(await file.arrayBuffer());
    let binary = '';
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary);
  }`,
  /** axe-core (served by the host origin, 'self' under its CSP) on the widget: its violations, briefly. */
  axe: `async () => {
    if (!window.axe) await new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/axe.min.js';
      s.onload = resolve;
      s.onerror = reject;
      document.head.append(s);
    });
    const result = await window.axe.run(document.querySelector('sealdesk-chat'), { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  }`,
  /**
   * How X25519 private keys (the visitor's ratchet keys) fare in this engine's IndexedDB: `raw` is
   * what a non-extractable key stored as a CryptoKey comes back as ('CryptoKey', or 'null' where the
   * engine stores the whole value as null: WebKitGTK 2.50); `wrapped` whether the form
   * shared/storage keeps instead (pkcs8 wrapKey output under a non-extractable AES-GCM key, both
   * stored) comes back, unwraps non-extractable and derives the original's secret. Uses a throwaway
   * database, deleted afterwards.
   */
  x25519KeyStored: `async () => {
    const name = 'sealdesk-probe-x25519';
    const s = crypto.subtle;
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(name, 1);
      r.onupgradeneeded = () => r.result.createObjectStore('s');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const roundTrip = async (value) => {
      await new Promise((resolve, reject) => {
        const t = db.transaction('s', 'readwrite');
        t.objectStore('s').put(value, 'k');
        t.oncomplete = resolve;
        t.onabort = () => reject(t.error);
      });
      return new Promise((resolve) => {
        const r = db.transaction('s', 'readonly').objectStore('s').get('k');
        r.onsuccess = () => resolve(r.result);
      });
    };
    // WebKitGTK fails about one X25519 generateKey in 150 (shared/crypto generateWithRetry): try again.
    const generate = async (extractable) => {
      for (let attempt = 1; ; attempt++) {
        try { return await s.generateKey({ name: 'X25519' }, extractable, ['deriveBits']); }
        catch (error) { if (attempt >= 4) throw error; }
      }
    };
    const pair = await generate(false);
    const got = await roundTrip({ key: pair.privateKey });
    const raw = got === null ? 'null' : got?.key instanceof CryptoKey ? 'CryptoKey' : typeof got;
    const twin = await generate(true);
    const wrappingKey = await s.generateKey({ name: 'AES-GCM', length: 256 }, false, ['wrapKey', 'unwrapKey']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const wrapped = new Uint8Array(await s.wrapKey('pkcs8', twin.privateKey, wrappingKey, { name: 'AES-GCM', iv }));
    const back = await roundTrip({ wrappingKey, iv, wrapped });
    const key = await s.unwrapKey('pkcs8', back.wrapped, back.wrappingKey, { name: 'AES-GCM', iv: back.iv },
      { name: 'X25519' }, false, ['deriveBits']);
    const mine = new Uint8Array(await s.deriveBits({ name: 'X25519', public: pair.publicKey }, key, 256));
    const theirs = new Uint8Array(await s.deriveBits({ name: 'X25519', public: twin.publicKey }, pair.privateKey, 256));
    db.close();
    await new Promise((resolve) => { indexedDB.deleteDatabase(name).onsuccess = resolve; });
    const same = mine.length === 32 && mine.every((b, i) => b === theirs[i]);
    return { raw, wrapped: same && !key.extractable ? 'derives' : 'differs' };
  }`,
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

/** One axe-core violation as PROBES.axe reports it. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/** The violations the issue forbids (#12 "Done when": no serious or critical one). */
export const seriousViolations = (violations: readonly AxeViolation[]): AxeViolation[] =>
  violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
