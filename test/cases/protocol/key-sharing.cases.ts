/**
 * Attachments, inbox archive, sealed box and device linking on the engine's own WebCrypto: the
 * same cases run in Node and in real Chromium (test/cases/all-suites.ts). Real randomness.
 */
import { secureRandom } from '../../../shared/crypto/index.js';
import {
  ALERT_KINDS,
  ARCHIVE_GRANT_SCOPES,
  acceptArchiveKeyGrant,
  grantArchiveKeys,
  rotateArchiveOnListChange,
  createArchiveKeyring,
  openHistoryRecord,
  sealHistoryRecord,
  AttachmentTamperedError,
  openAttachment,
  sealAttachment,
  createDeviceKeys,
  type DeviceKeys,
  deviceEntryOf,
  type ProtocolEnv,
  ProtocolStateError,
  existingDeviceConfirmCode,
  existingDeviceReceiveReveal,
  startExistingDeviceLink,
  newDeviceConfirmCode,
  newDeviceReceiveGrant,
  newDeviceReceiveOffer,
  startNewDeviceLink,
  LINK_PHASES,
  type DeviceEntry,
  SEALED_BOX_PURPOSES,
  openSealedBox,
  sealToDevice,
} from '../../../shared/protocol/index.js';
import { asAccountId, idEquals } from '../../../shared/wire/index.js';
import { assertBytes, assertEqual, assertRejects, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';

const env: ProtocolEnv = { rng: secureRandom, now: () => Date.now() };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

async function device(name: string): Promise<{ keys: DeviceKeys; entry: DeviceEntry }> {
  const keys = await createDeviceKeys(env);
  return {
    keys,
    entry: await deviceEntryOf(
      keys,
      { agentId: env.rng(16), agentName: name, kind: 'extension', role: 'owner' },
      asAccountId(new Uint8Array(16)),
    ),
  };
}

export const keySharingSuite: PortableSuite = {
  name: 'protocol: attachments, archive, sealed box, linking',
  cases: [
    {
      name: 'sealed box opens for its addressee only',
      run: async () => {
        const a = await device('Ann');
        const b = await device('Ben');
        const c = await device('Cy');
        const box = await sealToDevice(env, a.keys, b.entry, SEALED_BOX_PURPOSES.archiveKeys, text('k'));
        assertBytes(
          (await openSealedBox(box, b.keys, SEALED_BOX_PURPOSES.archiveKeys, [a.entry])).plaintext,
          text('k'),
          'plaintext',
        );
        await assertRejects(
          () => openSealedBox(box, c.keys, SEALED_BOX_PURPOSES.archiveKeys, [a.entry]),
          ProtocolStateError,
          'other device',
        );
      },
    },
    {
      name: 'F16: attachment round trip; reordered chunks raise attachmentTampered',
      run: async () => {
        const data = new Uint8Array(70_000).map((_, i) => i & 0xff);
        const { ref, chunks } = await sealAttachment(env, data, { mediaType: 'image/png' });
        assertBytes(await openAttachment(ref, chunks), data, 'attachment');
        const [c0, c1] = chunks;
        assertTrue(c0 !== undefined && c1 !== undefined, 'two chunks');
        const error = await assertRejects(() => openAttachment(ref, [c1, c0]), AttachmentTamperedError, 'reordered');
        assertEqual(error.alert.kind, ALERT_KINDS.attachmentTampered, 'alert');
      },
    },
    {
      name: 'F11: after a removal only the remaining device opens the new archive epoch',
      run: async () => {
        const owner = await device('Olga');
        const stay = await device('Sam');
        const gone = await device('Gil');
        const accountId = asAccountId(env.rng(16));
        const ring = createArchiveKeyring(env, accountId);
        const all = [owner.entry, stay.entry, gone.entry];
        const granted = await grantArchiveKeys(env, ring, owner.keys, all, ARCHIVE_GRANT_SCOPES.all);
        const gonesGrant = granted.find((g) => idEquals(g.recipientDeviceId, gone.keys.deviceId));
        const gonesRing = (
          await acceptArchiveKeyGrant(undefined, accountId, gonesGrant?.sealed ?? new Uint8Array(0), gone.keys, all)
        ).keyring;
        const rotation = await rotateArchiveOnListChange(env, ring, owner.keys, all, [owner.entry, stay.entry]);
        assertEqual(rotation.grants.length, 1, 'one grant');
        const staysRing = (
          await acceptArchiveKeyGrant(
            undefined,
            accountId,
            rotation.grants[0]?.sealed ?? new Uint8Array(0),
            stay.keys,
            all,
          )
        ).keyring;
        const { record } = await sealHistoryRecord(rotation.keyring, env, text('r'), text('after'));
        assertBytes(await openHistoryRecord(staysRing, text('r'), record), text('after'), 'remaining device');
        await assertRejects(
          () => openHistoryRecord(gonesRing, text('r'), record),
          ProtocolStateError,
          'removed device',
        );
      },
    },
    {
      name: 'device linking: equal codes link; a substituted offer makes them differ',
      run: async () => {
        const owner = await device('Olga');
        const accountId = asAccountId(env.rng(16));
        const account = { accountId, accountKey: owner.entry.signingKey };
        const phone = await createDeviceKeys(env);
        const n1 = await startNewDeviceLink(env, accountId, phone);
        const e1 = await startExistingDeviceLink(env, n1.payload, account, owner.keys);
        const relay = await device('Relay');
        const fake = await startExistingDeviceLink(
          env,
          n1.payload,
          { accountId, accountKey: relay.entry.signingKey },
          relay.keys,
        );
        const fooled = await newDeviceReceiveOffer(n1.state, env, fake.offer);
        const n2 = await newDeviceReceiveOffer(n1.state, env, e1.offer);
        const e2 = await existingDeviceReceiveReveal(e1.state, env, n2.reveal);
        assertEqual(e2.code, n2.code, 'codes');
        assertTrue(fooled.code !== e2.code, 'codes differ under a relay in the middle');
        const e3 = await existingDeviceConfirmCode(e2.state, env, {
          codesMatch: true,
          profile: { agentId: owner.entry.agentId, agentName: 'Olga', kind: 'pwa', role: 'owner' },
          self: owner.keys,
          keyring: createArchiveKeyring(env, accountId),
        });
        const n3 = newDeviceConfirmCode(n2.state, env, true);
        const n4 = await newDeviceReceiveGrant(n3.state, env, e3.release?.grant ?? new Uint8Array(0));
        assertEqual(n4.state.phase, LINK_PHASES.linked, 'linked');
      },
    },
  ],
};
