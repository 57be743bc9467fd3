import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_FAILURE_CLASSES } from '../../../src/model/index.js';
import {
  BUILTIN_RULE_NAMES,
  builtinRules,
} from '../../../src/processors/classify/builtin-rules.js';
import { classifyConfigSchema } from '../../../src/processors/classify/config.js';
import { builtinParams, effectiveRules } from '../../../src/processors/classify/effective-rules.js';
import { suppressionCycles } from '../../../src/processors/classify/overlap.js';
import { ruleSchema } from '../../../src/processors/classify/rule-schema.js';

const defaults = classifyConfigSchema.parse({});
const rules = builtinRules(builtinParams(defaults));

describe('built-in rules', () => {
  it('cover every built-in failure class, one rule each, named after it', () => {
    expect(rules.map((r) => r.name)).toEqual([...BUILTIN_RULE_NAMES]);
    expect(rules.map((r) => r.class).sort()).toEqual([...BUILTIN_FAILURE_CLASSES].sort());
  });

  it.each(rules.map((rule) => [rule.name, rule] as const))(
    "%s is valid in the users' rule format",
    (_, rule) => {
      const parsed = ruleSchema.safeParse(rule);
      expect(parsed.error?.issues ?? []).toEqual([]);
    },
  );

  it('suppress nothing in a cycle, and never their own class', () => {
    const all = effectiveRules(defaults);
    expect(suppressionCycles(all, all.length)).toEqual([]);
    for (const { rule } of all) expect(rule.suppresses).not.toContain(rule.class);
  });

  it('are all in the README table', () => {
    const readme = readFileSync(
      new URL('../../../src/processors/classify/README.md', import.meta.url),
      'utf8',
    );
    for (const name of BUILTIN_RULE_NAMES) expect(readme).toContain(`| \`${name}\``);
  });
});
