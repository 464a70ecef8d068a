/**
 * An in-process hostile relay and key directory (security brief §4: "the project keeps a
 * hostile-relay mode and one test per attack"). Every participant of a protocol world talks to
 * the others ONLY through this object, so a test can make the service do anything a fully
 * malicious operator could: substitute, inject, drop, duplicate, delay, reorder and rewrite
 * device lists, prekey bundles and ciphertext envelopes. It never holds a private key of the
 * honest parties; attacks that need keys bring the attacker's own.
 *
 * Honest behaviour (no hook installed): the directory serves the newest published list to
 * everyone and hands out each one-time prekey once; the mailbox delivers envelopes in the order
 * they were posted, each once. Envelopes are parsed exactly as the real relay parses them
 * (`decodeEnvelope`), so a malformed one never reaches a client by accident.
 */
import { toHex } from '../../shared/crypto/index.js';
import type { PrekeyBundle, SignedDeviceList, PrekeyUpload } from '../../shared/protocol/index.js';
import {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  type Recipient,
  type AccountId,
  type ConversationId,
  type DeviceId,
} from '../../shared/wire/index.js';

/** Who is asking the directory (a device id in hex, or a visitor's name): the relay can tell them apart. */
export type Requester = string;

export type DeviceListHook = (
  honest: SignedDeviceList | undefined,
  requester: Requester,
) => SignedDeviceList | undefined;
export type BundleHook = (honest: PrekeyBundle, requester: Requester) => PrekeyBundle;
/** Sees every posted envelope; returns what the relay actually stores (none = drop, two = duplicate, rewritten …). */
export type EnvelopeHook = (envelope: Envelope) => readonly Envelope[];
/** Sees every attachment download; returns the chunks the relay actually serves. */
export type AttachmentHook = (honest: readonly Uint8Array[], attachmentIdHex: string) => readonly Uint8Array[];

export interface PostedEnvelope {
  readonly envelope: Envelope;
  readonly bytes: Uint8Array;
}

/**
 * The mailbox key of a recipient in one conversation: a device, or the visitor. (The real relay keeps
 * one queue per device across conversations; a client hands each envelope to the conversation it
 * names. The harness keeps them apart so that a test that delivers one conversation leaves the others queued.)
 */
export function mailboxKey(conversationId: ConversationId, recipient: Recipient): string {
  const conversation = toHex(conversationId);
  return recipient.kind === 'device'
    ? `device:${toHex(recipient.deviceId)}:${conversation}`
    : `visitor:${conversation}`;
}

export class HostileRelay {
  private readonly lists = new Map<string, SignedDeviceList[]>();
  private readonly uploads = new Map<string, PrekeyUpload>();
  private readonly handedOut = new Map<string, Set<number>>();
  private readonly lastHandedOut = new Map<string, number>();
  private readonly queues = new Map<string, Uint8Array[]>();
  private readonly held: Uint8Array[] = [];
  /** Every envelope as posted by the honest senders, before any hook: the attacker's recording. */
  readonly recorded: PostedEnvelope[] = [];
  /** Hooks the attacks install. */
  deviceListHook: DeviceListHook | undefined;
  bundleHook: BundleHook | undefined;
  envelopeHook: EnvelopeHook | undefined;
  /** When true the directory serves the one-time prekey it handed out last once more (to the next requester). */
  reuseOneTimePrekeys = false;
  attachmentHook: AttachmentHook | undefined;
  private readonly blobs = new Map<string, readonly Uint8Array[]>();

  /**
   * Forgets every envelope (queued, held, recorded), every hook and which one-time prekeys were
   * handed out; keeps the published lists and prekeys. For property tests that run many schedules
   * in one world (its devices' prekey states restored by the test).
   */
  reset(): void {
    this.queues.clear();
    this.held.length = 0;
    this.recorded.length = 0;
    this.handedOut.clear();
    this.lastHandedOut.clear();
    this.deviceListHook = undefined;
    this.bundleHook = undefined;
    this.envelopeHook = undefined;
    this.attachmentHook = undefined;
    this.reuseOneTimePrekeys = false;
  }

  // ---- key directory -------------------------------------------------------------------------

  publishDeviceList(accountId: AccountId, signed: SignedDeviceList): void {
    const key = toHex(accountId);
    this.lists.set(key, [...(this.lists.get(key) ?? []), signed]);
  }

  /** Every list the account ever published, oldest first (what a rollback attack replays). */
  publishedLists(accountId: AccountId): readonly SignedDeviceList[] {
    return this.lists.get(toHex(accountId)) ?? [];
  }

