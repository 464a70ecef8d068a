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
  existingDeviceReceiveHello,
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
import { type AccountId, asAccountId, idEquals } from '../../../shared/wire/index.js';
import { assertBytes, assertEqual, assertRejects, assertTrue } from '../assert.js';
import type { PortableSuite } from '../portable-case.js';
import { ArchiveAccount } from '../../support/archive-account.js';

const env: ProtocolEnv = { rng: secureRandom, now: () => Date.now() };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** An owner device's keys and entry for `accountId` (PROTOCOL §4.2: the proof of possession names it). */
async function device(
  name: string,
  accountId: AccountId = asAccountId(new Uint8Array(16)),
): Promise<{ keys: DeviceKeys; entry: DeviceEntry }> {
  const keys = await createDeviceKeys(env);
  return {
    keys,
    entry: await deviceEntryOf(
      keys,
      { agentId: env.rng(16), agentName: name, kind: 'extension', role: 'owner' },
      accountId,
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
        const account = await ArchiveAccount.create(env);
        const owner = await device('Olga', account.accountId);
        const stay = await device('Sam', account.accountId);
        const gone = await device('Gil', account.accountId);
        await account.start([owner.entry, stay.entry, gone.entry]);
        const before = account.current;
        const ring = await createArchiveKeyring(env, account.identity, before);
        const granted = await grantArchiveKeys(env, ring, owner.keys, before.devices, ARCHIVE_GRANT_SCOPES.all);
        const grantFor = (d: { keys: DeviceKeys }) =>
          granted.find((g) => idEquals(g.recipientDeviceId, d.keys.deviceId))?.sealed ?? new Uint8Array(0);
        const gonesRing = (await acceptArchiveKeyGrant(undefined, before, grantFor(gone), gone.keys)).keyring;
        let staysRing = (await acceptArchiveKeyGrant(undefined, before, grantFor(stay), stay.keys)).keyring;
        const after = await account.next([owner.entry, stay.entry]);
        const rotation = await rotateArchiveOnListChange(env, account.identity, ring, owner.keys, after);
        assertEqual(rotation.grants.length, 1, 'one grant');
        staysRing = (
          await acceptArchiveKeyGrant(staysRing, after, rotation.grants[0]?.sealed ?? new Uint8Array(0), stay.keys)
        ).keyring;
        const { record } = await sealHistoryRecord(rotation.keyring, env, owner.keys, text('r'), text('after'));
        assertBytes(
          (await openHistoryRecord(staysRing, text('r'), record)).plaintext,
          text('after'),
          'remaining device',
        );
        const authorsAt = (epoch: number) => account.lists.find((l) => l.version === epoch)?.devices;
        await assertRejects(
          () => openHistoryRecord(gonesRing, text('r'), record, authorsAt),
          ProtocolStateError,
          'removed device',
        );
      },
    },
    {
      name: 'device linking: equal codes link; a substituted hello makes them differ',
      run: async () => {
        const owner = await device('Olga');
        const accountId = asAccountId(env.rng(16));
        const account = { accountId, accountKey: owner.entry.signingKey };
        const phone = await createDeviceKeys(env);
        const e1 = await startExistingDeviceLink(env, account, owner.keys, owner.entry.agentId);
        const n1 = await startNewDeviceLink(env, e1.payload, phone, 'pwa');
        const relay = await device('Relay');
        const fake = await startNewDeviceLink(env, e1.payload, relay.keys, 'pwa');
        const fooled = await existingDeviceReceiveHello(e1.state, env, fake.hello);
        const e2 = await existingDeviceReceiveHello(e1.state, env, n1.hello);
        const n2 = await newDeviceReceiveOffer(n1.state, env, e2.offer);
        assertEqual(e2.code, n2.code, 'codes');
        assertTrue(fooled.code !== n2.code, 'codes differ under a relay in the middle');
        const e3 = await existingDeviceConfirmCode(e2.state, env, {
          codesMatch: true,
          profile: { agentId: owner.entry.agentId, agentName: 'Olga', kind: 'pwa', role: 'owner' },
          self: owner.keys,
          keyring: undefined,
        });
        const n3 = newDeviceConfirmCode(n2.state, env, true);
        const n4 = await newDeviceReceiveGrant(n3.state, env, e3.release?.grant ?? new Uint8Array(0));
        assertEqual(n4.state.phase, LINK_PHASES.linked, 'linked');
      },
    },
  ],
};
