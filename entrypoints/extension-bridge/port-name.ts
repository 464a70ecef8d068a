/** The name of the runtime port every extension page opens to the background (runtime.connect). */
export const RUNTIME_PORT_NAME = 'sealdesk-runtime';
