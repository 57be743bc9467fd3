import type { ServerHttp2Stream } from 'node:http2';
import { BODY_TOO_LARGE, BodyError } from './body.js';
import { MalformedRequest } from './convert.js';

/** A gRPC message's prefix: a compressed flag, then the length as a 4-byte big-endian integer. */
const PREFIX_BYTES = 5;

export interface UnaryMessage {
  /** Compressed with the call's `grpc-encoding`. */
  compressed: boolean;
  message: Buffer;
}

/**
 * Reads the one message of a unary call as gRPC frames it on an HTTP/2 stream, as it arrives.
 * A message over `limit` bytes is refused from its prefix, before any of it is buffered;
 * `admit(length)` is called then too, and a refusal it throws is the call's. Whatever the
 * client still sends after a refusal is read and dropped.
 */
export function readUnaryMessage(
  stream: ServerHttp2Stream,
  limit: number,
  admit: (length: number) => void,
): Promise<UnaryMessage> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let length = -1;
    function fail(error: Error): void {
      stream.off('data', onData);
      stream.off('end', onEnd);
      chunks.length = 0;
      stream.resume();
      reject(error);
    }
    function onData(chunk: Buffer): void {
      received += chunk.length;
      chunks.push(chunk);
      if (length < 0 && received >= PREFIX_BYTES) {
        const prefix = chunks.length === 1 ? chunk : Buffer.concat(chunks);
        if (prefix[0]! > 1) return fail(new MalformedRequest('the message prefix is not gRPC'));
        length = prefix.readUInt32BE(1);
        if (length > limit) {
          return fail(
            new BodyError(
              BODY_TOO_LARGE,
              `the message of ${length} bytes is over max_recv_msg_size (${limit} bytes)`,
            ),
          );
        }
        try {
          admit(length);
        } catch (error) {
          return fail(error instanceof Error ? error : new Error(String(error)));
        }
      }
      if (length >= 0 && received > PREFIX_BYTES + length) {
        fail(new MalformedRequest('a unary call carries one message; more bytes followed it'));
      }
    }
    function onEnd(): void {
      // A call the client resets, or whose connection drops, ends here too.
      if (stream.aborted) return fail(new CallCancelled());
      if (length < 0 || received < PREFIX_BYTES + length) {
        const expected = length < 0 ? '' : ` of ${PREFIX_BYTES + length}`;
        return fail(new MalformedRequest(`the call ended after ${received}${expected} bytes`));
      }
      stream.off('data', onData);
      const message = Buffer.concat(chunks, received);
      // The stream keeps its listeners until the call ends: they must not keep the chunks.
      chunks.length = 0;
      resolve({ compressed: message[0] === 1, message: message.subarray(PREFIX_BYTES) });
    }
    stream.on('data', onData);
    stream.once('end', onEnd);
  });
}

/** The call was reset or its connection closed before its message was read. */
class CallCancelled extends Error {
  constructor() {
    super('the call was cancelled before its message arrived');
  }
}

/** `message` with its gRPC prefix, uncompressed. */
export function framed(message: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, PREFIX_BYTES);
  return frame;
}

/** `grpc-message`: UTF-8, with bytes outside printable ASCII and `%` percent-encoded. */
export function grpcMessage(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text)) {
    encoded +=
      byte < 0x20 || byte > 0x7e || byte === 0x25
        ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
        : String.fromCharCode(byte);
  }
  return encoded;
}
