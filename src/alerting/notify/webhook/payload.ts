import { alertJson, type AlertTransition } from '../../alert.js';

/**
 * The JSON body of one webhook notification: one alert transition (`status` is the state it
 * moved to), with the alert as the API shows it.
 */
export function webhookBody(transition: AlertTransition, generatorURL: string): string {
  return JSON.stringify({
    version: '1',
    ...alertJson(transition.alert),
    status: transition.state,
    timestamp: new Date(transition.timeMs).toISOString(),
    generatorURL,
  });
}
