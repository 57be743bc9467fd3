import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/prng.mjs';
import type { AgentTrace, Failure, TraceStep } from '../../../src/model/index.js';
import { assignRootCauses } from '../../../src/processors/classify/root-cause.js';
import { stepChain, traceStep } from '../../helpers/spans.js';
import { failure } from '../alert/helpers.js';
import { walkingRootCauses } from './root-cause-oracle.js';

/** Root cause vs symptom on assembled traces (SPEC §5.3). */

const T0 = 1_700_000_000_000_000_000n;

function step(
  spanId: string,
  parentSpanId: string,
  from: number,
  to: number,
  classes: string[],
): TraceStep {
  const s = traceStep({
    spanId,
    parentSpanId,
    startTimeUnixNano: T0 + BigInt(from) * 1_000_000n,
    endTimeUnixNano: T0 + BigInt(to) * 1_000_000n,
  });
  s.failures = classes.map((c): Failure =>
    failure(c, { spanId, failureId: `${spanId}-${c}`, signature: `sig-${spanId}-${c}` }),
  );
  return s;
}

const traceOf = (...steps: TraceStep[]): AgentTrace => ({
  traceId: 't',
  steps,
  incomplete: false,
  droppedSteps: 0,
  failures: [],
  version: 1,
});

describe('assignRootCauses', () => {
  it('makes the ancestors an error propagated through symptoms of the deepest failure', () => {
    const agent = step('agent', '', 0, 100, ['error_status']);
    const chain = step('chain', 'agent', 5, 90, []);
    const llm = step('llm', 'chain', 10, 50, ['rate_limited']);
    const caller = step('caller', 'chain', 8, 60, ['rate_limited', 'exception']);
    const trace = traceOf(agent, chain, caller, llm);
    llm.parentSpanId = 'caller';
    const revised = assignRootCauses(trace);
    expect(
      revised.map((f) => [f.spanId, f.failureClass, f.causedBy, f.causeSignature, f.revision]),
    ).toEqual([
      ['caller', 'rate_limited', 'llm-rate_limited', 'sig-llm-rate_limited', 1],
      ['caller', 'exception', 'llm-rate_limited', 'sig-llm-rate_limited', 1],
      ['agent', 'error_status', 'llm-rate_limited', 'sig-llm-rate_limited', 1],
    ]);
    expect(llm.failures[0]!.causedBy).toBe('');
  });

  it('keeps a parent with a fault of its own a root cause', () => {
    const agent = step('agent', '', 0, 100, ['validation_error']);
    const tool = step('tool', 'agent', 10, 20, ['tool_error']);
    expect(assignRootCauses(traceOf(agent, tool))).toEqual([]);
  });

  it('does not blame a descendant that ran outside the parent’s time', () => {
    const agent = step('agent', '', 0, 50, ['error_status']);
    const late = step('late', 'agent', 80, 90, ['tool_error']);
    expect(assignRootCauses(traceOf(agent, late))).toEqual([]);
  });

  it('revises by replacing the failure, leaving the captured object as it was', () => {
    const agent = step('agent', '', 0, 100, ['error_status']);
    const captured = agent.failures[0]!;
    const tool = step('tool', 'agent', 10, 20, ['tool_error']);
    const trace = traceOf(agent, tool);
    assignRootCauses(trace);
    expect(captured.causedBy).toBe('');
    expect(agent.failures[0]!.causedBy).toBe('tool-tool_error');
    expect(assignRootCauses(trace)).toEqual([]);
  });

  it('decides as walking up the parent links does, on traces of every shape', () => {
    const next = prng(13);
    for (let round = 0; round < 400; round++) {
      const trace = randomTrace(next);
      const decisions = walkingRootCauses(trace);
      // What the decisions revise, in the order made: failures not yet pointing at their cause.
      const expected = decisions.flatMap(({ step, cause }) =>
        step.failures
          .filter((f) => f.causedBy !== (cause?.failureId ?? ''))
          .map((f) => [
            f.spanId,
            f.failureClass,
            cause?.failureId ?? '',
            cause?.signature ?? '',
            f.revision + 1,
          ]),
      );
      expect(assignRootCauses(trace).map(decision)).toEqual(expected);
      for (const { step, cause } of decisions) {
        expect(step.failures.map((f) => f.causedBy)).toEqual(
          step.failures.map(() => cause?.failureId ?? ''),
        );
      }
    }
  });

  it('decides a chain as deep as max_steps_per_trace, every step of it failing', () => {
    const steps = stepChain(5000).map((s, depth) => {
      s.startTimeUnixNano = T0 + BigInt(depth) * 1_000n;
      s.endTimeUnixNano = T0 + 10_000_000_000n - BigInt(depth) * 1_000n;
      s.failures = [
        failure(depth === 4999 ? 'timeout' : 'error_status', { failureId: `f${depth}` }),
      ];
      return s;
    });
    const revised = assignRootCauses(traceOf(...steps));
    // The deepest step timed out; the 4,999 above it only passed its error on.
    expect(revised).toHaveLength(4999);
    expect(new Set(revised.map((f) => f.causedBy))).toEqual(new Set(['f4999']));
  });
});

const decision = (f: Failure) => [
  f.spanId,
  f.failureClass,
  f.causedBy,
  f.causeSignature,
  f.revision,
];

const CLASSES = ['error_status', 'exception', 'rate_limited', 'timeout', 'tool_error'];

/**
 * A trace of random shape: parents missing, the step itself, earlier or later steps, cycles;
 * times nested, overlapping or apart, sometimes equal; some steps failing in 1–3 classes.
 */
function randomTrace(next: () => number): AgentTrace {
  const count = 1 + Math.floor(next() * 40);
  const ids = Array.from({ length: count }, (_, i) => `s${i}`);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const steps = ids.map((spanId, i) => {
    const roll = next();
    const parentSpanId = roll < 0.1 ? '' : roll < 0.15 ? 'gone' : roll < 0.2 ? spanId : pick(ids);
    const from = Math.floor(next() * 20) * 5;
    const to = from + Math.floor(next() * 10) * 10;
    const classes =
      next() < 0.5 ? [] : Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(CLASSES));
    const made = step(spanId, parentSpanId, from, i % 7 === 0 ? from : to, classes);
    // Some failures come as an earlier emission revised them, pointing at a cause.
    for (const f of made.failures) if (next() < 0.2) f.causedBy = 'f-earlier';
    return made;
  });
  return traceOf(...steps);
}
