import { describe, expect, it } from 'vitest';
import { accessControlIndexName } from './access-control-index-name.js';
import { ACCESS_CONTROL_UNDETERMINED, checkDocumentAccess } from './check-document-access.js';
import { combineAccessControl, toAccessControl } from './to-access-control.js';
import { ACCESS_CONTROL_QUERY_TEMPLATE, toIdentityRecord } from './to-identity-record.js';

describe('toAccessControl', () => {
  it('prefixes values, drops nulls and empties, de-duplicates in order', () => {
    expect(toAccessControl('group', ['eng', null, 'ops', 'eng', '', undefined])).toEqual([
      'group:eng',
      'group:ops',
    ]);
  });
  it('accepts one value and a prefix with a colon', () => {
    expect(toAccessControl('user:', 'alice')).toEqual(['user:alice']);
    expect(toAccessControl('user', null)).toEqual([]);
  });
  it('rejects an empty prefix', () => {
    expect(() => toAccessControl('', 'a')).toThrow(/prefix must not be empty/);
  });
  it('combines lists without duplicates', () => {
    expect(combineAccessControl(['user:a', 'group:x'], null, ['group:x', 'email:a@b.c'])).toEqual([
      'user:a',
      'group:x',
      'email:a@b.c',
    ]);
  });
});

describe('accessControlIndexName', () => {
  it('prefixes the content index name once', () => {
    expect(accessControlIndexName('search-docs')).toBe('.search-acl-filter-search-docs');
    expect(accessControlIndexName('.search-acl-filter-search-docs')).toBe('.search-acl-filter-search-docs');
  });
});

describe('toIdentityRecord', () => {
  it('builds the identity document with the DLS query template', () => {
    const record = toIdentityRecord({
      _id: 'alice@example.com',
      identity: { email: 'email:alice@example.com', username: 'user:alice' },
      access_control: ['email:alice@example.com', 'user:alice', 'group:eng', 'group:eng'],
      _timestamp: '2024-05-01T00:00:00Z',
    });
    expect(record).toEqual({
      id: 'alice@example.com',
      identity: { email: 'email:alice@example.com', username: 'user:alice' },
      query: {
        template: {
          params: { access_control: ['email:alice@example.com', 'user:alice', 'group:eng'] },
          source: ACCESS_CONTROL_QUERY_TEMPLATE,
        },
      },
      _timestamp: '2024-05-01T00:00:00Z',
    });
  });

  it('renders to a query matching public documents or any listed identity', () => {
    const record = toIdentityRecord({ _id: 'a', identity: {}, access_control: ['user:a'] });
    const rendered = record.query.template.source.replace(
      '{{#toJson}}access_control{{/toJson}}',
      JSON.stringify(record.query.template.params.access_control),
    );
    expect(JSON.parse(rendered)).toEqual({
      bool: {
        should: [
          { bool: { must_not: { exists: { field: '_allow_access_control' } } } },
          { terms: { '_allow_access_control.keyword': ['user:a'] } },
        ],
      },
    });
  });

  it('rejects an identity without an id', () => {
    expect(() => toIdentityRecord({ _id: '', identity: {}, access_control: [] })).toThrow(
      /_id must be a non-empty/,
    );
  });
});

describe('checkDocumentAccess', () => {
  it('lets everything through when DLS is off', () => {
    expect(checkDocumentAccess({ _id: '1' }, false)).toBeUndefined();
  });
  it('fails closed when DLS is on and the ACL is missing or empty', () => {
    expect(checkDocumentAccess({ _id: '1' }, true)).toBe(ACCESS_CONTROL_UNDETERMINED);
    expect(checkDocumentAccess({ _id: '1', _allow_access_control: [] }, true)).toBe(
      ACCESS_CONTROL_UNDETERMINED,
    );
    expect(checkDocumentAccess({ _id: '1', _allow_access_control: ['user:a'] }, true)).toBeUndefined();
  });
});
