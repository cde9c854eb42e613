// Stands in for client-node's generated-code index where its config.js imports it (see
// lean-dependencies.ts): the only two names config.js takes from it, from the modules that define them.
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
