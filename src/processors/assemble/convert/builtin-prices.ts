import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { modelPriceSchema, type PriceTable } from './config.js';

/**
 * The price table shipped with Faultline (`config/prices.json`, dated by its `checked` key and
 * sourced per provider), so LLM steps have a cost without configuration. The file sits at the
 * package root, four folders above this module both in `src/` and in `dist/`.
 */
export const BUILTIN_PRICES_FILE = new URL('../../../../config/prices.json', import.meta.url);

const builtinFileSchema = z.object({
  checked: z.iso.date(),
  providers: z.record(
    z.string(),
    z.object({ source: z.url(), models: z.record(z.string().min(1), modelPriceSchema) }),
  ),
});

export interface BuiltinPrices {
  /** The day the prices were last checked against their sources (YYYY-MM-DD). */
  checked: string;
  table: PriceTable;
}

let loaded: BuiltinPrices | undefined;

/**
 * Reads the shipped table once per process. A model listed by two providers (an open model on
 * two hosts under one name) keeps the first provider's price.
 */
export function builtinPrices(): BuiltinPrices {
  if (loaded) return loaded;
  const file = builtinFileSchema.parse(JSON.parse(readFileSync(BUILTIN_PRICES_FILE, 'utf8')));
  const table: PriceTable = {};
  for (const { models } of Object.values(file.providers)) {
    for (const [name, price] of Object.entries(models)) table[name.toLowerCase()] ??= price;
  }
  loaded = { checked: file.checked, table };
  return loaded;
}
