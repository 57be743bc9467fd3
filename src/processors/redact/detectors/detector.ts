import type { Probe } from './probe.js';

/**
 * A detector finds one kind of entity (an email address, a card number, …) in a string.
 *
 * Detectors validate what a pattern proposes (checksums, number plans, parsing) rather than
 * trusting the pattern, because telemetry is mostly ids, hashes, timestamps and versions that
 * bare patterns would take for personal data.
 */
export interface Detector {
  /** The entity's name: the config key, the metric label and the replacement token's stem. */
  readonly entity: string;
  /** The shortest string that can hold a match; shorter strings are not looked at. */
  readonly minLength: number;
  /**
   * A cheap test (an `indexOf`, a short regex, a shared fact of the probe) that rules out most
   * strings before the real scan runs. False means the string cannot contain a match.
   */
  mightMatch(probe: Probe): boolean;
  /**
   * Reports each validated match as `found(start, end)`, in order of position. `key` names
   * the attribute or JSON member the text came from ('' when none); detectors that need
   * context (a bare 9-digit number is an SSN only near "ssn") read it too.
   */
  scan(text: string, key: string, found: (start: number, end: number) => void): void;
}
