import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildReport, type ReportScope } from '../reports/build.js';
import { reportPeriod, ReportPeriodError } from '../reports/period.js';
import {
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  renderReport,
  type ReportFormat,
} from '../reports/render.js';
import type { Store } from '../storage/store.js';
import { ApiError } from './respond.js';

/** `GET /api/v1/reports?since=7d&format=json|md|html`: the report of the stored data. */
export async function sendReport(
  request: IncomingMessage,
  response: ServerResponse,
  store: Store,
  scope: ReportScope,
): Promise<void> {
  const params = new URL(request.url ?? '/', 'http://localhost').searchParams;
  const format = (params.get('format') ?? 'json') as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) {
    throw new ApiError(400, 'invalid_request', `format: use one of ${REPORT_FORMATS.join(', ')}`);
  }
  let bounds;
  try {
    bounds = reportPeriod(params.get('since') ?? '7d');
  } catch (error) {
    if (error instanceof ReportPeriodError)
      throw new ApiError(400, 'invalid_request', error.message);
    throw error;
  }
  const report = await buildReport(store, scope, bounds);
  response
    .writeHead(200, { 'Content-Type': REPORT_CONTENT_TYPES[format] })
    .end(renderReport(report, format));
}
