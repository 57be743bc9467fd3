/**
 * What the service offers every component besides its own config, as the Collector's
 * `component.Host`: named extensions (storage, alerting, …) that a component asks for by a typed
 * key. The pipeline knows no extension; the daemon registers them and the folder that owns an
 * extension declares its key, so `pipeline/` depends on the model alone.
 */
export interface ExtensionKey<T> {
  readonly name: string;
  /** Carries `T` for the compiler only; never set. */
  readonly type?: T;
}

export function extensionKey<T>(name: string): ExtensionKey<T> {
  return { name };
}

export interface Host {
  /** The extension registered under `key`, or undefined when the service has none. */
  extension<T>(key: ExtensionKey<T>): T | undefined;
}

/** A host whose extensions are registered once, before the components are created. */
export class Extensions implements Host {
  private readonly registered = new Map<string, unknown>();

  register<T>(key: ExtensionKey<T>, extension: T): this {
    if (this.registered.has(key.name)) throw new Error(`extension ${key.name} registered twice`);
    this.registered.set(key.name, extension);
    return this;
  }

  extension<T>(key: ExtensionKey<T>): T | undefined {
    return this.registered.get(key.name) as T | undefined;
  }
}

/** The extension a component cannot work without; a missing one is a wiring bug. */
export function requireExtension<T>(host: Host, key: ExtensionKey<T>): T {
  const extension = host.extension(key);
  if (extension === undefined) throw new Error(`the service has no ${key.name} extension`);
  return extension;
}
