import { extensionKey } from '../pipeline/host.js';
import type { AlertingService } from './service.js';

/** Alert state and incidents, shared by the `alert` processor and the admin API. */
export const ALERTING = extensionKey<AlertingService>('alerting');
