/**
 * #11.3: the signed widget configuration (shared/runtime/widget-config.ts): opens only under the
 * key that signed it and for the account it names; a changed byte, another account or a bad
 * field is a typed error, never a default.
 */
import { describe, expect, it } from 'vitest';
import { createAccountIdentity } from '../../../shared/protocol/index.js';
import { checkWidgetConfig, openWidgetConfig, signWidgetConfig } from '../../../shared/runtime/index.js';
import { hashSeededEnv } from '../../support/hash-seeded-env.js';

const config = {
  businessName: 'Corner Shop',
  greeting: 'Hi',
  colour: '#112233',
  position: 'bottom-left',
  language: 'de',
  expectedReplyMinutes: 10,
  businessHours: [{ day: 1, from: 540, to: 1020 }],
  timeZone: 'Europe/Berlin',
  prechatQuestion: 'Order number?',
} as const;

describe('#11.3: signed widget configuration', () => {
  it('#11.3: opens under the signing key and account only', async () => {
    const env = hashSeededEnv('widget-config');
    const { identity } = await createAccountIdentity(env);
    const { identity: other } = await createAccountIdentity(env);
    const blob = await signWidgetConfig(identity, config);
    expect(await openWidgetConfig(blob, identity.accountId, identity.signing.publicKey)).toEqual(config);
    await expect(openWidgetConfig(blob, identity.accountId, other.signing.publicKey)).rejects.toMatchObject({
      name: 'SignatureError',
    });
    await expect(openWidgetConfig(blob, other.accountId, identity.signing.publicKey)).rejects.toMatchObject({
      name: 'SignatureError',
    });
    const tampered = new Uint8Array(blob);
    tampered[tampered.length - 3] = (tampered[tampered.length - 3] ?? 0) ^ 1;
    await expect(openWidgetConfig(tampered, identity.accountId, identity.signing.publicKey)).rejects.toMatchObject({
      name: 'SignatureError',
    });
  });

  it('#11.3: refuses bad fields with a typed error', () => {
    expect(() => checkWidgetConfig({ ...config, colour: 'red' })).toThrow(/colour/);
    expect(() => checkWidgetConfig({ ...config, position: 'top' })).toThrow(/position/);
    expect(() => checkWidgetConfig({ ...config, businessHours: [{ day: 9, from: 0, to: 1 }] })).toThrow(
      /businessHours/,
    );
    expect(() => checkWidgetConfig(null)).toThrow(/root/);
  });
});
