import { BLOCKED_KEY, DEFAULT_HASH_KEYS, type Mode, type RedactConfig } from './config.js';
import { BUILTIN_DETECTORS } from './detectors/builtin.js';
import { customDetector } from './detectors/custom.js';
import type { Detector } from './detectors/detector.js';
import { KeyRules } from './key-rules.js';
import { rewriteFor, type Rewrite } from './modes.js';
import { Pseudonymizer } from './pseudonym.js';
import { TextScanner } from './scanner.js';
import { SpanRedactor } from './span-redactor.js';
import { StringRedactor } from './string-redactor.js';
import { TextRedactor } from './text-redactor.js';
import { ValueRedactor } from './value-redactor.js';
import { WholeValueRules } from './whole-value.js';

/** The config compiled into the objects that do the work, built once at start-up. */
export interface Redaction {
  spans: SpanRedactor;
  strings: StringRedactor;
  scanner: TextScanner;
  /** Entity names in scanning priority order, for the start-up log line. */
  entities: string[];
  /** True when no HMAC key is set, so values of the default `hash_keys` are dropped. */
  hashKeysDropped: boolean;
}

export function compileRedaction(config: RedactConfig): Redaction {
  const pseudonyms = config.hmac_key ? new Pseudonymizer(config.hmac_key) : undefined;
  const modeOf = (entity: string): Mode => config.modes[entity] ?? config.mode;

  const enabled = new Set(config.detectors);
  // Custom detectors first: a pattern an operator wrote for their own data is the most specific.
  const detectors: Detector[] = [
    ...config.custom_detectors.map(customDetector),
    ...BUILTIN_DETECTORS.filter((d) => enabled.has(d.entity)),
  ];
  const rewrites = new Map<string, Rewrite>(
    detectors.map((d) => [d.entity, rewriteFor(modeOf(d.entity), d.entity, pseudonyms)]),
  );

  // Without a key the default hash_keys cannot be hashed; their values are dropped, so no user
  // id is stored. (The config refuses hash_keys written out without a key.)
  const hashKeys = config.hash_keys ?? DEFAULT_HASH_KEYS;
  const keys = new KeyRules({
    blocked: config.blocked_keys,
    hashed: hashKeys,
    allowed: config.allowed_keys,
    ignored: config.ignored_keys,
  });
  const blockedMode = modeOf(BLOCKED_KEY);
  const whole = new WholeValueRules(
    blockedMode === 'drop' ? undefined : rewriteFor(blockedMode, BLOCKED_KEY, pseudonyms),
    pseudonyms,
  );

  const scanner = new TextScanner(detectors);
  const strings = new StringRedactor(new TextRedactor(scanner, rewrites), keys, whole);
  const values = new ValueRedactor(strings, keys, whole);
  return {
    spans: new SpanRedactor(strings, values),
    strings,
    scanner,
    entities: detectors.map((d) => d.entity),
    hashKeysDropped: pseudonyms === undefined && hashKeys.length > 0,
  };
}
