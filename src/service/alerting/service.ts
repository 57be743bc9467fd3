/**
 * `pipeline/component.ts` still names the alerting service by this path; the domain lives in
 * `src/alerting/`. This re-export goes once components ask their host for extensions.
 */
export type { AlertingService } from '../../alerting/service.js';
