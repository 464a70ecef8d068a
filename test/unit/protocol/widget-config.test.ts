// The widget configuration signed by the business (PROTOCOL §19; issue #12 item 2, #15 item 5):
// what the relay could do to it (tamper, swap in another business's, roll back, show two versions)
// and what a business could put in it that must not reach a visitor's screen.
import { describe, expect, it } from 'vitest';
import { ed25519Sign } from '../../../shared/crypto/index.js';
import { DecodeError, SignatureError, UsageError } from '../../../shared/errors/index.js';
import {
  createAccountIdentity,
  EquivocationError,
  InvalidContentError,
  PinMismatchError,
  RollbackError,
  signWidgetConfig,
  verifyWidgetConfig,
  type WidgetSettings,
} from '../../../shared/protocol/index.js';
import {
  signedWidgetConfigCodec,
  widgetConfigBodyCodec,
} from '../../../shared/protocol/widget-config/widget-config-codec.js';
import { labelled, WIDGET_CONFIG_LABELS } from '../../../shared/protocol/widget-config/widget-config-labels.js';
import { encode } from '../../../shared/wire/index.js';
import { type IdentityWorld, identityWorld } from '../../support/identity-fixture.js';

const SETTINGS: WidgetSettings = {
  businessName: 'Harbour Dental Clinic',
  greeting: 'Olá! Ask us about appointments — we answer within the hour.',
  colour: '#1d4fc4',
  position: 'bottom-left',
  language: 'pt-PT',
  expectedReplyMinutes: 45,
  businessHours: [
    { day: 1, from: 9 * 60, to: 18 * 60 },
    { day: 5, from: 22 * 60, to: 2 * 60 },
  ],
  timeZone: 'Europe/Lisbon',
  prechatQuestion: 'What is your booking reference?',
};

async function account() {
  const w = await identityWorld('widget-config');
  const who = { accountId: w.identity.accountId, accountKey: w.identity.signing.publicKey };
  return { w, who };
}

