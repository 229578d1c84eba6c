import { describe, expect, it } from 'vitest';
import type { ListingEvent } from '../source/listing.js';
import { createGeneratedSource } from './generated-source.js';

async function events(listing: AsyncIterable<ListingEvent>): Promise<string[]> {
  const out: string[] = [];
  for await (const event of listing) {
    if (event.kind === 'upsert') out.push(String(event.document._id));
    else if (event.kind === 'checkpoint') out.push(`checkpoint ${JSON.stringify(event.checkpoint)}`);
    else out.push(event.kind);
  }
  return out;
}

describe('createGeneratedSource', () => {
  const source = createGeneratedSource({
    count: 5,
    pageSize: 2,
    document: (i) => (i === 3 ? undefined : { _id: `d${i}`, title: `Document ${i}` }),
  });
  const full = { jobType: 'full' as const, signal: new AbortController().signal };

  it('yields the documents that exist, a checkpoint after each page, then a cursor', async () => {
    expect(await events(source.instance.listAll({ ...full, checkpoint: undefined }))).toEqual([
      'd0',
      'd1',
      'checkpoint 0',
      'd2',
      'checkpoint 1',
      'd4',
      'checkpoint 2',
      'cursor',
    ]);
  });

  it('resumes after the checkpointed page', async () => {
    expect(await events(source.instance.listAll({ ...full, checkpoint: 1 }))).toEqual([
      'd4',
      'checkpoint 2',
      'cursor',
    ]);
  });
});
