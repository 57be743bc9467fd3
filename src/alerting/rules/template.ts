/**
 * Label and annotation templates, in Prometheus's notation for the parts users reach for:
 * `{{ $labels.service }}`, `{{ $value }}`, `{{ $threshold }}`, `{{ $baseline }}`, optionally
 * piped through `humanize` (three significant digits) or `percent` (×100, one decimal, `%`).
 * Anything else between `{{ }}` is a config error, found at start-up.
 */
export interface TemplateData {
  labels: Record<string, string>;
  value: number;
  threshold: number;
  baseline: number;
}

type Piece = string | ((data: TemplateData) => string);

const EXPRESSION = /\{\{\s*(.*?)\s*\}\}/g;
const VARIABLE =
  /^\$(labels\.([A-Za-z_][A-Za-z0-9_]*)|value|threshold|baseline)(?:\s*\|\s*(humanize|percent))?$/;

const FORMATS: Record<string, (n: number) => string> = {
  plain: (n) => String(n),
  humanize: (n) => (Number.isFinite(n) ? String(Number(n.toPrecision(3))) : String(n)),
  percent: (n) => `${(n * 100).toFixed(1)}%`,
};

export class TemplateError extends Error {}

/** Compiles a template once; throws TemplateError naming the expression it does not know. */
export function compileTemplate(template: string): (data: TemplateData) => string {
  const pieces: Piece[] = [];
  let last = 0;
  for (const match of template.matchAll(EXPRESSION)) {
    pieces.push(template.slice(last, match.index));
    pieces.push(expression(match[1]!));
    last = match.index + match[0].length;
  }
  pieces.push(template.slice(last));
  if (pieces.length === 1) return () => template;
  return (data) => pieces.map((p) => (typeof p === 'string' ? p : p(data))).join('');
}

function expression(text: string): (data: TemplateData) => string {
  const match = VARIABLE.exec(text);
  if (!match) {
    throw new TemplateError(
      `unknown template expression "{{ ${text} }}": use $labels.NAME, $value, $threshold or $baseline, optionally "| humanize" or "| percent"`,
    );
  }
  const format = FORMATS[match[3] ?? 'plain']!;
  const label = match[2];
  if (label !== undefined) return (data) => data.labels[label] ?? '';
  const key = match[1] as 'value' | 'threshold' | 'baseline';
  return (data) => format(data[key]);
}
