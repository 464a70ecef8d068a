/**
 * PROTOCOL §4.8: the removed-device page says whose account the device was removed from — the
 * business's name as the device last had it (the verified widget configuration), else "your
 * team's" — and the relay's host.
 */
import { describe, expect, it } from 'vitest';
import { removedFrom } from '../../../ui/views/removed/removed-words.js';

describe('§4.8: the removed page names the account', () => {
  it('by the business name the device kept, and the relay host', () => {
    expect(removedFrom({ listVersion: 4, businessName: 'Corner Shop' }, 'https://chat.example.com')).toBe(
      "Corner Shop's Sealdesk account at chat.example.com",
    );
  });

  it('as "your team\'s" when the device never had the name; without a host when the address is unknown or broken', () => {
    expect(removedFrom({ listVersion: 4 }, 'https://chat.example.com:8443/')).toBe(
      "your team's Sealdesk account at chat.example.com:8443",
    );
    expect(removedFrom({ listVersion: 4 }, undefined)).toBe("your team's Sealdesk account");
    expect(removedFrom({ listVersion: 4, businessName: 'Corner Shop' }, 'not a url')).toBe(
      "Corner Shop's Sealdesk account",
    );
  });
});
