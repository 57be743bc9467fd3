import { builtinFactories } from '../components.js';
import { loadConfigFile } from '../config/load.js';

/** `faultline validate-config FILE`: prints every problem with its path; non-zero on any. */
export function validateConfigCommand(file: string): void {
  const config = loadConfigFile(file, builtinFactories);
  const { receivers, processors, exporters } = config.components;
  const names = (list: { id: string }[]) => list.map((c) => c.id).join(', ') || '(none)';
  process.stdout.write(
    `${file}: valid\n  receivers: ${names(receivers)}\n  processors: ${names(processors)}\n  exporters: ${names(exporters)}\n  storage: ${config.storage.engine}\n`,
  );
}
