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
  const rootOrder = new Map<TraceStep, number>();
  for (const index of failing) {
    const step = steps[index]!;
    const { from, to } = tree.descendants(index);
    const causes: TraceStep[] = [];
    for (const root of roots.within(from, to)) {
      if (overlaps(steps[root]!, step)) causes.push(steps[root]!);
    }
    const cause = causes.length > 0 ? causeFor(step, causes, rootOrder) : undefined;
    if (!cause) {
      rootOrder.set(step, rootOrder.size);
      roots.mark(tree.position(index), index);
    }
    revise(step, cause, revised);
  }
  return revised;
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
 * a fault of its own. Of the failures of `causes`, the first cause to break wins (the earliest
 * to end, then the first to become a root), and of its failures the first; one of the step's
 * own classes wins over any other. In one pass, with no sorting: in a chain of failing steps
 * each with a failing leaf, a step has thousands of causes below it.
 */
function causeFor(
  step: TraceStep,
  causes: readonly TraceStep[],
  rootOrder: ReadonlyMap<TraceStep, number>,
): Failure | undefined {
  const earlier = (a: TraceStep, b: TraceStep): boolean =>
    a.endTimeUnixNano < b.endTimeUnixNano ||
    (a.endTimeUnixNano === b.endTimeUnixNano && rootOrder.get(a)! < rootOrder.get(b)!);
  const own = step.failures;
  /** Whether each of the step's failures has its class below. */
  const classBelow = own.map(() => false);
  let first = causes[0]!;
  let sameClass: { failure: Failure; cause: TraceStep } | undefined;
  for (const cause of causes) {
    if (earlier(cause, first)) first = cause;
    for (const failure of cause.failures) {
      let shared = false;
      own.forEach((mine, at) => {
        if (mine.failureClass !== failure.failureClass) return;
        classBelow[at] = true;
        shared = true;
      });
      if (shared && (!sameClass || earlier(cause, sameClass.cause))) sameClass = { failure, cause };
    }
  }
  const ownFault = own.some(
    (failure, at) => !PROPAGATION_CLASSES.has(failure.failureClass) && !classBelow[at],
  );
  if (ownFault) return undefined;
  return sameClass?.failure ?? first.failures[0];
}

/**
 * Clocks disagree by this much and still count as overlapping: SDKs take start and end times
 * from different sources (the OpenTelemetry JS SDK's start times are whole milliseconds), so
 * a child can appear to start a fraction of a millisecond after its parent ended.
 */
const CLOCK_SLACK_NS = 10_000_000n;

/** The descendant ran, at least in part, while the ancestor did. */
export function overlaps(descendant: TraceStep, ancestor: TraceStep): boolean {
  return (
    descendant.startTimeUnixNano <= ancestor.endTimeUnixNano + CLOCK_SLACK_NS &&
    descendant.endTimeUnixNano + CLOCK_SLACK_NS >= ancestor.startTimeUnixNano
  );
}

/** Orders two times in nanoseconds. */
export const compare = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);
