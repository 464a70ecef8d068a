/**
 * A stand-in for a Node `Buffer`, usable in Node and in Chromium alike: a Uint8Array subclass that
 * lives at an offset inside a larger ArrayBuffer (as pooled Buffers and the Buffers ws and SQLite
 * hand out do), whose `subarray` keeps the subclass and whose `slice` returns a view, not a copy
 * (Node's Buffer#slice quirk). Wire code must read such a value from its own offset only and must
 * never hand one back.
 */
export class NodeBufferLike extends Uint8Array {
  /** Like Buffer#slice: a view sharing memory, not the copy that Uint8Array#slice makes. */
  override slice(start?: number, end?: number): Uint8Array<ArrayBuffer> {
    return this.subarray(start, end);
  }
}

/**
 * `content` copied into a Buffer-like value of the same length that sits after `before` bytes and
 * before `after` bytes of `fill` in one shared ArrayBuffer: a real Node Buffer where there is one
 * (the Node run), the NodeBufferLike stand-in in the browser.
 */
export function nodeBufferLike(content: Uint8Array, { before = 0, after = 0, fill = 0 } = {}): Uint8Array {
  const backing = new ArrayBuffer(before + content.length + after);
  new Uint8Array(backing).fill(fill);
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  const view =
    NodeBuffer === undefined
      ? new NodeBufferLike(backing, before, content.length)
      : NodeBuffer.from(backing, before, content.length);
  view.set(content);
  return view;
}
