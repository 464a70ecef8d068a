/**
 * Issue #16 item 3: a unique canary string and the byte forms in which a careless relay could
 * keep it — UTF-8, UTF-16LE, UTF-16BE, hex, and base64 / base64url at each of the three byte
 * alignments a surrounding text can give it — and a search of bytes for every form.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function newCanary(): string {
  return `CANARY-${crypto.randomUUID()}-SEALDESK`;
}

export interface CanaryForm {
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * Base64 of the canary starting at byte `shift` of a 3-byte group: only the whole groups made of
 * canary bytes are the same in every encoding that holds the canary at that alignment.
 */
function base64Interior(utf8: Buffer, shift: number, encoding: 'base64' | 'base64url'): string {
  const start = (3 - shift) % 3;
  const usable = utf8.subarray(start);
  return usable.subarray(0, usable.length - (usable.length % 3)).toString(encoding);
}

export function canaryForms(canary: string): readonly CanaryForm[] {
  const utf8 = Buffer.from(canary, 'utf8');
  const le = Buffer.from(canary, 'utf16le');
  const be = Buffer.from(le).swap16();
  const forms: CanaryForm[] = [
    { name: 'utf-8', bytes: utf8 },
    { name: 'utf-16le', bytes: le },
    { name: 'utf-16be', bytes: be },
    { name: 'hex', bytes: Buffer.from(utf8.toString('hex')) },
  ];
  for (const encoding of ['base64', 'base64url'] as const)
    for (const shift of [0, 1, 2])
      forms.push({ name: `${encoding}@${shift}`, bytes: Buffer.from(base64Interior(utf8, shift, encoding)) });
  return forms;
}

/** The names of the canary's forms found in `haystack` (case-sensitive bytes; hex also upper-case). */
export function canaryHits(haystack: Uint8Array, canary: string): string[] {
  const hay = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength);
  const hits: string[] = [];
  for (const form of canaryForms(canary)) {
    const upper = form.name === 'hex' ? Buffer.from(form.bytes.toString().toUpperCase()) : form.bytes;
    if (hay.includes(form.bytes) || hay.includes(upper)) hits.push(form.name);
  }
  return hits;
}

/** Every file under `dir` with its bytes, read now (a running relay's -wal and -shm included). */
export function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}
