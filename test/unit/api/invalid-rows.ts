// Shared by the invalid-example tables: bases are the valid examples, rows are changes to them.
export type Row = [
  name: string,
  base: string,
  changes: Record<string, unknown>,
  expectField: string,
  expectMessage?: string,
];

export const GW = 'gatewayapi canary release';
export const NGINX = 'nginx canary release';
export const BG = 'kubernetes blue/green';
export const AB = 'gatewayapi A/B testing';
export const NGINX_AB = 'nginx A/B testing';
export const ISTIO = 'istio canary release';
export const CONTOUR = 'contour canary release';
export const TRAEFIK = 'traefik canary release';
