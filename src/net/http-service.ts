import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { splitEndpoint } from '../config/units.js';
import { closeServer, listen } from './listen.js';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface HttpServiceOptions {
  endpoint: string;
  handle: RequestHandler;
  /** Called when `handle` rejects; must answer the request if it was not answered yet. */
  onError: (error: unknown, response: ServerResponse) => void;
  /** The whole request must arrive within this time (slow clients are cut off). */
  requestTimeoutMs: number;
}

/** An HTTP server with bounded header and request times, and a graceful close. */
export class HttpService {
  private server: Server | undefined;

  constructor(private readonly options: HttpServiceOptions) {}

  /** Resolves with the bound port (useful when the endpoint asks for port 0). */
  start(): Promise<number> {
    const { handle, onError } = this.options;
    const server = createServer((request, response) => {
      handle(request, response).catch((error: unknown) => onError(error, response));
    });
    server.headersTimeout = 10_000;
    server.requestTimeout = this.options.requestTimeoutMs;
    this.server = server;
    const { host, port } = splitEndpoint(this.options.endpoint);
    return listen(server, host, port);
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServer(server);
  }
}
