/**
 * Security brief §4 "message routed to a revoked device (impossible: no ciphertext exists for
 * it)" (F10, F11). Routing is the relay's job, so the question is not whether the relay can
 * deliver to a revoked device — it can deliver anything anywhere — but whether anything it could
 * deliver opens there. After revocation the signed list no longer names the device, senders fan
 * out only to listed devices, and the inbox archive key rotates to a new epoch that is never
 * granted to it.
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../shared/crypto/index.js';
import {
  acceptArchiveKeyGrant,
  ARCHIVE_GRANT_SCOPES,
  grantArchiveKeys,
  rotateArchiveOnListChange,
  createArchiveKeyring,
  currentArchiveKey,
  openHistoryRecord,
  sealHistoryRecord,
  ALERT_KINDS,
  ProtocolStateError,
} from '../../shared/protocol/index.js';
import { idEquals } from '../../shared/wire/index.js';
import { expectHonestRoundTrip } from '../support/honest-traffic.js';
import { ProtocolWorld } from '../support/protocol-world.js';
import { alertKinds, texts, WorldConversation } from '../support/world-conversation.js';

describe('attack: message routed to a revoked device (security brief §4)', () => {
  it('F10: after revocation no new conversation makes any ciphertext for the revoked device', async () => {
    const world = await ProtocolWorld.create('revoked-new-conversation');
    const phone = world.device('ada-phone');
    await world.revokeDevice('ada-phone');
    const convo = await WorldConversation.start(world, 'visitor');
    expect(convo.visitor.state?.sessions.some((s) => idEquals(s.peerId, phone.keys.deviceId))).toBe(false);
    await expectHonestRoundTrip(convo, 'after-revocation');
    await convo.agentSends('owner', 'internal: refund approved');
    // Neither the visitor nor any remaining device addressed a single packet to the revoked phone,
    // so there is nothing the relay could route to it.
    const toPhone = world.relay.recorded.filter(
      (r) => r.envelope.recipient.kind === 'device' && idEquals(r.envelope.recipient.deviceId, phone.keys.deviceId),
    );
    expect(toPhone).toEqual([]);
    expect(world.relay.recorded.length).toBeGreaterThan(0);
  });

  it('F10: in a conversation that began before the revocation, the remaining device’s next message carries no content key for the revoked sibling', async () => {
    const world = await ProtocolWorld.create('revoked-existing-conversation');
    const phone = world.device('ada-phone');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-revocation');
    await convo.deliverAll();
    await world.revokeDevice('ada-phone');
    // The laptop's view (and the context it passes to every receive) now holds the list without the phone.
    await convo.visitorSends('are you still there?');
    await convo.deliverToAgent('ada-laptop');
    const step = await convo.agentSends('ada-laptop', 'yes — refund approved');
    expect(step.outgoing.some((o) => idEquals(o.recipientId, phone.keys.deviceId))).toBe(false);
    await convo.deliverToVisitor();
    expect(texts(convo.visitor)).toContain('yes — refund approved');
  });

  it('F10: once the visitor has the new list, its next message in the ongoing conversation makes no ciphertext for the revoked device', async () => {
    const world = await ProtocolWorld.create('revoked-visitor-fanout');
    const phone = world.device('ada-phone');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-revocation');
    await world.revokeDevice('ada-phone');
    expect(await convo.visitorRefreshesList()).toEqual([]);
    expect(convo.visitor.state?.deviceList.version).toBe(2);
    const step = await convo.visitorSends('my new address is 2 High St');
    expect(step.outgoing.some((o) => idEquals(o.recipientId, phone.keys.deviceId))).toBe(false);
    expect(step.outgoing.length).toBe(2);
    await expectHonestRoundTrip(convo, 'after-revocation');
  });

  it('F10: a message from the revoked (stolen) device after the revocation is refused by the visitor and by the remaining devices (forged alert)', async () => {
    const world = await ProtocolWorld.create('revoked-thief-sends');
    const convo = await WorldConversation.start(world, 'visitor');
    await expectHonestRoundTrip(convo, 'before-revocation', 'ada-phone');
    await expectHonestRoundTrip(convo, 'before-revocation-2', 'ada-laptop');
    await convo.deliverAll();
    await world.revokeDevice('ada-phone');
    await convo.visitorRefreshesList();
    await convo.visitorSends('hello after revocation'); // the laptop and the owner learn the new list on receipt
    await convo.deliverAll();
    // The thief holds the phone and its saved states, and sends as Ada.
    await convo.agentSends('ada-phone', 'please pay the refund fee to this account');
    const visitorOutcomes = await convo.deliverToVisitor();
    const laptopOutcomes = await convo.deliverToAgent('ada-laptop');
    expect(visitorOutcomes.map((o) => o.ok)).toEqual([false]);
    expect(laptopOutcomes.map((o) => o.ok)).toEqual([false]);
    expect(texts(convo.visitor)).not.toContain('please pay the refund fee to this account');
    expect(texts(convo.agent('ada-laptop'))).not.toContain('please pay the refund fee to this account');
    expect(alertKinds(convo.visitor)).toEqual([ALERT_KINDS.forged]);
    expect(alertKinds(convo.agent('ada-laptop'))).toEqual([ALERT_KINDS.forged]);
    await expectHonestRoundTrip(convo, 'after-thief');
  });

  it('F11: the inbox archive key rotates on revocation and the revoked device gets no grant for the new epoch', async () => {
    const world = await ProtocolWorld.create('revoked-archive');
    const owner = world.device('owner');
    const laptop = world.device('ada-laptop');
    const phone = world.device('ada-phone');
    const env = owner.env;
    const before = world.currentList;
    const keyring = await createArchiveKeyring(env, world.account, before);
    const initialGrants = await grantArchiveKeys(env, keyring, owner.keys, before.devices, ARCHIVE_GRANT_SCOPES.all);
    const phoneGrant = initialGrants.find((g) => idEquals(g.recipientDeviceId, phone.keys.deviceId));
    const laptopGrant = initialGrants.find((g) => idEquals(g.recipientDeviceId, laptop.keys.deviceId));
    if (phoneGrant === undefined || laptopGrant === undefined)
      throw new RangeError('no grant for the phone or the laptop');
    const phoneKeyring = (await acceptArchiveKeyGrant(undefined, before, phoneGrant.sealed, phone.keys)).keyring;
    let laptopKeyring = (await acceptArchiveKeyGrant(undefined, before, laptopGrant.sealed, laptop.keys)).keyring;

    await world.revokeDevice('ada-phone');
    const after = world.currentList;
    const rotated = await rotateArchiveOnListChange(env, world.account, keyring, owner.keys, after);
    expect(rotated.rotated).toBe(true);
    expect(currentArchiveKey(rotated.keyring).epoch).toBe(after.version);
    expect(rotated.grants.map((g) => g.recipientDeviceId)).not.toContainEqual(phone.keys.deviceId);
    expect(rotated.grants.map((g) => g.recipientDeviceId)).toContainEqual(laptop.keys.deviceId);

    // History sealed after the revocation does not open with anything the phone holds.
    const recordId = utf8Encode('conversation-1/message-9');
    const { record } = await sealHistoryRecord(
      rotated.keyring,
      env,
      owner.keys,
      recordId,
      utf8Encode('refund approved'),
    );
    const authorsAt = (epoch: number) => (epoch === after.version ? after.devices : undefined);
    await expect(openHistoryRecord(phoneKeyring, recordId, record, authorsAt)).rejects.toBeInstanceOf(
      ProtocolStateError,
    );
    // The laptop, granted the new epoch, opens it (honest traffic continues).
    const grant = rotated.grants.find((g) => idEquals(g.recipientDeviceId, laptop.keys.deviceId));
    if (grant === undefined) throw new RangeError('no grant');
    laptopKeyring = (await acceptArchiveKeyGrant(laptopKeyring, after, grant.sealed, laptop.keys)).keyring;
    expect((await openHistoryRecord(laptopKeyring, recordId, record)).plaintext).toEqual(utf8Encode('refund approved'));
    // And a grant the relay replays from before the revocation does not help the phone either.
    await expect(acceptArchiveKeyGrant(phoneKeyring, before, phoneGrant.sealed, phone.keys)).resolves.toMatchObject({
      added: 0,
    });
  });
});
