import { builtinFactories } from '../components.js';
import { loadConfigFile } from '../config/load.js';
import { Daemon } from '../service/daemon.js';
import { resolveConfigPath } from './config-path.js';
import { boundHeapGrowth } from './heap-growth.js';

/**
 * `faultline serve [--config FILE]`: runs until SIGTERM/SIGINT, then shuts down gracefully,
 * exiting within `service.shutdown_timeout` whatever is still running.
 */
export async function serve(options: { config?: string }): Promise<void> {
  boundHeapGrowth();
  const config = loadConfigFile(resolveConfigPath(options.config), builtinFactories);
  const daemon = new Daemon(config);
  await daemon.start();
  const onSignal = (signal: NodeJS.Signals) => {
    daemon.logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      daemon.logger.error(
        { timeoutMs: daemon.shutdownTimeoutMs },
        'shutdown did not finish within service.shutdown_timeout; exiting',
      );
      process.exit(1);
    }, daemon.shutdownTimeoutMs).unref();
    daemon.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        daemon.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
