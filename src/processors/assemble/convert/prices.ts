import type { TokenUsage } from '../../../model/step.js';
import type { ModelPrice, PriceTable } from './config.js';

/** One model's prices in USD per one million tokens, cache prices resolved. */
export interface TokenPrices {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** The prices of a model by its name, `undefined` when the table has none. */
export type PriceLookup = (model: string) => TokenPrices | undefined;

/**
 * Model names come from clients, so the answers remembered per name are bounded; a busy
 * daemon sees a few dozen models, and clearing the memory only costs re-matching them.
 */
const REMEMBERED_MODELS = 1024;

interface Glob {
  pattern: RegExp;
  /** Characters other than `*`: the more, the more specific the pattern. */
  literals: number;
  prices: TokenPrices;
}

/**
 * Compiles a price table once, at start-up, into a lookup: an exact-name map, globs as
 * regular expressions ordered by specificity, and a memory of answers per model name, so the
 * per-span cost is one map lookup. A name no key matches is tried without its host's path or
 * cloud prefix (`openai/gpt-4o`, `us.anthropic.claude-…`), then by the longest exact key it
 * starts with at a separator, so dated and `-latest` names find their base model
 * (`gpt-4o-mini-2024-07-18` → `gpt-4o-mini`, `claude-3-5-sonnet@20240620` → `claude-3-5-sonnet`).
 */
export function compilePriceTable(table: PriceTable): PriceLookup {
  const exact = new Map<string, TokenPrices>();
  const globs: Glob[] = [];
  for (const [name, price] of Object.entries(table)) {
    const key = name.toLowerCase();
    if (!key.includes('*')) exact.set(key, resolved(price));
    else
      globs.push({
        pattern: globPattern(key),
        literals: key.replaceAll('*', '').length,
        prices: resolved(price),
      });
  }
  if (exact.size === 0 && globs.length === 0) return () => undefined;
  globs.sort((a, b) => b.literals - a.literals); // stable: equal ones keep the file's order

  const byPrefix = (key: string): TokenPrices | undefined => {
    for (let end = key.length - 1; end > 0; end--) {
      if (!SEPARATORS.has(key[end] ?? '')) continue;
      const found = exact.get(key.slice(0, end));
      if (found) return found;
    }
    return undefined;
  };
  const match = (model: string): TokenPrices | undefined => {
    const key = model.toLowerCase();
    const found = exact.get(key) ?? globs.find((glob) => glob.pattern.test(key))?.prices;
    if (found) return found;
    const bare = withoutHost(key);
    return (bare !== key ? exact.get(bare) : undefined) ?? byPrefix(key) ?? byPrefix(bare);
  };
  return remembering(match);
}

/** The characters that end a base model's name inside a longer one: `-2024-07-18`, `@2024…`, `:0`. */
const SEPARATORS = new Set(['-', ':', '@', '_']);

/**
 * A cloud's prefix on a model name: Bedrock's `[region.]provider.` and a host's or router's
 * path (`models/`, `openai/`, `accounts/…/models/`).
 */
const HOST_PREFIX =
  /^(?:.*\/)?(?:(?:us|eu|apac|au|ca|jp|global)\.)?(?:(?:anthropic|meta|mistral|amazon|cohere|ai21|deepseek|openai|qwen)\.)?/;

const withoutHost = (key: string): string => key.replace(HOST_PREFIX, '');

function remembering(match: PriceLookup): PriceLookup {
  const remembered = new Map<string, TokenPrices | null>();
  return (model) => {
    const known = remembered.get(model);
    if (known !== undefined) return known ?? undefined;
    const found = match(model);
    if (remembered.size >= REMEMBERED_MODELS) remembered.clear();
    remembered.set(model, found ?? null);
    return found;
  };
}

/**
 * The configured prices in front of the built-in table: a configured key (exact or glob) wins
 * over every built-in one, and `'*': {input: 0, output: 0}` switches the built-in prices off.
 */
export function layeredPrices(configured: PriceLookup, builtin: PriceLookup): PriceLookup {
  return (model) => configured(model) ?? builtin(model);
}

function resolved(price: ModelPrice): TokenPrices {
  return {
    input: price.input,
    output: price.output,
    cacheRead: price.cache_read ?? price.input,
    cacheWrite: price.cache_write ?? price.input,
  };
}

function globPattern(glob: string): RegExp {
  const escaped = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

/**
 * USD for the usage at these prices. Input counts include cache tokens in GenAI and
 * OpenInference, so those are taken out and priced at the cache rates; an input count smaller
 * than the cache counts was reported without them (as Anthropic's API does), and is all
 * uncached. `undefined` when only a total was reported: its split into input and output, which
 * are priced differently, is unknown.
 */
export function costOf(prices: TokenPrices, usage: TokenUsage): number | undefined {
  if (usage.input === 0 && usage.output === 0 && usage.total > 0) return undefined;
  const cached = usage.cacheRead + usage.cacheWrite;
  const uncached = usage.input >= cached ? usage.input - cached : usage.input;
  const microDollars =
    uncached * prices.input +
    usage.cacheRead * prices.cacheRead +
    usage.cacheWrite * prices.cacheWrite +
    usage.output * prices.output;
  return microDollars / 1_000_000;
}
