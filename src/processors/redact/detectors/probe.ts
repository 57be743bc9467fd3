/**
 * Facts about one text that several detectors' pre-checks share, each computed at most once
 * per text and only when a detector asks. The scanner keeps one probe and resets it per text.
 */
export class Probe {
  text = '';
  /** The attribute or JSON member the text came from ('' when none). */
  key = '';
  private numberStart: boolean | undefined;

  reset(text: string, key: string): void {
    this.text = text;
    this.key = key;
    this.numberStart = undefined;
  }

  /**
   * A digit (after an optional `+` or `(`) that starts a token: where every phone, card, SSN
   * and IPv4 match begins. Ids such as `chatcmpl-9x8…` or `conv_1a2b…` have digits only inside
   * tokens, so one regex run rules them out for all four detectors.
   */
  hasNumberStart(): boolean {
    return (this.numberStart ??= NUMBER_START.test(this.text));
  }
}

/**
 * A digit whose token does not start earlier. Written as a digit with a look-behind, so the
 * engine looks for digits and only checks behind them: 40% less time on text than trying the
 * left context at every position (measured on the benchmark's JSON messages).
 */
const NUMBER_START = /\d(?<![\w.\-/@][+(]{0,2}\d)/;
