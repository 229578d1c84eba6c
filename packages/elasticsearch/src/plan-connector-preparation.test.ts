import { describe, expect, it } from 'vitest';
import { toConfigurationSchema, field, type ConnectorDoc } from '@connectors/framework';
import {
  planConnectorPreparation,
  toConnectorFeatures,
  withStandardProperties,
} from './plan-connector-preparation.js';
import { toConnectorDoc } from './to-connector-doc.js';

const fields = {
  token: field.str({ label: 'Token', sensitive: true, order: 1 }),
  folders: field.list({ label: 'Folders', required: false, order: 2 }),
};
const schema = withStandardProperties(toConfigurationSchema(fields));
const features = toConnectorFeatures({
  incrementalSync: true,
  accessControl: true,
  advancedRules: false,
  binaryContent: true,
});

function connector(overrides: Record<string, unknown> = {}): ConnectorDoc {
  return toConnectorDoc({ index_name: 'search-x', status: 'created', ...overrides });
}

describe('planConnectorPreparation', () => {
  it('writes the full schema, needs_configuration, service_type and features on first contact', () => {
    const patch = planConnectorPreparation(connector(), schema, features, 'files');
    expect(patch?.status).toBe('needs_configuration');
    expect(patch?.service_type).toBe('files');
    expect(Object.keys(patch?.configuration ?? {})).toEqual(['token', 'folders']);
    expect(patch?.configuration?.token).toEqual({
      label: 'Token',
      display: schema.token?.display,
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
    expect(patch?.features).toEqual({
      sync_rules: { basic: { enabled: true }, advanced: { enabled: false } },
      document_level_security: { enabled: true },
      incremental_sync: { enabled: true },
      native_connector_api_keys: { enabled: false },
    });
  });

  it('adds a new field and refreshes labels without touching values a user entered', () => {
    const stored = { token: { ...schema.token, label: 'Old label', value: 'user-secret' } };
    const patch = planConnectorPreparation(
      connector({ configuration: stored, service_type: 'files', features, status: 'configured' }),
      schema,
      features,
      'files',
    );
    expect(patch?.status).toBeUndefined();
    expect(patch?.configuration?.token?.value).toBe('user-secret');
    expect(patch?.configuration?.token?.label).toBe('Token');
    expect(patch?.configuration?.folders?.value).toBe('');
  });

  it('fills a missing standard property and keeps the value', () => {
    const { tooltip: _tooltip, ...withoutTooltip } = schema.token ?? {};
    const configuration = { ...schema, token: { ...withoutTooltip, value: 'kept' } };
    const patch = planConnectorPreparation(
      connector({ configuration, service_type: 'files', features }),
      schema,
      features,
      'files',
    );
    expect(patch?.configuration?.token).toMatchObject({ tooltip: null, value: 'kept' });
  });

  it('returns nothing when the connector is already prepared', () => {
    const doc = connector({ configuration: schema, service_type: 'files', features });
    expect(planConnectorPreparation(doc, schema, features, 'files')).toBeUndefined();
  });

  it('only adds missing feature keys on native connectors', () => {
    const doc = connector({
      configuration: schema,
      service_type: 'files',
      is_native: true,
      features: { incremental_sync: { enabled: false } },
    });
    const patch = planConnectorPreparation(doc, schema, features, 'files');
    expect(patch?.features?.incremental_sync).toEqual({ enabled: false });
    expect(patch?.features?.document_level_security).toEqual({ enabled: true });
  });
});
