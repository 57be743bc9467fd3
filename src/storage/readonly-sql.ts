import { PermanentError } from '../pipeline/errors.js';

/**
 * The parsing half of the read-only SQL guard (the other half is ClickHouse's own
 * `readonly = 1`, which every engine applies to these queries).
 *
 * It tokenises just enough of ClickHouse SQL to see keywords outside string literals and
 * comments, then allows one statement that starts with SELECT, WITH, SHOW, DESCRIBE/DESC or
 * EXPLAIN. It refuses SETTINGS clauses (a subquery's `SETTINGS readonly = 0` would lower the
 * read-only setting, and a server in readonly mode refuses setting changes anyway, so both
 * engines behave alike), anything naming `readonly`, INTO OUTFILE, and a FORMAT clause (the
 * caller picks the format). Strings of every ClickHouse kind are skipped as strings, including
 * `$$heredocs$$`, so nothing can hide a second statement from it.
 */
export type ReadonlyCheck = { ok: true; sql: string } | { ok: false; message: string };

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
    } else if (c === '$') {
      const heredoc = /^\$[A-Za-z0-9_]*\$/.exec(sql.slice(i, i + 256));
      if (!heredoc) return 'unexpected $ outside a string';
      const end = sql.indexOf(heredoc[0], i + heredoc[0].length);
      if (end < 0) return `unterminated ${heredoc[0]} string`;
      tokens.push({ kind: 'string', text: sql.slice(i + heredoc[0].length, end), depth });
      i = end + heredoc[0].length;
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
    if (word === 'SETTINGS') {
      return { ok: false, message: 'SETTINGS clauses are not allowed in read-only queries' };
    }
    if (word === 'INTO' && tokens[i + 1]?.text === 'OUTFILE') {
      return { ok: false, message: 'INTO OUTFILE is not allowed' };
    }
    // FORMAT( is the format() function; a bare FORMAT at the top level is the output clause.
    if (word === 'FORMAT' && token.depth === 0 && i > 0 && tokens[i + 1]?.text !== '(') {
      return {
        ok: false,
        message: 'remove the FORMAT clause; choose the output format with the format option',
      };
    }
  }
  return { ok: true, sql };
}

/**
 * Appends ClickHouse's `readonly = 1` to a query that passed `checkReadonlySql`. It goes on a
 * line of its own, so a trailing `--` comment in the query cannot swallow it.
 */
export function withReadonlySetting(sql: string): string {
  return `${sql}\nSETTINGS readonly = 1`;
}

/** Code of the errors raised for a statement that is not read-only. */
export const NOT_READ_ONLY = 'not_read_only';

/** Thrown when a query fails the guard: asking again cannot help (the API answers 400). */
export class ReadonlyViolation extends PermanentError {
  constructor(message: string) {
    super(message, NOT_READ_ONLY);
  }
}

/** The query to run: unchanged, or checked by the guard (throwing ReadonlyViolation) when read-only. */
export function guardedSql(sql: string, readonly: boolean | undefined): string {
  if (!readonly) return sql;
  const checked = checkReadonlySql(sql);
  if (!checked.ok) throw new ReadonlyViolation(checked.message);
  return checked.sql;
}
