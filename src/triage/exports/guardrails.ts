import type { OccurrenceFacts } from '../facts.js';
import type { FailureGroup } from '../queue.js';
import { yamlString } from '../escape.js';

/** Suggested guardrail lines for one signature, by its class; indented under `- `. */
function ruleFor(group: FailureGroup, facts: OccurrenceFacts[]): string[] {
  const example = facts[0];
  const tool = example?.tool || group.span_name;
  switch (group.class) {
    case 'validation_error':
      return [
        'check: output_json_schema',
        `step: ${yamlString(group.span_name)}`,
        'schema: { type: object }  # fill in the expected output schema',
        'on_failure: retry_with_error',
        'max_retries: 1',
      ];
    case 'invalid_tool_arguments':
      return [
        'check: tool_arguments_json_schema',
        `tool: ${yamlString(tool)}`,
        "schema: { type: object }  # the tool's argument schema",
        'on_failure: reject_call',
      ];
    case 'timeout': {
      const slowestMs = Math.max(0, ...facts.map((f) => f.durationNs / 1e6));
      return [
        'check: timeout',
        `tool: ${yamlString(tool)}`,
        `timeout_ms: ${Math.ceil(slowestMs || 30_000)}`,
        'retries: 2',
        'backoff: exponential_with_jitter',
      ];
    }
    case 'rate_limited':
    case 'provider_error':
    case 'http_5xx':
      return [
        'check: retry',
        `target: ${yamlString(example?.model || tool)}`,
        'retries: 3',
        'backoff: exponential_with_jitter',
        `retry_on: ${group.class === 'rate_limited' ? '[429]' : '[500, 502, 503, 504]'}`,
      ];
    case 'agent_loop':
      return [
        'check: loop_guard',
        `tool: ${yamlString(tool)}`,
        'max_identical_calls: 3',
        'on_failure: stop_and_answer',
      ];
    case 'max_steps':
      return ['check: step_budget', 'max_steps: 25', 'on_failure: stop_and_answer'];
    default:
      return [
        'check: review',
        `step: ${yamlString(group.span_name)}`,
        '# no automatic guardrail for this class; see the runbook',
      ];
  }
}

/** Suggested guardrail rules as YAML, one per signature. Every client-written value is quoted. */
export function guardrails(groups: FailureGroup[], facts: OccurrenceFacts[]): string {
  const lines = ['# Suggested guardrails from Faultline failure signatures', 'guardrails:'];
  for (const group of groups) {
    const own = facts.filter((f) => f.signature === group.signature);
    lines.push(`  - signature: ${yamlString(group.signature)}`);
    lines.push(`    class: ${yamlString(group.class)}`);
    lines.push(`    service: ${yamlString(group.service)}`);
    lines.push(`    message: ${yamlString(group.message)}`);
    lines.push(`    occurrences: ${group.count}`);
    for (const line of ruleFor(group, own)) lines.push(`    ${line}`);
  }
  return `${lines.join('\n')}\n`;
}
