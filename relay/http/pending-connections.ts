/**
 * Slowloris (issue #10 item 6): TCP connections per address that have not delivered the headers
 * of their first request yet, capped like the WebSocket path's unauthenticated connections
 * (ws/address-slots.ts). Past the cap a new connection is closed at once, before Node parses
 * anything. The header and request timeouts (server.ts) end the ones that stall.
 *
 * The address is the TCP peer: behind reverse proxies (SEALDESK_TRUSTED_PROXIES > 0) every
 * connection comes from a proxy, so the cap is left to them and not applied here.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Metrics } from '../metrics.js';
import { AddressSlots } from '../ws/address-slots.js';
import { addressKey } from './client-address.js';

export function capPendingConnections(server: Server, perAddress: number, metrics: Metrics): AddressSlots {
  const slots = new AddressSlots(perAddress);
  const held = new WeakMap<Socket, () => void>();
  const release = (socket: Socket): void => {
    held.get(socket)?.();
    held.delete(socket);
  };
  server.on('connection', (socket: Socket) => {
    const slot = slots.take(addressKey(socket.remoteAddress ?? 'unknown'));
    if (slot === undefined) {
      metrics.reject('too-many-pending-http');
      socket.destroy();
      return;
    }
    held.set(socket, slot);
    socket.once('close', () => {
      release(socket);
    });
  });
  // The headers of the first request (or of a WebSocket upgrade) arrived: no longer pending.
  server.on('request', (req: { socket: Socket }) => {
    release(req.socket);
  });
  server.on('upgrade', (req: { socket: Socket }) => {
    release(req.socket);
  });
  return slots;
}
