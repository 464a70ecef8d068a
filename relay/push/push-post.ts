/**
 * One RFC 8030 push message request, over node:https (node:http only for a loopback endpoint with
 * SEALDESK_PUSH_LOOPBACK_HTTP=1), connected through `guardedLookup`: the address the relay
 * connects to is checked, so an endpoint whose name resolves to an internal address — even only at
 * send time (DNS rebinding) — is never reached (push-address.ts). No redirect is followed.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { guardedLookup, InternalPushAddressError, isInternalAddress, isLoopbackAddress } from './push-address.js';

export interface PushRequest {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly signal: AbortSignal;
  readonly allowLoopbackHttp: boolean;
}

/** POSTs the request; resolves with the push service's status (the response body is discarded). */
export function postPushMessage(push: PushRequest): Promise<number> {
  const url = new URL(push.endpoint);
  const loopbackAllowed = push.allowLoopbackHttp && url.protocol === 'http:';
  const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
  // An IP literal is connected to without a lookup: check it here.
  if (isInternalAddress(url.hostname) && !(loopbackAllowed && isLoopbackAddress(url.hostname)))
    return Promise.reject(new InternalPushAddressError(`push endpoint ${url.hostname} is an internal address`));
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...push.headers, 'content-length': String(push.body.length) },
        lookup: guardedLookup(loopbackAllowed),
        signal: push.signal,
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(push.body);
  });
}
