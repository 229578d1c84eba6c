import { Dropbox, DropboxAuth, DropboxResponseError, type DropboxResponse } from 'dropbox';
import {
  AuthError,
  UpstreamError,
  bufferedBody,
  linkSignals,
  type Clock,
  type JsonValue,
} from '@connectors/framework';
import { DROPBOX_HOSTS } from './dropbox-config.js';
import { headerSafeJson } from './header-safe-json.js';
import { dropboxErrorStatus, dropboxErrorTags, toDropboxError } from './to-dropbox-error.js';

/** Options of {@link createDropboxClient}. */
export interface DropboxClientOptions {
  /** The app key of the Dropbox app. */
  readonly appKey: string;
  /** The app secret (sent in the token request body only). */
  readonly appSecret: string;
  /** The long-lived refresh token the access tokens are obtained with. */
  readonly refreshToken: string;
  /** The framework's (retrying) fetch; every request goes through it. */
  readonly fetch: typeof globalThis.fetch;
  readonly clock: Clock;
  /** Base URLs of the API, content and OAuth hosts. */
  readonly hosts?: { readonly api?: string; readonly content?: string; readonly oauth?: string };
  /** Upper bound of one call, retries included. @default 120000 */
  readonly timeoutMs?: number;
  /** Aborts every call (the instance's lifetime). */
  readonly signal?: AbortSignal;
  /** Registers secret values (each new access token) so that no error or log line shows them. */
  readonly registerSecrets?: (values: Iterable<string | undefined | null>) => void;
}

/** Per-call options the SDK route methods take. */
export interface CallOptions {
  /** Aborted when the job stops or the call's time (`timeoutMs`) is up. */
  readonly signal: AbortSignal;
}

/** Which SDK client a call uses: `team` (no Select-User, team routes) or `member` (Select-User + Path-Root). */
export type ClientKind = 'team' | 'member';

/** A Dropbox API client on the official SDK: token refresh, host overrides, timeouts, error mapping. */
export interface DropboxClient {
  /**
   * Runs one SDK call. Refreshes the access token first when it is missing or close to expiry (one refresh
   * in flight at a time), and once more after a 401. Failures become ConnectorErrors naming `what`.
   */
  call<T>(
    kind: ClientKind,
    what: string,
    run: (dbx: Dropbox, options: CallOptions) => Promise<DropboxResponse<T>>,
    signal: AbortSignal,
  ): Promise<T>;
  /**
   * Downloads from a content endpoint (`files/download`, `files/export`, `sharing/get_shared_link_file`)
   * with the same token handling, time limit and error mapping as {@link DropboxClient.call}, but through
   * the fetch directly rather than the SDK: the bytes are handed over as received (no copy, no SDK
   * buffering), which matters when thousands of small files are fetched.
   */
  download(
    kind: ClientKind,
    what: string,
    route: ContentRoute,
    arg: Readonly<Record<string, JsonValue>>,
    signal: AbortSignal,
  ): Promise<DropboxDownload>;
  /** Acts as this team member (Select-User) rooted in this namespace (Path-Root) on member calls. */
  actAs(memberId: string | undefined, rootNamespaceId: string | undefined): void;
}

/** The content endpoints {@link DropboxClient.download} calls. */
export type ContentRoute = 'files/download' | 'files/export' | 'sharing/get_shared_link_file';

/** What a content endpoint answered: the `Dropbox-API-Result` metadata and the bytes. */
export interface DropboxDownload {
  readonly result: unknown;
  readonly body: Uint8Array;
}

const REFRESH_MARGIN_MS = 5 * 60 * 1000;

