/**
 * Checks of JSON text that clients send: tool arguments that do not parse, or that break the
 * tool's parameter schema when the span carries one. Client data decides the work here, so
 * every walk is bounded in depth and the parsed schemas are cached in a bounded map.
 */

/** Why `text` is not JSON, or undefined when it is (or is empty: absent is not invalid). */
export function jsonProblem(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return `not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

const MAX_DEPTH = 32;
const MAX_CACHED_SCHEMAS = 256;
const schemaCache = new Map<string, Schema | null>();

/**
 * The first way `valueText` breaks the JSON Schema in `schemaText`, or undefined when it
 * conforms, or when either is not JSON (another rule reports unparsable arguments). Accepts
 * a bare parameters schema and the tool-definition wrappers OpenAI (`function.parameters`),
 * Anthropic (`input_schema`) and others (`parameters`) use. Only the common keywords are
 * checked — type, enum, const, required, properties, additionalProperties, items, min/max
 * lengths, items and values, anyOf/oneOf/allOf — and keywords it does not know never fail.
 */
export function schemaViolation(valueText: string, schemaText: string): string | undefined {
  const schema = parseSchema(schemaText);
  if (!schema) return undefined;
  let value: Json;
  try {
    value = JSON.parse(valueText) as Json;
  } catch {
    return undefined;
  }
  return violation(value, schema, '', 0);
}

function parseSchema(text: string): Schema | null {
  let schema = schemaCache.get(text);
  if (schema !== undefined) return schema;
  try {
    schema = unwrapToolDefinition(JSON.parse(text) as Json);
  } catch {
    schema = null;
  }
  // A full cache is emptied rather than managed: schemas repeat, a miss costs one parse.
  if (schemaCache.size >= MAX_CACHED_SCHEMAS) schemaCache.clear();
  schemaCache.set(text, schema);
  return schema;
}

const isObject = (value: Json | undefined): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unwrapToolDefinition(definition: Json): Schema | null {
  if (!isObject(definition)) return null;
  const fn = definition.function;
  if (isObject(fn) && isObject(fn.parameters)) return fn.parameters;
  if (isObject(definition.input_schema)) return definition.input_schema;
  if (isObject(definition.parameters)) return definition.parameters;
  return definition;
}

function typeOf(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: Json, type: Json): boolean {
  const actual = typeOf(value);
  if (type === actual) return true;
  if (type === 'number' && actual === 'integer') return true;
  // A type name the checker does not know is not held against the value.
  return typeof type !== 'string' || !JSON_TYPES.has(type);
}
const JSON_TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'integer', 'string']);

function violation(value: Json, schema: Schema, at: string, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const where = at || 'the arguments';
  const { type } = schema;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    if (!types.some((t) => hasType(value, t)))
      return `${where} must be ${types.map((t) => JSON.stringify(t)).join(' or ')}, not ${typeOf(value)}`;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => sameJson(option, value)))
    return `${where} must be one of ${JSON.stringify(schema.enum)}`;
  if (schema.const !== undefined && !sameJson(schema.const, value))
    return `${where} must be ${JSON.stringify(schema.const)}`;
  return (
    boundsViolation(value, schema, where) ??
    combinatorViolation(value, schema, at, depth) ??
    (isObject(value) ? objectViolation(value, schema, at, depth) : undefined) ??
    (Array.isArray(value) ? arrayViolation(value, schema, at, depth) : undefined)
  );
}

function boundsViolation(value: Json, schema: Schema, where: string): string | undefined {
  const limit = (key: string) => {
    const bound = schema[key];
    return typeof bound === 'number' ? bound : undefined;
  };
  if (typeof value === 'number') {
    const min = limit('minimum');
    const max = limit('maximum');
    if (min !== undefined && value < min) return `${where} must be at least ${min}`;
    if (max !== undefined && value > max) return `${where} must be at most ${max}`;
  }
  const length =
    typeof value === 'string' ? value.length : Array.isArray(value) ? value.length : -1;
  if (length >= 0) {
    const isText = typeof value === 'string';
    const min = limit(isText ? 'minLength' : 'minItems');
    const max = limit(isText ? 'maxLength' : 'maxItems');
    const unit = isText ? 'characters' : 'items';
    if (min !== undefined && length < min) return `${where} needs at least ${min} ${unit}`;
    if (max !== undefined && length > max) return `${where} allows at most ${max} ${unit}`;
  }
  return undefined;
}

function combinatorViolation(
  value: Json,
  schema: Schema,
  at: string,
  depth: number,
): string | undefined {
  const options = (key: string) => {
    const list = schema[key];
    return Array.isArray(list) ? list.filter(isObject) : [];
  };
  for (const sub of options('allOf')) {
    const found = violation(value, sub, at, depth + 1);
    if (found) return found;
  }
  for (const key of ['anyOf', 'oneOf']) {
    const subs = options(key);
    if (subs.length > 0 && subs.every((sub) => violation(value, sub, at, depth + 1) !== undefined))
      return `${at || 'the arguments'} matches none of the allowed shapes`;
  }
  return undefined;
}

function objectViolation(
  value: Schema,
  schema: Schema,
  at: string,
  depth: number,
): string | undefined {
  if (Array.isArray(schema.required)) {
    for (const name of schema.required) {
      if (typeof name === 'string' && !Object.hasOwn(value, name))
        return `missing required property "${name}"${at ? ` in ${at}` : ''}`;
    }
  }
  const properties = isObject(schema.properties) ? schema.properties : {};
  const additional = schema.additionalProperties;
  for (const [name, inner] of Object.entries(value)) {
    const path = `${at}/${name}`;
    const sub = Object.hasOwn(properties, name) ? properties[name] : additional;
    if (sub === false) return `unexpected property "${name}"${at ? ` in ${at}` : ''}`;
    if (isObject(sub)) {
      const found = violation(inner, sub, path, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function arrayViolation(
  value: Json[],
  schema: Schema,
  at: string,
  depth: number,
): string | undefined {
  if (!isObject(schema.items)) return undefined;
  for (let i = 0; i < value.length; i++) {
    const found = violation(value[i]!, schema.items, `${at}/${i}`, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function sameJson(a: Json, b: Json): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
