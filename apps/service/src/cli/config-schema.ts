import { z } from 'zod';
import { serviceConfigSchema } from '../config/service-config-schema.js';
import { EXIT } from './exit-codes.js';

/** The JSON Schema of config.yml, generated from the same declarations that validate it. */
export function serviceConfigJsonSchema(): Record<string, unknown> {
  return {
    title: 'connectors config.yml',
    ...z.toJSONSchema(serviceConfigSchema, { io: 'input', unrepresentable: 'any' }),
  };
}

/** `connectors config schema`. */
export async function configSchemaCommand(): Promise<number> {
  process.stdout.write(`${JSON.stringify(serviceConfigJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
