import { KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';

type RequestContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];
type Dispatcher = ReturnType<RequestContext['getDispatcher']>;

/**
 * A KubeConfig whose every API request has a deadline and whose requests share connections.
 *
 * client-node 2.x gives generated API calls no timeout (undici's 300 s header timeout is all
 * there is), so a hung API server connection parks a reconcile pass, a lease renew or an
 * informer's LIST for five minutes. And it builds a new undici Agent for every request, so no
 * connection is ever reused: each call pays a TCP and TLS handshake and leaves a socket behind.
 * Watches are not cut by the deadline: client-node's Watch passes its own abort signal (with its
 * own inactivity timeout) to fetch and never reads the context's; they do share the connections.
 */
export class BoundedKubeConfig extends KubeConfig {
  readonly timeoutMs: number;
  private shared: { key: string; dispatcher: Dispatcher } | undefined;

  constructor(timeoutMs: number) {
    super();
    this.timeoutMs = timeoutMs;
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setSignal(AbortSignal.timeout(this.timeoutMs));
    // One dispatcher per TLS identity: a rotated client certificate (or another context) gets its own.
    const user = this.getCurrentUser();
    const cluster = this.getCurrentCluster();
    const key = createHash('sha256')
      .update(
        JSON.stringify([cluster?.server, cluster?.caData, cluster?.caFile, user?.certData, user?.certFile]),
      )
      .update(JSON.stringify([user?.keyData, user?.keyFile]))
      .digest('hex');
    if (this.shared?.key !== key) this.shared = { key, dispatcher: context.getDispatcher() };
    if (this.shared.dispatcher) context.setDispatcher(this.shared.dispatcher);
  }
}

/** The KubeConfig of the environment (in-cluster, KUBECONFIG or ~/.kube/config), bounded. */
export function loadKubeConfig(timeoutMs: number): KubeConfig {
  const kc = new BoundedKubeConfig(timeoutMs);
  kc.loadFromDefault();
  return kc;
}
