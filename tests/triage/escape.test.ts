import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { markdownText, yamlString } from '../../src/triage/escape.js';

/** Client-written text in Markdown and YAML documents stays text. */
describe('escaping for exports and reports', () => {
  const hostile =
    '\n# Forged heading\n[click](http://evil.test) <img src=x onerror=alert(1)> *bold*';

  it('keeps Markdown text on one line with every punctuation character escaped', () => {
    const escaped = markdownText(hostile);
    expect(escaped).not.toMatch(/[\r\n]/);
    expect(escaped).toContain('\\# Forged heading');
    expect(escaped).toContain('\\[click\\]\\(http\\:\\/\\/evil\\.test\\)');
    expect(escaped).toContain('\\<img');
    expect(escaped).not.toMatch(/(^|[^\\])[[\]()<>#*]/);
  });

  it('writes a YAML scalar that parses back to the same text and forges no key', () => {
    const text = `${hostile}\nkey: injected\u2028other: injected`;
    const document = parse(`message: ${yamlString(text)}\nkind: fixed\n`) as Record<string, string>;
    expect(document).toEqual({ message: text, kind: 'fixed' });
  });
});
