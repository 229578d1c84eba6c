import { describe, expect, it } from 'vitest';
import { toIdentityRecord } from '../access-control/to-identity-record.js';
import type { EmbeddedStore } from './embedded-store.js';
import { createTempStore } from './fixtures/temp-store.js';

const signal = new AbortController().signal;

async function seed(store: EmbeddedStore): Promise<void> {
  const content = await store.openIndex({ indexName: 'search-docs', kind: 'content', signal });
  await content.write(
    [
      {
        op: 'index',
        id: 'public',
        document: { title: 'Holiday calendar', body: 'Company holidays for the year' },
      },
      {
        op: 'index',
        id: 'alice-only',
        document: {
          title: 'Salary review',
          body: 'Confidential salary review notes',
          _allow_access_control: ['email:alice@example.com'],
        },
      },
      {
        op: 'index',
        id: 'eng-group',
        document: {
          title: 'Design review',
          body: 'Architecture review of the holiday planner',
          path: '/eng/design',
          _allow_access_control: ['group:eng', 'email:carol@example.com'],
        },
      },
    ],
    signal,
  );
  const acl = await store.openIndex({
    indexName: '.search-acl-filter-search-docs',
    kind: 'access_control',
    signal,
  });
  await acl.write(
    [
      {
        op: 'index',
        id: 'alice@example.com',
        document: toIdentityRecord({
          _id: 'alice@example.com',
          identity: { email: 'email:alice@example.com' },
          access_control: ['email:alice@example.com'],
        }),
      },
      {
        op: 'index',
        id: 'bob@example.com',
        document: toIdentityRecord({
          _id: 'bob@example.com',
          identity: { email: 'email:bob@example.com' },
          access_control: ['email:bob@example.com', 'group:eng'],
        }),
      },
    ],
    signal,
  );
}

