import type { Rewrite } from './modes.js';
import type { TextScanner } from './scanner.js';
import type { RedactionTally } from './tally.js';

/** Rewrites what the scanner finds in a text, each entity by its mode. */
export class TextRedactor {
  constructor(
    private readonly scanner: TextScanner,
    private readonly rewrites: ReadonlyMap<string, Rewrite>,
  ) {}

  get minLength(): number {
    return this.scanner.minLength;
  }

  /** The text with every finding rewritten and counted; the same string when nothing matched. */
  redact(text: string, key: string, tally: RedactionTally): string {
    const findings = this.scanner.scan(text, key);
    if (findings.length === 0) return text;
    let out = '';
    let copied = 0;
    for (const { start, end, entity } of findings) {
      out += text.slice(copied, start) + this.rewrites.get(entity)!(text.slice(start, end));
      copied = end;
      tally.add(entity);
    }
    return out + text.slice(copied);
  }

  /** True when the text holds anything to redact: the cheap question asked before parsing JSON. */
  finds(text: string, key: string): boolean {
    return this.scanner.scan(text, key).length > 0;
  }
}
