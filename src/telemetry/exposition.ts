import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
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

/**
 * Writes `registry` to `response` in the format `accept` prefers, a slice at a time: a large
 * exposition (10,000 histogram series are 34 MiB) never becomes one string, and other requests
 * are served between the slices.
 */
export async function exposeTo(
  response: ServerResponse,
  registry: Registry,
  accept: string | undefined,
): Promise<void> {
  const format = formatFor(accept);
  response.writeHead(200, { 'Content-Type': CONTENT_TYPES[format] });
  let pending: string[] = [];
  let pendingLength = 0;
  for await (const piece of pieces(registry, format)) {
    pending.push(piece);
    pendingLength += piece.length;
    if (pendingLength < WRITE_SIZE) continue;
    const flushed = response.write(pending.join(''));
    pending = [];
    pendingLength = 0;
    await (flushed ? new Promise((resolve) => setImmediate(resolve)) : once(response, 'drain'));
  }
  response.end(pending.join(''));
}

/** Text written to the response at a time, about one slice of `series.ts` output. */
const WRITE_SIZE = 256 * 1024;

const CONTENT_TYPES: Record<TextFormat, string> = {
  text: TEXT_CONTENT_TYPE,
  openmetrics: OPENMETRICS_CONTENT_TYPE,
};

const formatFor = (accept: string | undefined): TextFormat =>
  prefersOpenMetrics(accept) ? 'openmetrics' : 'text';

async function collect(source: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const piece of source) out += piece;
  return out;
}

/**
 * The text format 0.0.4, as prom-client's `registry.metrics()` writes it (families apart by a
 * blank line), with the families of `series.ts` rendering themselves.
 */
export function text(registry: Registry): Promise<string> {
  return collect(pieces(registry, 'text'));
}

/** OpenMetrics 1.0.0 text of every metric in `registry`, exemplars included, ending in `# EOF`. */
export function openMetrics(registry: Registry): Promise<string> {
  return collect(pieces(registry, 'openmetrics'));
}

/** The exposition in order, family by family, large families a slice of series at a time. */
async function* pieces(registry: Registry, format: TextFormat): AsyncGenerator<string> {
  const metrics = registry.getMetricsAsArray() as unknown as Renderable[];
  for (const [index, metric] of metrics.entries()) {
    if (format === 'text' && index > 0) yield '\n\n';
    if (metric.renderSlices) {
      let first = true;
      for (const slice of metric.renderSlices(format)) {
        yield first ? slice : `\n${slice}`;
        first = false;
      }
      if (format === 'openmetrics') yield '\n';
    } else if (format === 'text') {
      yield await registry.getSingleMetricAsString(metric.name);
    } else {
      yield renderFamily(
        await (metric.getForPromString ? metric.getForPromString() : metric.get()),
      );
    }
  }
  yield format === 'text' ? '\n' : '# EOF\n';
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
  name: string;
  get(): Promise<RenderedMetric>;
  getForPromString?(): Promise<RenderedMetric>;
  /** Families that write their own text (`series.ts`). */
  renderSlices?(format: TextFormat): Generator<string>;
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
