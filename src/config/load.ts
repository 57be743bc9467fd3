import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import type { ComponentConfig, Factories, PipelineComponents } from '../pipeline/factory.js';
import { componentType } from '../pipeline/factory.js';
import { substituteEnv, type EnvProblem } from './env.js';
import { rootSchema, type RootConfig } from './schema.js';

export interface ConfigProblem {
  path: string;
  message: string;
}

/** A validated config: the root sections plus each used component's parsed config. */
export interface FaultlineConfig extends RootConfig {
  components: PipelineComponents;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: ConfigProblem[],
  ) {
    super(
      `invalid configuration in ${source}:\n${problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`).join('\n')}`,
    );
  }
}

export function loadConfigFile(
  file: string,
  factories: Factories,
  env: NodeJS.ProcessEnv = process.env,
): FaultlineConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(file, [{ path: '', message: `cannot read the config file: ${reason}` }]);
  }
  return parseConfig(text, file, factories, env);
}

export function parseConfig(
  text: string,
  source: string,
  factories: Factories,
  env: NodeJS.ProcessEnv = process.env,
): FaultlineConfig {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      source,
      document.errors.map((error) => ({
        path: error.linePos ? `line ${error.linePos[0].line}` : '',
        message: error.message.split('\n', 1)[0] ?? error.message,
      })),
    );
  }
  const envProblems: EnvProblem[] = [];
  const raw = substituteEnv(document.toJS() ?? {}, env, envProblems);
  if (envProblems.length > 0) throw new ConfigError(source, envProblems);
  return validateConfig(raw, source, factories);
}

export function validateConfig(
  raw: unknown,
  source: string,
  factories: Factories,
): FaultlineConfig {
  const problems: ConfigProblem[] = [];
  const root = rootSchema.safeParse(raw);
  if (!root.success) problems.push(...zodProblems(root.error, ''));
  // Component sections are checked even when the root is invalid, so one run shows every problem.
  const sections = asRecord(raw);
  const pipeline = asRecord(asRecord(asRecord(sections.service).pipelines).traces);
  const components = {
    receivers: resolve(
      'receivers',
      pipeline.receivers,
      sections.receivers,
      factories.receivers,
      problems,
    ),
    processors: resolve(
      'processors',
      pipeline.processors,
      sections.processors,
      factories.processors,
      problems,
    ),
    exporters: resolve(
      'exporters',
      pipeline.exporters,
      sections.exporters,
      factories.exporters,
      problems,
    ),
  };
  if (!root.success || problems.length > 0) throw new ConfigError(source, problems);
  return { ...root.data, components };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Validates the components a pipeline names, and every declared one, with their factories. */
function resolve(
  kind: 'receivers' | 'processors' | 'exporters',
  usedRaw: unknown,
  declaredRaw: unknown,
  factories: ReadonlyMap<string, { configSchema: z.ZodType<unknown, unknown> }>,
  problems: ConfigProblem[],
): ComponentConfig[] {
  const used = Array.isArray(usedRaw)
    ? usedRaw.filter((id): id is string => typeof id === 'string')
    : [];
  const declared = asRecord(declaredRaw);
  const parsed = new Map<string, ComponentConfig>();
  for (const [id, section] of Object.entries(declared)) {
    const type = componentType(id);
    const factory = factories.get(type);
    if (!factory) {
      const known = [...factories.keys()];
      problems.push({
        path: `${kind}.${id}`,
        message: `unknown ${kind.slice(0, -1)} type "${type}"${known.length ? ` (known: ${known.join(', ')})` : ` (none are available)`}`,
      });
      continue;
    }
    const result = factory.configSchema.safeParse(section ?? {});
    if (!result.success) problems.push(...zodProblems(result.error, `${kind}.${id}`));
    else parsed.set(id, { id, type, config: result.data });
  }
  const seen = new Set<string>();
  used.forEach((id, index) => {
    const path = `service.pipelines.traces.${kind}[${index}]`;
    if (seen.has(id)) problems.push({ path, message: `"${id}" is listed twice` });
    seen.add(id);
    if (!(id in declared)) {
      problems.push({ path, message: `"${id}" is not configured under ${kind}` });
    }
  });
  return used.flatMap((id) => parsed.get(id) ?? []);
}

function zodProblems(error: z.ZodError, prefix: string): ConfigProblem[] {
  return error.issues.map((issue) => {
    let path = prefix;
    for (const segment of issue.path) {
      if (typeof segment === 'number') path += `[${segment}]`;
      else path += path ? `.${String(segment)}` : String(segment);
    }
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return { path, message };
  });
}
