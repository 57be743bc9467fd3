/**
 * What to look at first for each failure class (SPEC §5.3), for incident reports. Short and
 * generic on purpose: a starting point for the runbook, not a diagnosis.
 */
const REMEDIATION: Record<string, string> = {
  exception:
    'Read the exception events of the evidence traces; fix the throwing code path or catch and handle the error.',
  error_status: 'Open the failing spans; the status message names the failing operation.',
  timeout:
    'Check the slow dependency (model provider, tool, retrieval); raise the timeout only if the latency is expected, otherwise add retries with backoff or a faster fallback.',
  rate_limited:
    'Back off and retry with jitter, lower concurrency, spread load across keys or regions, or raise the provider quota.',
  provider_error:
    'Check the provider status page; fail over to another model or region and retry idempotent calls.',
  context_length_exceeded:
    'Trim or summarise the prompt and conversation history, cap retrieved documents, or use a model with a larger context window.',
  content_filtered:
    'Review the prompts that tripped the provider filter; adjust the system prompt or pre-filter user input.',
  refusal:
    'Review the refused requests; adjust the system prompt or route the request type elsewhere.',
  tool_error:
    'Fix the failing tool (see the top signatures), and let the agent handle tool errors instead of aborting.',
  invalid_tool_arguments:
    "Tighten the tool's JSON schema and description, validate arguments before calling, or use structured output.",
  validation_error:
    'Constrain the output with a schema (structured output / JSON mode) and retry with the validation error in the prompt.',
  hallucination:
    'Ground answers in retrieved context, add a faithfulness guardrail, and add the failing cases to an eval dataset.',
  low_quality: 'Add the low-scoring cases to an eval dataset and iterate on the prompt or model.',
  guardrail_blocked:
    'Review what the guardrail blocked: a real attack, or a false positive to tune.',
  agent_loop:
    'Add loop detection or a step budget to the agent; make the tool result say clearly when a call cannot succeed.',
  max_steps:
    'Lower task complexity, improve planning prompts, or raise the step budget if the work is legitimately long.',
  empty_output:
    'Check finish reasons and token limits of the final LLM call; retry on empty completions.',
  retrieval_empty:
    'Check the index and the query construction; add a fallback when retrieval finds nothing.',
  http_5xx:
    'Check the failing downstream service and its recent deploys; retry idempotent requests.',
  http_4xx: 'Check the request the agent builds (auth, parameters); 4xx will not succeed on retry.',
};

export function remediationFor(failureClass: string): string {
  return (
    REMEDIATION[failureClass] ??
    'Open the evidence traces and the top failure signatures to find the failing step.'
  );
}
