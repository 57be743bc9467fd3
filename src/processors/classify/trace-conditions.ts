import type { TraceStep } from '../../model/index.js';
import { compilePattern } from './pattern.js';
import { allOf, anyOf, not, type Check, type Never } from './predicate.js';
import type { TraceConditions } from './rule-schema.js';
import { stepFailed, type TraceView } from './trace-view.js';

type TraceCheck = Check<TraceView>;

/**
 * Compiles a trace rule's `when:` block into one test over a TraceView. Conditions that find
 * a particular step (the looping tool call, the empty output) point the view's `anchor` at
 * it and leave their figures in `match`, for the failure and its message.
 */
export function compileTraceConditions(when: TraceConditions): TraceCheck | Never {
  const checks: (TraceCheck | Never)[] = [];
  const add = (test: (view: TraceView) => boolean, cost: number) => checks.push({ test, cost });

  if (when.incomplete !== undefined) {
    const incomplete = when.incomplete;
    add((v) => v.trace.incomplete === incomplete, 1);
  }
  if (when.duration_over !== undefined) {
    const limitNs = BigInt(Math.round(when.duration_over * 1e6));
    add((v) => v.summary.durationNs > limitNs, 3);
  }
  if (when.name_matches) {
    const regex = compilePattern(when.name_matches);
    add((v) => regex.test(v.summary.rootName), 4);
  }
  if (when.step_count) checks.push(stepCount(when.step_count));
  if (when.failure_class) {
    const classes = new Set(when.failure_class);
    add((v) => {
      const step = v.trace.steps.find((s) => s.failures.some((f) => classes.has(f.failureClass)));
      if (step) v.anchor ??= step;
      return step !== undefined;
    }, 5);
  }
  if (when.repeated_tool_call) checks.push(repeatedToolCall(when.repeated_tool_call));
  if (when.final_output_empty) add(finalOutputEmpty, 6);
  if (when.any_of) checks.push(anyOf(when.any_of.map(compileTraceConditions)));
  if (when.not) checks.push(not(compileTraceConditions(when.not)));
  return allOf(checks);
}

function stepCount(when: NonNullable<TraceConditions['step_count']>): TraceCheck {
  const types = when.step_type ? new Set<string>(when.step_type) : undefined;
  const budget = when.over;
  return {
    test: (v) => {
      let count = 0;
      for (const step of v.trace.steps) if (!types || types.has(step.type)) count++;
      if (count <= budget) return false;
      v.match.count = count;
      v.match.budget = budget;
      return true;
    },
    cost: 4,
  };
}

/**
 * The same tool called with the same arguments `min_count` times or more. The failure points
 * at the first call of the most repeated one, which stays the same as more calls arrive, so
 * re-emissions of a growing trace keep one failure id.
 */
function repeatedToolCall(when: NonNullable<TraceConditions['repeated_tool_call']>): TraceCheck {
  const { min_count: minCount, require_arguments: requireArguments } = when;
  return {
    test: (v) => {
      const calls = new Map<string, TraceStep[]>();
      for (const step of v.trace.steps) {
        if (step.type !== 'tool_call' || step.toolName === '') continue;
        if (requireArguments && step.toolArguments.trim() === '') continue;
        const key = `${step.toolName}\u0000${step.toolArguments}`;
        const same = calls.get(key);
        if (same) same.push(step);
        else calls.set(key, [step]);
      }
      let loop: TraceStep[] | undefined;
      for (const same of calls.values()) {
        if (same.length >= minCount && (!loop || same.length > loop.length)) loop = same;
      }
      if (!loop) return false;
      const first = loop.reduce((a, b) => (b.startTimeUnixNano < a.startTimeUnixNano ? b : a));
      v.anchor ??= first;
      v.match.count = loop.length;
      v.match.tool_name = first.toolName;
      return true;
    },
    cost: 6,
  };
}

/**
 * The run's answer is empty. Only judged on complete traces whose output step did not fail
 * (an error explains the missing output and is a failure of its own), and only when some
 * step of the trace recorded output at all: when none did, the instrumentation is not
 * capturing content, and an empty preview says nothing about the answer. A `user_input`
 * step's preview is the user's message, not output, so it does not count.
 */
function finalOutputEmpty(v: TraceView): boolean {
  if (v.trace.incomplete) return false;
  const step = v.outputStep();
  if (!step || stepFailed(step) || step.outputPreview.trim() !== '') return false;
  if (!v.trace.steps.some((s) => s.type !== 'user_input' && s.outputPreview.trim() !== ''))
    return false;
  v.anchor ??= step;
  v.match.step_name = step.name;
  return true;
}
