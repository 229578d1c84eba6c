function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return (value as unknown[]).filter((item): item is string => typeof item === 'string');
}

/**
 * The principals an identity document grants: `query.template.params.access_control` (spec 8), falling back
 * to a top-level `access_control` list. Anything else yields no principal (fail closed).
 */
export function toIdentityPrincipals(identity: Readonly<Record<string, unknown>>): string[] {
  const query = identity['query'];
  if (typeof query === 'object' && query !== null) {
    const template = (query as Record<string, unknown>)['template'];
    if (typeof template === 'object' && template !== null) {
      const params = (template as Record<string, unknown>)['params'];
      if (typeof params === 'object' && params !== null) {
        const list = strings((params as Record<string, unknown>)['access_control']);
        if (list !== undefined) return list;
      }
    }
  }
  return strings(identity['access_control']) ?? [];
}
