import { describe, expect, it } from 'vitest';
import {
  StatusCode,
  summarizeTrace,
  traceDocument,
  type AgentTrace,
  type StepDocument,
} from '../../../src/model/index.js';
import {
  addConversationSteps,
  conversationOf,
} from '../../../src/processors/assemble/conversation.js';
import { TraceView } from '../../../src/processors/classify/trace-view.js';
import { sampleSpan, stepInfo, traceStep } from '../../helpers/spans.js';

const ROOT = 'r'.repeat(16);

const traceOf = (...steps: AgentTrace['steps']): AgentTrace => ({
  traceId: 'a'.repeat(32),
  steps,
  incomplete: false,
  droppedSteps: 0,
  failures: [],
  version: 1,
});

const rootAgent = (conversation: { input: string; output: string } | undefined) =>
  traceStep({
    spanId: ROOT,
    parentSpanId: '',
    name: 'invoke_agent booker',
    type: 'agent',
    operation: 'invoke_agent',
    sessionId: 'session-1',
    outputPreview: conversation?.output ?? '',
    conversation,
  });

describe('conversationOf', () => {
  const agentStep = stepInfo({
    type: 'agent',
    inputPreview: 'book a flight',
    outputPreview: 'booked',
  });

  it('keeps the previews of a root agent span for the sides its GenAI messages carry', () => {
    const both = sampleSpan({
      attributes: { 'gen_ai.input.messages': '[]', 'gen_ai.output.messages': '[]' },
    });
    expect(conversationOf(both, agentStep)).toEqual({ input: 'book a flight', output: 'booked' });
    const inputOnly = sampleSpan({ attributes: { 'gen_ai.input.messages': '[]' } });
    expect(conversationOf(inputOnly, agentStep)).toEqual({ input: 'book a flight', output: '' });
  });

  it('reads the older GenAI names: gen_ai.prompt / gen_ai.completion, flattened or not', () => {
    const json = sampleSpan({ attributes: { 'gen_ai.prompt': '[]', 'gen_ai.completion': '[]' } });
    expect(conversationOf(json, agentStep)).toEqual({ input: 'book a flight', output: 'booked' });
    const flattened = sampleSpan({
      attributes: { 'gen_ai.prompt.0.role': 'user', 'gen_ai.completion.0.content': 'booked' },
    });
    expect(conversationOf(flattened, agentStep)).toEqual({
      input: 'book a flight',
      output: 'booked',
    });
  });

  it('keeps nothing for a span that is not a root agent, or carries no GenAI messages', () => {
    const messages = { 'gen_ai.input.messages': '[]', 'gen_ai.output.messages': '[]' };
    const child = sampleSpan({ parentSpanId: 'p'.repeat(16), attributes: messages });
    expect(conversationOf(child, agentStep)).toBeUndefined();
    const rootModelCall = sampleSpan({ attributes: messages });
    expect(conversationOf(rootModelCall, { ...agentStep, type: 'llm_call' })).toBeUndefined();
    // Another convention's input is not a GenAI message.
    const openInference = sampleSpan({ attributes: { 'input.value': 'book a flight' } });
    expect(conversationOf(openInference, agentStep)).toBeUndefined();
  });
});

describe('addConversationSteps', () => {
  it('adds a user_input and a final_output step under the root agent, with ids from its span id', () => {
    const root = rootAgent({ input: 'book a flight', output: 'booked' });
    const trace = traceOf(root, traceStep({ parentSpanId: ROOT, type: 'llm_call' }));
    addConversationSteps(trace);
    expect(trace.steps.slice(2)).toMatchObject([
      {
        spanId: `${ROOT}:user_input`,
        parentSpanId: ROOT,
        type: 'user_input',
        outputPreview: 'book a flight',
        startTimeUnixNano: root.startTimeUnixNano,
        sessionId: 'session-1',
        statusCode: StatusCode.Unset,
        derived: true,
      },
      {
        spanId: `${ROOT}:final_output`,
        parentSpanId: ROOT,
        type: 'final_output',
        outputPreview: 'booked',
        endTimeUnixNano: root.endTimeUnixNano,
        derived: true,
      },
    ]);
  });

  it('counts the derived steps by type but not as spans', () => {
    const trace = traceOf(rootAgent({ input: 'book a flight', output: 'booked' }));
    addConversationSteps(trace);
    const summary = summarizeTrace(trace);
    expect(summary.spanCount).toBe(1);
    expect(summary.stepCounts).toEqual({ agent: 1, user_input: 1, final_output: 1 });
  });

  it('marks the derived steps in the trace document, and no step a span stands for', () => {
    const trace = traceOf(rootAgent({ input: 'book a flight', output: 'booked' }));
    addConversationSteps(trace);
    const [root] = traceDocument(trace, summarizeTrace(trace)).steps;
    expect(root).not.toHaveProperty('derived');
    const children: StepDocument[] = root?.children ?? [];
    expect(children.map((step) => [step.type, step.derived])).toEqual([
      ['user_input', true],
      ['final_output', true],
    ]);
  });

  it('adds no step of a type the trace already has (the tracer helper, LangGraph)', () => {
    const trace = traceOf(
      rootAgent({ input: 'book a flight', output: 'booked' }),
      traceStep({ parentSpanId: ROOT, type: 'final_output', outputPreview: 'booked it' }),
    );
    addConversationSteps(trace);
    expect(trace.steps.map((s) => s.type)).toEqual(['agent', 'final_output', 'user_input']);
    expect(trace.steps.filter((s) => s.derived).map((s) => s.type)).toEqual(['user_input']);
  });

  it('adds nothing for a side without text, nor twice when called again', () => {
    const trace = traceOf(rootAgent({ input: 'book a flight', output: '  ' }));
    addConversationSteps(trace);
    addConversationSteps(trace);
    expect(trace.steps.map((s) => s.type)).toEqual(['agent', 'user_input']);
  });

  it('adds nothing when the root keeps no conversation, even if another agent step does', () => {
    const trace = traceOf(
      rootAgent(undefined),
      traceStep({
        parentSpanId: ROOT,
        type: 'agent',
        conversation: { input: 'sub-task', output: 'done' },
      }),
    );
    addConversationSteps(trace);
    expect(trace.steps).toHaveLength(2);
  });

  it('gives classification the same answer as the root agent it comes from', () => {
    const root = rootAgent({ input: 'book a flight', output: 'booked' });
    const trace = traceOf(root);
    const before = new TraceView().load(trace).outputStep();
    addConversationSteps(trace);
    const after = new TraceView().load(trace).outputStep();
    expect(before).toBe(root);
    expect(after).toMatchObject({ type: 'final_output', outputPreview: before?.outputPreview });
  });
});
