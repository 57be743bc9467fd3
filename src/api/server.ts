import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { authRefusalMessage, authenticator, type Authenticate } from '../net/auth.js';
import { HttpService } from '../net/http-service.js';
import { RateLimiter } from '../net/rate-limit.js';
import { loadTls } from '../net/tls.js';
import type { AlertingService } from '../alerting/service.js';
import type { Store } from '../storage/store.js';
import { routeAlerting } from './alerting-routes.js';
import { exposeTo } from '../telemetry/exposition.js';
import type { AdminConfig } from './config.js';
import { FORMAT_CONTENT_TYPES, parseQueryRequest, queryForApi } from './query.js';
import { ApiError, readBody, sendError, sendJson, sendJsonText } from './respond.js';
import { getTrace } from './traces.js';
import type { ReportScope } from '../reports/build.js';
import { sendReport } from './reports.js';
import { routeTriage } from '../triage/routes.js';
import { serveUi } from './ui.js';

export interface AdminDependencies {
  store: Store;
  metrics: Registry;
  /** True while the pipeline can take more data. */
  pipelineReady(): boolean;
  logger: Logger;
  alerting?: AlertingService;
  /** What the reports read besides the store (database, cluster, archive directory). */
  reports?: ReportScope;
}

/** The admin port: health, readiness, Prometheus metrics and the JSON API. */
export class AdminServer {
  private readonly http: HttpService;
  private readonly authenticate: Authenticate | undefined;
  private readonly limiter: RateLimiter | undefined;

  constructor(
    private readonly config: AdminConfig,
    private readonly deps: AdminDependencies,
  ) {
    const token = config.bearer_token;
    this.authenticate = authenticator(
      token ? [{ name: 'admin', token }] : [],
      deps.metrics,
      'admin',
    );
    const { requests_per_second: rate, burst } = config.rate_limit;
    this.limiter = rate > 0 ? new RateLimiter(rate, burst) : undefined;
    this.http = new HttpService({
      endpoint: config.endpoint,
      timeouts: config,
      tls: config.tls && loadTls(config.tls, 'admin'),
      handle: (request, response) => this.route(request, response),
      onError: (error, response) => {
        if (error instanceof ApiError) return sendError(response, error);
        this.deps.logger.error({ err: error }, 'admin request failed');
        if (!response.headersSent)
          sendError(response, new ApiError(500, 'internal', 'internal error'));
      },
    });
  }

  get secure(): boolean {
    return this.http.secure;
  }

  start(): Promise<number> {
    return this.http.start();
  }

  shutdown(deadline?: AbortSignal): Promise<void> {
    return this.http.shutdown(deadline);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?', 1)[0];
    const method = request.method ?? 'GET';
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (path === '/readyz') return this.readiness(response);
    if (path === '/metrics') {
      return exposeTo(response, this.deps.metrics, request.headers.accept);
    }
    if (method === 'GET' && (await serveUi(path ?? '', response))) return;
    if (path?.startsWith('/api/')) {
      const actor = this.admit(request, response);
      if (path === '/api/v1/query') {
        if (method !== 'POST' && method !== 'GET')
          throw new ApiError(405, 'method_not_allowed', 'use POST or GET for /api/v1/query');
        return this.query(request, response);
      }
      if (
        await routeAlerting(
          request,
          response,
          this.deps.alerting,
          this.config.max_request_body_size,
        )
      )
        return;
      if (path === '/api/v1/reports') {
        if (method !== 'GET')
          throw new ApiError(405, 'method_not_allowed', 'use GET for /api/v1/reports');
        const scope = this.deps.reports ?? { database: this.deps.store.database, archivePath: '' };
        return sendReport(request, response, this.deps.store, scope);
      }
      if (
        await routeTriage({
          request,
          response,
          store: this.deps.store,
          actor,
          maxBodySize: this.config.max_request_body_size,
        })
      )
        return;
      const trace = /^\/api\/v1\/traces\/([^/]+)$/.exec(path);
      if (trace) {
        if (method !== 'GET')
          throw new ApiError(405, 'method_not_allowed', 'use GET for /api/v1/traces/{traceId}');
        return sendJsonText(
          response,
          200,
          await getTrace(this.deps.store, decodeURIComponent(trace[1]!)),
        );
      }
    }
    throw new ApiError(404, 'not_found', `no route for ${method} ${path}`);
  }

  private async readiness(response: ServerResponse): Promise<void> {
    const storage = await this.deps.store.ping().catch(() => false);
    const pipeline = this.deps.pipelineReady();
    sendJson(response, storage && pipeline ? 200 : 503, {
      status: storage && pipeline ? 'ready' : 'not_ready',
      checks: { storage: storage ? 'ok' : 'unreachable', pipeline: pipeline ? 'ok' : 'full' },
    });
  }

  private async query(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const params = new URL(request.url ?? '/', 'http://localhost').searchParams;
    const body = await readBody(request, this.config.max_request_body_size);
    const { sql, format } = parseQueryRequest(params, body);
    const output = await queryForApi(this.deps.store, sql, format);
    response.writeHead(200, { 'Content-Type': FORMAT_CONTENT_TYPES[format] }).end(output);
  }

  /**
   * Rate limit per client address, then the bearer token; throws the refusal. Answers who
   * is asking: the token's name, or `anonymous` when the port has no token.
   */
  private admit(request: IncomingMessage, response: ServerResponse): string {
    const wait = this.limiter?.take(request.socket.remoteAddress ?? '');
    if (wait) {
      response.setHeader('Retry-After', String(wait));
      throw new ApiError(429, 'rate_limited', `too many requests: retry after ${wait}s`);
    }
    const result = this.authenticate?.(request.headers.authorization);
    if (result && !result.ok) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      throw new ApiError(401, 'unauthorized', authRefusalMessage(result.reason));
    }
    return result?.name ?? 'anonymous';
  }
}
