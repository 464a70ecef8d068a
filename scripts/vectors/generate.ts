/**
 * The protocol vectors (docs/PROTOCOL.md §18): `generateProtocolVectors(inputs)` runs the script of
 * scripts/vectors/inputs.ts with the real protocol code and returns the object stored in
 * test/vectors/protocol-v2.json; the inputs are stored with it, so the vector test can regenerate
 * the file from what it says. A wire change shows up as a diff (and needs a version bump, §15).
 */
import { SUITE_V1, WIRE_VERSION } from '../../shared/wire/index.js';
import { accountJson } from './account.js';
import { runVectorScript } from './conversation.js';
import { DEFAULT_VECTOR_INPUTS, type VectorInputs } from './inputs.js';
import { RNG_DEFINITION } from './rng.js';

export const VECTORS_DESCRIPTION =
  'Sealdesk protocol v2 vectors (docs/PROTOCOL.md §18): an account with two agent devices, a visitor’s first contact with both, ' +
  'a sibling first contact, ratchet steps (pn > 0), out-of-order delivery, fan-out, acks, every message kind but deviceList, ' +
  'and four padding buckets. Regenerate with `npx tsx scripts/gen-protocol-vectors.ts`.';

/** The setup the inputs go through before the steps (PROTOCOL §18.2), in order. */
export const VECTORS_SETUP: readonly string[] = [
  'clock = inputs.clockStartMs',
  'account rng: createAccountIdentity (account id rng(16), AIK seed rng(32)), then newAgentId (rng(16)) per agent in inputs.agents order',
  'per device in inputs.devices order, on its own rng: createDeviceKeys, then createPrekeyState(device, env, oneTimePrekeys)',
  'deviceEntryOf(device keys, {agentId, agentName, kind, role}) per device; createFirstDeviceList(AIK, {devices}) signed at clockStartMs, no recovery key',
  'bundles (visitorBundles, siblingBundles) taken from the prekeys as created',
  'visitor rng: startVisitorConversation(list version 1, visitorBundles) at clockStartMs',
  'then each step at clockStartMs + atMs, in order',
];

export async function generateProtocolVectors(
  inputs: VectorInputs = DEFAULT_VECTOR_INPUTS,
): Promise<Record<string, unknown>> {
  const run = await runVectorScript(inputs);
  return {
    description: VECTORS_DESCRIPTION,
    wireVersion: WIRE_VERSION,
    suite: SUITE_V1,
    rng: RNG_DEFINITION,
    inputs,
    setup: VECTORS_SETUP,
    account: await accountJson(run.account),
    bundles: run.bundles,
    conversation: run.conversation,
    sessions: run.sessions,
    steps: run.steps,
    draws: run.draws,
  };
}

/** The exact text of test/vectors/protocol-v2.json for `inputs`. */
export async function protocolVectorsJson(inputs: VectorInputs = DEFAULT_VECTOR_INPUTS): Promise<string> {
  return `${JSON.stringify(await generateProtocolVectors(inputs), null, 2)}\n`;
}
