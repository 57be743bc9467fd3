import type { Detector } from './detectors/detector.js';
import { Probe } from './detectors/probe.js';
import { sortFew } from './sort-few.js';

/** One entity found in a text: `text.slice(start, end)` is the value. */
export interface Finding {
  start: number;
  end: number;
  entity: string;
}

const NONE: readonly Finding[] = Object.freeze([]);

/**
 * Runs the configured detectors over a text. Strings shorter than the shortest possible match
 * are not looked at, and each detector's cheap pre-check runs before its scan, so the common
 * case — an id, a model name, prose without personal data — costs a few `indexOf`s and no
 * allocation.
 */
export class TextScanner {
  readonly minLength: number;
  private readonly pending: Finding[] = [];
  private readonly probe = new Probe();
  private readonly sinks: ((start: number, end: number) => void)[];

  /** `detectors` in priority order: of two overlapping matches, the earlier detector's wins. */
  constructor(private readonly detectors: readonly Detector[]) {
    this.minLength = Math.min(Infinity, ...detectors.map((d) => d.minLength));
    // One sink per detector, made once, so scanning allocates nothing until something matches.
    this.sinks = detectors.map(({ entity }) => (start, end) => {
      if (end > start) this.pending.push({ start, end, entity });
    });
  }

  /** Findings in order of position, without overlaps; an empty shared array when none. */
  scan(text: string, key: string): readonly Finding[] {
    if (text.length < this.minLength) return NONE;
    const pending = this.pending;
    if (pending.length !== 0) pending.length = 0;
    const probe = this.probe;
    probe.reset(text, key);
    for (let i = 0; i < this.detectors.length; i++) {
      const detector = this.detectors[i]!;
      if (text.length >= detector.minLength && detector.mightMatch(probe)) {
        detector.scan(text, key, this.sinks[i]!);
      }
    }
    if (pending.length === 0) return NONE;
    return resolveOverlaps(pending);
  }
}

/** Keeps findings in priority (arrival) order unless they overlap one kept before; sorts by start. */
function resolveOverlaps(pending: readonly Finding[]): Finding[] {
  const kept: Finding[] = [];
  for (const finding of pending) {
    if (!kept.some((k) => finding.start < k.end && k.start < finding.end)) kept.push(finding);
  }
  return sortFew(kept, (a, b) => a.start - b.start);
}
