/** Visitor addresses for the per-address limits (relay/http/client-address.ts) and the window counter behind them. */
import { describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { type AddressedRequest, addressKey, clientAddress } from '../../relay/http/client-address.js';
import { WindowCounter } from '../../relay/rate-limit.js';

const request = (peer: string, headers: IncomingHttpHeaders = {}): AddressedRequest => ({
  headers,
  socket: { remoteAddress: peer },
});

describe('clientAddress', () => {
  it('is the TCP peer unless proxies are trusted; X-Forwarded-For is ignored then', () => {
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': '203.0.113.7' }), 0)).toBe('10.0.0.5');
  });

  it('behind N trusted proxies is the Nth X-Forwarded-For entry from the right; entries the client wrote are never used', () => {
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': '203.0.113.7' }), 1)).toBe('203.0.113.7');
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' }), 1)).toBe(
      '203.0.113.7',
    );
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': '198.51.100.1,203.0.113.7, 10.0.0.9' }), 2)).toBe(
      '203.0.113.7',
    );
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': ['198.51.100.1', '2001:db8::1'] }), 1)).toBe(
      '2001:db8::1',
    );
  });

  it('falls back to the TCP peer when the header is missing, too short or not an address', () => {
    expect(clientAddress(request('10.0.0.5'), 1)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': '203.0.113.7' }), 2)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': '203.0.113.7:4433' }), 1)).toBe('10.0.0.5');
    expect(clientAddress(request('10.0.0.5', { 'x-forwarded-for': 'unknown' }), 1)).toBe('10.0.0.5');
  });
});

describe('addressKey', () => {
  it('counts IPv4 by address, IPv4-mapped IPv6 as IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts IPv6 by /64, whatever the notation', () => {
    const key = '2001:db8:1:2::/64';
    for (const a of [
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:ffff::9',
      '2001:DB8:1:2:0:0:0:0',
      '2001:db8:1:2:a:b:c:d',
      '2001:db8:1:2::7%eth0',
    ]) {
      expect(addressKey(a)).toBe(key);
    }
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(addressKey('64:ff9b::203.0.113.7')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('1:2:3::4:5:6:7')).toBe('1:2:3:0::/64');
  });

  it('leaves anything else as it is', () => {
    expect(addressKey('unknown')).toBe('unknown');
  });
});

describe('WindowCounter', () => {
  it('allows `limit` events per key per window, then again after the window', () => {
    const counter = new WindowCounter(2, 1_000);
    expect([counter.take('a', 0), counter.take('a', 10), counter.take('a', 20), counter.take('b', 20)]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(counter.take('a', 999)).toBe(false);
    expect([counter.exhausted('a', 999), counter.exhausted('b', 999), counter.exhausted('a', 1_000)]).toEqual([
      true,
      false,
      false,
    ]);
    expect(counter.take('a', 1_000)).toBe(true);
  });

  it('forgets expired windows and never remembers more than maxKeys', () => {
    const counter = new WindowCounter(1, 1_000, 100);
    for (let i = 0; i < 100; i++) counter.take(`k${i}`, i);
    expect(counter.size).toBe(100);
    // Full of live windows: the oldest is forgotten for the new key.
    expect(counter.take('new', 200)).toBe(true);
    expect(counter.size).toBe(100);
    expect(counter.take('k0', 201)).toBe(true);
    expect(counter.take('k99', 202)).toBe(false);
    // All of them expired: dropped as soon as the next new window starts.
    expect(counter.take('later', 5_000)).toBe(true);
    expect(counter.size).toBe(1);
  });
});
