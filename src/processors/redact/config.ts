import { z } from 'zod';
import { BUILTIN_DETECTOR_NAMES } from './detectors/builtin.js';
import { VALIDATORS, type ValidatorName } from './detectors/checksums.js';
import { patternProblem } from './detectors/custom.js';
import { closestName } from '../../config/suggest.js';

/** What happens to a match: a token, all but the last four characters starred, a pseudonym, nothing. */
export const MODES = ['replace', 'mask', 'hash', 'drop'] as const;
export type Mode = (typeof MODES)[number];

/** Entity names of the key rules, as counted: `blocked_key` also names the mode blocked values take. */
export const BLOCKED_KEY = 'blocked_key';
export const HASHED_KEY = 'hashed_key';
export const DISALLOWED_KEY = 'disallowed_key';

/**
 * Keys whose values are secrets whatever they look like (glob patterns, case-insensitive).
 * Token *counts* (`gen_ai.usage.input_tokens`, `llm.token_count.*`) are plural or differently
 * named, so `*_token` does not touch them.
 */
export const DEFAULT_BLOCKED_KEYS: readonly string[] = [
  '*password*',
  '*passwd*',
  '*passphrase*',
  'pwd',
  '*_pwd',
  '*secret*',
  '*api_key*',
  '*apikey*',
  '*api-key*',
  '*access_key*',
  '*private_key*',
  '*privatekey*',
  '*authorization*',
  '*cookie*',
  '*credential*',
  'token',
  '*.token',
  '*_token',
  '*-token',
  '*accesstoken*',
  '*refreshtoken*',
  '*authtoken*',
  '*bearer*',
  'ssn',
  '*.ssn',
  '*_ssn',
  '*card_number*',
  '*cardnumber*',
  '*cvv*',
  '*cvc*',
];

/**
 * Keys naming a user, replaced by an HMAC pseudonym so that one user maps to one value that
 * can be counted but not read (the `UserHash` the assemble processor stores).
 */
export const DEFAULT_HASH_KEYS: readonly string[] = [
  'user.id',
  'user.email',
  'user.name',
  'user.full_name',
  'enduser.id',
  'session.user_id',
  'langfuse.user.id',
  'user_id',
  'userid',
  '*.user_id',
  '*.userid',
];

/** HMAC keys shorter than this are guessable enough to undo pseudonyms by trying user ids. */
export const MIN_HMAC_KEY_LENGTH = 16;

const mode = z.enum(MODES);
const keyPattern = z.string().min(1).max(256);
const entityName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,62}$/,
    'use lower-case letters, digits and _ (the name becomes a metric label and a <TOKEN>)',
  );

const detectorName = z.string().superRefine((name, ctx) => {
  if (BUILTIN_DETECTOR_NAMES.includes(name)) return;
  ctx.addIssue({ code: 'custom', message: unknownDetector(name, BUILTIN_DETECTOR_NAMES) });
});

const customDetectorSchema = z
  .object({
    /** Entity name: metric label, `modes` key and replacement token (`<EMPLOYEE_ID>`). */
    name: entityName,
    /** A JavaScript regular expression; every match is redacted. */
    regex: z
      .string()
      .min(1)
      .max(2000)
      .superRefine((source, ctx) => {
        const problem = patternProblem(source);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    ignore_case: z.boolean().default(false),
    /** When given, a match counts only with one of these words in the key or just before it. */
    context_keywords: z.array(z.string().min(1)).default([]),
    /** A check-digit algorithm every match must pass. */
    validator: z.enum(Object.keys(VALIDATORS) as [ValidatorName, ...ValidatorName[]]).optional(),
  })
  .strict();

export const redactConfigSchema = z
  .object({
    /** Built-in detectors to run; all of them unless listed. */
    detectors: z.array(detectorName).default([...BUILTIN_DETECTOR_NAMES]),
    custom_detectors: z.array(customDetectorSchema).default([]),
    /** The mode of every entity not named in `modes`. */
    mode: mode.default('replace'),
    /** Per-entity modes: a detector's name, a custom detector's name, or `blocked_key`. */
    modes: z.record(z.string(), mode).default({}),
    blocked_keys: z.array(keyPattern).default([...DEFAULT_BLOCKED_KEYS]),
    /** Unset means the defaults; see `hmac_key`. */
    hash_keys: z.array(keyPattern).optional(),
    /** Non-empty turns on allow-list mode: attributes whose key is not listed are dropped. */
    allowed_keys: z.array(keyPattern).default([]),
    /** Attributes passed on untouched, not even scanned. */
    ignored_keys: z.array(keyPattern).default([]),
    /** The HMAC-SHA256 key for pseudonyms; keep it in the environment. */
    hmac_key: z.string().default(''),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.detectors.forEach((name, index) => {
      if (seen.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['detectors', index],
          message: `"${name}" is listed twice`,
        });
      }
      seen.add(name);
    });
    const builtin = new Set([...BUILTIN_DETECTOR_NAMES, BLOCKED_KEY]);
    const entities = new Set(builtin);
    config.custom_detectors.forEach(({ name }, index) => {
      if (entities.has(name)) {
        const owner = builtin.has(name) ? 'a built-in entity' : 'another custom detector';
        ctx.addIssue({
          code: 'custom',
          path: ['custom_detectors', index, 'name'],
          message: `"${name}" is already the name of ${owner}`,
        });
      }
      entities.add(name);
    });
    for (const name of Object.keys(config.modes)) {
      if (!entities.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['modes', name],
          message: unknownDetector(name, [...entities]),
        });
      }
    }
    checkHmacKey(config, ctx);
  });

export type RedactConfig = z.infer<typeof redactConfigSchema>;

/** A config with every default, as the daemon runs it when the section is empty. */
export const createDefaultConfig = (): RedactConfig => redactConfigSchema.parse({});

/**
 * Pseudonyms need a key. Hashing asked for explicitly — a `hash` mode, or `hash_keys` written in
 * the config — without one is an error at start-up. Values of the default `hash_keys` are
 * dropped instead (the processor logs this once), so a config without a key still starts and
 * still stores no user id.
 */
function checkHmacKey(config: RedactConfig, ctx: z.RefinementCtx): void {
  const key = config.hmac_key;
  if (key !== '' && key.length < MIN_HMAC_KEY_LENGTH) {
    ctx.addIssue({
      code: 'custom',
      path: ['hmac_key'],
      message: `the HMAC key is ${key.length} characters long; use a random secret of at least ${MIN_HMAC_KEY_LENGTH} (e.g. from \`openssl rand -hex 32\`)`,
    });
  }
  if (key !== '') return;
  const hashing = [
    ...(config.mode === 'hash' ? ['mode: hash'] : []),
    ...Object.entries(config.modes)
      .filter(([, m]) => m === 'hash')
      .map(([entity]) => `modes.${entity}: hash`),
    ...(config.hash_keys?.length ? ['hash_keys'] : []),
  ];
  if (hashing.length === 0) return;
  ctx.addIssue({
    code: 'custom',
    path: ['hmac_key'],
    message: `hashing (${hashing.join(', ')}) needs an HMAC key: set hmac_key, e.g. hmac_key: \${env:FAULTLINE_REDACTION_KEY}, with a random secret of at least ${MIN_HMAC_KEY_LENGTH} characters in that variable`,
  });
}

function unknownDetector(name: string, known: readonly string[]): string {
  const close = closestName(name, known, 2);
  return `unknown detector "${name}"${close ? ` (did you mean "${close}"?)` : ''}; known: ${known.join(', ')}`;
}
