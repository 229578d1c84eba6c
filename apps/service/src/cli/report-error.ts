import { ConfigError, toConnectorError } from '@connectors/framework';
import { EXIT } from './exit-codes.js';

/** Prints an error for a person (every config issue on its own line) and returns the exit code to use. */
export function reportError(error: unknown): number {
  if (ConfigError.isInstance(error)) {
    const head = error.message.split(': ')[0] ?? error.message;
    process.stderr.write(`error: ${head}\n`);
    for (const issue of error.issues) process.stderr.write(`  - ${issue}\n`);
    return EXIT.usage;
  }
  const normalized = toConnectorError(error);
  process.stderr.write(`error: ${normalized.message}\n`);
  return EXIT.failed;
}
