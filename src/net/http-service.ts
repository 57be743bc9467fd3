import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { splitEndpoint } from '../config/units.js';
import type { HttpTimeouts } from './config.js';
import { closeServer, listen } from './listen.js';
import type { TlsMaterial } from './tls.js';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface HttpServiceOptions {
  endpoint: string;
  handle: RequestHandler;
  /** Called when `handle` rejects; must answer the request if it was not answered yet. */
  onError: (error: unknown, response: ServerResponse) => void;
  timeouts: HttpTimeouts;
  /** Serve HTTPS with this certificate (and require client certificates when it has a CA). */
  tls?: TlsMaterial | undefined;
}

/** An HTTP(S) server with bounded header, request and idle times, and a graceful close. */
export class HttpService {
  private server: Server | undefined;

  constructor(private readonly options: HttpServiceOptions) {}

  /** True when the service speaks HTTPS. */
  get secure(): boolean {
    return this.options.tls !== undefined;
  }

  /** Resolves with the bound port (useful when the endpoint asks for port 0). */
  start(): Promise<number> {
    const { handle, onError, timeouts, tls } = this.options;
    // Node refuses a header timeout longer than the request timeout.
    const headersTimeout = Math.min(timeouts.read_header_timeout, timeouts.read_timeout);
    const serverOptions: ServerOptions = {
      headersTimeout,
      requestTimeout: timeouts.read_timeout,
      keepAliveTimeout: timeouts.idle_timeout,
      // Timeouts are enforced by a sweep at this interval (30s by default): keep it well
      // under the shortest timeout so a slow client is cut off close to its deadline.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, headersTimeout / 4)),
    };
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      handle(request, response).catch((error: unknown) => onError(error, response));
    };
    const server: Server = tls
      ? createTlsServer(
          {
            ...serverOptions,
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa
              ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }
              : {}),
            // A client that opens a connection and never finishes the handshake is dropped too.
            handshakeTimeout: headersTimeout,
          },
          listener,
        )
      : createServer(serverOptions, listener);
    this.server = server;
    const { host, port } = splitEndpoint(this.options.endpoint);
    return listen(server, host, port);
  }

  /** Stops accepting; in-flight requests may finish until `deadline` aborts. */
  async shutdown(deadline?: AbortSignal): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server, deadline);
  }
}
