import { loadServiceConfig } from '../config/load-service-config.js';
import { createServiceLogger } from '../logging/create-logger.js';
import { createRuntime } from '../runtime.js';
import { EXIT } from './exit-codes.js';

/** `connectors search -c FILE --connector ID [--user P] [--json] QUERY`: embedded-mode search with DLS. */
export async function searchCommand(
  query: string[],
  options: { config: string; connector: string; user?: string; limit: number; json?: boolean },
): Promise<number> {
  const loaded = await loadServiceConfig(options.config);
  if (loaded.config.elasticsearch) {
    process.stderr.write(
      'error: search works on the embedded store; in Elasticsearch mode, search the index with Kibana or the _search API\n',
    );
    return EXIT.usage;
  }
  const controller = new AbortController();
  const runtime = await createRuntime(loaded, {
    logger: createServiceLogger({ level: 'warn' }),
    signal: controller.signal,
  });
  try {
    const connector = await runtime.controlPlane.getConnector(options.connector, controller.signal);
    if (!connector?.doc.index_name || !runtime.store) {
      process.stderr.write(
        `error: unknown connector '${options.connector}' (configured: ${runtime.connectorIds.join(', ')})\n`,
      );
      return EXIT.usage;
    }
    const text = query.join(' ');
    const result = await runtime.store.search(connector.doc.index_name, text, {
      limit: options.limit,
      ...(options.user ? { user: options.user } : {}),
      signal: controller.signal,
    });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ query: text, user: options.user ?? null, ...result })}\n`);
      return EXIT.ok;
    }
    const who = options.user ? ` as ${options.user}` : ' (no DLS filter)';
    process.stdout.write(`${result.total} hit(s) for "${text}"${who}\n`);
    for (const hit of result.hits) {
      const source = hit.source as Record<string, unknown>;
      const title = String(source.title ?? source.name ?? hit.id);
      const where = source.path ?? source.url ?? source.path_display ?? '';
      process.stdout.write(
        `  ${hit.score.toFixed(2).padStart(6)}  ${title}${where ? `  (${String(where)})` : ''}\n`,
      );
      const fragment = hit.highlight?.body?.[0] ?? hit.highlight?.title?.[0];
      if (fragment) process.stdout.write(`          ${fragment.replace(/<\/?em>/g, '*')}\n`);
    }
    return EXIT.ok;
  } finally {
    await runtime.close();
  }
}