  fetchDeviceList(accountId: AccountId, requester: Requester): SignedDeviceList | undefined {
    const honest = this.publishedLists(accountId).at(-1);
    return this.deviceListHook === undefined ? honest : this.deviceListHook(honest, requester);
  }

  uploadPrekeys(upload: PrekeyUpload): void {
    this.uploads.set(toHex(upload.deviceId), upload);
  }

  /** X3DH §3.2: the signed prekey plus one unused one-time prekey (if any is left). */
  fetchPrekeyBundle(deviceId: DeviceId, requester: Requester): PrekeyBundle | undefined {
    const key = toHex(deviceId);
    const upload = this.uploads.get(key);
    if (upload === undefined) return undefined;
    const used = this.handedOut.get(key) ?? new Set<number>();
    const last = this.lastHandedOut.get(key);
    const again =
      this.reuseOneTimePrekeys && last !== undefined ? upload.oneTimePrekeys.find((o) => o.id === last) : undefined;
    const otp = again ?? upload.oneTimePrekeys.find((o) => !used.has(o.id));
    if (otp !== undefined) {
      this.handedOut.set(key, new Set([...used, otp.id]));
      this.lastHandedOut.set(key, otp.id);
    }
    const honest: PrekeyBundle = {
      deviceId: upload.deviceId,
      signedPrekeyId: upload.signedPrekeyId,
      signedPrekey: new Uint8Array(upload.signedPrekey),
      signedPrekeyCreatedAt: upload.signedPrekeyCreatedAt,
      signedPrekeySignature: new Uint8Array(upload.signedPrekeySignature),
      ...(otp === undefined ? {} : { oneTimePrekey: { id: otp.id, publicKey: new Uint8Array(otp.publicKey) } }),
    };
    return this.bundleHook === undefined ? honest : this.bundleHook(honest, requester);
  }

  // ---- attachment blobs (sealed chunks, F16) ---------------------------------------------------

  putAttachment(attachmentId: Uint8Array, chunks: readonly Uint8Array[]): void {
    this.blobs.set(
      toHex(attachmentId),
      chunks.map((c) => new Uint8Array(c)),
    );
  }

  getAttachment(attachmentId: Uint8Array): readonly Uint8Array[] {
    const key = toHex(attachmentId);
    const honest = (this.blobs.get(key) ?? []).map((c) => new Uint8Array(c));
    return this.attachmentHook === undefined ? honest : this.attachmentHook(honest, key);
  }

  // ---- store and forward ----------------------------------------------------------------------

  /** A sender hands one encoded envelope to the relay. */
  post(bytes: Uint8Array): void {
    const envelope = decodeEnvelope(bytes);
    this.recorded.push({ envelope, bytes: new Uint8Array(bytes) });
    const stored = this.envelopeHook === undefined ? [envelope] : this.envelopeHook(envelope);
    for (const e of stored) this.enqueue(encodeEnvelope(e));
  }

  /** The attacker adds an envelope of its own (forged, replayed, or modified) to a mailbox. */
  inject(bytes: Uint8Array): void {
    this.enqueue(bytes);
  }

  /** Delay: the attacker keeps an envelope back; `releaseHeld` delivers it later. */
  hold(envelope: Envelope): void {
    this.held.push(encodeEnvelope(envelope));
  }

  releaseHeld(): void {
    for (const bytes of this.held.splice(0)) this.enqueue(bytes);
  }

  /** Delivers (and removes) everything queued for one mailbox, in queue order. */
  take(conversationId: ConversationId, recipient: Recipient): Uint8Array[] {
    const key = mailboxKey(conversationId, recipient);
    const queue = this.queues.get(key) ?? [];
    this.queues.set(key, []);
    return queue;
  }

  /** Reorders one mailbox (e.g. reverse it) before the recipient takes it. */
  reorder(
    conversationId: ConversationId,
    recipient: Recipient,
    order: (queue: readonly Uint8Array[]) => Uint8Array[],
  ): void {
    const key = mailboxKey(conversationId, recipient);
    this.queues.set(key, order(this.queues.get(key) ?? []));
  }

  pending(conversationId: ConversationId, recipient: Recipient): number {
    return (this.queues.get(mailboxKey(conversationId, recipient)) ?? []).length;
  }

  private enqueue(bytes: Uint8Array): void {
    const envelope = decodeEnvelope(bytes);
    const key = mailboxKey(envelope.conversationId, envelope.recipient);
    this.queues.set(key, [...(this.queues.get(key) ?? []), bytes]);
  }
}
