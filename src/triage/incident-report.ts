import { markdownText } from './escape.js';

/** What the incident report says of one top signature (from the alerting queries). */
interface ReportSignature {
  signature: string;
  class: string;
  severity: string;
  message: string;
  service: string;
  count: number;
  rootCause: boolean;
  causeSignatures: string[];
  exampleTraceId: string;
}

/** Root causes first, each with the symptom signatures its failures caused. */
export function causalChain(signatures: ReportSignature[]) {
  return signatures
    .filter((s) => s.rootCause)
    .map((root) => ({
      signature: root.signature,
      class: root.class,
      message: root.message,
      count: root.count,
      symptoms: signatures
        .filter((s) => !s.rootCause && s.causeSignatures.includes(root.signature))
        .map((s) => ({
          signature: s.signature,
          class: s.class,
          message: s.message,
          count: s.count,
        })),
    }));
}

interface Report {
  id: string;
  title: string;
  status: string;
  severity: string;
  openedAt: string | null;
  resolvedAt: string | null;
  affectedServices: string[];
  timeline: { time: string; alertname: string; state: string; value: number }[];
  causalChain: ReturnType<typeof causalChain>;
  evidenceTraces: { traceId: string; rootName: string }[];
  remediation: { class: string; signature: string; suggestion: string }[];
}

/**
 * `GET /api/v1/incidents/{id}/report.md`: the report as Markdown. Client-written values
 * (alert names, services, messages) are escaped; ids and times are the API's own.
 */
export function incidentMarkdown(report: Report): string {
  const t = markdownText;
  const lines = [
    `# Incident: ${t(report.title)}`,
    '',
    `- **Status:** ${t(report.status)}, severity ${t(report.severity)}`,
    `- **Opened:** ${report.openedAt ?? 'unknown'}; resolved: ${report.resolvedAt ?? 'not yet'}`,
    `- **Affected services:** ${report.affectedServices.map(t).join(', ') || 'none named'}`,
    '',
    '## Causal chain',
    '',
  ];
  if (report.causalChain.length === 0)
    lines.push('No failures were captured in the incident window.');
  for (const root of report.causalChain) {
    lines.push(
      `1. **Root cause:** ${t(root.class)} — ${t(root.message)} (${root.count}×, signature ${root.signature})`,
    );
    for (const symptom of root.symptoms)
      lines.push(
        `    - symptom: ${t(symptom.class)} — ${t(symptom.message)} (${symptom.count}×, signature ${symptom.signature})`,
      );
  }
  lines.push('', '## Remediation', '');
  for (const item of report.remediation)
    lines.push(`- **${t(item.class)}** (signature ${item.signature}): ${t(item.suggestion)}`);
  lines.push('', '## Timeline', '');
  for (const entry of report.timeline)
    lines.push(`- ${entry.time} ${t(entry.alertname)} → ${t(entry.state)} (value ${entry.value})`);
  lines.push('', '## Evidence traces', '');
  for (const trace of report.evidenceTraces) lines.push(`- ${trace.traceId} ${t(trace.rootName)}`);
  return `${lines.join('\n')}\n`;
}
