import { ConfigError, SOURCE_API_VERSION, type SourceDefinition } from '@connectors/framework';
import { dropboxSource } from '@connectors/source-dropbox';

/** Looks sources up by `service_type`. */
export interface SourceRegistry {
  get(serviceType: string): SourceDefinition | undefined;
  list(): readonly SourceDefinition[];
}

/** The sources shipped with the service. */
export const builtInSources: readonly SourceDefinition[] = [dropboxSource as unknown as SourceDefinition];

function checkDefinition(definition: unknown, where: string): SourceDefinition {
  const candidate = definition as Partial<SourceDefinition> | undefined;
  if (
    !candidate ||
    typeof candidate !== 'object' ||
    typeof candidate.id !== 'string' ||
    typeof candidate.create !== 'function'
  ) {
    throw new ConfigError(`${where} is not a source definition`, [
      'expected the value returned by defineSource()',
    ]);
  }
  if (candidate.apiVersion !== SOURCE_API_VERSION) {
    throw new ConfigError(`${where} speaks source API version ${String(candidate.apiVersion)}`, [
      `this service supports apiVersion ${SOURCE_API_VERSION}; upgrade the source or the service`,
    ]);
  }
  return candidate as SourceDefinition;
}

/**
 * Builds the registry: built-in sources, plus third-party ones named in config.yml's `sources:` map as
 * `"<module>:<export>"` (Python-style `connectors.sources.x:Class` entries for built-ins are accepted and ignored).
 */
export async function createSourceRegistry(
  extra: Readonly<Record<string, string>> = {},
  options: { readonly baseDir?: string } = {},
): Promise<SourceRegistry> {
  const byId = new Map<string, SourceDefinition>(builtInSources.map((source) => [source.id, source]));
  for (const [serviceType, spec] of Object.entries(extra)) {
    if (byId.has(serviceType) && spec.startsWith('connectors.sources.')) continue;
    const [moduleName, exportName = 'default'] = spec.split(':');
    if (!moduleName)
      throw new ConfigError('Invalid sources entry', [
        `sources.${serviceType}: expected "<module>:<export>"`,
      ]);
    let loaded: Record<string, unknown>;
    try {
      const specifier =
        moduleName.startsWith('.') && options.baseDir
          ? new URL(moduleName, `file://${options.baseDir}/`).href
          : moduleName;
      loaded = (await import(specifier)) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError('Cannot load a source', [`sources.${serviceType}: ${(error as Error).message}`]);
    }
    const definition = checkDefinition(loaded[exportName], `sources.${serviceType} (${spec})`);
    if (definition.id !== serviceType) {
      throw new ConfigError('Source id mismatch', [
        `sources.${serviceType}: the module defines '${definition.id}'`,
      ]);
    }
    byId.set(serviceType, definition);
  }
  return {
    get: (serviceType) => byId.get(serviceType),
    list: () => [...byId.values()],
  };
}
