import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '@connectors/framework';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { serviceConfigSchema, type ServiceConfig } from './service-config-schema.js';

/** A loaded config.yml with where it came from. */
export interface LoadedServiceConfig {
  readonly config: ServiceConfig;
  /** Absolute path of the file. */
  readonly file: string;
  /** Absolute data directory (relative `service.data_dir` is resolved against the file's folder). */
  readonly dataDir: string;
}

type Positions = Map<string, number>;

const ENV_PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(?::-|\|)([^}]*))?\}/g;

/** Replaces `${VAR}`, `${VAR:-default}` and `${VAR|default}` in a string; `$$` is a literal `$`. */
function substituteEnv(value: string, env: NodeJS.ProcessEnv, where: string, issues: string[]): string {
  return value.replace(ENV_PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const found = name ? env[name] : undefined;
    if (found !== undefined) return found;
    if (fallback !== undefined) return fallback;
    issues.push(`${where}: environment variable ${name} is not set (use \${${name}:-default} for a default)`);
    return '';
  });
}

function lineOf(node: Node | null | undefined, counter: LineCounter): number | undefined {
  const offset = node?.range?.[0];
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

/** Converts YAML nodes to plain values, expanding dotted keys and remembering each path's line. */
function toPlain(
  node: Node | null | undefined,
  pathSoFar: string[],
  ctx: { counter: LineCounter; positions: Positions; env: NodeJS.ProcessEnv; issues: string[] },
): unknown {
  if (node === null || node === undefined) return null;
  const line = lineOf(node, ctx.counter);
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const rawKey = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const parts = rawKey.split('.');
      let target = out;
      const keyLine = lineOf(keyNode, ctx.counter) ?? line;
      for (let i = 0; i < parts.length; i += 1) {
        const part = parts[i] as string;
        const partPath = [...pathSoFar, ...parts.slice(0, i + 1)];
        if (keyLine !== undefined && !ctx.positions.has(partPath.join('.')))
          ctx.positions.set(partPath.join('.'), keyLine);
        if (i === parts.length - 1) {
          const value = toPlain(pair.value as Node | null, partPath, ctx);
          const existing = target[part];
          target[part] =
            existing &&
            typeof existing === 'object' &&
            !Array.isArray(existing) &&
            value &&
            typeof value === 'object' &&
            !Array.isArray(value)
              ? deepMerge(existing as Record<string, unknown>, value as Record<string, unknown>)
              : value;
        } else {
          const next = target[part];
          if (!next || typeof next !== 'object' || Array.isArray(next)) target[part] = {};
          target = target[part] as Record<string, unknown>;
        }
      }
    }
    return out;
  }
  if (isSeq(node)) {
    return node.items.map((item, index) => {
      const itemPath = [...pathSoFar, String(index)];
      const itemLine = lineOf(item as Node, ctx.counter);
      if (itemLine !== undefined) ctx.positions.set(itemPath.join('.'), itemLine);
      return toPlain(item as Node, itemPath, ctx);
    });
  }
  if (isScalar(node)) {
    const value = node.value;
    if (typeof value === 'string') {
      return substituteEnv(
        value,
        ctx.env,
        `${pathSoFar.join('.') || '(root)'} (line ${line ?? '?'})`,
        ctx.issues,
      );
    }
    return value;
  }
  return null;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const current = out[key];
    out[key] =
      current &&
      typeof current === 'object' &&
      !Array.isArray(current) &&
      value &&
      typeof value === 'object' &&
      !Array.isArray(value)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

function lineFor(issuePath: readonly PropertyKey[], positions: Positions): number | undefined {
  for (let length = issuePath.length; length > 0; length -= 1) {
    const line = positions.get(issuePath.slice(0, length).map(String).join('.'));
    if (line !== undefined) return line;
  }
  return undefined;
}

/**
 * Parses config.yml text: YAML, environment substitution, dotted keys, defaults and strict validation.
 * Every problem is reported at once, each with its key path and line, in one ConfigError.
 */
export function parseServiceConfig(
  text: string,
  options: { readonly file?: string; readonly env?: NodeJS.ProcessEnv } = {},
): ServiceConfig {
  const file = options.file ?? 'config.yml';
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      `${file} is not valid YAML`,
      document.errors.map(
        (error) => `line ${error.linePos?.[0]?.line ?? '?'}: ${error.message.split('\n')[0]}`,
      ),
    );
  }
  const issues: string[] = [];
  const positions: Positions = new Map();
  const plain = toPlain(document.contents as Node | null, [], {
    counter,
    positions,
    env: options.env ?? process.env,
    issues,
  });
  const input = plain === null ? {} : plain;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${file} must be a mapping of settings`, ['(root): expected a mapping']);
  }
  // Embedded mode needs a service_type on every connector: checked on the raw input so that it is reported
  // together with the schema's own issues.
  const raw = input as { elasticsearch?: unknown; connectors?: unknown };
  if (raw.elasticsearch === undefined && Array.isArray(raw.connectors)) {
    raw.connectors.forEach((entry: unknown, index) => {
      if (entry && typeof entry === 'object' && !(entry as { service_type?: unknown }).service_type) {
        const line = positions.get(`connectors.${index}`);
        issues.push(
          `connectors.${index}.service_type${line !== undefined ? ` (line ${line})` : ''}: required in embedded mode (no elasticsearch section)`,
        );
      }
    });
  }
  const result = serviceConfigSchema.safeParse(input);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const at = issue.path.length ? issue.path.map(String).join('.') : '(root)';
      const line = lineFor(issue.path, positions);
      const message =
        issue.code === 'unrecognized_keys'
          ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `'${key}'`).join(', ')}`
          : issue.message;
      const keyLine =
        issue.code === 'unrecognized_keys'
          ? lineFor([...issue.path, issue.keys[0] as string], positions)
          : line;
      issues.push(`${at}${keyLine !== undefined ? ` (line ${keyLine})` : ''}: ${message}`);
    }
  }
  if (issues.length > 0) throw new ConfigError(`${file} has ${issues.length} problem(s)`, issues);
  const config = (result as { data: ServiceConfig }).data;
  checkConnectors(config, file);
  return config;
}

function checkConnectors(config: ServiceConfig, file: string): void {
  const issues: string[] = [];
  config.connectors.forEach((entry, index) => {
    if (entry.connector_id === 'changeme')
      issues.push(`connectors.${index}.connector_id: replace the placeholder 'changeme'`);
    if (entry.service_type === 'changeme')
      issues.push(`connectors.${index}.service_type: replace the placeholder 'changeme'`);
  });
  if (issues.length > 0) throw new ConfigError(`${file} has ${issues.length} problem(s)`, issues);
}

/** Reads and validates a config.yml file. */
export async function loadServiceConfig(
  file: string,
  options: { readonly env?: NodeJS.ProcessEnv } = {},
): Promise<LoadedServiceConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`Cannot read ${absolute}`, [
      code === 'ENOENT' ? 'file not found' : String((error as Error).message),
    ]);
  }
  const config = parseServiceConfig(text, { file: absolute, env: options.env });
  // Deprecated single-connector form (spec 9).
  if (
    config.connector_id &&
    config.service_type &&
    !config.connectors.some((c) => c.connector_id === config.connector_id)
  ) {
    config.connectors.push({ connector_id: config.connector_id, service_type: config.service_type });
  }
  const dataDir = path.resolve(path.dirname(absolute), config.service.data_dir);
  return { config, file: absolute, dataDir };
}
