/**
 * What a relay (or a listed device) can put in a device's queue: any bytes, in a conversation of
 * the account, sent over a device session of `sender` (a real relay connection; the relay stores
 * and forwards them unchanged). For the change request tests (PROTOCOL §4.5).
 */
import type { DeviceKeys } from '../../../shared/protocol/index.js';
import { ed25519Signer } from '../../../shared/transport/index.js';
import {
  type AccountId,
  type ConversationId,
  type DeviceId,
  asCiphertext,
  encodeEnvelope,
} from '../../../shared/wire/index.js';
import { party } from '../../transport/support/transport-fixture.js';
import { waitFor } from './runtime-world.js';

export async function injectEnvelope(
  origin: string,
  accountId: AccountId,
  sender: DeviceKeys,
  to: { readonly conversationId: ConversationId; readonly deviceId: DeviceId },
  body: Uint8Array,
): Promise<void> {
  const p = party({
    url: origin.replace(/^http/, 'ws') + '/v1/ws',
    hello: {
      kind: 'device',
      device: { accountId, deviceId: sender.deviceId, sign: ed25519Signer(sender.signing.privateKey) },
    },
  });
  await p.connection.commit({
    outbox: [
      {
        envelope: encodeEnvelope({
          conversationId: to.conversationId,
          recipient: { kind: 'device', deviceId: to.deviceId },
          body: asCiphertext(body),
        }),
      },
    ],
  });
  await waitFor(() => p.events.some((e) => e.type === 'stored'), 'the relay storing the envelope');
  await p.connection.stop();
}