describe('EmbeddedStore.search', () => {
  it('ranks title matches above body-only matches', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    const result = await temp.store.search('search-docs', 'holiday');

    expect(result.total).toBe(2);
    expect(result.hits.map((hit) => hit.id)).toEqual(['public', 'eng-group']);
    expect(result.hits[0]?.score).toBeGreaterThan(result.hits[1]?.score ?? Infinity);
    expect(result.hits[0]?.highlight?.['title']).toEqual(['<em>Holiday</em> calendar']);
    expect(result.hits[1]?.source).toMatchObject({ title: 'Design review', path: '/eng/design' });
  });

  it('matches stemmed terms and nested string fields', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    expect((await temp.store.search('search-docs', 'reviews')).hits.map((hit) => hit.id).sort()).toEqual([
      'alice-only',
      'eng-group',
    ]);
    expect((await temp.store.search('search-docs', 'eng')).hits.map((hit) => hit.id)).toEqual(['eng-group']);
  });

  it('requires every term with the and operator', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    const any = await temp.store.search('search-docs', 'salary architecture');
    const all = await temp.store.search('search-docs', 'salary architecture', { operator: 'and' });

    expect(any.total).toBe(2);
    expect(all.total).toBe(0);
  });

  it('treats FTS5 syntax in the query as plain text', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    for (const query of ['title:salary OR', '"unbalanced', 'NEAR(a b', 'holiday* AND NOT -', '^ : ( ) {}']) {
      await expect(temp.store.search('search-docs', query)).resolves.toHaveProperty('total');
    }
    expect((await temp.store.search('search-docs', 'title:salary')).total).toBe(0);
    expect((await temp.store.search('search-docs', '"holiday"')).total).toBe(2);
  });

  it('shows a public document to everyone and restricted ones only to allowed users and groups', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    const idsFor = async (user: string): Promise<string[]> =>
      (await temp.store.search('search-docs', 'review holiday', { user })).hits.map((hit) => hit.id).sort();

    expect(await idsFor('alice@example.com')).toEqual(['alice-only', 'public']);
    expect(await idsFor('bob@example.com')).toEqual(['eng-group', 'public']);
    expect(await idsFor('mallory@example.com')).toEqual(['public']);
  });

  it('lists only the visible documents of an empty query, with their total', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    const admin = await temp.store.search('search-docs', '');
    const unknown = await temp.store.search('search-docs', '  ', { user: 'nobody' });

    expect(admin.total).toBe(3);
    expect(admin.hits.map((hit) => hit.id)).toEqual(['alice-only', 'eng-group', 'public']);
    expect(unknown).toEqual({
      total: 1,
      hits: [{ id: 'public', score: 1, source: expect.objectContaining({ title: 'Holiday calendar' }) }],
    });
  });

  it('filters by an explicit list of principals', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    const result = await temp.store.searchWithPrincipals('search-docs', 'review', [
      'email:carol@example.com',
    ]);

    expect(result.hits.map((hit) => hit.id)).toEqual(['eng-group']);
    expect(await temp.store.principalsOf('search-docs', 'bob@example.com')).toEqual([
      'email:bob@example.com',
      'group:eng',
    ]);
  });

  it('drops a document from results once it is deleted or loses the matching text', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);
    const content = await temp.store.openIndex({ indexName: 'search-docs', kind: 'content', signal });

    await content.write(
      [
        { op: 'delete', id: 'public' },
        { op: 'index', id: 'eng-group', document: { title: 'Renamed', body: 'nothing relevant' } },
      ],
      signal,
    );

    expect((await temp.store.search('search-docs', 'holiday')).total).toBe(0);
    expect((await temp.store.search('search-docs', 'renamed')).hits.map((hit) => hit.id)).toEqual([
      'eng-group',
    ]);
  });

  it('pages with limit and offset', async () => {
    await using temp = await createTempStore();
    await temp.store.putDocuments(
      'paged',
      Array.from({ length: 25 }, (_, i) => ({
        id: `d${String(i).padStart(2, '0')}`,
        document: { title: 'same words' },
      })),
    );

    const page = await temp.store.search('paged', 'words', { limit: 10, offset: 20 });

    expect(page.total).toBe(25);
    expect(page.hits.map((hit) => hit.id)).toEqual(['d20', 'd21', 'd22', 'd23', 'd24']);
  });

  it('names a missing index and rejects bad paging', async () => {
    await using temp = await createTempStore();
    await seed(temp.store);

    await expect(temp.store.search('search-missing', 'x')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('index search-missing does not exist'),
    });
    await expect(temp.store.search('search-docs', 'x', { limit: -1 })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: ['limit: must be an integer from 0 to 10000, got -1'],
    });
  });

  it('stays fast on a few thousand matching documents (full-text table drives the join)', async () => {
    await using temp = await createTempStore();
    await temp.store.putDocuments(
      'many',
      Array.from({ length: 3000 }, (_, i) => ({
        id: `d${i}`,
        document: {
          title: `common ${i}`,
          body: 'shared words everywhere',
          _allow_access_control: [`group:g${i % 3}`],
        },
      })),
    );

    const started = performance.now();
    const result = await temp.store.searchWithPrincipals('many', 'common shared', ['group:g1'], { limit: 5 });
    const elapsedMs = performance.now() - started;

    expect(result.total).toBe(1000);
    expect(result.hits).toHaveLength(5);
    // Guards against the quadratic plan (minutes), with room for a slow CI machine.
    expect(elapsedMs).toBeLessThan(3000);
  });

  it('treats a missing, null or empty _allow_access_control as unrestricted, like the exists query of Elasticsearch', async () => {
    await using temp = await createTempStore();
    await temp.store.putDocuments('acl-shapes', [
      { id: 'missing', document: { title: 'memo' } },
      { id: 'null', document: { title: 'memo', _allow_access_control: null } },
      { id: 'empty', document: { title: 'memo', _allow_access_control: [] } },
      { id: 'single', document: { title: 'memo', _allow_access_control: 'user:ann' } },
      { id: 'restricted', document: { title: 'memo', _allow_access_control: ['user:bob'] } },
    ]);

    const nobody = await temp.store.searchWithPrincipals('acl-shapes', 'memo', []);
    const ann = await temp.store.searchWithPrincipals('acl-shapes', 'memo', ['user:ann']);

    expect(nobody.hits.map((hit) => hit.id).sort()).toEqual(['empty', 'missing', 'null']);
    expect(ann.hits.map((hit) => hit.id).sort()).toEqual(['empty', 'missing', 'null', 'single']);
  });
});
