import type { Server } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { onDeadline } from '../pipeline/deadline.js';

/** Starts listening and resolves with the bound port (useful when the config asks for 0). */
export function listen(server: NetServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) =>
      reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`));
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/**
 * Stops accepting, lets in-flight requests finish until `deadline` aborts, then drops what is
 * left. Keep-alive connections are closed as soon as they go idle, so a drained server closes
 * at once.
 */
export function closeServer(server: Server, deadline?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    idleSweep.unref();
    const forget = onDeadline(deadline, () => server.closeAllConnections());
    server.close(() => {
      clearInterval(idleSweep);
      forget();
      resolve();
    });
    server.closeIdleConnections();
  });
}
