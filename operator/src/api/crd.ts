import { z } from 'zod';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps fledge generates. */
export interface OpenApiSchema {
  [key: string]: unknown;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema;
  items?: OpenApiSchema;
  required?: string[];
}

// Keywords a structural schema may carry. Anything else zod emits is a construct the API server
// would refuse or silently drop, so conversion fails loudly instead of producing a surprising CRD.
const ALLOWED = new Set([
  'description',
  'type',
  'format',
  'enum',
  'default',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'x-kubernetes-validations',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);
// Readable YAML: what a field is first, its children last.
const ORDER = [
  'description',
  'type',
  'format',
  'enum',
  'default',
  'nullable',
  'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields',
];
const LAST = ['required', 'properties', 'additionalProperties', 'items'];
const UNIONS = ['anyOf', 'oneOf', 'allOf', 'not'];

type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function ordered(node: Node): OpenApiSchema {
  const keys = Object.keys(node);
  const rank = (k: string) => {
    const first = ORDER.indexOf(k);
    if (first >= 0) return first;
    const last = LAST.indexOf(k);
    return last >= 0 ? 100 + last : 50;
  };
  const sorted = [...keys].sort((a, b) => rank(a) - rank(b));
  return Object.fromEntries(sorted.map((k) => [k, node[k]])) as OpenApiSchema;
}

/** Rewrites one JSON Schema node (and its children) into what a structural CRD schema accepts. */
function structural(input: Node, path: string): OpenApiSchema {
  const node: Node = { ...input };
  delete node.$schema;

  // int-or-string is the one union Kubernetes models, as a marker instead of anyOf with types.
  if (node['x-kubernetes-int-or-string'] === true) {
    return ordered({
      ...(node.description === undefined ? {} : { description: node.description }),
      'x-kubernetes-int-or-string': true,
    });
  }
  for (const u of UNIONS) {
    if (u in node)
      throw new Error(`${path}: ${u} is not structural; use x-kubernetes-int-or-string or restructure`);
  }

  // zod bounds every int to the safe-integer range; that is noise in a CRD.
  if (node.type === 'integer') {
    if (node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
    if (node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
  }
  // The API server checks date-time itself; zod's lookahead-free but long pattern adds nothing.
  if (node.format === 'date-time') delete node.pattern;

  if (isNode(node.properties)) {
    const props = Object.entries(node.properties);
    if (props.length === 0) delete node.properties;
    else
      node.properties = Object.fromEntries(
        props.map(([k, v]) => [k, structural(asNode(v, path), `${path}.${k}`)]),
      );
  }
  if ('additionalProperties' in node) {
    const ap = node.additionalProperties;
    if (ap === true || (isNode(ap) && Object.keys(ap).length === 0)) {
      // "any value": Kubernetes says it by keeping unknown fields instead of pruning them.
      delete node.additionalProperties;
      node['x-kubernetes-preserve-unknown-fields'] = true;
    } else if (isNode(ap)) {
      node.additionalProperties = structural(ap, `${path}[*]`);
    } else {
      throw new Error(`${path}: additionalProperties ${JSON.stringify(ap)} is not allowed in a CRD schema`);
    }
  }
  if ('items' in node) node.items = structural(asNode(node.items, path), `${path}[]`);

  for (const key of Object.keys(node)) {
    if (!ALLOWED.has(key)) throw new Error(`${path}: keyword ${key} is not supported in a CRD schema`);
  }
  if (node.type === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new Error(`${path}: every node of a structural schema needs a type`);
  }
  return ordered(node);
}

function asNode(v: unknown, path: string): Node {
  if (!isNode(v)) throw new Error(`${path}: expected a schema object, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * A zod schema as a structural OpenAPI v3 schema for a CRD. Input mode, because the API server
 * sees what users write: defaults stay optional and are applied by the server, and output mode's
 * additionalProperties: false beside properties is refused (DESIGN.md "Schemas to CRDs").
 */
export function toOpenApiSchema(schema: z.ZodType): OpenApiSchema {
  const json = z.toJSONSchema(schema, { io: 'input', reused: 'inline', target: 'openapi-3.0' });
  return structural(json as Node, '');
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface CrdDefinition {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular: string;
  description: string;
  spec: z.ZodType;
  status?: z.ZodType;
  printerColumns: PrinterColumn[];
  /** `kubectl get all` lists kinds in category `all`; `kubectl get fledge` every fledge kind. */
  categories?: string[];
}

/** An apiextensions.k8s.io/v1 CustomResourceDefinition as a plain object, ready for YAML. */
export function buildCrd(def: CrdDefinition) {
  const properties: Record<string, OpenApiSchema> = {
    apiVersion: { description: 'APIVersion of this object', type: 'string' },
    kind: { description: 'Kind of this object', type: 'string' },
    metadata: { type: 'object' },
    spec: toOpenApiSchema(def.spec),
  };
  if (def.status) properties.status = toOpenApiSchema(def.status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${def.group}` },
    spec: {
      group: def.group,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        ...(def.categories ? { categories: def.categories } : {}),
      },
      scope: 'Namespaced',
      versions: [
        {
          name: def.version,
          served: true,
          storage: true,
          ...(def.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: def.printerColumns,
          schema: {
            openAPIV3Schema: {
              description: def.description,
              type: 'object',
              required: ['spec'],
              properties,
            },
          },
        },
      ],
    },
  };
}
export type CustomResourceDefinition = ReturnType<typeof buildCrd>;
