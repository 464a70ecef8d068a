// The runtime bridge (ui/bridge): an AgentRuntime-shaped client in the page, the runtime in a host,
// over JSON channels (extension ports) and structured-clone channels (the PWA's worker).
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeDisconnectedError, RemoteRuntimeError, RuntimeUnavailableError } from '../../../ui/errors/app-errors.js';
import { createRuntimeHost } from '../../../ui/bridge/runtime-host.js';
import { ScriptedAgentRuntime, TAKEN_USERNAME } from '../../support/agent-app/scripted-agent-runtime.js';
import { CONVERSATIONS } from '../../support/agent-app/scripted-demo-data.js';
import { channelPair } from './bridge-pair.js';
import { ACCOUNT, bridgeSetup, disposeBridges } from './bridge-setup.js';

afterEach(disposeBridges);

for (const mode of ['json', 'structured'] as const) {
  describe(`runtime bridge over a ${mode} channel`, () => {
    it('answers calls with the runtime’s values and reports progress on the way', async () => {
      const { client } = bridgeSetup(mode);
      expect(await client.status()).toEqual({ enrolled: false });
      const progress: number[] = [];
      const created = await client.createAccount(ACCOUNT, (done, total) => progress.push(done / total));
      expect(created.recoveryKey.split(' ')).toHaveLength(13);
      expect(progress.at(0)).toBe(0);
      expect(progress.at(-1)).toBe(1);
      expect(await client.status()).toMatchObject({ enrolled: true, relayUrl: ACCOUNT.relayUrl });
      expect(await client.conversations()).toHaveLength(4);
    });

    it('rejects with the runtime’s typed error: same code and message, no stack trace', async () => {
      const { client } = bridgeSetup(mode);
      const error: unknown = await client
        .createAccount({ ...ACCOUNT, username: TAKEN_USERNAME })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteRuntimeError);
      expect(error).toMatchObject({ code: 'username-taken', message: 'That username is taken.' });
    });

    it('carries bytes and Blobs both ways', async () => {
      const { client } = bridgeSetup(mode);
      await client.createAccount(ACCOUNT);
      const link = await client.startLinkAsExistingDevice();
      expect(link.qr).toBeInstanceOf(Uint8Array);
      expect(link.qr).toHaveLength(82);
      const file = new Blob([new Uint8Array([1, 2, 3, 250, 251])], { type: 'image/png' });
      const id = await client.sendAttachment(CONVERSATIONS.booking, file, 'card.png');
      const history = await client.history(CONVERSATIONS.booking);
      const sent = history.find((message) => message.id === id);
      if (sent?.body.kind !== 'attachment') throw new Error('the attachment message is missing');
      const opened = await client.openAttachment(sent.body.attachment);
      expect(opened.type).toBe('image/png');
      expect(new Uint8Array(await opened.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3, 250, 251]));
    });

    it('forwards runtime events in the order the runtime emitted them', async () => {
      const { client } = bridgeSetup(mode);
      await client.createAccount(ACCOUNT);
      const seen: string[] = [];
      client.on('message', (message) => seen.push(`message ${message.id}`));
      client.on('status', ({ messageId, status }) => seen.push(`${status} ${messageId}`));
      const id = await client.sendText(CONVERSATIONS.booking, 'See you Thursday.');
      await expect.poll(() => seen.length, { timeout: 2_000 }).toBe(4);
      expect(seen).toEqual([`message ${id}`, `stored ${id}`, `delivered ${id}`, `read ${id}`]);
    });

    it('a host that went away fails the calls in flight, and the next call starts a new one', async () => {
      const { client, pairs, runtimes } = bridgeSetup(mode);
      const attached: number[] = [];
      client.onAttach(() => attached.push(pairs.length));
      client.on('connection', () => undefined); // someone listens: the client reconnects by itself
      await client.status();
      const pending = client.createAccount(ACCOUNT);
      pairs[0]?.kill();
      await expect(pending).rejects.toBeInstanceOf(BridgeDisconnectedError);
      await expect.poll(() => attached.length, { timeout: 2_000 }).toBe(2);
      expect(await client.status()).toEqual({ enrolled: false });
      expect(pairs.length).toBe(2);
      expect(runtimes.length).toBe(1); // the host is the same here; a killed worker would start anew
    });

    it('a runtime that cannot start says so on every call, as RuntimeUnavailableError', async () => {
      const { client } = bridgeSetup(mode, () =>
        Promise.reject(new RuntimeUnavailableError('No runtime in this build.')),
      );
      await expect(client.status()).rejects.toBeInstanceOf(RuntimeUnavailableError);
      await expect(client.conversations()).rejects.toThrow('No runtime in this build.');
    });
  });
}

describe('runtime host input', () => {
  it('answers a call for a method the runtime does not have with a typed error, and keeps serving', async () => {
    const pair = channelPair('json');
    const host = createRuntimeHost(() => Promise.resolve(new ScriptedAgentRuntime(1)));
    host.accept(pair.host);
    const answers: unknown[] = [];
    pair.page.onMessage((message) => answers.push(message));
    pair.page.post({ t: 'call', id: 7, method: 'dispose', args: [] });
    pair.page.post({ t: 'call', id: 8, method: 'status', args: [] });
    pair.page.post('not a bridge message');
    await expect.poll(() => answers.length, { timeout: 2_000 }).toBe(3);
    expect(answers).toContainEqual(expect.objectContaining({ t: 'error', id: 7, code: 'bridge-protocol' }));
    expect(answers).toContainEqual({ t: 'result', id: 8, value: { enrolled: false } });
    await host.stop();
  });
});

describe('runtime bridge arguments', () => {
  it('copies proxies (Vue reactive objects) before a structured clone, which refuses them', async () => {
    const { client } = bridgeSetup('structured');
    await client.createAccount(ACCOUNT);
    const id = await client.sendAttachment(CONVERSATIONS.booking, new Blob(['card']), 'card.txt');
    const message = (await client.history(CONVERSATIONS.booking)).find((candidate) => candidate.id === id);
    if (message?.body.kind !== 'attachment') throw new Error('the attachment message is missing');
    const proxied = new Proxy(message.body.attachment, {});
    expect(await (await client.openAttachment(proxied)).text()).toBe('card');
  });
});
