import { readFileSync } from 'node:fs';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { Client, type ClientOptions } from '@elastic/elasticsearch';
import { ConfigError, registerSecrets } from '@connectors/framework';
import { settingsHosts, type ElasticsearchSettings } from './elasticsearch-settings.js';

/** The package version the `user-agent` reports unless the caller names its own. */
export const CONNECTORS_VERSION = '0.1.0';

/** The connection part of the `elasticsearch` settings (defaults of spec 9 apply to missing keys). */
export type ElasticsearchConnectionSettings = Partial<
  Pick<
    ElasticsearchSettings,
    | 'host'
    | 'hosts'
    | 'api_key'
    | 'username'
    | 'password'
    | 'ssl'
    | 'verify_certs'
    | 'ca_certs'
    | 'ca_fingerprint'
    | 'headers'
    | 'request_timeout'
  >
>;

/** Options of {@link createElasticsearchClient}. */
export interface CreateClientOptions {
  /** Version written into `user-agent: elastic-connectors-<version>/<role>`. @default CONNECTORS_VERSION */
  readonly version?: string;
  /** Which program talks: the daemon (`service`) or the CLI (`cli`). @default 'service' */
  readonly role?: 'service' | 'cli';
  /** Replaces the credentials of the settings (a connector's own `api_key` for its data-plane client). */
  readonly apiKey?: string;
  /** Extra client options (tests: `Connection` mocks, `maxRetries`). Applied last. */
  readonly clientOptions?: Partial<ClientOptions>;
}

/**
 * Creates an `@elastic/elasticsearch` v8 client from the `elasticsearch` settings of config.yml: host(s),
 * `api_key` (wins) or `username`/`password`, TLS (`ssl`, `verify_certs`, `ca_certs`, `ca_fingerprint`),
 * `request_timeout`, extra `headers`, plus `user-agent: elastic-connectors-<version>/service` and
 * `X-elastic-product-origin: connectors`. Credentials are registered as secrets so no error or log shows
 * them. The transport's own retries are off: callers retry through {@link withRetry}, which honours
 * `Retry-After` and backs off. The client checks on every 2xx answer that the server is Elasticsearch.
 * @example
 * const client = createElasticsearchClient(parseElasticsearchSettings(config.elasticsearch));
 */
export function createElasticsearchClient(
  settings: ElasticsearchConnectionSettings,
  options: CreateClientOptions = {},
): Client {
  const hosts = settingsHosts(settings);
  const ssl = settings.ssl ?? true;
  const verifyCerts = settings.verify_certs ?? true;
  const issues: string[] = [];
  const nodes = hosts.map((host, index) => {
    try {
      const url = new URL(host);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('bad protocol');
      if (url.password) registerSecrets([decodeURIComponent(url.password)]);
      return url;
    } catch {
      issues.push(
        `elasticsearch.${settings.hosts ? `hosts[${index}]` : 'host'}: must be an http(s) URL, got "${redactUrl(host)}"`,
      );
      return undefined;
    }
  });
  if (issues.length) throw new ConfigError('[elasticsearch] Invalid connection settings', issues);

  const apiKey = options.apiKey ?? settings.api_key;
  registerSecrets([apiKey, settings.password]);
  let auth: ClientOptions['auth'];
  if (apiKey) auth = { apiKey };
  else if (settings.username) auth = { username: settings.username, password: settings.password ?? '' };

  // As the Python service: `ssl` turns the certificate options on; without it the platform defaults apply.
  let tls: TlsConnectionOptions | undefined;
  const usesTls = nodes.some((url) => url?.protocol === 'https:');
  if (usesTls && ssl) {
    tls = { rejectUnauthorized: verifyCerts };
    if (settings.ca_certs) {
      try {
        tls.ca = readFileSync(settings.ca_certs);
      } catch (error) {
        throw new ConfigError('[elasticsearch] Invalid TLS settings', [
          `elasticsearch.ca_certs: cannot read "${settings.ca_certs}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        ]);
      }
    }
  }

  const role = options.role ?? 'service';
  const version = options.version ?? CONNECTORS_VERSION;
  return new Client({
    nodes: nodes.filter((url): url is URL => url !== undefined).map((url) => url.toString()),
    ...(auth ? { auth } : {}),
    ...(tls ? { tls } : {}),
    ...(settings.ca_fingerprint ? { caFingerprint: settings.ca_fingerprint } : {}),
    requestTimeout: Math.round((settings.request_timeout ?? 240) * 1000),
    maxRetries: 0,
    compression: false,
    name: 'elastic-connectors',
    headers: {
      ...settings.headers,
      'user-agent': `elastic-connectors-${version}/${role}`,
      'x-elastic-product-origin': 'connectors',
    },
    ...options.clientOptions,
  });
}

/** A URL with its password (if any) replaced, for messages. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]+):([^@/]*)@/, '//$1:[REDACTED]@');
}
