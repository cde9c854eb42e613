// Stands in for undici where client-node's config.js (KubeConfig) and watch.js import it (see
// lean-dependencies.ts). The operator sends every request through kube/http.ts on Node's own http
// module; undici would only add its own HTTP stack and WASM parser to the resident memory.
//
// config.js builds an Agent for each request it authenticates, which the operator never uses:
// these stand-ins record nothing. Anything that would send through undici fails loudly instead.
export class Agent {
  constructor(_options?: unknown) {}
}

export class ProxyAgent {
  constructor(_options?: unknown) {}
}

export function fetch(): never {
  throw new Error('undici is not loaded in the operator: requests go through kube/http.ts');
}
