/**
 * The pin of the snippet a page runs now, against the directory view this browser stored when it
 * verified the business before (PROTOCOL §4.4, §12.1 "Pin mismatch: what the visitor sees"): it must
 * still name that business's key — the pin the view started from, or the key the view follows now
 * after a rotation — or the visitor runtime refuses to start, as it does in a browser that never saw
 * the business. Without this check a browser with a stored conversation ignored the page's pin.
 * No alert: the relay is not a suspect here, the page's snippet changed.
 */
import { constantTimeEqual } from '../crypto/index.js';
import {
  type DirectoryView,
  PinMismatchError,
  businessFingerprint,
  businessFingerprintBytes,
  parseBusinessPin,
} from '../protocol/index.js';

export async function requireSnippetPin(view: DirectoryView, pinText: string): Promise<void> {
  const pin = parseBusinessPin(pinText);
  if (constantTimeEqual(pin, view.pin)) return;
  if (view.accountKey !== undefined && constantTimeEqual(pin, await businessFingerprintBytes(view.accountKey))) return;
  const verified = view.accountKey === undefined ? undefined : await businessFingerprint(view.accountKey);
  throw new PinMismatchError('the pin on this page is not the business key this browser verified before', {
    ...(verified === undefined ? {} : { servedFingerprint: verified }),
  });
}
