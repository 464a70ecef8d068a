/**
 * Every input of the protocol vectors (docs/PROTOCOL.md §18.2). Nothing else goes into them: the
 * generator (scripts/vectors/generate.ts) turns these into test/vectors/protocol-v2.json, which
 * stores them under `inputs`, and the vector test regenerates the file from the stored inputs.
 */
import type { DeviceKind, Role } from '../../shared/protocol/index.js';

/** A participant of the script: the visitor, or an agent device by its label. */
export type Party = string;
export const VISITOR: Party = 'visitor';

export interface AgentInput {
  readonly name: string;
  readonly role: Role;
}

export interface DeviceInput {
  /** How the script names the device. */
  readonly label: string;
  /** Index into `agents`. */
  readonly agent: number;
  readonly kind: DeviceKind;
  readonly seed: string;
  /** `createPrekeyState(device, env, oneTimePrekeys)`: one-time prekeys ids 1..n. */
  readonly oneTimePrekeys: number;
}

/** A prekey bundle as the directory serves it: the device's current signed prekey and, or not, one one-time prekey. */
export interface BundleInput {
  readonly device: string;
  readonly oneTimePrekeyId: number | null;
}

/** A message body as the script writes it (byte fields are resolved when the script runs). */
export type BodyInput =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'typing'; readonly active: boolean }
  /** A read receipt for the frame of an earlier send of the script (its sender and seq). */
  | { readonly kind: 'readReceipt'; readonly of: string }
  /** `sealAttachment(sender env, utf8(content), {mediaType, fileName})`: draws the attachment id, then the file key (§8.1). */
  | {
      readonly kind: 'attachment';
      readonly content: string;
      readonly mediaType: string;
      readonly fileName: string;
    }
  | { readonly kind: 'close'; readonly reason: string };

export type StepInput =
  | { readonly atMs: number; readonly send: { readonly id: string; readonly from: Party; readonly body: BodyInput } }
  /** Delivers the packet of send `id` addressed to `to` (order of the steps = order of delivery). */
  | { readonly atMs: number; readonly deliver: { readonly id: string; readonly to: Party } };

export interface VectorInputs {
  /** The clock at the start; each step sets it to `clockStartMs + atMs`. */
  readonly clockStartMs: number;
  readonly seeds: { readonly account: string; readonly visitor: string };
  /** Agent ids are the caller's (§3.2): here one `rng(16)` of the account's rng per agent, in this order, after the AIK. */
  readonly agents: readonly AgentInput[];
  /** In device list order. */
  readonly devices: readonly DeviceInput[];
  /** The bundles the visitor's `startVisitorConversation` gets. */
  readonly visitorBundles: readonly BundleInput[];
  /** Bundles an agent device passes as `siblingBundles` when it sends (by sending device label). */
  readonly siblingBundles: Readonly<Record<string, readonly BundleInput[]>>;
  readonly steps: readonly StepInput[];
}

const LONG_TEXT_4K = 'The tracking page shows the parcel at the depot. '.repeat(60);
const LONG_TEXT_16K = 'Here is the full log of the order, line by line. '.repeat(200);

export const DEFAULT_VECTOR_INPUTS: VectorInputs = {
  clockStartMs: Date.UTC(2026, 10, 27, 12, 0, 0),
  seeds: { account: 'sealdesk/v2/vectors/account', visitor: 'sealdesk/v2/vectors/visitor' },
  agents: [
    { name: 'Ada', role: 'owner' },
    { name: 'Ben', role: 'agent' },
  ],
  devices: [
    { label: 'A', agent: 0, kind: 'extension', seed: 'sealdesk/v2/vectors/device-a', oneTimePrekeys: 2 },
    { label: 'B', agent: 1, kind: 'pwa', seed: 'sealdesk/v2/vectors/device-b', oneTimePrekeys: 1 },
  ],
  visitorBundles: [
    { device: 'A', oneTimePrekeyId: 1 },
    { device: 'B', oneTimePrekeyId: null },
  ],
  siblingBundles: { A: [{ device: 'B', oneTimePrekeyId: 1 }], B: [] },
  steps: [
    // Phase 1: first contact. The visitor's first two messages reach both devices (fan-out).
    {
      atMs: 1_000,
      send: { id: 'v1', from: 'visitor', body: { kind: 'text', text: 'Hello, I have a question about my order.' } },
    },
    { atMs: 1_000, deliver: { id: 'v1', to: 'A' } },
    { atMs: 1_000, deliver: { id: 'v1', to: 'B' } },
    { atMs: 2_000, send: { id: 'v2', from: 'visitor', body: { kind: 'text', text: 'It is order 1234.' } } },
    { atMs: 2_000, deliver: { id: 'v2', to: 'A' } },
    { atMs: 2_000, deliver: { id: 'v2', to: 'B' } },
    // A answers: a signed reply to the visitor, and a first contact with its sibling B.
    { atMs: 5_000, send: { id: 'a1', from: 'A', body: { kind: 'text', text: 'Hi! Let me look that up.' } } },
    { atMs: 5_000, deliver: { id: 'a1', to: 'visitor' } },
    { atMs: 5_000, deliver: { id: 'a1', to: 'B' } },
    // Phase 2. The visitor ratcheted on A's reply: its next packet to A has pn = 2.
    { atMs: 6_000, send: { id: 'v3', from: 'visitor', body: { kind: 'typing', active: true } } },
    { atMs: 7_000, send: { id: 'v4', from: 'visitor', body: { kind: 'text', text: 'Thank you!' } } },
    // Out of order: v4 reaches A before v3 (a skipped message key, then used).
    { atMs: 7_000, deliver: { id: 'v4', to: 'A' } },
    { atMs: 7_000, deliver: { id: 'v3', to: 'A' } },
    { atMs: 7_000, deliver: { id: 'v3', to: 'B' } },
    { atMs: 7_000, deliver: { id: 'v4', to: 'B' } },
    { atMs: 8_000, send: { id: 'b1', from: 'B', body: { kind: 'readReceipt', of: 'v4' } } },
    { atMs: 8_000, deliver: { id: 'b1', to: 'visitor' } },
    { atMs: 8_000, deliver: { id: 'b1', to: 'A' } },
    {
      atMs: 9_000,
      send: {
        id: 'a2',
        from: 'A',
        body: {
          kind: 'attachment',
          content: 'Order 1234: shipped.\n',
          mediaType: 'text/plain',
          fileName: 'receipt.txt',
        },
      },
    },
    { atMs: 9_000, deliver: { id: 'a2', to: 'visitor' } },
    { atMs: 9_000, deliver: { id: 'a2', to: 'B' } },
    { atMs: 10_000, send: { id: 'a3', from: 'A', body: { kind: 'text', text: LONG_TEXT_4K } } },
    { atMs: 10_000, deliver: { id: 'a3', to: 'visitor' } },
    { atMs: 10_000, deliver: { id: 'a3', to: 'B' } },
    { atMs: 11_000, send: { id: 'v5', from: 'visitor', body: { kind: 'text', text: LONG_TEXT_16K } } },
    { atMs: 11_000, deliver: { id: 'v5', to: 'A' } },
    { atMs: 11_000, deliver: { id: 'v5', to: 'B' } },
    { atMs: 12_000, send: { id: 'v6', from: 'visitor', body: { kind: 'close', reason: 'Thanks, bye.' } } },
    { atMs: 12_000, deliver: { id: 'v6', to: 'A' } },
    { atMs: 12_000, deliver: { id: 'v6', to: 'B' } },
  ],
};
