import type { AgentTrace, Failure, TraceStep } from '../../../src/model/index.js';
import { compare, overlaps } from '../../../src/processors/classify/root-cause.js';

/** A failing step, and the failure below it its failures are symptoms of (none: a root cause). */
export interface Decision {
  step: TraceStep;
  cause: Failure | undefined;
}

/**
 * Root causes decided as classify did before it read the step tree once: walking up the
 * parent links from every failing step, and from every root cause for every step above it.
 * Quadratic in the depth of the tree and plainly written, it is the reference the processor's
 * decisions are checked against. It shares the processor's rule for overlapping times (what is
 * checked is how the tree is searched). It changes nothing: the decisions come in the order made.
 */
export function walkingRootCauses(trace: AgentTrace): Decision[] {
  const byId = new Map<string, TraceStep>();
  for (const step of trace.steps) byId.set(step.spanId, step);
  // Deepest first: a step's descendants are decided before it, so a cause is always a root.
  const failing = trace.steps
    .filter((step) => step.failures.length > 0)
    .map((step) => ({ step, depth: depthOf(step, byId) }))
    .sort((a, b) => b.depth - a.depth || compare(a.step.endTimeUnixNano, b.step.endTimeUnixNano));
  const roots: TraceStep[] = [];
  return failing.map(({ step }) => {
    const causes = roots.filter(
      (root) => overlaps(root, step) && isAncestor(step.spanId, root, byId),
    );
    const cause = causes.length > 0 ? causeFor(step, causes) : undefined;
    if (!cause) roots.push(step);
    return { step, cause };
  });
}

const PROPAGATION_CLASSES: ReadonlySet<string> = new Set(['error_status', 'exception']);

/** The cause among `roots` (the first to end; of the step's class first), none for a fault. */
function causeFor(step: TraceStep, roots: TraceStep[]): Failure | undefined {
  const below = roots
    .slice()
    .sort((a, b) => compare(a.endTimeUnixNano, b.endTimeUnixNano))
    .flatMap((root) => root.failures);
  const classesBelow = new Set(below.map((failure) => failure.failureClass));
  const ownFault = step.failures.some(
    (failure) =>
      !PROPAGATION_CLASSES.has(failure.failureClass) && !classesBelow.has(failure.failureClass),
  );
  if (ownFault) return undefined;
  const sameClass = below.find((failure) =>
    step.failures.some((own) => own.failureClass === failure.failureClass),
  );
  return sameClass ?? below[0];
}

function isAncestor(
  ancestorId: string,
  step: TraceStep,
  byId: ReadonlyMap<string, TraceStep>,
): boolean {
  const seen = new Set<string>();
  for (let at = byId.get(step.parentSpanId); at && !seen.has(at.spanId);) {
    if (at.spanId === ancestorId) return true;
    seen.add(at.spanId);
    at = byId.get(at.parentSpanId);
  }
  return false;
}

function depthOf(step: TraceStep, byId: ReadonlyMap<string, TraceStep>): number {
  const seen = new Set<string>();
  let depth = 0;
  for (let at = byId.get(step.parentSpanId); at && !seen.has(at.spanId); depth++) {
    seen.add(at.spanId);
    at = byId.get(at.parentSpanId);
  }
  return depth;
}
