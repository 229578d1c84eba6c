import { ConfigError, parseConfig, toConfigurationSchema } from '@connectors/framework';
import { describe, expect, it } from 'vitest';
import { dropboxConfigFields, normalizeDropboxPath } from './dropbox-config.js';

describe('dropbox configuration', () => {
  it('declares the spec fields in order with their labels, types, sensitivity and restrictions', () => {
    const schema = toConfigurationSchema(dropboxConfigFields);
    const rows = Object.entries(schema).map(([key, e]) => [
      key,
      e.order,
      e.label,
      e.type,
      e.required,
      e.sensitive,
      e.ui_restrictions,
      e.default_value,
    ]);
    expect(rows).toEqual([
      ['path', 1, 'Path to fetch files/folders', 'str', false, false, [], null],
      ['app_key', 2, 'App Key', 'str', true, true, [], null],
      ['app_secret', 3, 'App secret', 'str', true, true, [], null],
      ['refresh_token', 4, 'Refresh token', 'str', true, true, [], null],
      ['retry_count', 5, 'Retries per request', 'int', false, false, ['advanced'], 3],
      ['concurrent_downloads', 6, 'Maximum concurrent downloads', 'int', false, false, ['advanced'], 100],
      [
        'use_text_extraction_service',
        7,
        'Use text extraction service',
        'bool',
        true,
        false,
        ['advanced'],
        false,
      ],
      ['use_document_level_security', 8, 'Enable document level security', 'bool', true, false, [], false],
      [
        'include_inherited_users_and_groups',
        9,
        'Include groups and inherited users',
        'bool',
        true,
        false,
        [],
        false,
      ],
      ['api_base_url', 10, 'API base URL', 'str', false, false, ['advanced'], 'https://api.dropboxapi.com'],
      [
        'content_base_url',
        11,
        'Content base URL',
        'str',
        false,
        false,
        ['advanced'],
        'https://content.dropboxapi.com',
      ],
      [
        'oauth_base_url',
        12,
        'OAuth base URL',
        'str',
        false,
        false,
        ['advanced'],
        'https://api.dropboxapi.com',
      ],
    ]);
    // Widgets: the framework decides string widgets (the Connector API's accepted value); numbers and toggles are fixed.
    expect(schema.retry_count?.display).toBe('numeric');
    expect(schema.use_document_level_security?.display).toBe('toggle');
    expect(schema.include_inherited_users_and_groups?.depends_on).toEqual([
      { field: 'use_document_level_security', value: true },
    ]);
  });

  it('applies defaults and reports every missing credential at once without echoing values', () => {
    const config = parseConfig(dropboxConfigFields, { app_key: 'k', app_secret: 's', refresh_token: 'r' });
    expect(config).toMatchObject({
      retry_count: 3,
      concurrent_downloads: 100,
      use_document_level_security: false,
    });
    let error: unknown;
    try {
      parseConfig(dropboxConfigFields, { app_key: 'super-secret-key' }, { source: 'dropbox' });
    } catch (e) {
      error = e;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues).toEqual([
      "app_secret ('App secret'): cannot be empty",
      "refresh_token ('Refresh token'): cannot be empty",
    ]);
  });

  it('normalises the configured path: root as "", leading slash added, trailing slash dropped', () => {
    expect(normalizeDropboxPath(undefined)).toBe('');
    expect(normalizeDropboxPath('/')).toBe('');
    expect(normalizeDropboxPath('  ')).toBe('');
    expect(normalizeDropboxPath('Team/Docs/')).toBe('/Team/Docs');
    expect(normalizeDropboxPath('/Café 日本')).toBe('/Café 日本');
  });
});
