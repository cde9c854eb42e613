import { z } from 'zod';
import { notSupported, validated } from './cel.ts';
import { API_VERSION } from './group.ts';
import { objectMetaSchema } from './object-meta.ts';
import { parseWith } from './parse.ts';
import type { Parsed } from './parse.ts';
import { localSecretRefSchema } from './refs.ts';
import { supportedEnum } from './supported-enum.ts';
import { httpUrl } from './http-url.ts';

/** Where alerts go. `generic` is fledge's own: a JSON POST to any webhook. */
export const alertProviderSpecSchema = validated(
  z
    .object({
      type: supportedEnum(['slack', 'msteams', 'discord', 'generic'], ['rocket', 'gchat'], 'type'),
      address: httpUrl.optional().describe('Webhook URL of the provider'),
      secretRef: localSecretRefSchema.optional().describe('Secret whose address key holds the webhook URL'),
      channel: z.string().max(256).optional().describe('Channel to post to, where the provider allows it'),
      username: z.string().max(256).optional().describe('Name to post as, where the provider allows it'),
      proxy: z.string().optional().describe('Not supported yet'),
    })
    .describe('An alert destination'),
  [
    {
      rule: 'has(self.address) || has(self.secretRef)',
      message: 'set address or secretRef',
      fieldPath: '.address',
      reason: 'FieldValueRequired',
      holds: (self) => self.address !== undefined || self.secretRef !== undefined,
    },
    notSupported('proxy', 'proxy'),
  ],
);
export type AlertProviderSpec = z.infer<typeof alertProviderSpecSchema>;

export const alertProviderSchema = z.object({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal('AlertProvider'),
  metadata: objectMetaSchema,
  spec: alertProviderSpecSchema,
});
export type AlertProvider = z.infer<typeof alertProviderSchema>;

export function parseAlertProvider(obj: unknown): Parsed<AlertProvider> {
  return parseWith(alertProviderSchema, obj);
}