describe('signed widget configuration (PROTOCOL §19)', () => {
  it('§19: what the owner signs is what the widget gets, with its version and date', async () => {
    const { w, who } = await account();
    const bytes = await signWidgetConfig(SETTINGS, 3, w.identity, w.env);
    const verified = await verifyWidgetConfig(bytes, who);
    expect(verified.settings).toEqual(SETTINGS);
    expect(verified.configVersion).toBe(3);
    expect(verified.issuedAt).toBe(w.env.now());
    const without: WidgetSettings = {
      businessName: 'Café Lisboa',
      greeting: 'Hi!',
      colour: '#000000',
      position: 'bottom-right',
      language: 'en',
      expectedReplyMinutes: 0,
      businessHours: [],
      timeZone: 'UTC',
    };
    const plain = await verifyWidgetConfig(await signWidgetConfig(without, 4, w.identity, w.env), who);
    expect(plain.settings).toEqual(without);
    // The colour travels as three bytes, so readers always get the one canonical spelling.
    await expect(signWidgetConfig({ ...SETTINGS, colour: '#1D4FC4' }, 5, w.identity, w.env)).rejects.toThrow(/colour/);
  });

  it('§19.3: a configuration changed by the relay, any byte, is refused (SignatureError or DecodeError)', async () => {
    const { w, who } = await account();
    const bytes = await signWidgetConfig(SETTINGS, 1, w.identity, w.env);
    for (let i = 0; i < bytes.length; i++) {
      const tampered = bytes.slice();
      tampered[i] = (tampered[i] ?? 0) ^ 0x01;
      const outcome = await verifyWidgetConfig(tampered, who).then(
        () => 'accepted',
        (error: unknown) => error,
      );
      expect(outcome === 'accepted' ? `byte ${i} accepted` : outcome).toSatisfy(
        (e: unknown) => e instanceof SignatureError || e instanceof DecodeError,
      );
    }
  });

  it('§19.3: a configuration signed by a key other than the verified account key is refused (SignatureError)', async () => {
    const { w, who } = await account();
    const other = await createAccountIdentity(w.env);
    const forged = await signWidgetConfig(SETTINGS, 1, { ...other.identity, accountId: w.identity.accountId }, w.env);
    await expect(verifyWidgetConfig(forged, who)).rejects.toBeInstanceOf(SignatureError);
  });

  it('§19.3: another business’s genuine configuration served under this account is refused (PinMismatchError)', async () => {
    const { w, who } = await account();
    // The same key signing for two account ids (a business with two accounts): the id must match.
    const elsewhere = await signWidgetConfig(
      SETTINGS,
      1,
      { ...w.identity, accountId: (await createAccountIdentity(w.env)).identity.accountId },
      w.env,
    );
    await expect(verifyWidgetConfig(elsewhere, who)).rejects.toBeInstanceOf(PinMismatchError);
  });

  it('§19.3: an older version than one already seen is a rollback; the same version with other settings is equivocation', async () => {
    const { w, who } = await account();
    const v2 = await verifyWidgetConfig(await signWidgetConfig(SETTINGS, 2, w.identity, w.env), who);
    const old = await signWidgetConfig({ ...SETTINGS, greeting: 'We are closed for good.' }, 1, w.identity, w.env);
    await expect(verifyWidgetConfig(old, who, v2.seen)).rejects.toBeInstanceOf(RollbackError);
    const split = await signWidgetConfig({ ...SETTINGS, colour: '#000000' }, 2, w.identity, w.env);
    await expect(verifyWidgetConfig(split, who, v2.seen)).rejects.toBeInstanceOf(EquivocationError);
    // The same bytes again, and a newer version, are fine.
    const again = await signWidgetConfig(SETTINGS, 2, w.identity, w.env);
    expect((await verifyWidgetConfig(again, who, v2.seen)).configVersion).toBe(2);
    expect((await verifyWidgetConfig(old.slice(), who)).configVersion).toBe(1);
    const v3 = await signWidgetConfig({ ...SETTINGS, greeting: 'Hello again' }, 3, w.identity, w.env);
    expect((await verifyWidgetConfig(v3, who, v2.seen)).settings.greeting).toBe('Hello again');
  });

  const BAD: readonly (readonly [string, Partial<WidgetSettings>, RegExp])[] = [
    ['a right-to-left override in the greeting', { greeting: 'Pay at \u202Eexe.invoice' }, /greeting contains/],
    ['a zero-width space in the business name', { businessName: 'Harbour\u200BDental' }, /business name contains/],
    ['a no-break space in the business name', { businessName: 'Harbour\u00A0Dental' }, /space other than/],
    ['a greeting that is not NFC', { greeting: 'Cafe\u0301' }, /NFC/],
    ['an empty greeting', { greeting: '  ' }, /greeting is empty/],
    ['a greeting past 280 characters', { greeting: 'a'.repeat(281) }, /longer than 280/],
    ['a colour that is CSS, not #rrggbb', { colour: 'red;background:url(x)' }, /colour/],
    ['a language that is not a tag', { language: 'english please' }, /language/],
    ['a time zone that is not an IANA name', { timeZone: '../../etc/passwd' }, /time zone/],
    ['a reply time past a week', { expectedReplyMinutes: 7 * 24 * 60 + 1 }, /reply time/],
    ['a weekday 7', { businessHours: [{ day: 7, from: 0, to: 60 }] }, /day/],
    ['an empty range', { businessHours: [{ day: 1, from: 60, to: 60 }] }, /empty/],
    ['a pre-chat question with a line separator', { prechatQuestion: 'Name?\u2028Card number?' }, /pre-chat/],
  ];

  for (const [what, patch, rule] of BAD) {
    it(`§19.2: ${what} is refused by an honest signer (UsageError) and by every reader (InvalidContentError)`, async () => {
      const { w, who } = await account();
      const settings = { ...SETTINGS, ...patch };
      await expect(signWidgetConfig(settings, 1, w.identity, w.env)).rejects.toThrow(UsageError);
      await expect(signWidgetConfig(settings, 1, w.identity, w.env)).rejects.toThrow(rule);
      // A malicious owner device signs it anyway (the rules checked only by readers here).
      const signedAnyway = await signUnchecked(settings, w);
      if (signedAnyway === undefined) return; // not even encodable: refused by the layout itself
      const error: unknown = await verifyWidgetConfig(signedAnyway, who).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidContentError);
      expect(String(error)).toMatch(rule);
    });
  }
});

/** Signs without the writer's rules (what a compromised owner device could publish), or undefined if the layout cannot hold it. */
async function signUnchecked(settings: WidgetSettings, w: IdentityWorld): Promise<Uint8Array | undefined> {
  let body: Uint8Array;
  try {
    body = encode(widgetConfigBodyCodec, { accountId: w.identity.accountId, configVersion: 1, issuedAt: 0, settings });
  } catch {
    return undefined;
  }
  const signature = await ed25519Sign(w.identity.signing.privateKey, labelled(WIDGET_CONFIG_LABELS.signature, body));
  return encode(signedWidgetConfigCodec, { body, signature });
}
