/**
 * Who a connection is (PROTOCOL §16.2): an enrolled device, answering the relay's challenge with
 * its device key (§16.5), or a visitor presenting its conversation capability. Each has its own
 * relay queue, and so its own delivery cursor.
 */
import { type CursorQueue, deviceQueue, visitorQueue } from '../../storage/index.js';
import { type ClientFrame, type ConversationId } from '../../wire/index.js';
import { type DeviceCredentials, signChallenge } from '../signer.js';

export type Hello =
  | { readonly kind: 'device'; readonly device: DeviceCredentials }
  | { readonly kind: 'visitor'; readonly conversationId: ConversationId; readonly capability: Uint8Array };

export function helloQueue(hello: Hello): CursorQueue {
  return hello.kind === 'device' ? deviceQueue(hello.device.deviceId) : visitorQueue(hello.conversationId);
}

/** The hello frame answering `challenge`, resuming after `resumeAfter`. */
export async function helloFrame(hello: Hello, challenge: Uint8Array, resumeAfter: number): Promise<ClientFrame> {
  if (hello.kind === 'visitor') {
    return { type: 'hello-visitor', conversationId: hello.conversationId, capability: hello.capability, resumeAfter };
  }
  const { accountId, deviceId } = hello.device;
  const signature = await signChallenge(hello.device, challenge);
  return { type: 'hello-device', accountId, deviceId, signature, resumeAfter };
}
