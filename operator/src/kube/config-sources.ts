import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  V1ConfigMap,
  V1Secret,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { ContentOnDemand } from './content-on-demand.ts';
import { isNotFound } from './errors.ts';
import { SupervisedInformer } from './informer.ts';
import { metadataOnly } from './metadata-only.ts';
import { KubeRest, resourcePath } from './rest.ts';

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
    const rest = new KubeRest(kc);
    const meta = metadataOnly(kc);
    const metaRest = new KubeRest(meta);
    const watch = <T extends KubernetesObject>(plural: string): ContentOnDemand<T> => {
      const path = (namespace?: string, name?: string) =>
        resourcePath({ group: '', version: 'v1', plural, namespace, name });
      const informer = new SupervisedInformer<KubernetesObject>({
        name: plural,
        kubeConfig: meta,
        path: path(ns),
        list: () => metaRest.get<KubernetesListObject<KubernetesObject>>(path(ns)),
        onChange: (o, verb) => {
          contents.changed(o, verb);
          opts.onChange(o.metadata?.namespace);
        },
        log: opts.log,
        ...(opts.onError ? { onError: opts.onError } : {}),
      });
      const contents = new ContentOnDemand<T>(informer, async (namespace, name) => {
        try {
          return await rest.get<T>(path(namespace, name));
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      });
      this.informers.push(informer);
      return contents;
    };
    this.configMaps = watch<V1ConfigMap>('configmaps');
    this.secrets = watch<V1Secret>('secrets');
  }

  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
    return this.configMaps.get(namespace, name);
  }

  secret(namespace: string, name: string): Promise<V1Secret | undefined> {
    return this.secrets.get(namespace, name);
  }
}
