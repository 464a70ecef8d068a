/**
 * PROTOCOL §4.8, §19: the business's name as this device last had it — set when the account was
 * created here, when a device linked to it has joined (the runtime reads the verified widget
 * configuration then), and each time the device reads or publishes that configuration. A removed
 * device names the business it was removed from with it; none kept, the apps say "your team's".
 */
import type { RuntimeStore } from './runtime-shapes.js';

const BUSINESS_NAME_SETTING = 'business-name';

export async function keptBusinessName(store: RuntimeStore): Promise<string | undefined> {
  const value = await store.setting(BUSINESS_NAME_SETTING);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Keeps `name` (one commit, only when it changed). */
export async function keepBusinessName(store: RuntimeStore, name: string): Promise<void> {
  if ((await keptBusinessName(store)) === name) return;
  await store.commit({ settings: [{ name: BUSINESS_NAME_SETTING, value: name }] });
}
