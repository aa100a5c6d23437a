/** Options of the CUBA demo: the single source for its CLI flags, validation and docs. */
import { z } from 'zod';

export const cubaOptions = z
  .object({
    durationMs: z.number().positive().default(1000).describe('biological time to simulate (ms)'),
    dt: z.number().positive().default(0.1).describe('resolution (ms)'),
    rasterNeurons: z.number().int().positive().default(500).describe('neurons drawn in raster.svg (the first ones)'),
    batchSize: z.number().int().positive().default(65536).describe('rows per Arrow record batch'),
  })
  .strict();

export type CubaOptions = z.infer<typeof cubaOptions>;
