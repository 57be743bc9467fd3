import {
  KeyValueList,
  attributeToText,
  type AttributeValue,
  type Attributes,
} from '../../model/index.js';
import { DISALLOWED_KEY } from './config.js';
import type { KeyRules } from './key-rules.js';
import type { StringRedactor } from './string-redactor.js';
import type { RedactionTally } from './tally.js';
import type { WholeValueRules } from './whole-value.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Redacts attribute maps and values in place (the batch belongs to the processor once handed
 * to it). Key rules decide first; values are then scanned whatever their type: strings,
 * strings in arrays, kvlist entries (whose keys the member rules see), long integers, and
 * bytes that hold UTF-8 text.
 */
export class ValueRedactor {
  constructor(
    private readonly strings: StringRedactor,
    private readonly keys: KeyRules,
    private readonly whole: WholeValueRules,
  ) {}

  /** A span's, resource's, scope's, event's or link's attributes. */
  attributes(attributes: Attributes, tally: RedactionTally): void {
    for (const key in attributes) {
      const action = this.keys.attribute(key);
      if (action === 'ignore') continue;
      const value = attributes[key]!;
      if (action === 'scan') {
        const redacted = this.value(value, key, tally);
        if (redacted !== value) attributes[key] = redacted;
      } else if (action === 'deny') {
        delete attributes[key];
        tally.add(DISALLOWED_KEY);
      } else {
        this.applyWhole(attributes, key, action, tally);
      }
    }
  }

  /** One value under `key` (a log body under ''): strings scanned, containers walked. */
  value(value: AttributeValue, key: string, tally: RedactionTally): AttributeValue {
    switch (typeof value) {
      case 'string':
        return this.strings.redact(value, key, tally);
      case 'number':
      case 'bigint':
        return this.strings.redactNumber(value, key, tally);
      case 'boolean':
        return value;
      default:
        if (value instanceof Uint8Array) return this.bytes(value, key, tally);
        if (value instanceof KeyValueList) {
          this.entries(value.entries, tally);
          return value;
        }
        for (let i = 0; i < value.length; i++) value[i] = this.value(value[i]!, key, tally);
        return value;
    }
  }

  /** Entries of a kvlist: member rules (blocked, hashed) by their own keys, then values. */
  private entries(entries: Attributes, tally: RedactionTally): void {
    for (const key in entries) {
      const action = this.keys.member(key);
      if (action === 'block' || action === 'hash') this.applyWhole(entries, key, action, tally);
      else entries[key] = this.value(entries[key]!, key, tally);
    }
  }

  private applyWhole(
    attributes: Attributes,
    key: string,
    action: 'block' | 'hash',
    tally: RedactionTally,
  ): void {
    const kept = this.whole.apply(action, attributeToText(attributes[key]!), tally);
    if (kept === undefined) delete attributes[key];
    else attributes[key] = kept;
  }

  /** Bytes that decode as UTF-8 are text a client chose to send as bytes; they are scanned too. */
  private bytes(value: Uint8Array, key: string, tally: RedactionTally): AttributeValue {
    let text: string;
    try {
      text = utf8.decode(value);
    } catch {
      return value; // binary: nothing a text detector could read
    }
    const redacted = this.strings.redact(text, key, tally);
    return redacted === text ? value : new Uint8Array(Buffer.from(redacted, 'utf8'));
  }
}
