/**
 * The rules of an attachment reference beyond its byte layout (docs/PROTOCOL.md §8.2; issue #9
 * item 7). The reference codec checks them when a reference is written (UsageError: an honest
 * sender never sends one that breaks them) and when it is read, alone or inside a conversation
 * frame (InvalidContentError: the frame is refused before it is ordered or shown). In this order:
 *   1. size ≤ 100 MiB;
 *   2. chunkCount = chunkCountFor(size);
 *   3. mediaType is `type "/" subtype` of RFC 6838 §4.2 (restricted-name characters, no parameters);
 *   4. fileName, when present, follows the display-name rules of §4.6, has no '/' or '\' and is
 *      not "." or "..".
 * A problem names the rule, never the value (it may be hostile).
 */
import { validateDisplayName } from '../identity/index.js';
import { ATTACHMENT_LIMITS, chunkCountFor } from './attachment-limits.js';

/** The fields the rules look at. */
export interface AttachmentRefRuleFields {
  readonly size: number;
  readonly chunkCount: number;
  readonly mediaType: string;
  readonly fileName: string | undefined;
}

export interface AttachmentRefProblem {
  readonly rule: string;
  readonly cause?: unknown;
}

// RFC 6838 §4.2: restricted-name = restricted-name-first *126restricted-name-chars, where
// restricted-name-first = ALPHA / DIGIT and restricted-name-chars = ALPHA / DIGIT / "!" / "#" /
// "$" / "&" / "-" / "^" / "_" / "." / "+".
const RESTRICTED_NAME = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
const MEDIA_TYPE = new RegExp(`^${RESTRICTED_NAME}/${RESTRICTED_NAME}$`);

function fileNameProblem(name: string): AttachmentRefProblem | undefined {
  try {
    validateDisplayName(name);
  } catch (error) {
    // PROTOCOL §4.6 (Unicode TR #36 §2, TR #39 §3.1): bidi controls, invisible characters, non-NFC …
    return { rule: `file name: ${error instanceof Error ? error.message : 'rejected'}`, cause: error };
  }
  if (/[/\\]/.test(name)) return { rule: "file name contains '/' or '\\'" };
  if (name === '.' || name === '..') return { rule: 'file name names the current or the parent directory' };
  return undefined;
}

/** The first rule of PROTOCOL §8.2 that `ref` breaks, or undefined. */
export function attachmentRefProblem(ref: AttachmentRefRuleFields): AttachmentRefProblem | undefined {
  if (!Number.isSafeInteger(ref.size) || ref.size < 0 || ref.size > ATTACHMENT_LIMITS.maxBytes) {
    return { rule: `size ${ref.size} exceeds the cap of ${ATTACHMENT_LIMITS.maxBytes} bytes` };
  }
  const chunks = chunkCountFor(ref.size);
  if (ref.chunkCount !== chunks) {
    return { rule: `chunk count ${ref.chunkCount} does not match size ${ref.size} (${chunks} chunks)` };
  }
  if (!MEDIA_TYPE.test(ref.mediaType)) {
    return { rule: 'media type is not of the form type "/" subtype (RFC 6838 §4.2)' };
  }
  return ref.fileName === undefined ? undefined : fileNameProblem(ref.fileName);
}
