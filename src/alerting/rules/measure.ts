import type { Span } from '../../model/index.js';
import type { Aggregate } from './aggregate.js';
import { isErrorSpan } from './labels.js';

/** What one event adds to a window: whether it was an error, and the number it carries. */
export interface Measurement {
  error: boolean;
  value: number;
}

const ONE: Measurement = { error: false, value: 0 };

/**
 * Builds, once per rule, the function that reads an event for its aggregate; undefined means
 * the event does not count (e.g. `avg(x)` of a span without a numeric `x`).
 */
export function measurer(aggregate: Aggregate): (item: unknown) => Measurement | undefined {
  switch (aggregate.kind) {
    case 'count':
    case 'rate':
    case 'failure_count':
      return () => ONE;
    case 'error_rate':
      return (span) => ({ error: isErrorSpan(span as Span), value: 0 });
    case 'quantile':
      return (item) => {
        const span = item as Span;
        const ns = span.endTimeUnixNano - span.startTimeUnixNano;
        return { error: false, value: ns > 0n ? Number(ns) / 1e9 : 0 };
      };
    case 'tokens':
      return (item) => {
        const usage = (item as Span).step?.usage;
        return { error: false, value: usage ? usage.total || usage.input + usage.output : 0 };
      };
    case 'cost':
      return (item) => ({ error: false, value: (item as Span).step?.costUsd ?? 0 });
    case 'avg': {
      const key = aggregate.attribute;
      return (item) => {
        const raw = (item as Span).attributes[key];
        const value =
          typeof raw === 'bigint'
            ? Number(raw)
            : typeof raw === 'string' && raw.trim()
              ? Number(raw)
              : raw;
        return typeof value === 'number' && Number.isFinite(value)
          ? { error: false, value }
          : undefined;
      };
    }
  }
}
