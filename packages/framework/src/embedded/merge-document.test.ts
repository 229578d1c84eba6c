import { describe, expect, it } from 'vitest';
import { mergeDocument } from './merge-document.js';

describe('mergeDocument', () => {
  it('merges nested objects, replaces arrays and scalars, sets nulls and ignores undefined', () => {
    const target = { a: { b: 1, c: [1, 2], d: { e: 'x' } }, keep: true, gone: 'soon' };

    const merged = mergeDocument(target, { a: { c: [3], d: null }, gone: null, skipped: undefined });

    expect(merged).toEqual({ a: { b: 1, c: [3], d: null }, keep: true, gone: null });
    expect(target).toEqual({ a: { b: 1, c: [1, 2], d: { e: 'x' } }, keep: true, gone: 'soon' });
  });

  it('replaces an object with an array and an array with an object', () => {
    expect(mergeDocument({ a: { x: 1 }, b: [1] }, { a: [1], b: { y: 2 } })).toEqual({ a: [1], b: { y: 2 } });
  });
});
