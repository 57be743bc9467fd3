import { BUILTIN_FAILURE_CLASSES, type StepType } from '../../model/index.js';
import type { RuleInput } from './rule-schema.js';

/**
 * The built-in rules (SPEC §5.3), written in the same format as users' rules and validated by
 * the same schema. Each is named after the class it produces; config can switch one off or
 * change its severity (`builtins:`), and the figures they use come from `budgets:` and
 * `thresholds:`. README.md has the table; keep the two in step.
 */

/** The config figures the built-in rules are written with. */
export interface BuiltinParams {
  /** Per step type, the duration (ms) over which a step counts as timed out; 0 for none. */
  stepDurationMs: Partial<Record<StepType, number>>;
  maxSteps: number;
  loopRepeats: number;
  hallucinationThreshold: number;
  lowQualityThreshold: number;
}

/** One built-in rule per built-in class, named after it. */
export const BUILTIN_RULE_NAMES = BUILTIN_FAILURE_CLASSES;
export type BuiltinRuleName = (typeof BUILTIN_RULE_NAMES)[number];

/**
 * Overlaps: a failure stands in for the vaguer ones on the same span. Generic signals (error
 * status, exception event) give way to the HTTP status, which gives way to "a tool failed",
 * which gives way to the cause (timeout, rate limit, …).
 */
const GENERIC = ['error_status', 'exception'];
const PROTOCOL = ['http_4xx', 'http_5xx'];
const CAUSE_SUPPRESSES = [...GENERIC, ...PROTOCOL, 'tool_error'];

const MODEL_STEPS: StepType[] = ['llm_call', 'embedding', 'reranker'];

/** The text a span gives about its error (`span.error`) matches `pattern`. */
const errorSays = (pattern: string) => ({ attribute_matches: { 'span.error': pattern } });

/** An HTTP status code in [min, max] (`span.http_status` reads both attribute names). */
const httpStatus = (min: number, max: number) => ({
  attribute_compare: [
    { key: 'span.http_status', op: '>=' as const, value: min },
    { key: 'span.http_status', op: '<=' as const, value: max },
  ],
});

const httpStatusIn = (...codes: number[]) => ({ attribute_equals: { 'span.http_status': codes } });

/*
 * Patterns are matched against client text, so each is a plain alternation of words: no
 * nested quantifiers that could backtrack without bound.
 */
const TIMEOUT_TEXT = '(?i)timeout|timed[ _-]?out|(?<![a-z])time[ _-]out|deadline[ _]exceeded';
const RATE_LIMIT_TEXT =
  '(?i)rate[ _-]?limit|too many requests|throttl|resource[ _]?exhausted|quota[ _]exceeded|insufficient[ _]quota';
const PROVIDER_ERROR_TEXT =
  '(?i)internal[ _]?server[ _]?error|service[ _]?unavailable|bad[ _]?gateway|overloaded|server[ _]error|error code: 5\\d\\d|status(?: code)?[ =:]+5\\d\\d';
const CONTEXT_LENGTH_TEXT =
  '(?i)context[ _-]?length|context[ _-]?window|maximum context|prompt is too long|too many (?:input )?tokens|input is too long|exceeds the max(?:imum)? number of tokens';
const CONTENT_FILTER_REASON =
  '(?i)^(?:content[ _]?filter(?:ed)?|safety|image[ _]safety|blocklist|prohibited[ _]content|spii|recitation)$';
const CONTENT_FILTER_TEXT =
  '(?i)content[ _]?(?:filter|policy|management)|responsible ?ai ?policy|safety system';
const REFUSAL_IN_OUTPUT = '"refusal"\\s*:\\s*"[^"]';
const INVALID_ARGUMENTS_TEXT =
  '(?i)invalid[ _](?:tool[ _])?(?:call[ _])?arguments?|tool ?input ?parsing|missing (?:\\d+ )?required (?:positional )?arguments?|unexpected keyword argument';
const VALIDATION_TEXT =
  '(?i)zod ?error|validation[ _]?error|json ?decode ?error|json\\.parse|not valid json|invalid json|unexpected token|unexpected end of json|expecting value: line|output ?parser|failed to parse|schema validation|type ?validation ?error|json ?parse ?error|no ?object ?generated|does not match (?:the )?schema';
