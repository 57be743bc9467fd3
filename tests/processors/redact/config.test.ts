import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BLOCKED_KEYS,
  createDefaultConfig,
  redactConfigSchema,
} from '../../../src/processors/redact/config.js';
import { BUILTIN_DETECTOR_NAMES } from '../../../src/processors/redact/detectors/builtin.js';
import { validateConfig } from '../../../src/config/load.js';
import {
  factoryMap,
  type Factories,
  type ProcessorFactory,
} from '../../../src/pipeline/factory.js';
import { redactProcessorFactory } from '../../../src/processors/redact/factory.js';
import { builtinFactories } from '../../../src/components.js';

const KEY = 'a-test-key-of-32-characters-long';

/** Problems as `path: message`, as `faultline validate-config` prints them. */
function problems(input: unknown): string[] {
  const result = redactConfigSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map(
    (issue) => `${issue.path.map(String).join('.')}: ${issue.message}`,
  );
}

describe('redactConfigSchema', () => {
  it('defaults to every built-in detector, replace mode and the default key rules', () => {
    const config = createDefaultConfig();
    expect(config.detectors).toEqual(BUILTIN_DETECTOR_NAMES);
    expect(config.mode).toBe('replace');
    expect(config.blocked_keys).toEqual(DEFAULT_BLOCKED_KEYS);
    expect(config.hash_keys).toBeUndefined();
    expect(config.allowed_keys).toEqual([]);
  });

  it('names an unknown detector with its index, and suggests the close one', () => {
    const [problem] = problems({ detectors: ['email', 'phone', 'emial'] });
    expect(problem).toMatch(
      /^detectors\.2: unknown detector "emial" \(did you mean "email"\?\); known: /,
    );
  });

  it('refuses a detector listed twice and an unknown entity in modes', () => {
    expect(problems({ detectors: ['email', 'email'] })).toEqual([
      'detectors.1: "email" is listed twice',
    ]);
    expect(problems({ modes: { phnoe: 'mask' } })[0]).toMatch(
      /^modes\.phnoe: unknown detector "phnoe" \(did you mean "phone"\?\)/,
    );
  });

  it('validates custom detectors: name, pattern, validator, no clash with built-ins', () => {
    expect(problems({ custom_detectors: [{ name: 'Employee ID', regex: 'x' }] })[0]).toMatch(
      /^custom_detectors\.0\.name: use lower-case/,
    );
    expect(problems({ custom_detectors: [{ name: 'emp', regex: '(a+)+' }] })[0]).toMatch(
      /^custom_detectors\.0\.regex: .*catastrophically/,
    );
    expect(
      problems({ custom_detectors: [{ name: 'emp', regex: 'x', validator: 'crc32' }] })[0],
    ).toMatch(/^custom_detectors\.0\.validator:/);
    expect(problems({ custom_detectors: [{ name: 'email', regex: 'x' }] })).toEqual([
      'custom_detectors.0.name: "email" is already the name of a built-in entity',
    ]);
    expect(
      problems({ custom_detectors: [{ name: 'emp', regex: 'EMP-\\d+' }], modes: { emp: 'mask' } }),
    ).toEqual([]);
  });

  it('needs an HMAC key for a hash mode or explicit hash_keys', () => {
    for (const input of [
      { mode: 'hash' },
      { modes: { email: 'hash' } },
      { hash_keys: ['user.id'] },
    ]) {
      expect(problems(input)[0]).toMatch(
        /^hmac_key: hashing \(.*\) needs an HMAC key: set hmac_key, e\.g\. hmac_key: \$\{env:FAULTLINE_REDACTION_KEY\}/,
      );
      expect(problems({ ...input, hmac_key: KEY })).toEqual([]);
    }
  });

  it('starts without a key when hashing was not asked for (values of the default hash_keys are then dropped)', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ hash_keys: [] })).toEqual([]);
  });

  it('refuses a short HMAC key', () => {
    expect(problems({ hmac_key: 'short' })[0]).toMatch(
      /^hmac_key: the HMAC key is 5 characters long/,
    );
  });

  it('refuses unknown keys', () => {
    expect(problems({ detector: ['email'] })[0]).toMatch(/detector/);
  });
});

describe('the redact section in a Faultline config', () => {
  const factories: Factories = {
    ...builtinFactories,
    processors: factoryMap<ProcessorFactory>([
      ...builtinFactories.processors.values(),
      redactProcessorFactory,
    ]),
  };
  const config = (redact: unknown) => ({
    receivers: { otlp: {} },
    processors: { redact },
    exporters: { clickhouse: {} },
    service: {
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['redact'], exporters: ['clickhouse'] },
      },
    },
  });

  it('reports errors under processors.redact with the YAML path', () => {
    expect(() =>
      validateConfig(config({ detectors: ['email', 'phone', 'emial'] }), 'test.yaml', factories),
    ).toThrow(/processors\.redact\.detectors\[2\]: unknown detector "emial"/);
  });

  it('accepts an empty section', () => {
    const parsed = validateConfig(config(null), 'test.yaml', factories);
    expect(parsed.components.processors.map((c) => c.type)).toEqual(['redact']);
  });
});
