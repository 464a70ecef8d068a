/**
 * The relay's side of a run: sender s is the visitor of conversation s (hello-visitor with its
 * capability); its receivers are enrolled agent devices (hello-device, Ed25519 over the
 * challenge). Each frame is a real send frame (§16.2.3) holding a real envelope (§2.6) addressed
 * to one device, encoded by shared/wire; bodies are the stamp plus random bytes.
 */
import { asCiphertext, encodeClientFrame, encodeEnvelope, idToHex } from '../../shared/wire/index.js';
import { BenchError } from './bench-error.js';
import { RelayClient } from './relay-client.js';
import type { DeviceIdentity, VisitorTicket } from './relay-setup.js';
import { inPool } from './pool.js';
import { STAMP_BYTES, randomBytes, readStamp, writeStamp } from './stamp.js';
import { type Topology, countProblem } from './topology.js';

/** Send frame bytes around the envelope: frame version, type, requestId u32, envelope length u32. */
const SEND_FRAME_OVERHEAD = 2 + 4 + 4;
/** Envelope bytes around a device-addressed body (LIMITS: ENVELOPE_OVERHEAD_BYTES). */
const ENVELOPE_OVERHEAD = 39;
const CONNECT_CONCURRENCY = 32;

export interface RelayPopulation {
  readonly visitors: readonly VisitorTicket[];
  readonly devices: readonly DeviceIdentity[];
}

/**
 * Sender s connects to wsUrls[s % n] and its receivers to wsUrls[(s + 1) % n]: with two nodes
 * every delivery crosses from one node to the other.
 */
export async function connectRelay(
  wsUrls: readonly string[],
  population: RelayPopulation,
  senders: number,
  fanout: number,
): Promise<Topology> {
  if (population.visitors.length < senders || population.devices.length < senders * fanout) {
    throw new BenchError(
      `the relay population has ${population.visitors.length} visitors and ${population.devices.length} devices; need ${senders} and ${senders * fanout}`,
    );
  }
  const problems = new Map<string, number>();
  let closing = false;
  let templates: Uint8Array[] = [];
  let bodyOffset = 0;
  let requestId = 0;
  const onProblem = (what: string): void => {
    if (!closing) countProblem(problems, what);
  };
  const topology: Topology = {
    senders,
    fanout,
    problems,
    onDelivery: () => undefined,
    prepare(frameBytes) {
      const bodyBytes = frameBytes - SEND_FRAME_OVERHEAD - ENVELOPE_OVERHEAD;
      if (bodyBytes < STAMP_BYTES)
        throw new BenchError(
          `relay frames must be at least ${SEND_FRAME_OVERHEAD + ENVELOPE_OVERHEAD + STAMP_BYTES} bytes`,
        );
      bodyOffset = frameBytes - bodyBytes;
      templates = Array.from({ length: senders * fanout }, (_, r) => {
        const visitor = population.visitors[Math.floor(r / fanout)];
        const device = population.devices[r];
        if (visitor === undefined || device === undefined) throw new BenchError('population too small');
        // §16.6: a visitor may write only to devices of its conversation's account.
        if (idToHex(visitor.accountId) !== idToHex(device.accountId))
          throw new BenchError(`visitor ${Math.floor(r / fanout)} and device ${r} belong to different accounts`);
        const envelope = encodeEnvelope({
          conversationId: visitor.conversationId,
          recipient: { kind: 'device', deviceId: device.deviceId },
          body: asCiphertext(randomBytes(bodyBytes)),
        });
        const frame = encodeClientFrame({ type: 'send', requestId: 0, envelope });
        if (frame.length !== frameBytes)
          throw new BenchError(`send frame is ${frame.length} bytes, expected ${frameBytes}`);
        return frame;
      });
    },
    send(sender, slot, sentAt) {
      const frame = templates[sender * fanout + slot]?.slice();
      const client = senderClients[sender];
      if (frame === undefined || client === undefined)
        throw new BenchError('send before prepare or to an unknown sender');
      requestId = (requestId + 1) >>> 0;
      new DataView(frame.buffer).setUint32(2, requestId);
      writeStamp(frame, bodyOffset, sentAt, sender);
      client.sendFrame(frame);
    },
    async close() {
      closing = true;
      await Promise.all([...senderClients, ...receiverClients].map((c) => c.close()));
    },
  };
  const events = {
    onBody: (body: Uint8Array): void => {
      const { sentAt, sender } = readStamp(body, 0);
      topology.onDelivery(sender, sentAt);
    },
    onProblem,
  };
  const urlOf = (i: number): string => {
    const url = wsUrls[i % wsUrls.length];
    if (url === undefined) throw new BenchError('no relay URL');
    return url;
  };
  const receiverClients = await inPool(senders * fanout, CONNECT_CONCURRENCY, (r) => {
    const device = population.devices[r];
    if (device === undefined) throw new BenchError('population too small');
    return RelayClient.connect(urlOf(Math.floor(r / fanout) + 1), { device }, events);
  });
  const senderClients = await inPool(senders, CONNECT_CONCURRENCY, (s) => {
    const visitor = population.visitors[s];
    if (visitor === undefined) throw new BenchError('population too small');
    return RelayClient.connect(urlOf(s), { visitor }, events);
  });
  return topology;
}