const GUARDRAIL_TEXT = '(?i)guardrail|tripwire';
const GUARDRAIL_DECISION =
  '(?i)^(?:block|blocked|deny|denied|reject|rejected|intervened|fail|failed)$';
const HALLUCINATED_LABEL =
  '(?i)^(?:hallucinated|hallucination|hallucinating|unfaithful|ungrounded|not[ _]grounded|unsupported)$';
/** Evaluations where a higher score means more faithful output. */
const FAITHFULNESS_NAME = '(?i)faithful|grounded|groundedness|factual';
/**
 * Evaluations whose score is not "higher is better" (DeepEval's hallucination, toxicity and
 * bias scores rise with the problem) or not a quality at all: never judged by a low score.
 */
const NOT_A_QUALITY_SCORE = '(?i)halluc|toxic|bias|latency|cost|token|pii|jailbreak';
const POOR_LABEL =
  '(?i)^(?:incorrect|irrelevant|unhelpful|bad|poor|wrong|fail|failed|failure|low[ _]quality|unacceptable|thumbs[ _]?down)$';

/** A built-in rule as data, before validation. */
export type BuiltinRule = RuleInput & { name: BuiltinRuleName };

export function builtinRules(params: BuiltinParams): BuiltinRule[] {
  const budgets = Object.entries(params.stepDurationMs)
    .filter(([, ms]) => ms !== undefined && ms > 0)
    .map(([type, ms]) => ({ step_type: type, duration_over: ms }));
  const rules: BuiltinRule[] = [
    {
      name: 'exception',
      class: 'exception',
      severity: 'medium',
      description: 'The span recorded an exception event.',
      when: { event_names: ['exception'] },
      suppresses: ['error_status'],
      message: '{exception.type|span.name}: {exception.message|span.status_message}',
    },
    {
      name: 'error_status',
      class: 'error_status',
      severity: 'medium',
      description: 'The span ended with status Error and nothing more specific matched.',
      when: { status: 'error' },
      message: '{span.name} failed: {span.status_message|error.type}',
    },
    {
      name: 'timeout',
      class: 'timeout',
      severity: 'high',
      description:
        'A timeout error (TimeoutError, ETIMEDOUT, DEADLINE_EXCEEDED, HTTP 408/504), or a step that ran over its duration budget.',
      when: {
        any_of: [
          errorSays(TIMEOUT_TEXT),
          // gRPC DEADLINE_EXCEEDED; a failed call has status Error, checked first as it is cheap.
          { status: 'error', attribute_equals: { 'rpc.grpc.status_code': 4 } },
          {
            status: 'error',
            attribute_equals: { 'rpc.response.status_code': 'DEADLINE_EXCEEDED' },
          },
          httpStatusIn(408, 504),
          ...budgets,
        ],
      },
      suppresses: [...CAUSE_SUPPRESSES, 'provider_error'],
      message:
        '{step.tool_name|step.model|span.name} timed out after {span.duration_ms} ms: {exception.message|span.status_message|error.type}',
    },
    {
      name: 'rate_limited',
      class: 'rate_limited',
      severity: 'medium',
      description: 'HTTP 429, gRPC RESOURCE_EXHAUSTED, or a provider rate-limit / quota error.',
      when: {
        any_of: [
          httpStatusIn(429),
          { status: 'error', attribute_equals: { 'rpc.grpc.status_code': 8 } },
          errorSays(RATE_LIMIT_TEXT),
        ],
      },
      suppresses: CAUSE_SUPPRESSES,
      message:
        'rate limited by {step.provider|server.address|step.tool_name|span.name}: {exception.message|span.status_message|error.type}',
    },
    {
      name: 'provider_error',
      class: 'provider_error',
      severity: 'high',
      description:
        'A model call (LLM, embedding, reranker) failed with a 5xx or a provider server error.',
      when: {
        step_type: MODEL_STEPS,
        any_of: [httpStatus(500, 599), errorSays(PROVIDER_ERROR_TEXT)],
      },
      suppresses: CAUSE_SUPPRESSES,
      message:
        'provider {step.provider|server.address|span.name} failed: {exception.message|span.status_message|error.type}',
    },
    {
      name: 'context_length_exceeded',
      class: 'context_length_exceeded',
      severity: 'high',
      description: "The input did not fit the model's context window.",
      when: {
        any_of: [
          errorSays(CONTEXT_LENGTH_TEXT),
          { attribute_matches: { 'step.finish_reasons': '(?i)context[ _-]?(?:window|length)' } },
        ],
      },
      suppresses: CAUSE_SUPPRESSES,
      message:
        'context length exceeded for {step.model|span.name}: {exception.message|span.status_message|step.finish_reasons}',
    },
    {
      name: 'content_filtered',
      class: 'content_filtered',
      severity: 'medium',
      description:
        "The provider's content filter stopped the request or the answer (finish reason content_filter / SAFETY, content-policy errors).",
      when: {
        any_of: [
          { attribute_matches: { 'step.finish_reasons': CONTENT_FILTER_REASON } },
          errorSays(CONTENT_FILTER_TEXT),
        ],
      },
      suppresses: CAUSE_SUPPRESSES,
      message:
        'content filtered for {step.model|span.name}: {exception.message|span.status_message|step.finish_reasons}',
    },
    {
      name: 'refusal',
      class: 'refusal',
      severity: 'medium',
      description:
        'The model refused: finish reason `refusal`, or a non-empty `refusal` in its output message.',
      when: {
        step_type: 'llm_call',
        any_of: [
          { attribute_matches: { 'step.finish_reasons': '(?i)^refusal$' } },
          { attribute_matches: { 'gen_ai.output.messages': REFUSAL_IN_OUTPUT } },
          { attribute_matches: { 'output.value': REFUSAL_IN_OUTPUT } },
        ],
      },
      suppresses: GENERIC,
      message: 'model {step.model|span.name} refused to answer',
    },
    {
      name: 'tool_error',
      class: 'tool_error',
      severity: 'high',
      description: 'A tool call ended with an error or an exception, and no cause class matched.',
      when: {
        step_type: 'tool_call',
        any_of: [{ status: 'error' }, { event_names: 'exception' }],
      },
      suppresses: [...GENERIC, ...PROTOCOL],
      message:
        'tool {step.tool_name|span.name} failed: {exception.type} {exception.message|span.status_message|error.type}',
    },
    {
      name: 'invalid_tool_arguments',
      class: 'invalid_tool_arguments',
      severity: 'high',
      description:
        "Tool arguments that are not valid JSON, that break the tool's parameter schema (tool.parameters / tool.json_schema), or that the tool rejected as invalid.",
      when: {
        step_type: 'tool_call',
        any_of: [
          { invalid_json: 'step.tool_arguments' },
          {
            violates_json_schema: {
              value: 'step.tool_arguments',
              schema: ['tool.parameters', 'tool.json_schema'],
            },
          },
          errorSays(INVALID_ARGUMENTS_TEXT),
        ],
      },
      suppresses: [...CAUSE_SUPPRESSES, 'validation_error'],
      message:
        'invalid arguments for tool {step.tool_name|span.name}: {match.detail|exception.message|span.status_message}',
    },
    {
      name: 'validation_error',
      class: 'validation_error',
      severity: 'high',
      description:
        'Output that failed a schema or could not be parsed: zod, pydantic, JSON parse errors, output parsers.',
      when: errorSays(VALIDATION_TEXT),
      suppresses: CAUSE_SUPPRESSES,
      message:
        'validation failed in {step.tool_name|span.name}: {exception.message|span.status_message|error.type}',
    },
    {
      name: 'hallucination',
      class: 'hallucination',
      severity: 'high',
      description: `An evaluation labelled the output hallucinated / unfaithful, or scored its faithfulness or groundedness below ${params.hallucinationThreshold}.`,
      when: {
        any_of: [
          { evaluation: { label_matches: HALLUCINATED_LABEL } },
          {
            evaluation: {
              name_matches: FAITHFULNESS_NAME,
              score_below: params.hallucinationThreshold,
            },
          },
        ],
      },
      suppresses: ['low_quality'],
      message: 'evaluation flagged a hallucination ({match.detail})',
    },
    {
      name: 'low_quality',
      class: 'low_quality',
      severity: 'medium',
      description: `An evaluation, annotation, Langfuse score, quality_score or confidence below ${params.lowQualityThreshold}, or labelled incorrect / irrelevant / failed.`,
      when: {
        any_of: [
          {
            evaluation: {
              name_not_matches: NOT_A_QUALITY_SCORE,
              score_below: params.lowQualityThreshold,
            },
          },
          { evaluation: { label_matches: POOR_LABEL } },
        ],
      },
      message: 'low quality: {match.detail}',
    },
    {
      name: 'guardrail_blocked',
      class: 'guardrail_blocked',
      severity: 'medium',
      description:
        'A guardrail step failed or decided to block, a guardrail tripwire exception, or finish reason guardrail_intervened.',
      when: {
        any_of: [
          {
            step_type: 'guardrail',
            any_of: [
              { status: 'error' },
              { attribute_equals: { 'guardrail.triggered': true } },
              { attribute_equals: { 'guardrail.blocked': true } },
              { attribute_matches: { 'guardrail.action': GUARDRAIL_DECISION } },
              { attribute_matches: { 'guardrail.decision': GUARDRAIL_DECISION } },
            ],
          },
          { attribute_matches: { 'step.finish_reasons': '(?i)guardrail' } },
          errorSays(GUARDRAIL_TEXT),
        ],
      },
      suppresses: CAUSE_SUPPRESSES,
      message:
        'blocked by a guardrail in {span.name}: {exception.message|span.status_message|guardrail.action|guardrail.decision}',
    },
    {
      name: 'agent_loop',
      class: 'agent_loop',
      severity: 'high',
      level: 'trace',
      description: `The same tool called with the same arguments ${params.loopRepeats} times or more in one trace.`,
      when: { repeated_tool_call: { min_count: params.loopRepeats } },
      message: 'tool {match.tool_name} called {match.count} times with the same arguments',
    },
    {
      name: 'max_steps',
      class: 'max_steps',
      severity: 'medium',
      level: 'trace',
      description: `More than ${params.maxSteps} LLM and tool calls in one trace.`,
      when: { step_count: { over: params.maxSteps, step_type: ['llm_call', 'tool_call'] } },
      message: '{match.count} LLM and tool calls, over the budget of {match.budget}',
    },
    {
      name: 'empty_output',
      class: 'empty_output',
      severity: 'high',
      level: 'trace',
      description:
        'A complete trace whose final output (final_output step, else the root agent/chain/LLM step) is empty while other steps recorded output.',
      when: { final_output_empty: true },
      message: 'empty final output from {match.step_name}',
    },
    {
      name: 'retrieval_empty',
      class: 'retrieval_empty',
      severity: 'low',
      description: 'A retrieval that succeeded but returned no documents.',
      when: {
        step_type: 'retrieval',
        status: ['unset', 'ok'],
        attribute_compare: [{ key: 'step.retrieval_documents', op: '==', value: 0 }],
        // 0 is also what the step says when the span did not report its documents.
        not: { attribute_equals: { 'step.gaps': 'retrieval_documents' } },
      },
      message: '{span.name} returned no documents',
    },
    {
      name: 'http_5xx',
      class: 'http_5xx',
      severity: 'medium',
      description:
        'HTTP status 500–599 (http.response.status_code, or the older http.status_code).',
      when: httpStatus(500, 599),
      suppresses: GENERIC,
      message: 'HTTP {span.http_status} from {server.address|span.name}',
    },
    {
      name: 'http_4xx',
      class: 'http_4xx',
      severity: 'low',
      description:
        'HTTP status 400–499 on a span that is not a server span (a server answering 4xx is its client’s error, as in the OTel conventions).',
      when: {
        span_kind: ['unspecified', 'internal', 'client', 'producer', 'consumer'],
        ...httpStatus(400, 499),
      },
      suppresses: GENERIC,
      message: 'HTTP {span.http_status} from {server.address|span.name}',
    },
  ];
  return rules;
}
