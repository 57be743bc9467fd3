import { ExportTraceServiceRequest } from './proto.js';
import { MalformedRequest } from './convert.js';

/** Decodes ExportTraceServiceRequest protobuf bytes; throws MalformedRequest on garbage. */
export function decodeProtobufRequest(body: Uint8Array): unknown {
  try {
    return ExportTraceServiceRequest.decode(body);
  } catch (error) {
    throw new MalformedRequest(`cannot decode the protobuf body: ${(error as Error).message}`);
  }
}

/** Parses an OTLP/JSON body; throws MalformedRequest on invalid JSON. */
export function decodeJsonRequest(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw new MalformedRequest(`cannot parse the JSON body: ${(error as Error).message}`);
  }
}
