/** Text that replaces a secret wherever one would have been shown. */
export const REDACTED = '[REDACTED]';

const registeredSecrets = new Set<string>();

/**
 * Registers secret values (client secrets, tokens, passwords, API keys) so that every error message,
 * error detail and log line built by the framework replaces them with `[REDACTED]`.
 * Values shorter than 4 characters are ignored (they would redact ordinary text).
 */
export function registerSecrets(values: Iterable<string | undefined | null>): void {
  for (const value of values) {
    if (typeof value === 'string' && value.length >= 4) registeredSecrets.add(value);
  }
}

/** Forgets every registered secret (for tests). */
export function clearRegisteredSecrets(): void {
  registeredSecrets.clear();
}

const SECRET_PATTERNS: readonly RegExp[] = [
  /(authorization["']?\s*[:=]\s*["']?)(bearer|basic|apikey)\s+[^\s"',}]+/gi,
  /((?:access_token|refresh_token|client_secret|password|api_key|apikey|secret)["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi,
];

/** Replaces registered secret values and credential-looking key/value pairs in `text`. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of registeredSecrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (_m, prefix: string) => `${prefix}${REDACTED}`);
  }
  return out;
}

const SENSITIVE_KEY = /(secret|password|token|api_?key|authorization|credential|private_?key)/i;

/** Deep-copies a JSON-like value, redacting sensitive keys and registered secret values. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      out[key] =
        SENSITIVE_KEY.test(key) && inner != null && inner !== '' ? REDACTED : redactValue(inner, depth + 1);
    }
    return out;
  }
  return value;
}
