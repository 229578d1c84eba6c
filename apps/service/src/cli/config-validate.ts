import { loadServiceConfig } from '../config/load-service-config.js';
import { createSourceRegistry } from '../registry.js';
import { ConfigError, parseConfig } from '@connectors/framework';
import { EXIT } from './exit-codes.js';

/** `connectors config validate -c FILE`: checks the file and every inline connector configuration. */
export async function configValidateCommand(options: { config: string }): Promise<number> {
  const loaded = await loadServiceConfig(options.config);
  const registry = await createSourceRegistry(loaded.config.sources);
  const issues: string[] = [];
  loaded.config.connectors.forEach((entry, index) => {
    const where = `connectors.${index}`;
    if (!entry.service_type) return;
    const source = registry.get(entry.service_type);
    if (!source) {
      issues.push(
        `${where}.service_type: unknown source '${entry.service_type}' (known: ${registry
          .list()
          .map((s) => s.id)
          .join(', ')})`,
      );
      return;
    }
    if (!loaded.config.elasticsearch) {
      try {
        parseConfig(source.configuration, entry.configuration ?? {}, {
          source: source.id,
          path: `${where}.configuration`,
        });
      } catch (error) {
        if (ConfigError.isInstance(error)) issues.push(...error.issues);
        else throw error;
      }
    }
  });
  if (issues.length > 0) throw new ConfigError(`${loaded.file} has ${issues.length} problem(s)`, issues);
  const mode = loaded.config.elasticsearch
    ? `Elasticsearch mode (${loaded.config.elasticsearch.host})`
    : 'embedded mode';
  process.stdout.write(`${loaded.file}: valid, ${mode}, ${loaded.config.connectors.length} connector(s)\n`);
  return EXIT.ok;
}
