import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './model.js';

export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export function renderReport(report: Report, format: ReportFormat): string {
  if (format === 'md') return renderMarkdown(report);
  if (format === 'html') return renderHtml(report);
  return `${JSON.stringify(report, null, 2)}\n`;
}
