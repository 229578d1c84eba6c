import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import { defineConfigFields, field } from './config-field.js';
import { configValuesFromEntries, toConfigurationSchema } from './configuration-schema.js';
import { maskConfig, parseConfig } from './parse-config.js';

const fields = defineConfigFields({
  app_key: field.str({ label: 'App key', order: 1, sensitive: true }),
  path: field.str({ label: 'Path', order: 2, required: false, default: '/' }),
  retry_count: field.int({
    label: 'Retries',
    order: 3,
    required: false,
    default: 3,
    validations: [{ type: 'greater_than', constraint: 0 }],
  }),
  use_dls: field.bool({ label: 'DLS', order: 4, required: false, default: false }),
  groups: field.list({
    label: 'Groups',
    order: 5,
    required: true,
    dependsOn: [{ field: 'use_dls', value: true }],
  }),
  mode: field.str({
    label: 'Mode',
    order: 6,
    required: false,
    default: 'a',
    validations: [{ type: 'included_in', constraint: ['a', 'b'] }],
  }),
});

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('coerces values and fills defaults', () => {
    const config = parseConfig(fields, {
      app_key: 'k1234',
      retry_count: '5',
      use_dls: 'true',
      groups: 'a, b,,c',
    });
    expect(config).toEqual({
      app_key: 'k1234',
      path: '/',
      retry_count: 5,
      use_dls: true,
      groups: ['a', 'b', 'c'],
      mode: 'a',
    });
  });

  it('reports every problem at once, each naming its field', () => {
    const issues = issuesOf(() =>
      parseConfig(fields, { retry_count: 'x', mode: 'z', extra: 1 }, { path: 'cfg' }),
    );
    expect(issues).toEqual([
      'cfg.extra: unknown field (known: app_key, path, retry_count, use_dls, groups, mode)',
      "cfg.retry_count ('Retries'): must be an integer, got string",
      "cfg.app_key ('App key'): cannot be empty",
      "cfg.mode ('Mode'): z not in [a, b]",
    ]);
  });

  it('validates a dependent field only when its dependency holds', () => {
    expect(parseConfig(fields, { app_key: 'k1234' }).groups).toEqual([]);
    expect(issuesOf(() => parseConfig(fields, { app_key: 'k1234', use_dls: true }))).toEqual([
      "groups ('Groups'): cannot be empty",
    ]);
  });

  it('applies numeric validations', () => {
    expect(issuesOf(() => parseConfig(fields, { app_key: 'k1234', retry_count: 0 }))).toEqual([
      "retry_count ('Retries'): must be greater than 0",
    ]);
  });

  it('never echoes a sensitive value in a validation message', () => {
    const secretFields = defineConfigFields({
      token: field.str({
        label: 'Token',
        sensitive: true,
        validations: [{ type: 'included_in', constraint: ['a'] }],
      }),
    });
    expect(issuesOf(() => parseConfig(secretFields, { token: 'tok-very-secret' }))).toEqual([
      "token ('Token'): does not pass the included_in check",
    ]);
  });

  it('never puts a sensitive value in an error message', () => {
    const secret = 'super-secret-value';
    const error = (() => {
      try {
        parseConfig(fields, { app_key: secret, retry_count: 'nope' }, { source: 'demo' });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('[demo] Invalid configuration');
    expect(error?.message).not.toContain(secret);
    expect(maskConfig(fields, { app_key: secret, path: '/x' })).toEqual({ app_key: '********', path: '/x' });
  });
});

describe('toConfigurationSchema', () => {
  it('fills every standard property Kibana reads', () => {
    const schema = toConfigurationSchema(fields);
    expect(schema.app_key).toEqual({
      label: 'App key',
      display: 'textbox',
      type: 'str',
      value: '',
      default_value: null,
      required: true,
      sensitive: true,
      order: 1,
      depends_on: [],
      validations: [],
      tooltip: null,
      ui_restrictions: [],
      options: [],
    });
    expect(schema.retry_count?.value).toBe(3);
    expect(schema.groups?.depends_on).toEqual([{ field: 'use_dls', value: true }]);
    expect(schema.mode?.validations).toEqual([{ type: 'included_in', constraint: ['a', 'b'] }]);
  });

  it('stores given values instead of the defaults, lists comma-separated', () => {
    const schema = toConfigurationSchema(fields, { app_key: 'k1234', groups: ['a', 'b'], unknown: 1 });
    expect([schema.app_key?.value, schema.groups?.value, schema.path?.value]).toEqual(['k1234', 'a,b', '/']);
    expect(schema.unknown).toBeUndefined();
  });

  it('round-trips through stored entries', () => {
    const schema = toConfigurationSchema(fields);
    schema.app_key!.value = 'k1234';
    const config = parseConfig(fields, configValuesFromEntries(schema));
    expect(config.app_key).toBe('k1234');
    expect(config.retry_count).toBe(3);
  });
});
