/**
 * The shape of test/vectors/protocol-v2.json (docs/PROTOCOL.md §18.3), for the vector tests.
 * Byte strings are lower-case hex.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { VectorInputs } from '../../scripts/vectors/inputs.js';

export interface StoredDraw {
  readonly block: number;
  readonly bytes: number;
  readonly step: string;
}

export interface StoredSession {
  readonly initiator: string;
  readonly responder: string;
  readonly sessionId: string;
  readonly draws: { readonly initiatorIdentityKey: number; readonly ephemeralKey: number; readonly ratchetKey: number };
  readonly initiatorIdentityKey: string;
  readonly ephemeralKey: string;
  readonly ratchetKey: string;
  readonly responderIdentityKey: string;
  readonly signedPrekey: string;
  readonly oneTimePrekey: string | null;
  readonly dh: readonly string[];
  readonly transcript: string;
  readonly associatedData: string;
  readonly sharedSecret: string;
  readonly rootKey: string;
  readonly chainKey: string;
}

export interface StoredPacket {
  readonly to: string;
  readonly recipient: 'device' | 'visitor';
  readonly sessionKind: 'initial' | 'signedReply' | 'normal';
  readonly sessionId: string;
  readonly header: { readonly dh: string; readonly pn: number; readonly n: number };
  readonly rootKey: string;
  readonly chainKey: string;
  readonly messageKey: string;
  readonly messageCipherKey: string;
  readonly messageIv: string;
  readonly keyPacket: string;
  readonly bodyBytes: number;
  readonly packet: string;
}

export interface StoredSend {
  readonly id: string;
  readonly from: string;
  readonly atMs: number;
  readonly body: { readonly kind: string } & Record<string, unknown>;
  readonly seq: number;
  readonly prevHash: string;
  readonly sentAt: number;
  readonly deviceListVersion: number;
  readonly deviceListHash: string;
  readonly prevListVersion: number;
  readonly acks: readonly {
    readonly sender: string;
    readonly seq: number;
    readonly hash: string;
    readonly listVersion: number;
  }[];
  readonly contentKeyDraw: number;
  readonly contentKey: string;
  readonly bodyKey: string;
  readonly bodyIv: string;
  readonly contentAad: string;
  readonly bodyHash: string;
  readonly paddedBytes: number;
  readonly frameBytes: number;
  readonly frame: string;
  readonly frameHash: string;
  readonly alerts: readonly string[];
  readonly packets: readonly StoredPacket[];
}

export interface StoredDelivery {
  readonly id: string;
  readonly to: string;
  readonly atMs: number;
  readonly draws: readonly number[];
  readonly released: readonly {
    readonly from: string;
    readonly seq: number;
    readonly kind: string;
    readonly late: boolean;
  }[];
  readonly alerts: readonly string[];
}

export interface StoredBundle {
  readonly device: string;
  readonly oneTimePrekeyId: number | null;
  readonly encoded: string;
}

export interface StoredVectors {
  readonly description: string;
  readonly wireVersion: number;
  readonly suite: number;
  readonly rng: string;
  readonly inputs: VectorInputs;
  readonly setup: readonly string[];
  readonly account: {
    readonly accountId: string;
    readonly accountKey: string;
    readonly agentIds: readonly string[];
    readonly businessFingerprint: { readonly bytes: string; readonly text: string };
    readonly devices: readonly {
      readonly label: string;
      readonly deviceId: string;
      readonly signingKey: string;
      readonly dhIdentityKey: string;
      readonly signedPrekey: {
        readonly id: number;
        readonly publicKey: string;
        readonly createdAt: number;
        readonly signature: string;
      };
      readonly oneTimePrekeys: readonly { readonly id: number; readonly publicKey: string }[];
    }[];
    readonly signedDeviceList: {
      readonly encoded: string;
      readonly body: string;
      readonly signature: string;
      readonly version: number;
      readonly hash: string;
    };
  };
  readonly bundles: {
    readonly visitor: readonly StoredBundle[];
    readonly siblings: Readonly<Record<string, readonly StoredBundle[]>>;
  };
  readonly conversation: {
    readonly conversationId: string;
    readonly visitorId: string;
    readonly visitorIdentityKey: string;
    readonly safetyCode: string;
    readonly alerts: readonly string[];
  };
  readonly sessions: readonly StoredSession[];
  readonly steps: readonly ({ readonly send: StoredSend } | { readonly deliver: StoredDelivery })[];
  readonly draws: Readonly<Record<string, readonly StoredDraw[]>>;
}

export const STORED_VECTORS_TEXT = readFileSync(fileURLToPath(new URL('./protocol-v2.json', import.meta.url)), 'utf8');

export function storedVectors(): StoredVectors {
  return JSON.parse(STORED_VECTORS_TEXT) as StoredVectors;
}

export function sendsOf(v: StoredVectors): StoredSend[] {
  return v.steps.flatMap((s) => ('send' in s ? [s.send] : []));
}

export function deliveriesOf(v: StoredVectors): StoredDelivery[] {
  return v.steps.flatMap((s) => ('deliver' in s ? [s.deliver] : []));
}
