/** Opening and closing a plain `ws` client socket, each bounded in time. */
import WebSocket from 'ws';
import { BenchError } from './bench-error.js';

const OPEN_TIMEOUT_MS = 15_000;
const CLOSE_TIMEOUT_MS = 2_000;

/** Resolves with the open socket; BenchError on error or after OPEN_TIMEOUT_MS. */
export function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new BenchError(`no WebSocket connection to ${url} within ${OPEN_TIMEOUT_MS / 1000} s`));
    }, OPEN_TIMEOUT_MS);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(new BenchError(`WebSocket connection to ${url} failed: ${error.message}`));
    });
  });
}

/** A clean close, or terminate() when the peer does not answer within CLOSE_TIMEOUT_MS. */
export function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, CLOSE_TIMEOUT_MS);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1000);
  });
}
