import type { Detector } from '../../../src/processors/redact/detectors/detector.js';
import { Probe } from '../../../src/processors/redact/detectors/probe.js';

/** The values a detector reports in `text` (its pre-check included, as the scanner runs it). */
export function found(detector: Detector, text: string, key = ''): string[] {
  const probe = new Probe();
  probe.reset(text, key);
  if (text.length < detector.minLength || !detector.mightMatch(probe)) return [];
  const values: string[] = [];
  detector.scan(text, key, (start, end) => values.push(text.slice(start, end)));
  return values;
}
