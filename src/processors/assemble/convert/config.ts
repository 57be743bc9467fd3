import { z } from 'zod';

/**
 * The configuration keys of span-to-step conversion, for the assemble processor's config:
 *
 * ```yaml
 * prices:                     # USD per 1M tokens, by model name or glob
 *   gpt-4o-mini*: { input: 0.15, output: 0.60, cache_read: 0.075 }
 *   gpt-4o*:      { input: 2.50, output: 10.00, cache_read: 1.25 }
 *   claude-sonnet-4*: { input: 3.00, output: 15.00, cache_read: 0.30, cache_write: 3.75 }
 * preview_length: 256         # characters of input/output kept per step; 0 turns previews off
 * ```
 */

const usdPerMillionTokens = z.number().nonnegative();

export const modelPriceSchema = z
  .object({
    /** Input tokens that were neither read from nor written to the provider's cache. */
    input: usdPerMillionTokens,
    /** Output tokens, reasoning tokens included (providers bill them as output). */
    output: usdPerMillionTokens,
    /** Input tokens read from the provider's prompt cache; default: the input price. */
    cache_read: usdPerMillionTokens.optional(),
    /** Input tokens written to the provider's prompt cache; default: the input price. */
    cache_write: usdPerMillionTokens.optional(),
  })
  .strict();

/**
 * Model prices in USD per one million tokens, keyed by model name, in front of the built-in
 * table (`config/prices.json`, see `builtin-prices.ts`). A key is an exact name
 * (`gpt-4o-2024-08-06`) or a glob where `*` matches any run of characters (`gpt-4o*`,
 * `*claude-3-5-haiku*` for provider-prefixed ids, `*` for a default). Matching ignores case;
 * an exact name wins over globs, and among globs the one with the most literal characters
 * (the most specific) wins, whatever the order in the file.
 *
 * Used only when the client sent no cost itself (`llm.cost.*`, Langfuse cost details), and only
 * for model calls (`llm_call`, `embedding`): agents and chains that report their children's
 * total usage are not priced a second time.
 */
export const priceTableSchema = z
  .record(z.string().min(1), modelPriceSchema)
  .superRefine((table, ctx) => {
    const seen = new Map<string, string>();
    for (const name of Object.keys(table)) {
      const other = seen.get(name.toLowerCase());
      if (other !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `"${name}" and "${other}" name the same models (matching ignores case): keep one`,
        });
      }
      seen.set(name.toLowerCase(), name);
    }
  })
  .default({});

export const DEFAULT_PREVIEW_LENGTH = 256;

/**
 * Characters (UTF-16 code units, never splitting a surrogate pair) of input and output kept
 * per step as previews; 0 turns previews off.
 */
export const previewLengthSchema = z
  .number()
  .int()
  .min(0)
  .max(65_536)
  .default(DEFAULT_PREVIEW_LENGTH);

export type PriceTable = z.output<typeof priceTableSchema>;
export type ModelPrice = z.output<typeof modelPriceSchema>;
