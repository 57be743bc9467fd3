// Writes the JSON Schema of the agent trace document, generated from its zod definition.
// Run with `npm run schema` after changing src/model/trace-document.ts, and commit the result.
import { writeFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { traceDocumentJsonSchema } from '../dist/model/trace-document-json-schema.js';

const target = new URL('../docs/schema/agent-trace.v1.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(traceDocumentJsonSchema(), null, 2)}\n`);
process.stdout.write('wrote docs/schema/agent-trace.v1.json\n');
