/**
 * The pseudonym format — what `StepInfo.userHash` holds and what the redact processor's
 * `hash_keys` write: the first 32 lower-case hex characters of an HMAC-SHA256 (128 bits, as long
 * as a trace id). It is a contract: components recognise an already-pseudonymised user id by it.
 */
export const PSEUDONYM_LENGTH = 32;

const PSEUDONYM = new RegExp(`^[0-9a-f]{${PSEUDONYM_LENGTH}}$`);

/** True for a string in the pseudonym format (it may still be any other 32-hex-digit value). */
export const isPseudonym = (value: string): boolean => PSEUDONYM.test(value);
