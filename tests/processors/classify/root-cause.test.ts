import { describe, expect, it } from 'vitest';
import type { AgentTrace, Failure, TraceStep } from '../../../src/model/index.js';
import { assignRootCauses } from '../../../src/processors/classify/root-cause.js';
import { traceStep } from '../../helpers/spans.js';
import { failure } from '../alert/helpers.js';

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
});
