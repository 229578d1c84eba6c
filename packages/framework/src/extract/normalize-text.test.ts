import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize-text.mjs';

describe('normalizeText', () => {
  it('reduces whitespace runs to one space and trims when asked', () => {
    expect(normalizeText('  a \n\n\t b  ', { reduceWhitespace: true, maxTextLength: 100 })).toEqual({
      body: 'a b',
      truncated: false,
    });
  });

  it('keeps whitespace when not asked but always drops U+FFFD and NUL', () => {
    expect(normalizeText('a\uFFFD\n\u0000b', { reduceWhitespace: false, maxTextLength: 100 })).toEqual({
      body: 'a\nb',
      truncated: false,
    });
  });

  it('truncates at the cap and flags it', () => {
    expect(normalizeText('abcdef', { reduceWhitespace: false, maxTextLength: 4 })).toEqual({
      body: 'abcd',
      truncated: true,
    });
    expect(normalizeText('abcd', { reduceWhitespace: false, maxTextLength: 4 })).toEqual({
      body: 'abcd',
      truncated: false,
    });
  });

  it('never cuts a surrogate pair in half', () => {
    const result = normalizeText('ab😀cd', { reduceWhitespace: false, maxTextLength: 3 });
    expect(result).toEqual({ body: 'ab', truncated: true });
  });
});
