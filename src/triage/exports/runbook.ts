import { markdownText } from '../escape.js';
import { remediationMarkdown, type OccurrenceFacts } from '../facts.js';
import type { FailureGroup } from '../queue.js';

/** How many example traces a runbook section lists. */
const EXAMPLES = 5;

/**
 * A Markdown runbook, one section per signature: what fails, where, since when, how often,
 * example traces and the remediation. Client-written text is escaped; ids are hexadecimal.
 */
export function runbook(groups: FailureGroup[], facts: OccurrenceFacts[]): string {
  const parts = ['# Faultline runbook', ''];
  for (const group of groups) {
    const own = facts.filter((f) => f.signature === group.signature);
    const examples = [...new Set(own.map((f) => f.traceId))].slice(0, EXAMPLES);
    parts.push(
      `## ${markdownText(group.class)} in ${markdownText(group.span_name || group.step_type)} (signature ${group.signature})`,
      '',
      `- **What fails:** ${markdownText(group.message)}`,
      `- **Where:** service ${markdownText(group.service)}, agent ${markdownText(group.agent || '(none)')}, ${markdownText(group.step_type)} step ${markdownText(group.span_name)}`,
      `- **Since:** ${group.first_seen ?? 'unknown'} (last seen ${group.last_seen ?? 'unknown'})`,
      `- **How often:** ${group.count} occurrences${group.symptoms ? `, causing ${group.symptoms} symptom failures upstream` : ''}`,
      `- **Severity:** ${markdownText(group.severity)}`,
      '',
      '**Example traces:**',
      '',
      ...(examples.length ? examples.map((id) => `- ${id}`) : ['- none stored']),
      '',
      `**Remediation:** ${remediationMarkdown(group.class, own[0])}`,
      '',
    );
  }
  return parts.join('\n');
}
