import type { AgentTrace, Failure, TraceStep } from '../../model/index.js';
import { MarkedPositions, StepTree } from './step-tree.js';

/**
 * Classes a span gets merely because an error passed through it: its status, and the
 * exception event that SDKs record on every span the error unwinds.
 */
const PROPAGATION_CLASSES: ReadonlySet<string> = new Set(['error_status', 'exception']);

/**
 * Root cause vs symptom (SPEC §5.3). A failing step is a symptom when a descendant of it in
 * the same trace failed while it ran and its own failures say nothing beyond that: each is
 * a propagation class or the class of a failure below it (a 429 seen again on the caller).
 * Its failures then name, as `causedBy`, the root-cause failure below them.
 *
 * Decided on the assembled trace, where every step is known whatever order spans arrived
 * in. The step's failure is replaced by a revision (its revision number raised), never
 * changed in place; the revisions are returned, to be stored again.
 */
export function assignRootCauses(trace: AgentTrace): Failure[] {
  const steps = trace.steps;
  const failing: number[] = [];
  for (let index = 0; index < steps.length; index++) {
    if (steps[index]!.failures.length > 0) failing.push(index);
  }
  const revised: Failure[] = [];
  // A lone failing step has no failure below it: it is a root cause (most failing traces).
  if (failing.length === 1) revise(steps[failing[0]!]!, undefined, revised);
  if (failing.length <= 1) return revised;
  const tree = new StepTree(steps);
  // Deepest first: a step's descendants are decided before it, so a cause is always a root.
  failing.sort(
    (a, b) =>
      tree.depth(b) - tree.depth(a) ||
      compare(steps[a]!.endTimeUnixNano, steps[b]!.endTimeUnixNano),
  );
  const roots = new MarkedPositions(steps.length);
  /** The order in which steps became roots, which breaks ties between causes. */
  const rootOrder = new Map<number, number>();
  for (const index of failing) {
    const step = steps[index]!;
    const { from, to } = tree.descendants(index);
    const below = roots.within(from, to).filter((root) => overlaps(steps[root]!, step));
    const cause = below.length > 0 ? causeFor(step, causesInOrder(below)) : undefined;
    if (!cause) {
      rootOrder.set(index, rootOrder.size);
      roots.mark(tree.position(index), index);
    }
    revise(step, cause, revised);
  }
  return revised;

  /** The root steps at `below`, earliest to end first, then in the order they became roots. */
  function causesInOrder(below: number[]): TraceStep[] {
    return below
      .sort(
        (a, b) =>
          compare(steps[a]!.endTimeUnixNano, steps[b]!.endTimeUnixNano) ||
          rootOrder.get(a)! - rootOrder.get(b)!,
      )
      .map((root) => steps[root]!);
  }
}

/** Points `step`'s failures at `cause` (none: a root cause), adding those it changes to `revised`. */
function revise(step: TraceStep, cause: Failure | undefined, revised: Failure[]): void {
  const causedBy = cause?.failureId ?? '';
  step.failures.forEach((failure, at) => {
    if (failure.causedBy === causedBy) return;
    // A new object: the captured one may still wait, unserialized, in an exporter's batch.
    const revision: Failure = {
      ...failure,
      causedBy,
      causeSignature: cause?.signature ?? '',
      revision: failure.revision + 1,
    };
    step.failures[at] = revision;
    revised.push(revision);
  });
}

/**
 * The root-cause failure `step`'s failures are symptoms of, or undefined when one of them is
 * a fault of its own. `causes`, earliest to end first: the first to break wins.
 */
function causeFor(step: TraceStep, causes: readonly TraceStep[]): Failure | undefined {
  const below = causes.flatMap((root) => root.failures);
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

/**
 * Clocks disagree by this much and still count as overlapping: SDKs take start and end times
 * from different sources (the OpenTelemetry JS SDK's start times are whole milliseconds), so
 * a child can appear to start a fraction of a millisecond after its parent ended.
 */
const CLOCK_SLACK_NS = 10_000_000n;

/** The descendant ran, at least in part, while the ancestor did. */
function overlaps(descendant: TraceStep, ancestor: TraceStep): boolean {
  return (
    descendant.startTimeUnixNano <= ancestor.endTimeUnixNano + CLOCK_SLACK_NS &&
    descendant.endTimeUnixNano + CLOCK_SLACK_NS >= ancestor.startTimeUnixNano
  );
}

const compare = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
