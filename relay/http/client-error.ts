/**
 * Requests Node's HTTP parser refuses before any route runs (a request line and headers over 16 KiB,
 * a malformed request line, a header or request deadline passed): answered in the relay's JSON
 * error form like every other refusal (PROTOCOL §16.4, docs/OPERATIONS.md "Errors"), then closed.
 * Found by the HTTP fuzzer (issue #16 item 5): Node's default answer had no body.
 */
import type { Duplex } from 'node:stream';

interface ParserRefusal {
  readonly status: number;
  readonly reason: string;
  readonly code: string;
  readonly message: string;
}

function refusalFor(code: string | undefined): ParserRefusal {
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      reason: 'Request Header Fields Too Large',
      code: 'headers-too-large',
      message: 'the request line and headers exceed 16 KiB',
    };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, reason: 'Request Timeout', code: 'request-timeout', message: 'the request took too long' };
  return { status: 400, reason: 'Bad Request', code: 'bad-request', message: 'the request is not valid HTTP/1.1' };
}

export function answerClientError(error: Error & { readonly code?: string }, socket: Duplex): void {
  // A reset or a socket already written to has nobody left to answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const refusal = refusalFor(error.code);
  const body = JSON.stringify({ error: refusal.code, message: refusal.message });
  socket.end(
    `HTTP/1.1 ${String(refusal.status)} ${refusal.reason}\r\ncontent-type: application/json\r\n` +
      `content-length: ${String(Buffer.byteLength(body))}\r\nconnection: close\r\n\r\n${body}`,
  );
}
