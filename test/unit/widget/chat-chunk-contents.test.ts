// Issue #12 item 8: the product chat chunk carries the visitor's code only. No agent runtime, no
// account, device-session or linking route, no agent-side publication, no X3DH responder — the
// visitor's own reads and receive checks are in it (the control that the search can find code).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, type WidgetBuild } from '../../../scripts/widget/build-widget.js';

const dir = mkdtempSync(join(tmpdir(), 'sealdesk-chunk-'));
let built: WidgetBuild;
let text: string;
let inputs: string[];

// The production build (esbuild + terser) takes seconds alone and far longer on a busy machine.
beforeAll(async () => {
  built = await buildWidget({ outDir: dir });
  text = new TextDecoder().decode(built.chat.bytes);
  inputs = Object.values(built.chat.metafile?.outputs ?? {}).flatMap((o) => Object.keys(o.inputs));
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the chat chunk', () => {
  it('bundles the visitor runtime and its HTTP part, not the agent runtime or the whole HTTP API', () => {
    expect(inputs.some((p) => p.endsWith('shared/runtime/visitor-runtime.ts'))).toBe(true);
    expect(inputs.some((p) => p.endsWith('shared/transport/http/visitor-http.ts'))).toBe(true);
    const agentOnly = inputs.filter((p) =>
      /shared\/runtime\/agent-|shared\/transport\/http\/(auth-api|link-api|relay-http)\.ts$|shared\/transport\/opaque\//.test(
        p,
      ),
    );
    expect(agentOnly).toEqual([]);
  });

  it('has the directory reads but none of the agent’s publications (their error texts name them)', () => {
    expect(text).toContain('fetch the device list');
    expect(text).toContain('claim a one-time prekey');
    for (const what of [
      'enrol the device',
      'publish the device list',
      'publish the prekey bundle',
      'upload one-time prekeys',
      'publish the widget configuration',
      'delete the conversation',
    ])
      expect(text, what).not.toContain(what);
  });

  it('has the visitor’s receive checks but not the agent’s first-contact responder (PROTOCOL §7.6 step 3)', () => {
    expect(text).toContain('a packet from a sender or session this visitor did not start');
    expect(text).not.toContain('a first contact from a listed device does not use its listed identity key');
    expect(text).not.toContain('a first contact claims the visitor with another identity key');
  });
});
