import { keptSlice } from '../../model/text.js';
import { textOf, type Value } from './values.js';

/**
 * Message templates: text with `{key}` placeholders, where `{a|b|c}` takes the first of the
 * keys that has a value. Keys are those of conditions (see fields.ts). Anything that is not a
 * placeholder is copied as it is.
 */
const PLACEHOLDER = /\{([^{}\s]+)\}/g;

/** Every key a template names, for validation at start-up. */
export function templateKeys(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].flatMap((match) => match[1]!.split('|'));
}

/**
 * Compiles a template once into a renderer: the literal pieces and the placeholders'
 * accessors are fixed, so rendering only reads values and concatenates.
 */
export function compileTemplate<View>(
  template: string,
  accessor: (key: string) => ((view: View) => Value) | undefined,
): (view: View) => string {
  const literals: string[] = [];
  const slots: ((view: View) => Value)[][] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    literals.push(template.slice(last, match.index));
    slots.push(match[1]!.split('|').map((key) => accessor(key) ?? (() => undefined)));
    last = match.index + match[0].length;
  }
  literals.push(template.slice(last));
  return (view) => {
    let text = literals[0]!;
    for (let i = 0; i < slots.length; i++) {
      text += firstText(slots[i]!, view) + literals[i + 1]!;
    }
    return text;
  };
}

function firstText<View>(keys: ((view: View) => Value)[], view: View): string {
  for (const key of keys) {
    const text = textOf(key(view));
    if (text !== '') return text;
  }
  return '';
}

const DANGLING = new Set([' ', ':', ';', ',', '-']);

/**
 * A rendered message made fit to store and show: one line, no separator left dangling by an
 * empty placeholder (`tool x failed: ` → `tool x failed`), at most `maxLength` characters, kept
 * apart from the longer text it was cut from (failures are held with their steps).
 * The trailing separators are cut by a loop, not a regex: the text comes from clients, and
 * `/[…]+$/` backtracks quadratically over a long run of them.
 */
export function finishMessage(text: string, maxLength: number): string {
  // Runs and non-space whitespace only: single spaces, the common case, are left alone.
  const line = text.replace(/\s{2,}|[^\S ]/g, ' ');
  let end = line.length;
  while (end > 0 && DANGLING.has(line[end - 1]!)) end--;
  let start = 0;
  while (start < end && line[start] === ' ') start++;
  const trimmed = keptSlice(line, start, end);
  return trimmed.length <= maxLength ? trimmed : `${keptSlice(trimmed, 0, maxLength - 1)}…`;
}
