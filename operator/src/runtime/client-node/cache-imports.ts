// Stands in for client-node's serializer.js where its cache.js (the informer's ListWatch) imports
// it (see lean-dependencies.ts). cache.js serializes only the label and field selectors, as type
// 'string', which the generated serializer returns unchanged.
export const ObjectSerializer = {
  serialize: (value: unknown): unknown => value,
};
