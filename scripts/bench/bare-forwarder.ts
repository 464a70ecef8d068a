/**
 * The ceiling: a bare `ws` forwarder with no authentication, validation or storage. A client
 * connects to ws://127.0.0.1:<port>/<id> (id a decimal u32); each binary message it sends starts
 * with the u32 big-endian id of the destination and is forwarded unchanged to that connection.
 * Run as its own process by scripts/bench/main.ts; prints one JSON line {"port": n} when listening.
 */
import { WebSocketServer, type WebSocket } from 'ws';

const peers = new Map<number, WebSocket>();
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env['BENCH_PORT'] ?? '0'),
  perMessageDeflate: false,
  maxPayload: 4 * 65_536,
});

wss.on('connection', (ws, req) => {
  const id = Number((req.url ?? '/').slice(1));
  peers.set(id, ws);
  ws.on('message', (data, isBinary) => {
    if (isBinary && Buffer.isBuffer(data) && data.length >= 4)
      peers.get(data.readUInt32BE(0))?.send(data, { binary: true });
  });
  ws.on('close', () => {
    if (peers.get(id) === ws) peers.delete(id);
  });
});

wss.on('listening', () => {
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => process.exit(0));
  });
}
