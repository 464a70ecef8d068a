/**
 * Properties of the key-sharing formats (attachments, archive, sealed box, device linking):
 * every single-bit flip made in transit gives a typed error and nothing else, and decoding random
 * bytes only ever throws DecodeError. For linking, a flip that still parses changes the codes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, SealdeskError } from '../../shared/errors/index.js';
import {
  historyRecordCodec,
  createArchiveKeyring,
  openHistoryRecord,
  sealHistoryRecord,
  attachmentRefCodec,
  AttachmentTamperedError,
  openAttachmentBlob,
  sealAttachment,
  linkGrantCodec,
  linkOfferCodec,
  linkPayloadCodec,
  linkHelloCodec,
  existingDeviceReceiveHello,
  newDeviceReceiveOffer,
  SEALED_BOX_PURPOSES,
  sealedBoxCodec,
  openSealedBox,
  sealToDevice,
} from '../../shared/protocol/index.js';
import { concatBytes } from '../../shared/crypto/index.js';
import { decode } from '../../shared/wire/index.js';
import { linkingWorld } from '../support/linking-flow.js';
import { hashSeededEnv } from '../support/hash-seeded-env.js';
import { testDevice } from '../support/test-device.js';
import { ArchiveAccount } from '../support/archive-account.js';

const RUNS = 1000;

function flip(bytes: Uint8Array, bit: number): Uint8Array {
  const out = new Uint8Array(bytes);
  const i = Math.floor(bit / 8) % out.length;
  out[i] = (out[i] ?? 0) ^ (1 << (bit % 8));
  return out;
}

async function outcome(action: () => Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await action() };
  } catch (error) {
    return error;
  }
}

describe('properties: tampering in transit', () => {
  it(`a flipped bit anywhere in a sealed box is a typed error (${RUNS} runs)`, async () => {
    const env = hashSeededEnv('prop-box');
    const alice = await testDevice(env, 'Alice');
    const bob = await testDevice(env, 'Bob');
    const box = await sealToDevice(
      env,
      alice.keys,
      bob.entry,
      SEALED_BOX_PURPOSES.archiveKeys,
      new Uint8Array(64).fill(5),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(box.length * 8 - 1), async (bit) => {
        const result = await outcome(() =>
          openSealedBox(flip(box, bit), bob.keys, SEALED_BOX_PURPOSES.archiveKeys, [alice.entry]),
        );
        expect(result).toBeInstanceOf(SealdeskError);
      }),
      { numRuns: RUNS },
    );
  });

  it(`F16: a flipped bit anywhere in an attachment blob is an AttachmentTamperedError (${RUNS} runs)`, async () => {
    const env = hashSeededEnv('prop-attachment');
    const data = new Uint8Array(70_000).map((_, i) => i & 0xff);
    const { ref, chunks } = await sealAttachment(env, data, { mediaType: 'application/octet-stream' });
    const blob = concatBytes(...chunks);
    await fc.assert(
      fc.asyncProperty(fc.nat(blob.length * 8 - 1), async (bit) => {
        const result = await outcome(() => openAttachmentBlob(ref, flip(blob, bit)));
        expect(result).toBeInstanceOf(AttachmentTamperedError);
      }),
      { numRuns: RUNS },
    );
  });

  it(`a flipped bit anywhere in a history record is a typed error (${RUNS} runs)`, async () => {
    const env = hashSeededEnv('prop-record');
    const account = await ArchiveAccount.create(env);
    const writer = await testDevice(env, 'Olga', 'owner');
    await account.start([writer.entry]);
    const keyring = await createArchiveKeyring(env, account.identity, account.current);
    const { keyring: ring, record } = await sealHistoryRecord(
      keyring,
      env,
      writer.keys,
      new Uint8Array([1, 2]),
      new Uint8Array(200).fill(3),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(record.length * 8 - 1), async (bit) => {
        const result = await outcome(() => openHistoryRecord(ring, new Uint8Array([1, 2]), flip(record, bit)));
        expect(result).toBeInstanceOf(SealdeskError);
      }),
      { numRuns: RUNS },
    );
  });

  it(`#13.2 linking: a flipped bit in the hello or the offer is a typed error or makes the codes differ (${RUNS} runs)`, async () => {
    const { env, e1, n1 } = await linkingWorld('prop-linking');
    const honest = await existingDeviceReceiveHello(e1.state, env, n1.hello);
    const newDeviceCode = (await newDeviceReceiveOffer(n1.state, env, honest.offer)).code;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(8 * 194 - 1), async (inHello, bit) => {
        if (inHello) {
          // Only the ephemeral key is outside the proof of possession: a flip there changes the code.
          const result = await outcome(() => existingDeviceReceiveHello(e1.state, env, flip(n1.hello, bit)));
          if (result instanceof Error) expect(result).toBeInstanceOf(SealdeskError);
          else expect((result as { ok: { code: string } }).ok.code === newDeviceCode).toBe(false);
        } else {
          // Every bit of the offer is committed to in the QR payload.
          const result = await outcome(() => newDeviceReceiveOffer(n1.state, env, flip(honest.offer, bit)));
          expect(result).toBeInstanceOf(SealdeskError);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('properties: random bytes', () => {
  const decoders: Record<string, (bytes: Uint8Array) => unknown> = {
    sealedBox: (b) => decode(sealedBoxCodec, b),
    historyRecord: (b) => decode(historyRecordCodec, b),
    attachmentRef: (b) => decode(attachmentRefCodec, b),
    linkPayload: (b) => decode(linkPayloadCodec, b),
    linkOffer: (b) => decode(linkOfferCodec, b),
    linkHello: (b) => decode(linkHelloCodec, b),
    linkGrant: (b) => decode(linkGrantCodec, b),
  };
  for (const [name, decodeAs] of Object.entries(decoders)) {
    it(`decoding random bytes as ${name} only ever throws DecodeError (${RUNS} runs)`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
          try {
            decodeAs(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(DecodeError);
          }
        }),
        { numRuns: RUNS },
      );
    });
  }
});
