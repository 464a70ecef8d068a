// The PWA's page: the shared UI, talking to the runtime in this tab's runtime worker.
import { createAgentApp } from '../ui/app/create-agent-app.js';
import { createRuntimeClient } from '../ui/bridge/runtime-client.js';
import { connectWorker } from './connect-worker.js';
import { pwaPlatform } from './pwa-platform.js';
import { registerServiceWorker } from './service-worker-registration.js';

function main(): void {
  const worker = new Worker(new URL('./runtime-worker.ts', import.meta.url), {
    type: 'module',
    name: 'sealdesk-runtime',
  });
  const client = createRuntimeClient(() => connectWorker(worker));
  const onUpdateReady = registerServiceWorker();
  createAgentApp({ runtime: client, platform: pwaPlatform(client, onUpdateReady) }).mount('#app');
}

main();
