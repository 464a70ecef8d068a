// The portable suites (WebCrypto, protocol, wire format), run in Node. The same cases run in Chromium (test/browser/).
import { describe, it } from 'vitest';
import { allSuites } from '../cases/all-suites.js';

for (const suite of allSuites) {
  describe(`${suite.name} (node)`, () => {
    for (const c of suite.cases) it(c.name, c.run);
  });
}
