import { z } from 'zod';

/** An http or https URL; the pattern carries the scheme check into the CRD, where format: uri is lax. */
export const httpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
  .max(2048)
  .meta({ pattern: '^https?://' });
