import { apiKeyDetector } from './api-key.js';
import { bearerTokenDetector } from './bearer-token.js';
import { creditCardDetector } from './credit-card.js';
import type { Detector } from './detector.js';
import { emailDetector } from './email.js';
import { ibanDetector } from './iban.js';
import { ipAddressDetector } from './ip-address.js';
import { jwtDetector } from './jwt.js';
import { phoneDetector } from './phone.js';
import { privateKeyDetector } from './private-key.js';
import { secretAssignmentDetector } from './secret-assignment.js';
import { urlCredentialsDetector } from './url-credentials.js';
import { usSsnDetector } from './us-ssn.js';

/**
 * The built-in detectors in priority order: where two matches overlap, the earlier detector's
 * match wins. Secrets come first because they are the most specific (`Bearer eyJ…` is a bearer
 * token, `OPENAI_API_KEY=sk-…` an API key); phone numbers come last because their shapes are
 * the loosest.
 */
export const BUILTIN_DETECTORS: readonly Detector[] = [
  privateKeyDetector,
  urlCredentialsDetector,
  bearerTokenDetector,
  jwtDetector,
  apiKeyDetector,
  secretAssignmentDetector,
  emailDetector,
  ibanDetector,
  creditCardDetector,
  usSsnDetector,
  ipAddressDetector,
  phoneDetector,
];

export const BUILTIN_DETECTOR_NAMES: readonly string[] = BUILTIN_DETECTORS.map((d) => d.entity);
