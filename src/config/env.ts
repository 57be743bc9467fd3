import { parse as parseYamlScalar } from 'yaml';

const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE_REFERENCE = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

export interface EnvProblem {
  path: string;
  message: string;
}

/**
 * Replaces `${env:NAME}` and `${env:NAME:-default}` in every string of a parsed config.
 * Substitution happens after YAML parsing, so a value can never inject YAML structure.
 * A scalar that is exactly one reference is re-read as a YAML scalar, so `${env:PORT}`
 * can become a number, as in the Collector. `$${` escapes a literal `${`.
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  problems: EnvProblem[],
  path = '',
): unknown {
  if (typeof value === 'string') return substituteString(value, env, problems, path);
  if (Array.isArray(value)) {
    return value.map((item, index) => substituteEnv(item, env, problems, `${path}[${index}]`));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        substituteEnv(inner, env, problems, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return value;
}

function substituteString(
  text: string,
  env: NodeJS.ProcessEnv,
  problems: EnvProblem[],
  path: string,
): unknown {
  if (!text.includes('${')) return text;
  const escaped = text.split('$${');
  const replaced = escaped.map((part) =>
    part.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      // As in the shell: `:-default` also replaces an empty value; a plain reference keeps it.
      if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
      if (found !== undefined) return found;
      problems.push({
        path,
        message: `environment variable ${name} is not set (give a default with \${env:${name}:-value})`,
      });
      return '';
    }),
  );
  const result = replaced.join('${');
  if (escaped.length === 1 && WHOLE_REFERENCE.test(text)) return asScalar(result);
  return result;
}

/** Reads `4317` as a number and `true` as a boolean, but never turns a value into structure. */
function asScalar(text: string): unknown {
  if (text === '') return text;
  try {
    const parsed: unknown = parseYamlScalar(text);
    return parsed === null || typeof parsed === 'object' ? text : parsed;
  } catch {
    return text;
  }
}
