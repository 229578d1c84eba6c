import { toConfigurationSchema } from '@connectors/framework';
import { createSourceRegistry } from '../registry.js';
import { EXIT } from './exit-codes.js';

/** `connectors sources [--json]`: lists the sources and their configuration fields. */
export async function sourcesCommand(options: { json?: boolean }): Promise<number> {
  const registry = await createSourceRegistry();
  const sources = registry.list().map((source) => ({
    service_type: source.id,
    name: source.name,
    capabilities: source.capabilities,
    configuration: toConfigurationSchema(source.configuration),
  }));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(sources, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const source of sources) {
    const caps = Object.entries(source.capabilities)
      .filter(([, on]) => on)
      .map(([name]) => name)
      .join(', ');
    process.stdout.write(`${source.service_type}  ${source.name}  [${caps}]\n`);
    const fields = Object.entries(source.configuration).sort(([, a], [, b]) => a.order - b.order);
    for (const [key, field] of fields) {
      const flags = [
        field.required ? 'required' : 'optional',
        field.sensitive ? 'sensitive' : '',
        field.ui_restrictions.includes('advanced') ? 'advanced' : '',
      ]
        .filter(Boolean)
        .join(', ');
      const fallback =
        field.default_value === null ? '' : ` (default ${JSON.stringify(field.default_value)})`;
      process.stdout.write(
        `  ${key.padEnd(40)} ${field.type.padEnd(5)} ${field.label} [${flags}]${fallback}\n`,
      );
    }
    process.stdout.write('\n');
  }
  return EXIT.ok;
}
