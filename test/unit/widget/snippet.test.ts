// The embed snippet's settings and the snippet generator (widget/snippet/): one parser for the
// loader, the isolated frame and the CLI; every bad setting is an InvalidSnippetError naming it.
import { describe, expect, it } from 'vitest';
import {
  InvalidSnippetError,
  parseSnippet,
  parseWidgetManifest,
  snippetTag,
  type WidgetManifest,
} from '../../../widget/snippet/index.js';

const PIN = '4ost sl3z jvqk 43br 7adq nv7h txn4 haui skco ct32 o2mh 3lfs b3wq';
const ACCOUNT = '0f'.repeat(16);
const GOOD = { relay: 'https://relay.example.com/', account: ACCOUNT, pin: PIN } as const;
const MANIFEST: WidgetManifest = {
  version: 1,
  loader: { file: 'loader-0123456789.js', integrity: `sha384-${'A'.repeat(64)}` },
  chat: { file: 'chat-0123456789.js', integrity: `sha384-${'B'.repeat(64)}` },
  frame: { file: 'frame-0123456789.js', integrity: `sha384-${'C'.repeat(64)}` },
  framePage: 'frame.html',
};

describe('parseSnippet', () => {
  it('accepts the agent app’s settings, with the pin in any case and spacing', () => {
    expect(parseSnippet({ ...GOOD, pin: PIN.toUpperCase().replace(/ /g, '') })).toEqual({
      relay: 'https://relay.example.com',
      account: ACCOUNT,
      pin: PIN,
      mode: 'default',
    });
    expect(parseSnippet({ ...GOOD, relay: 'http://127.0.0.1:8787' }).relay).toBe('http://127.0.0.1:8787');
  });

  const bad: readonly [string, Record<string, string | undefined>, RegExp][] = [
    ['no relay', { ...GOOD, relay: undefined }, /no data-relay/],
    ['a relay that is not an address', { ...GOOD, relay: 'relay' }, /data-relay must be an absolute address/],
    ['plain http to another computer', { ...GOOD, relay: 'http://relay.example.com' }, /https:/],
    ['credentials in the relay', { ...GOOD, relay: 'https://u:p@relay.example.com' }, /without credentials/],
    ['a query in the relay', { ...GOOD, relay: 'https://relay.example.com/?x=1' }, /query/],
    ['a short account id', { ...GOOD, account: 'abc' }, /32 hexadecimal/],
    ['a pin of 51 letters', { ...GOOD, pin: PIN.slice(0, -1) }, /52-letter business fingerprint/],
    ['a pin with a letter outside base32', { ...GOOD, pin: PIN.replace('4', '8') }, /52-letter/],
    ['a pin whose last letter carries bits past 256', { ...GOOD, pin: `${PIN.slice(0, -1)}r` }, /52-letter/],
    ['an unknown mode', { ...GOOD, mode: 'iframe' }, /data-mode must be/],
    ['isolated mode without a frame', { ...GOOD, mode: 'isolated' }, /data-frame/],
    ['a frame without isolated mode', { ...GOOD, frame: 'https://chat.example.com/frame.html' }, /only with data-mode/],
    ['a colour that is not #rrggbb', { ...GOOD, colour: 'red' }, /data-colour/],
    ['an unknown position', { ...GOOD, position: 'top-left' }, /data-position/],
  ];
  for (const [name, record, message] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => parseSnippet(record)).toThrow(InvalidSnippetError);
      expect(() => parseSnippet(record)).toThrow(message);
    });
  }
});

describe('snippetTag', () => {
  it('writes src, integrity, crossorigin and the settings, nothing else', () => {
    expect(snippetTag(parseSnippet(GOOD), MANIFEST)).toBe(
      `<script async src="https://relay.example.com/widget/loader-0123456789.js" integrity="sha384-${'A'.repeat(64)}" crossorigin="anonymous" data-relay="https://relay.example.com" data-account="${ACCOUNT}" data-pin="${PIN}"></script>`,
    );
  });

  it('names a self-hosted widget base and the isolated frame', () => {
    const options = parseSnippet({
      ...GOOD,
      mode: 'isolated',
      frame: 'https://chat.shop.example/frame.html',
      colour: '#7C3F1D',
    });
    const tag = snippetTag(options, MANIFEST, 'https://shop.example/sealdesk');
    expect(tag).toContain('src="https://shop.example/sealdesk/loader-0123456789.js"');
    expect(tag).toContain(
      'data-mode="isolated" data-frame="https://chat.shop.example/frame.html" data-colour="#7c3f1d"',
    );
  });

  it('escapes attribute values', () => {
    const options = parseSnippet({ ...GOOD, relay: 'https://relay.example.com/a"b<c>&' });
    expect(snippetTag(options, MANIFEST)).toContain('data-relay="https://relay.example.com/a%22b%3Cc%3E&amp;"');
  });
});

describe('parseWidgetManifest', () => {
  it('accepts what the build writes and refuses anything else', () => {
    expect(parseWidgetManifest(JSON.parse(JSON.stringify(MANIFEST)))).toEqual(MANIFEST);
    expect(() => parseWidgetManifest({ ...MANIFEST, version: 2 })).toThrow(InvalidSnippetError);
    expect(() =>
      parseWidgetManifest({ ...MANIFEST, loader: { file: '../x.js', integrity: MANIFEST.loader.integrity } }),
    ).toThrow(/plain file name/);
    expect(() => parseWidgetManifest({ ...MANIFEST, chat: { file: 'c.js', integrity: 'sha256-abc' } })).toThrow(
      /sha384/,
    );
  });
});
