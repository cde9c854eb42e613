// Loads prometheus-query as the operator process does (operator/src/main.ts): its queries go
// through the axios stand-in on Node's http module, so the tests of the Prometheus provider test
// the transport that runs in production. Only that package: the tests use client-node's full API
// (and its undici), which the operator's other redirects leave out.
import { leanDependencies } from '../../operator/src/runtime/lean-dependencies.ts';

leanDependencies(['prometheus-query']);
