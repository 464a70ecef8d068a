/** The PWA's side of AgentPlatform: its relay is the origin that serves it; the camera scans codes. */
import { systemTimers } from '../shared/transport/index.js';
import { watchActivity } from '../ui/app/activity-idle.js';
import type { AgentPlatform } from '../ui/app/platform.js';
import type { RuntimeClient } from '../ui/bridge/runtime-client.js';
import { pwaPush } from './push-subscription.js';
import type { UpdateListener } from './service-worker-registration.js';

export function pwaPlatform(client: RuntimeClient, onUpdateReady: (listener: UpdateListener) => void): AgentPlatform {
  return {
    deviceKind: 'pwa',
    // The relay serves the PWA at /app/ (npm start), so its own origin is the relay's address.
    suggestedRelayUrl: location.origin,
    // mediaDevices is missing outside secure contexts, whatever the DOM typings say.
    canScan: 'mediaDevices' in navigator,
    requestRelayAccess: () => Promise.resolve(true), // a web page needs no grant to reach a relay
    onRuntimeAttach: (listener) => client.onAttach(listener),
    onUpdateReady,
    push: pwaPush,
    // No idle permission for a web page: use of this page counts (page visibility, pointer, keys).
    idle: { watch: (minutes, listener) => watchActivity(document, systemTimers, minutes, listener) },
  };
}
