import { describe, expect, it } from 'vitest';
import { applyDocument, resolveField, type IndexMappings } from './mapping.js';

describe('applyDocument (dynamic mapping)', () => {
  it('maps strings to text with a keyword sub-field, dates, numbers, booleans and nested objects', () => {
    const m: IndexMappings = { properties: {} };
    expect(
      applyDocument(
        m,
        {
          title: 'x',
          at: '2024-01-01T00:00:00Z',
          n: 1,
          f: 1.5,
          ok: true,
          identity: { email: 'a@b', groups: ['g'] },
        },
        '1',
      ),
    ).toEqual({ ok: true, changed: true });
    expect(m.properties.title).toEqual({
      type: 'text',
      fields: { keyword: { type: 'keyword', ignore_above: 256 } },
    });
    expect(m.properties.at).toEqual({ type: 'date' });
    expect(m.properties.n).toEqual({ type: 'long' });
    expect(m.properties.f).toEqual({ type: 'float' });
    expect(m.properties.ok).toEqual({ type: 'boolean' });
    expect(resolveField(m, 'identity.email.keyword').type).toBe('keyword');
    expect(resolveField(m, 'identity.groups').type).toBe('text');
  });

  it('rejects values that cannot be parsed into the mapped type and leaves the mapping unchanged', () => {
    const m: IndexMappings = { properties: { n: { type: 'long' } } };
    const out = applyDocument(m, { n: 'abc', other: 'x' }, '7');
    expect(out.ok).toBe(false);
    expect(out.ok ? undefined : out.error.type).toBe('document_parsing_exception');
    expect(m.properties.other).toBeUndefined();
    expect(applyDocument(m, { n: '42' }, '8').ok).toBe(true);
  });

  it('applies dynamic templates (match_mapping_type, match, {name})', () => {
    const m: IndexMappings = {
      properties: {},
      dynamic_templates: [
        { ids: { match: '*_id', mapping: { type: 'keyword' } } },
        {
          all_text_fields: {
            match_mapping_type: 'string',
            mapping: { fields: { enum: { type: 'keyword', ignore_above: 2048 } }, copy_to: '{name}_all' },
          },
        },
      ],
    };
    applyDocument(m, { owner_id: 'u1', _allow_access_control: ['u1', 'g1'], size: 3 }, '1');
    expect(m.properties.owner_id).toEqual({ type: 'keyword' });
    expect(m.properties._allow_access_control).toEqual({
      type: 'text',
      fields: { enum: { type: 'keyword', ignore_above: 2048 } },
      copy_to: '_allow_access_control_all',
    });
    expect(resolveField(m, '_allow_access_control.enum').type).toBe('keyword');
    expect(m.properties.size).toEqual({ type: 'long' });
  });

  it('rejects unknown fields under dynamic strict and ignores them under dynamic false', () => {
    const strict: IndexMappings = { dynamic: 'strict', properties: { a: { type: 'keyword' } } };
    const out = applyDocument(strict, { b: 1 }, '1');
    expect(out.ok ? undefined : out.error.type).toBe('strict_dynamic_mapping_exception');
    const off: IndexMappings = { dynamic: false, properties: {} };
    expect(applyDocument(off, { b: 1 }, '1')).toEqual({ ok: true, changed: false });
    expect(off.properties).toEqual({});
  });
});
