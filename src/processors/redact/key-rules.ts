/**
 * What a key's value gets, as in the Collector's redaction processor:
 * - `ignore`: passed on untouched, not even scanned (`ignored_keys`);
 * - `block`: the whole value replaced, masked, hashed or dropped (`blocked_keys`);
 * - `hash`: the whole value replaced by its pseudonym (`hash_keys`);
 * - `deny`: dropped, because allow-list mode is on and the key is not allowed;
 * - `scan`: the value is scanned by the detectors.
 * Rules are checked in that order.
 */
export type KeyAction = 'ignore' | 'block' | 'hash' | 'deny' | 'scan';

export interface KeyRuleLists {
  blocked: readonly string[];
  hashed: readonly string[];
  allowed: readonly string[];
  ignored: readonly string[];
}

/** Distinct keys remembered; telemetry reuses a few hundred, so this bounds a hostile client. */
const CACHE_LIMIT = 10_000;

/**
 * Keys longer than this are decided anew each time they come, never remembered: receivers bound
 * values, not keys, and ten thousand remembered 16 KiB member names would hold 160 MiB. Real
 * attribute keys and member names are a few dozen characters.
 */
export const MAX_REMEMBERED_KEY_LENGTH = 256;

/**
 * Key rules compiled at start-up: each list becomes one test (a set of exact names plus one
 * regex for the glob patterns; `*` is any run of characters, `?` one; case-insensitive), and
 * decisions are cached per key, so the per-attribute cost is one map look-up.
 */
export class KeyRules {
  private readonly isBlocked: (key: string) => boolean;
  private readonly isHashed: (key: string) => boolean;
  private readonly isAllowed: ((key: string) => boolean) | undefined;
  private readonly isIgnored: (key: string) => boolean;
  private readonly attributeCache = new Map<string, KeyAction>();
  private readonly memberCache = new Map<string, KeyAction>();
  private readonly anyMemberRule: boolean;

  constructor(lists: KeyRuleLists) {
    this.isBlocked = keyMatcher(lists.blocked);
    this.isHashed = keyMatcher(lists.hashed);
    this.isAllowed = lists.allowed.length ? keyMatcher(lists.allowed) : undefined;
    this.isIgnored = keyMatcher(lists.ignored);
    this.anyMemberRule = lists.blocked.length + lists.hashed.length > 0;
  }

  /** The action for a top-level attribute of a span, resource, scope, event or link. */
  attribute(key: string): KeyAction {
    let action = this.attributeCache.get(key);
    if (action === undefined) {
      const folded = key.toLowerCase();
      if (this.isIgnored(folded)) action = 'ignore';
      else action = this.memberAction(folded);
      if (action === 'scan' && this.isAllowed && !this.isAllowed(folded)) action = 'deny';
      remember(this.attributeCache, key, action);
    }
    return action;
  }

  /**
   * The action for a key inside a value — a kvlist entry or a JSON object member: only
   * `blocked_keys` and `hash_keys` apply there (allow-list and ignore rules are about
   * attributes).
   */
  member(key: string): KeyAction {
    let action = this.memberCache.get(key);
    if (action === undefined) {
      action = this.memberAction(key.toLowerCase());
      remember(this.memberCache, key, action);
    }
    return action;
  }

  /**
   * True when a member name in JSON text (`"name":`, read without parsing) is one a member rule
   * applies to. Text with escapes is parsed whatever this says, so names are read as written,
   * and in JSON without escapes a quote followed by a colon (white space between them allowed,
   * as JSON allows any) closes a member name.
   */
  namesRuledMember(json: string): boolean {
    if (!this.anyMemberRule) return false;
    for (let colon = json.indexOf(':'); colon !== -1; colon = json.indexOf(':', colon + 1)) {
      let close = colon - 1;
      while (close > 0 && isJsonWhiteSpace(json.charCodeAt(close))) close--;
      if (json.charCodeAt(close) !== QUOTE) continue;
      const open = json.lastIndexOf('"', close - 1);
      if (open >= 0 && this.member(json.slice(open + 1, close)) !== 'scan') return true;
    }
    return false;
  }

  private memberAction(folded: string): KeyAction {
    if (this.isBlocked(folded)) return 'block';
    if (this.isHashed(folded)) return 'hash';
    return 'scan';
  }
}

const QUOTE = 0x22;

/** Space, tab, line feed, carriage return: the white space JSON allows between tokens. */
const isJsonWhiteSpace = (code: number): boolean =>
  code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

function remember(cache: Map<string, KeyAction>, key: string, action: KeyAction): void {
  if (key.length > MAX_REMEMBERED_KEY_LENGTH) return;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, action);
}

/** One test for a list of names and glob patterns, applied to lower-cased keys. */
export function keyMatcher(patterns: readonly string[]): (key: string) => boolean {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const pattern of patterns) {
    const folded = pattern.toLowerCase();
    if (/[*?]/.test(folded)) globs.push(globSource(folded));
    else exact.add(folded);
  }
  if (globs.length === 0) {
    return exact.size === 0 ? () => false : (key) => exact.has(key);
  }
  const regex = new RegExp(`^(?:${globs.join('|')})$`, 's');
  return (key) => exact.has(key) || regex.test(key);
}

function globSource(glob: string): string {
  return glob
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
}
