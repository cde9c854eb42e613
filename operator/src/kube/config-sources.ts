import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Secret,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ContentOnDemand } from './content-on-demand.ts';
import { isNotFound } from './errors.ts';
import { SupervisedInformer } from './informer.ts';
import { metadataOnly } from './metadata-only.ts';

export interface ConfigSourcesOptions {
  /** Namespace watched; empty for all. */
  namespace: string;
  log: Logger;
  /** A ConfigMap or Secret of this namespace changed: its canaries need a pass. */
  onChange: (namespace: string | undefined) => void;
  onError?: (informer: string) => void;
}

/**
 * The ConfigMaps and Secrets canaries read (the ones a target mounts, MetricTemplates' and
 * AlertProviders' secretRefs): watched as metadata only, with the contents of the ones asked for
 * read on demand (see metadataOnly and ContentOnDemand).
 */
export class ConfigSources {
  readonly informers: SupervisedInformer<KubernetesObject>[] = [];
  private readonly configMaps: ContentOnDemand<V1ConfigMap>;
  private readonly secrets: ContentOnDemand<V1Secret>;

  constructor(kc: KubeConfig, opts: ConfigSourcesOptions) {
    const ns = opts.namespace;
    const core = kc.makeApiClient(CoreV1Api);
    const meta = metadataOnly(kc);
    const metaCore = meta.makeApiClient(CoreV1Api);
    const watch = <T extends KubernetesObject>(
      plural: string,
      list: () => Promise<KubernetesListObject<KubernetesObject>>,
      read: (namespace: string, name: string) => Promise<T>,
    ): ContentOnDemand<T> => {
      const informer = new SupervisedInformer<KubernetesObject>({
        name: plural,
        kubeConfig: meta,
        path: `/api/v1${ns ? `/namespaces/${ns}` : ''}/${plural}`,
        list,
        onChange: (o, verb) => {
          contents.changed(o, verb);
          opts.onChange(o.metadata?.namespace);
        },
        log: opts.log,
        ...(opts.onError ? { onError: opts.onError } : {}),
      });
      const contents = new ContentOnDemand<T>(informer, async (namespace, name) => {
        try {
          return await read(namespace, name);
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      });
      this.informers.push(informer);
      return contents;
    };
    this.configMaps = watch(
      'configmaps',
      () =>
        ns ? metaCore.listNamespacedConfigMap({ namespace: ns }) : metaCore.listConfigMapForAllNamespaces(),
      (namespace, name) => core.readNamespacedConfigMap({ namespace, name }),
    );
    this.secrets = watch(
      'secrets',
      () => (ns ? metaCore.listNamespacedSecret({ namespace: ns }) : metaCore.listSecretForAllNamespaces()),
      (namespace, name) => core.readNamespacedSecret({ namespace, name }),
    );
  }

  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    return this.configMaps.get(namespace, name);
  }

  secret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return this.secrets.get(namespace, name);
  }
}
