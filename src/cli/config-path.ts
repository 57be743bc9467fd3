import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The reference config shipped with Faultline (config/faultline.yaml beside dist/ and src/). */
export const SHIPPED_CONFIG = fileURLToPath(
  new URL('../../config/faultline.yaml', import.meta.url),
);

/** `--config FILE` when given; else ./config/faultline.yaml when it exists; else the shipped one. */
export function resolveConfigPath(given: string | undefined): string {
  if (given) return given;
  return existsSync('config/faultline.yaml') ? 'config/faultline.yaml' : SHIPPED_CONFIG;
}
