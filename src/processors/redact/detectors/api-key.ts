import type { Detector } from './detector.js';

/**
 * Secrets that announce themselves by a vendor prefix: [prefix, rest of the token]. Each is one
 * vendor's documented token shape; the length floors keep ordinary words with the same prefix
 * out.
 */
const PREFIXED_SECRETS: readonly (readonly [string, string])[] = [
  ['sk-ant-', '(?:api|admin|sid)\\d{2}-[A-Za-z0-9_-]{20,}'], // Anthropic
  ['sk-(?:proj|svcacct|admin|None|or-v1|lf)-', '[A-Za-z0-9_-]{20,}'], // OpenAI, OpenRouter, Langfuse
  // OpenAI legacy, DeepSeek and other OpenAI-compatible APIs: random, so never all lower case.
  ['sk-', '(?=[A-Za-z0-9]*[0-9A-Z])[A-Za-z0-9]{20,}'],
  ['gh[pousr]_', '[A-Za-z0-9]{36,255}'], // GitHub tokens
  ['github_pat_', '[A-Za-z0-9_]{22,255}'], // GitHub fine-grained tokens
  ['xox[abposr]-', '[A-Za-z0-9-]{10,}'], // Slack
  ['xapp-', '\\d-[A-Za-z0-9-]{10,}'], // Slack app-level
  ['A(?:KIA|SIA|BIA|CCA|GPA|IDA|IPA|NPA|NVA|ROA|PKA|SCA)', '[A-Z0-9]{16}'], // AWS key ids
  ['AIza', '[0-9A-Za-z_-]{35}'], // Google API keys
  ['[sr]k_(?:live|test)_', '[0-9A-Za-z]{20,}'], // Stripe secret and restricted keys
  ['whsec_', '[A-Za-z0-9+/=]{20,}'], // Stripe webhook secrets
  ['glpat-', '[A-Za-z0-9_-]{20,}'], // GitLab
  ['hf_', '[A-Za-z0-9]{30,}'], // Hugging Face
  ['npm_', '[A-Za-z0-9]{36}'], // npm
  ['pypi-', '[A-Za-z0-9_-]{50,}'], // PyPI
  ['gsk_', '[A-Za-z0-9]{40,}'], // Groq
  ['xai-', '[A-Za-z0-9]{40,}'], // xAI
  ['r8_', '[A-Za-z0-9]{30,}'], // Replicate
  ['pplx-', '[A-Za-z0-9]{40,}'], // Perplexity
  ['SG\\.', '[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}'], // SendGrid
  ['dop_v1_', '[a-f0-9]{64}'], // DigitalOcean
  ['shp(?:at|ss|ca|pa)_', '[a-fA-F0-9]{32}'], // Shopify
  ['lin_api_', '[A-Za-z0-9]{40}'], // Linear
  ['AccountKey=', '[A-Za-z0-9+/]{40,}={0,2}'], // Azure storage connection strings
];

const PATTERN = new RegExp(
  `(?<![A-Za-z0-9_-])(?:${PREFIXED_SECRETS.map(([prefix, rest]) => prefix + rest).join('|')})(?![A-Za-z0-9_-])`,
  'g',
);
/**
 * The pre-check: a prefix alone. Most prefixes end in `-`, `_`, `.` or `=`, so the regex looks
 * for those characters and only there looks back for a prefix — half the time of trying the
 * whole alternation at every position (measured on the benchmark payload).
 */
const PREFIX = (() => {
  const prefixes = PREFIXED_SECRETS.map(([prefix]) => prefix);
  const separated = prefixes.filter((p) => /(?:[-_=]|\\\.)$/.test(p));
  const others = prefixes.filter((p) => !separated.includes(p));
  return new RegExp(`[-_.=](?<=${separated.join('|')})|${others.join('|')}`);
})();

/**
 * API keys and tokens with known prefixes (`sk-`, `sk-ant-`, `ghp_`, `github_pat_`,
 * `xox[abpr]-`, `AKIA`, `AIza`, …).
 */
export const apiKeyDetector: Detector = {
  entity: 'api_key',
  minLength: 16,
  mightMatch: (probe) => PREFIX.test(probe.text),
  scan(text, _key, found) {
    PATTERN.lastIndex = 0;
    for (let match = PATTERN.exec(text); match; match = PATTERN.exec(text)) {
      found(match.index, match.index + match[0].length);
    }
  },
};
