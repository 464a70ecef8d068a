/**
 * The bare forwarder's side of a run: plain `ws` clients, no authentication. A frame is the u32
 * big-endian destination id, the stamp, then random bytes (see bare-forwarder.ts).
 */
import type WebSocket from 'ws';
import { BenchError } from './bench-error.js';
import { closeSocket, openSocket } from './plain-socket.js';
import { STAMP_BYTES, randomBytes, readStamp, writeStamp } from './stamp.js';
import { type Topology, countProblem } from './topology.js';
import { inPool } from './pool.js';

const SENDER_ID_BASE = 1_000_000;
const CONNECT_CONCURRENCY = 64;

async function open(
  url: string,
  onFrame: (bytes: Buffer) => void,
  onProblem: (what: string) => void,
): Promise<WebSocket> {
  const ws = await openSocket(url);
  ws.on('close', () => {
    onProblem('closed');
  });
  ws.on('error', () => {
    onProblem('socket-error');
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary && Buffer.isBuffer(data)) onFrame(data);
    else onProblem('unexpected-frame');
  });
  return ws;
}

export async function connectBare(url: string, senders: number, fanout: number): Promise<Topology> {
  const problems = new Map<string, number>();
  const onProblem = (what: string): void => {
    countProblem(problems, what);
  };
  let templates: Uint8Array[] = [];
  let closing = false;
  const topology: Topology = {
    senders,
    fanout,
    problems,
    onDelivery: () => undefined,
    prepare(frameBytes) {
      if (frameBytes < 4 + STAMP_BYTES) throw new BenchError(`frames must be at least ${4 + STAMP_BYTES} bytes`);
      templates = Array.from({ length: senders * fanout }, (_, r) => {
        const t = randomBytes(frameBytes);
        new DataView(t.buffer).setUint32(0, r);
        return t;
      });
    },
    send(sender, slot, sentAt) {
      const frame = templates[sender * fanout + slot]?.slice();
      const ws = senderSockets[sender];
      if (frame === undefined || ws === undefined) throw new BenchError('send before prepare or to an unknown sender');
      writeStamp(frame, 4, sentAt, sender);
      ws.send(frame, { binary: true });
    },
    async close() {
      closing = true;
      await Promise.all([...senderSockets, ...receiverSockets].map(closeSocket));
    },
  };
  const onFrame = (bytes: Buffer): void => {
    const { sentAt, sender } = readStamp(bytes, 4);
    topology.onDelivery(sender, sentAt);
  };
  const problem = (what: string): void => {
    if (!closing) onProblem(what);
  };
  const receiverSockets = await inPool(senders * fanout, CONNECT_CONCURRENCY, (r) =>
    open(`${url}/${r}`, onFrame, problem),
  );
  const senderSockets = await inPool(senders, CONNECT_CONCURRENCY, (s) =>
    open(`${url}/${SENDER_ID_BASE + s}`, onFrame, problem),
  );
  return topology;
}
