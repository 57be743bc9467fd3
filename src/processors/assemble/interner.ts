/**
 * One copy of each short string that held steps repeat: span, model, agent and operation
 * names, session ids. A decoded span's strings are its own, so every held step would keep its
 * own copy of `gpt-4o-mini` for `decision_wait`; sharing one copy leaves fewer objects for the
 * garbage collector to copy and mark (on the bench payload, about a third of a held step's).
 *
 * Two generations bound it, as the redact processor's clean-string memo: when the young one is
 * full the old one is dropped and the young one becomes old, so strings in steady use stay.
 */
export class Interner {
  private young = new Map<string, string>();
  private old = new Map<string, string>();

  constructor(
    /** Longer strings are kept as they are: they rarely repeat. */
    private readonly maxLength = 64,
    private readonly generationSize = 8192,
  ) {}

  /** The shared copy of `text` (the first one seen), or `text` when it is not kept. */
  intern(text: string): string {
    if (text.length === 0 || text.length > this.maxLength) return text;
    const young = this.young.get(text);
    if (young !== undefined) return young;
    const shared = this.old.get(text) ?? text;
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(shared, shared);
    return shared;
  }
}
