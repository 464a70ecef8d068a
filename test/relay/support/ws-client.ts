/** A minimal relay client over a real WebSocket: decodes relay frames and lets a test await them. */
import WebSocket from 'ws';
import { type ClientFrame, type RelayFrame, decodeRelayFrame, encodeClientFrame } from '../../../shared/wire/index.js';

export class TestClient {
  readonly ws: WebSocket;
  readonly frames: RelayFrame[] = [];
  closeCode: number | undefined;
  #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data: Buffer) => {
      this.frames.push(decodeRelayFrame(new Uint8Array(data)));
      this.#wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.#wake();
    });
  }

  static async connect(url: string, options: { autoPong?: boolean } = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { autoPong: options.autoPong ?? true });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => {
        resolve();
      });
      ws.once('error', reject);
    });
    return client;
  }

  send(frame: ClientFrame): void {
    this.ws.send(encodeClientFrame(frame));
  }

  sendRaw(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  /** Waits until `predicate` holds for the frames received so far (or the socket closed). */
  async until(predicate: (frames: readonly RelayFrame[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.frames)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  of<T extends RelayFrame['type']>(type: T): Extract<RelayFrame, { type: T }>[] {
    return this.frames.filter((f): f is Extract<RelayFrame, { type: T }> => f.type === type);
  }

  challenge(): Uint8Array {
    const c = this.of('challenge')[0];
    if (c === undefined) throw new Error('no challenge yet');
    return c.challenge;
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once('close', () => {
        resolve();
      });
      this.ws.close();
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