/** The SDK turns a 200 whose body is not JSON (e.g. cut short) into a string result: never accept one. */
function checked(result: unknown, what: string): unknown {
  if (typeof result === 'object' && result !== null) return result;
  throw new UpstreamError(`[dropbox] ${what}: malformed response from Dropbox (not a JSON object)`, {
    retryable: true,
  });
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Creates a Dropbox client whose requests go to the configured hosts through `options.fetch`. */
export function createDropboxClient(options: DropboxClientOptions): DropboxClient {
  const hosts = {
    api: stripSlash(options.hosts?.api ?? DROPBOX_HOSTS.api),
    content: stripSlash(options.hosts?.content ?? DROPBOX_HOSTS.content),
    oauth: stripSlash(options.hosts?.oauth ?? DROPBOX_HOSTS.oauth),
  };
  const timeoutMs = options.timeoutMs ?? 120_000;
  const baseFetch = options.fetch;

  /** The SDK always builds https://{api,content}.dropboxapi.com URLs; send them to the configured hosts. */
  const routedFetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const routed = url
      .replace(/^https:\/\/api\.dropboxapi\.com(?=\/)/, hosts.api)
      .replace(/^https:\/\/content\.dropboxapi\.com(?=\/)/, hosts.content);
    return baseFetch(routed, init);
  }) as typeof globalThis.fetch;

  // The SDK never sees the refresh token or secret: refreshing is ours (single flight, secrets in the body
  // rather than the query string the SDK would use).
  const auth = new DropboxAuth({ fetch: routedFetch });
  let team = new Dropbox({ auth, fetch: routedFetch });
  let member = team;
  let expiresAt = 0;
  let refreshing: Promise<void> | undefined;

  const refresh = async (signal: AbortSignal): Promise<void> => {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: options.refreshToken,
      client_id: options.appKey,
      client_secret: options.appSecret,
    });
    let response: Response;
    try {
      response = await baseFetch(`${hosts.oauth}/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
        // The signal of the call that needed the token: it carries that call's time limit.
        signal,
      });
    } catch (error) {
      throw toDropboxError(error, 'Refreshing the access token');
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw toDropboxError(error, 'Reading the token endpoint response');
    }
    let json: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // Non-JSON answers are reported by status below.
    }
    if (response.ok && typeof json.access_token === 'string') {
      options.registerSecrets?.([json.access_token]);
      auth.setAccessToken(json.access_token);
      const lifetime = typeof json.expires_in === 'number' ? json.expires_in : 14_400;
      expiresAt = options.clock.now() + lifetime * 1000;
      auth.setAccessTokenExpiresAt(new Date(expiresAt));
      return;
    }
    const code = typeof json.error === 'string' ? json.error : '';
    if (code.startsWith('invalid_grant')) {
      throw new AuthError(
        '[dropbox] Refresh token rejected (invalid or revoked); create a new one in the App Console',
        {
          status: response.status,
        },
      );
    }
    if (code.startsWith('invalid_client')) {
      throw new AuthError('[dropbox] App key or app secret rejected; check them in the App Console', {
        status: response.status,
      });
    }
    if (response.status >= 500 || response.status === 429) {
      throw new UpstreamError(`[dropbox] Token endpoint failed with HTTP ${response.status}`, {
        status: response.status,
      });
    }
    throw new AuthError(
      `[dropbox] Token refresh failed (HTTP ${response.status}${code ? `, ${code}` : ''})`,
      {
        status: response.status,
      },
    );
  };

  const ensureToken = async (signal: AbortSignal, force: boolean): Promise<void> => {
    if (!force && auth.getAccessToken() && options.clock.now() + REFRESH_MARGIN_MS < expiresAt) return;
    refreshing ??= refresh(signal).finally(() => {
      refreshing = undefined;
    });
    await refreshing;
  };

  async function callWith<T>(
    kind: ClientKind,
    what: string,
    run: (dbx: Dropbox, options: CallOptions) => Promise<DropboxResponse<T>>,
    signal: AbortSignal,
    callOptions: CallOptions,
  ): Promise<T> {
    await ensureToken(signal, false);
    try {
      const response = await run(kind === 'team' ? team : member, callOptions);
      return checked(response.result, what) as T;
    } catch (error) {
      if (
        dropboxErrorStatus(error) === 401 &&
        ['expired_access_token', 'invalid_access_token'].includes(dropboxErrorTags(error)[0] ?? '')
      ) {
        await ensureToken(signal, true);
        try {
          const response = await run(kind === 'team' ? team : member, callOptions);
          return checked(response.result, what) as T;
        } catch (retryError) {
          throw toDropboxError(retryError, what);
        }
      }
      throw toDropboxError(error, what);
    }
  }

  let memberHeaders: Record<string, string> = {};

  const client: DropboxClient = {
    async call(kind, what, run, callSignal) {
      // Linked per call and detached after it (AbortSignal.any on these long-lived signals slows down). The
      // time limit is one timer per call on that signal, not the SDK's AbortSignal.any + AbortSignal.timeout
      // per request (which cost more than the HTTP request itself on small downloads).
      const deadline = new AbortController();
      const timer = setTimeout(
        () =>
          deadline.abort(
            new DOMException(`the Dropbox call took longer than ${timeoutMs} ms`, 'TimeoutError'),
          ),
        timeoutMs,
      );
      const linked = linkSignals(callSignal, options.signal, deadline.signal);
      const signal = linked.signal;
      try {
        return await callWith(kind, what, run, signal, { signal });
      } finally {
        clearTimeout(timer);
        linked.dispose();
      }
    },
    download(kind, what, route, arg, callSignal) {
      return client.call<DropboxDownload>(
        kind,
        what,
        async (_dbx, { signal }) => {
          // The headers the SDK's downloadRequest sends (auth, argument, then Select-User and Path-Root).
          const headers: Record<string, string> = {
            Authorization: `Bearer ${auth.getAccessToken()}`,
            'Dropbox-API-Arg': headerSafeJson(arg),
            ...(kind === 'member' ? memberHeaders : {}),
          };
          const response = await baseFetch(`${hosts.content}/2/${route}`, {
            method: 'POST',
            headers,
            signal,
          });
          if (!response.ok) {
            // As the SDK reports it, so that the 401 retry and the error mapping treat both paths alike.
            const text = await response.text();
            let error: unknown = text;
            try {
              error = JSON.parse(text) as unknown;
            } catch {
              // A plain-text error body stays a string.
            }
            throw new DropboxResponseError(response.status, response.headers, error);
          }
          const body = bufferedBody(response) ?? new Uint8Array(await response.arrayBuffer());
          let result: unknown;
          try {
            result = JSON.parse(response.headers.get('dropbox-api-result') ?? '') as unknown;
          } catch {
            throw new UpstreamError(
              `[dropbox] ${what}: the answer has no readable Dropbox-API-Result header`,
              { retryable: true },
            );
          }
          const download: DropboxDownload = { result, body };
          return { status: response.status, headers: response.headers, result: download };
        },
        callSignal,
      );
    },
    actAs(memberId, rootNamespaceId) {
      const pathRoot: JsonValue | undefined = rootNamespaceId
        ? { '.tag': 'namespace_id', namespace_id: rootNamespaceId }
        : undefined;
      member = new Dropbox({
        auth,
        fetch: routedFetch,
        ...(memberId ? { selectUser: memberId } : {}),
        ...(pathRoot ? { pathRoot: JSON.stringify(pathRoot) } : {}),
      });
      memberHeaders = {
        ...(memberId ? { 'Dropbox-API-Select-User': memberId } : {}),
        ...(pathRoot ? { 'Dropbox-API-Path-Root': JSON.stringify(pathRoot) } : {}),
      };
      team = new Dropbox({ auth, fetch: routedFetch });
    },
  };
  return client;
}
