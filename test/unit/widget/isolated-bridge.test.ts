// The isolated mode's message checks (widget/bridge/; F13, docs/THREAT-MODEL.md §8): a window message
// is taken only from the expected window at the expected origin, every other one is ignored and
// counted; port messages are checked field by field. The browser test of the same attacks is
// test/browser/widget-engines.browser.test.ts ("postMessage from an unexpected origin …").
import { describe, expect, it, vi } from 'vitest';
import {
  isConnect,
  looksLikeBridge,
  parseFrameMessage,
  parseLoaderMessage,
} from '../../../widget/bridge/frame-messages.js';
import { OriginGuard } from '../../../widget/bridge/origin-guard.js';

const PARENT = 'https://shop.example';
const parentWindow = { name: 'parent' } as unknown as MessageEventSource;
const otherWindow = { name: 'ad frame' } as unknown as MessageEventSource;

function event(
  origin: string,
  source: MessageEventSource | null,
  data: unknown = { sealdesk: 'connect', version: 1 },
): MessageEvent {
  return { origin, source, data, ports: [] } as unknown as MessageEvent;
}

describe('OriginGuard', () => {
  it('postMessage from an unexpected origin: ignored and counted', () => {
    const recorded: number[] = [];
    const guard = new OriginGuard(
      PARENT,
      () => parentWindow,
      (n) => recorded.push(n),
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(guard.accepts(event('https://evil.example', parentWindow))).toBe(false);
    expect(guard.accepts(event('https://shop.example.evil.example', parentWindow))).toBe(false);
    expect(guard.accepts(event('http://shop.example', parentWindow))).toBe(false);
    expect(guard.accepts(event('null', parentWindow))).toBe(false);
    expect(guard.accepts(event('', parentWindow))).toBe(false);
    expect(guard.ignored).toBe(5);
    expect(recorded).toEqual([1, 2, 3, 4, 5]);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('the right origin from another window (a sibling frame of the same site) is ignored too', () => {
    const guard = new OriginGuard(
      PARENT,
      () => parentWindow,
      () => undefined,
    );
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(guard.accepts(event(PARENT, otherWindow))).toBe(false);
    expect(guard.accepts(event(PARENT, null))).toBe(false);
    expect(guard.ignored).toBe(2);
  });

  it('a frame opened at the top level (no parent) takes nothing', () => {
    const guard = new OriginGuard(
      PARENT,
      () => null,
      () => undefined,
    );
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(guard.accepts(event(PARENT, parentWindow))).toBe(false);
  });

  it('takes the expected window at the expected origin', () => {
    const guard = new OriginGuard(
      PARENT,
      () => parentWindow,
      () => undefined,
    );
    expect(guard.accepts(event(PARENT, parentWindow))).toBe(true);
    expect(guard.ignored).toBe(0);
  });
});

describe('bridge messages', () => {
  it('a connect names the bridge version', () => {
    expect(isConnect({ sealdesk: 'connect', version: 1 })).toBe(true);
    expect(isConnect({ sealdesk: 'connect', version: 2 })).toBe(false);
    expect(isConnect('connect')).toBe(false);
    expect(isConnect(null)).toBe(false);
  });

  it('frame → loader messages are checked field by field', () => {
    expect(parseFrameMessage({ t: 'unread', n: 3 })).toEqual({ t: 'unread', n: 3 });
    expect(parseFrameMessage({ t: 'look', colour: '#7c3f1d', position: 'bottom-left', extra: 1 })).toEqual({
      t: 'look',
      colour: '#7c3f1d',
      position: 'bottom-left',
    });
    for (const bad of [
      { t: 'unread', n: -1 },
      { t: 'unread', n: 1.5 },
      { t: 'unread', n: '3' },
      { t: 'unread', n: 1e9 },
      { t: 'look', colour: 'red', position: 'bottom-left' },
      { t: 'look', colour: '#7c3f1d;background:url(x)', position: 'bottom-left' },
      { t: 'look', colour: '#7c3f1d', position: 'top' },
      { t: 'message', text: 'plaintext never travels here' },
      [],
      'ready',
    ])
      expect(parseFrameMessage(bad)).toBeUndefined();
  });

  it('loader → frame messages are show and hide only', () => {
    expect(parseLoaderMessage({ t: 'show' })).toEqual({ t: 'show' });
    expect(parseLoaderMessage({ t: 'hide', x: 1 })).toEqual({ t: 'hide' });
    expect(parseLoaderMessage({ t: 'send', text: 'hi' })).toBeUndefined();
    expect(looksLikeBridge({ t: 'unread', n: 42 })).toBe(true);
    expect(looksLikeBridge({ type: 'analytics' })).toBe(false);
  });
});
