import { MAX_REMEMBERED_KEY_LENGTH } from './key-rules.js';

/**
 * Remembers short strings in which nothing was found, per key. Telemetry repeats itself: in
 * the benchmark payload three strings in four are repeats (model, operation, agent and tool
 * names, hosts, enums), and a repeat found here costs two hash look-ups instead of every
 * detector's pre-check.
 *
 * Two generations bound the memory: when the young one is full the old one is dropped and the
 * young one becomes old, so strings in steady use survive while one-off ids pass through.
 * Only strings with no finding are kept, so nothing personal is held here, and only under keys
 * of at most `MAX_REMEMBERED_KEY_LENGTH` characters, as in the key rules. Texts are grouped
 * by key in nested maps: a combined `key + text` string cost more to build and hash than the
 * look-up saved (measured).
 */
export class CleanMemo {
  private young = new Map<string, Set<string>>();
  private old = new Map<string, Set<string>>();
  private youngSize = 0;

  constructor(
    /** Longer strings are not remembered: they rarely repeat, and would cost memory. */
    readonly maxLength = 64,
    private readonly generationSize = 4096,
  ) {}

  has(key: string, text: string): boolean {
    if (key.length > MAX_REMEMBERED_KEY_LENGTH) return false;
    if (this.young.get(key)?.has(text)) return true;
    if (!this.old.get(key)?.has(text)) return false;
    this.add(key, text);
    return true;
  }

  add(key: string, text: string): void {
    if (key.length > MAX_REMEMBERED_KEY_LENGTH) return;
    if (this.youngSize >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
      this.youngSize = 0;
    }
    let texts = this.young.get(key);
    if (!texts) {
      texts = new Set();
      this.young.set(key, texts);
    }
    texts.add(text);
    this.youngSize++;
  }
}
