import {
  StatusCode,
  effectiveModel,
  serviceNameOf,
  type Failure,
  type Span,
} from '../../model/index.js';

/** What a rule can filter on and group by; each names a property of a span or a failure. */
export const LABEL_KEYS = [
  'service',
  'step_type',
  'model',
  'provider',
  'agent',
  'span_name',
  'operation',
  'tool',
  'class',
  'status',
] as const;
export type LabelKey = (typeof LABEL_KEYS)[number];

type Read<T> = (item: T) => string | readonly string[];

const NO_CLASSES: readonly string[] = [];

const SPAN_LABELS: Record<LabelKey, Read<Span>> = {
  service: serviceNameOf,
  step_type: (span) => span.step?.type ?? 'span',
  model: (span) => (span.step ? effectiveModel(span.step) : ''),
  provider: (span) => span.step?.provider ?? '',
  agent: (span) => span.step?.agentName ?? '',
  span_name: (span) => span.name,
  operation: (span) => span.step?.operation ?? '',
  tool: (span) => span.step?.toolName ?? '',
  class: (span) => span.failures?.map((failure) => failure.failureClass) ?? NO_CLASSES,
  status: (span) => (isErrorSpan(span) ? 'error' : 'ok'),
};

const FAILURE_LABELS: Record<LabelKey, Read<Failure>> = {
  service: (failure) => failure.serviceName,
  step_type: (failure) => failure.stepType,
  model: () => '',
  provider: () => '',
  agent: (failure) => failure.agentName,
  span_name: (failure) => failure.spanName,
  operation: (failure) => failure.operation,
  tool: (failure) => (failure.stepType === 'tool_call' ? failure.operation : ''),
  class: (failure) => failure.failureClass,
  status: () => 'error',
};

/** A span counts as an error when its status says so or a classifier found a failure on it. */
export function isErrorSpan(span: Span): boolean {
  return span.statusCode === StatusCode.Error || (span.failures?.length ?? 0) > 0;
}

export const labelReaders = (source: 'spans' | 'failures') =>
  (source === 'spans' ? SPAN_LABELS : FAILURE_LABELS) as Record<LabelKey, Read<unknown>>;

/** One label value for grouping: the first of a list ('' when empty). */
export function groupValue(read: Read<unknown>, item: unknown): string {
  const value = read(item);
  return typeof value === 'string' ? value : (value[0] ?? '');
}

/** `*` matches any run of characters; everything else literally. */
export function globPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * Compiles a rule's filter into one predicate: every key given must match (any of its
 * values; for a span's failure classes, any class).
 */
export function compileFilter(
  filter: Partial<Record<LabelKey, readonly string[]>>,
  source: 'spans' | 'failures',
): (item: unknown) => boolean {
  const readers = labelReaders(source);
  const checks = Object.entries(filter).map(([key, globs]) => {
    const read = readers[key as LabelKey];
    const exact = new Set(globs.filter((glob) => !glob.includes('*')));
    const patterns = globs.filter((glob) => glob.includes('*')).map(globPattern);
    const one = (value: string) => exact.has(value) || patterns.some((p) => p.test(value));
    return (item: unknown) => {
      const value = read(item);
      return typeof value === 'string' ? one(value) : value.some(one);
    };
  });
  if (checks.length === 0) return () => true;
  return (item) => checks.every((check) => check(item));
}
