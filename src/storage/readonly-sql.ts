/**
 * The parsing half of the read-only SQL guard (the other half is ClickHouse's own
 * `readonly = 1`, which every engine applies to these queries).
 *
 * It tokenises just enough of ClickHouse SQL to see keywords outside string literals and
 * comments, then allows one statement that starts with SELECT, WITH, SHOW, DESCRIBE/DESC or
 * EXPLAIN. It refuses anything that could lower the read-only setting (`readonly` named
 * anywhere, even inside a subquery's SETTINGS), write to files (INTO OUTFILE), or choose
 * its own output format (the caller picks the format).
 */
export type ReadonlyCheck =
  { ok: true; sql: string; hasSettingsClause: boolean } | { ok: false; message: string };

const ALLOWED_FIRST_WORDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN']);

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'punct';
  text: string;
  depth: number;
}

function tokenize(sql: string): Token[] | string {
  const tokens: Token[] = [];
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      i = lineEnd(sql, i);
    } else if (c === '#') {
      i = lineEnd(sql, i);
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) return 'unterminated /* comment';
      i = end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      const end = closingQuote(sql, i);
      if (end < 0) return `unterminated ${c} quote`;
      tokens.push({ kind: c === "'" ? 'string' : 'quoted', text: sql.slice(i + 1, end), depth });
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j]!)) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j).toUpperCase(), depth });
      i = j;
    } else {
      if (c === '(') depth++;
      if (c === ')') depth = Math.max(0, depth - 1);
      tokens.push({ kind: 'punct', text: c, depth });
      i++;
    }
  }
  return tokens;
}

function lineEnd(sql: string, from: number): number {
  const end = sql.indexOf('\n', from);
  return end < 0 ? sql.length : end + 1;
}

/** Index of the quote closing the one at `start`, honouring backslash escapes and doubling. */
function closingQuote(sql: string, start: number): number {
  const quote = sql[start];
  for (let i = start + 1; i < sql.length; i++) {
    const c = sql[i];
    if (c === '\\') {
      i++;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i++;
      else return i;
    }
  }
  return -1;
}

export function checkReadonlySql(input: string): ReadonlyCheck {
  const sql = input.trim().replace(/;+\s*$/, '');
  const tokens = tokenize(sql);
  if (typeof tokens === 'string')
    return { ok: false, message: `cannot parse the query: ${tokens}` };
  const first = tokens[0];
  if (!first) return { ok: false, message: 'the query is empty' };
  if (first.kind !== 'word' || !ALLOWED_FIRST_WORDS.has(first.text)) {
    const what = first.kind === 'word' ? first.text : first.text.slice(0, 20);
    return {
      ok: false,
      message: `only read-only queries are allowed (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN), not ${what}`,
    };
  }
  let hasSettingsClause = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.kind === 'punct' && token.text === ';') {
      return { ok: false, message: 'only one statement is allowed per query' };
    }
    if (token.kind === 'string' || token.kind === 'punct') continue;
    const word = token.text.toUpperCase();
    if (word === 'READONLY') {
      return { ok: false, message: 'the readonly setting cannot be changed' };
    }
    if (token.kind !== 'word') continue;
    if (word === 'INTO' && tokens[i + 1]?.text === 'OUTFILE') {
      return { ok: false, message: 'INTO OUTFILE is not allowed' };
    }
    if (word === 'FORMAT' && token.depth === 0 && i > 0) {
      return {
        ok: false,
        message: 'remove the FORMAT clause; choose the output format with the format option',
      };
    }
    if (word === 'SETTINGS' && token.depth === 0) hasSettingsClause = true;
  }
  return { ok: true, sql, hasSettingsClause };
}

/** Appends ClickHouse's `readonly = 1` to a query that passed `checkReadonlySql`. */
export function withReadonlySetting(checked: { sql: string; hasSettingsClause: boolean }): string {
  return checked.hasSettingsClause
    ? `${checked.sql}, readonly = 1`
    : `${checked.sql}\nSETTINGS readonly = 1`;
}

/** Thrown when a query fails the guard; the API maps it to 400. */
export class ReadonlyViolation extends Error {
  override readonly name = 'ReadonlyViolation';
}
