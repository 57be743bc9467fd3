import { Registry } from 'prom-client';
import { escapeHelp, escapeLabelValue, labelPairs, type TextFormat } from './series.js';

/**
 * The two exposition formats `/metrics` serves from one registry, chosen by the scraper's
 * `Accept` header: Prometheus text 0.0.4 (prom-client's own renderer) and OpenMetrics 1.0.0
 * with exemplars (rendered here). prom-client renders OpenMetrics only from a registry whose
 * single content type is OpenMetrics, and doing so renames its counters in place (it strips
 * `_total` from the metric objects), which would corrupt every later text scrape; so the
 * registry stays a text registry and this file renders OpenMetrics from the same values
 * without touching them.
 */

export const TEXT_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

export interface Exposition {
  contentType: string;
  body: string;
}

/** Renders `registry` in the format `accept` prefers. */
export async function expose(registry: Registry, accept: string | undefined): Promise<Exposition> {
  if (prefersOpenMetrics(accept)) {
    return { contentType: OPENMETRICS_CONTENT_TYPE, body: await openMetrics(registry) };
  }
  return { contentType: TEXT_CONTENT_TYPE, body: await text(registry) };
}

/**
 * The text format 0.0.4, as prom-client's `registry.metrics()` writes it (families apart by a
 * blank line), with the families of `series.ts` rendering themselves.
 */
export async function text(registry: Registry): Promise<string> {
  const families = registry
    .getMetricsAsArray()
    .map((metric) =>
      isSelfRendering(metric)
        ? Promise.resolve(metric.render('text'))
        : registry.getSingleMetricAsString(metric.name),
    );
  return `${(await Promise.all(families)).join('\n\n')}\n`;
}

/**
 * True when `accept` ranks `application/openmetrics-text` at least as high as the text
 * format (Prometheus itself asks for OpenMetrics with q=0.5 and text with q=0.3).
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let openMetrics = 0;
  let text = 0;
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*') text = Math.max(text, q);
  }
  return openMetrics > 0 && openMetrics >= text;
}

/** The value shape prom-client's metrics (and `series.ts` families) hand to a renderer. */
interface RenderedValue {
  value: number;
  labels?: Record<string, string | number>;
  sharedLabels?: Record<string, string | number>;
  metricName?: string;
  exemplar?: { labelSet: Record<string, string>; value: number; timestamp?: number } | null;
}

interface RenderedMetric {
  name: string;
  help: string;
  type: string;
  values?: RenderedValue[];
}

interface Renderable {
  get(): Promise<RenderedMetric>;
  getForPromString?(): Promise<RenderedMetric>;
  /** Families that write their own text (`series.ts`). */
  render?(format: TextFormat): string;
}

const isSelfRendering = (metric: object): metric is { render(format: TextFormat): string } =>
  typeof (metric as { render?: unknown }).render === 'function';

/** OpenMetrics 1.0.0 text of every metric in `registry`, exemplars included, ending in `# EOF`. */
export async function openMetrics(registry: Registry): Promise<string> {
  const families = (registry.getMetricsAsArray() as unknown as Renderable[]).map(async (metric) => {
    if (metric.render) return `${metric.render('openmetrics')}\n`;
    return renderFamily(await (metric.getForPromString ? metric.getForPromString() : metric.get()));
  });
  return `${(await Promise.all(families)).join('')}# EOF\n`;
}

/** One prom-client metric in OpenMetrics, from the values prom-client hands its renderer. */
function renderFamily(metric: RenderedMetric): string {
  const counter = metric.type === 'counter';
  // An OpenMetrics counter family is named without `_total`; its sample carries the suffix.
  const family = counter ? metric.name.replace(/_total$/, '') : metric.name;
  const type = ['counter', 'gauge', 'histogram', 'summary'].includes(metric.type)
    ? metric.type
    : 'unknown';
  let out = `# TYPE ${family} ${type}\n# HELP ${family} ${escapeHelp(metric.help, 'openmetrics')}\n`;
  for (const value of metric.values ?? []) {
    const name = counter ? `${family}_total` : (value.metricName ?? family);
    out += `${name}${labelText(value.labels, value.sharedLabels)} ${numberText(value.value)}`;
    const exemplar = value.exemplar;
    if (exemplar && Object.keys(exemplar.labelSet).length) {
      out += ` # ${labelText(exemplar.labelSet, undefined)} ${numberText(exemplar.value)}`;
      if (exemplar.timestamp) out += ` ${exemplar.timestamp}`;
    }
    out += '\n';
  }
  return out;
}

/** Series label text, cached per shared label object (the same object on every scrape). */
const sharedText = new WeakMap<object, string>();

function labelText(
  own: Record<string, string | number> | undefined,
  shared: Record<string, string | number> | undefined,
): string {
  let text = '';
  if (shared) {
    let cached = sharedText.get(shared);
    if (cached === undefined) {
      cached = pairs(shared, undefined);
      sharedText.set(shared, cached);
    }
    text = cached;
  }
  const mine = own ? pairs(own, shared) : '';
  if (mine) text = text ? `${mine},${text}` : mine;
  return text ? `{${text}}` : '';
}

function pairs(
  labels: Record<string, string | number>,
  except: Record<string, unknown> | undefined,
): string {
  if (!except) return labelPairs(labels);
  const out: string[] = [];
  for (const name in labels) {
    if (name in except) continue;
    out.push(`${name}="${escapeLabelValue(String(labels[name]))}"`);
  }
  return out.join(',');
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
