import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../storage/store.js';
import { ApiError, readJsonBody, sendJson } from '../api/respond.js';
import { validate } from '../api/validate.js';
import { createExport, exportById } from './exports/store.js';
import {
  exportRequestSchema,
  failureIdSchema,
  queueQuerySchema,
  signatureQuerySchema,
  signatureSchema,
  statusChangeSchema,
} from './params.js';
import { listGroups } from './queue.js';
import { signatureDetail } from './signature.js';
import { patchFailure, patchSignature } from './status.js';

export interface TriageRequest {
  request: IncomingMessage;
  response: ServerResponse;
  store: Store;
  /** The bearer token's name, or `anonymous` when the admin port has none. */
  actor: string;
  maxBodySize: number;
}

function only(method: string, allowed: string[], route: string): void {
  if (!allowed.includes(method))
    throw new ApiError(405, 'method_not_allowed', `use ${allowed.join(' or ')} for ${route}`);
}

const param = (text: string) => decodeURIComponent(text);

/**
 * The review queue routes (SPEC §10): `/api/v1/failures…` and `/api/v1/exports…`. Returns
 * false for any other path.
 */
export async function routeTriage(ctx: TriageRequest): Promise<boolean> {
  const { request, response, store } = ctx;
  const url = new URL(request.url ?? '/', 'http://admin');
  const path = url.pathname;
  const method = request.method ?? 'GET';
  const query = Object.fromEntries(url.searchParams);
  const body = async () => readJsonBody(request, ctx.maxBodySize);

  if (path === '/api/v1/failures') {
    only(method, ['GET'], path);
    sendJson(response, 200, await listGroups(store, validate(queueQuerySchema, query, 'query')));
    return true;
  }
  const byId = /^\/api\/v1\/failures\/by-id\/([^/]+)$/.exec(path);
  if (byId) {
    only(method, ['PATCH'], '/api/v1/failures/by-id/{failureId}');
    const id = validate(failureIdSchema, param(byId[1]!), 'failureId');
    const change = validate(statusChangeSchema, await body(), 'body');
    sendJson(response, 200, await patchFailure(store, id, change.status, change.note, ctx.actor));
    return true;
  }
  const signature = /^\/api\/v1\/failures\/([^/]+)$/.exec(path);
  if (signature) {
    only(method, ['GET', 'PATCH'], '/api/v1/failures/{signature}');
    const id = validate(signatureSchema, param(signature[1]!), 'signature');
    if (method === 'GET') {
      const { limit, cursor } = validate(signatureQuerySchema, query, 'query');
      sendJson(response, 200, await signatureDetail(store, id, limit, cursor));
    } else {
      const change = validate(statusChangeSchema, await body(), 'body');
      const group = await patchSignature(store, id, change.status, change.note, {
        actor: ctx.actor,
      });
      sendJson(response, 200, group);
    }
    return true;
  }
  if (path === '/api/v1/exports') {
    only(method, ['POST'], path);
    const wanted = validate(exportRequestSchema, await body(), 'body');
    sendJson(response, 201, await createExport(store, wanted, ctx.actor));
    return true;
  }
  const download = /^\/api\/v1\/exports\/([^/]+)$/.exec(path);
  if (download) {
    only(method, ['GET'], '/api/v1/exports/{id}');
    const found = await exportById(store, param(download[1]!));
    response
      .writeHead(200, {
        'Content-Type': found.contentType,
        'Content-Disposition': `attachment; filename="${found.fileName}"`,
      })
      .end(found.content);
    return true;
  }
  return false;
}
