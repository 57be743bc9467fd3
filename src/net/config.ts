import { z } from 'zod';
import { duration } from '../config/units.js';

const atLeast = (min: number, what: string) =>
  duration().pipe(z.number().min(min, `${what} must be at least ${min}ms`));

/**
 * Time bounds of an HTTP listener, named as in the Collector's confighttp. Slow clients
 * (slow-loris) are cut off by the first two; idle keep-alive connections by the third.
 */
export const httpTimeoutsShape = {
  /** The request line and headers must arrive within this time of the connection opening. */
  read_header_timeout: atLeast(100, 'read_header_timeout').default(10_000),
  /** The whole request, body included, must arrive within this time. */
  read_timeout: atLeast(100, 'read_timeout').default(60_000),
  /** An idle keep-alive connection is closed after this long. */
  idle_timeout: atLeast(100, 'idle_timeout').default(60_000),
};

export interface HttpTimeouts {
  read_header_timeout: number;
  read_timeout: number;
  idle_timeout: number;
}
