/**
 * A local push service speaking RFC 8030 on 127.0.0.1 (plain http: the relay accepts it with
 * SEALDESK_PUSH_LOOPBACK_HTTP=1). Each subscription has its own key pair (web-push-check.ts); a
 * push message request (POST to the endpoint) is checked and decrypted here: VAPID token verified
 * (RFC 8292), body decrypted with the subscription's private key (RFC 8291). The answer is 201
 * with a Location (RFC 8030 §5), or the status a test sets (410 for an expired subscription).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  decryptAes128gcm,
  newSubscriberKeys,
  type SubscriberKeys,
  verifyVapid,
  type VapidClaims,
} from './web-push-check.js';

export interface ReceivedPush {
  readonly subscription: string;
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Uint8Array;
  /** The decrypted payload; undefined with `problem` when decryption or the VAPID check failed. */
  readonly plaintext: Uint8Array | undefined;
  readonly claims: VapidClaims | undefined;
  readonly vapidKey: string | undefined;
  readonly problem: string | undefined;
}

export interface LocalSubscription {
  readonly id: string;
  readonly endpoint: string;
  readonly keys: SubscriberKeys;
  /** The status its next requests get (201 unless set). */
  status: number;
}

export interface LocalPushService {
  readonly origin: string;
  readonly received: ReceivedPush[];
  subscribe(): LocalSubscription;
  /** Resolves once `count` pushes have arrived in all. */
  until(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startPushService(): Promise<LocalPushService> {
  const subscriptions = new Map<string, LocalSubscription>();
  const received: ReceivedPush[] = [];
  const waiters: (() => void)[] = [];
  let origin = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = /^\/push\/([0-9a-f]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const subscription = subscriptions.get(id);
      if (req.method !== 'POST' || subscription === undefined) {
        res.writeHead(404).end();
        return;
      }
      const body = new Uint8Array(Buffer.concat(chunks));
      let plaintext: Uint8Array | undefined;
      let checked: ReturnType<typeof verifyVapid> | undefined;
      let problem: string | undefined;
      try {
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('Content-Encoding must be aes128gcm');
        checked = verifyVapid(req.headers.authorization, origin, Math.floor(Date.now() / 1000));
        plaintext = decryptAes128gcm(body, subscription.keys);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      const status = problem === undefined ? subscription.status : 400;
      received.push({
        subscription: id,
        status,
        headers: req.headers,
        body,
        plaintext,
        claims: checked?.claims,
        vapidKey: checked?.publicKey,
        problem,
      });
      res.writeHead(status, status === 201 ? { location: `${origin}/message/${String(received.length)}` } : {}).end();
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  return {
    origin,
    received,
    subscribe() {
      const id = Buffer.from(crypto.getRandomValues(new Uint8Array(8))).toString('hex');
      const s: LocalSubscription = { id, endpoint: `${origin}/push/${id}`, keys: newSubscriberKeys(), status: 201 };
      subscriptions.set(id, s);
      return s;
    },
    async until(count) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}
