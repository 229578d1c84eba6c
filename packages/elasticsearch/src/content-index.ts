import type { Client } from '@elastic/elasticsearch';
import { errors } from '@elastic/elasticsearch';
import { noopLogger, type JsonObject, type Logger } from '@connectors/framework';
import { getClusterInfo, parseVersion } from './cluster-info.js';
import { assertValidIndexName } from './index-name.js';
import { withRetry, type RetryPolicy } from './retry-policy.js';

const TEXT_FIELD: JsonObject = {
  type: 'text',
  analyzer: 'iq_text_base',
  index_options: 'freqs',
  fields: {
    stem: { type: 'text', analyzer: 'iq_text_stem' },
    prefix: { type: 'text', analyzer: 'i_prefix', search_analyzer: 'q_prefix', index_options: 'docs' },
    delimiter: { type: 'text', analyzer: 'iq_text_delimiter', index_options: 'freqs' },
    joined: {
      type: 'text',
      analyzer: 'i_text_bigram',
      search_analyzer: 'q_text_bigram',
      index_options: 'freqs',
    },
    enum: { type: 'keyword', ignore_above: 2048 },
  },
};

/** Stemmer and stop words per supported language (the 8.x service's language data, English only here). */
const LANGUAGES: Record<string, { stemmer: string; stopWords: string }> = {
  en: { stemmer: 'light_english', stopWords: '_english_' },
};

/**
 * The body of `PUT <content index>` for a cluster version (spec framework 5.8): undefined (no body: ES
 * templates and dynamic mapping apply) from 9.0; on 8.x the Python service's analysis settings (BM25,
 * `iq_text_*` analyzers) and mappings (strings as text with `stem`/`prefix`/`delimiter`/`joined`/`enum`
 * sub-fields, `id` keyword, `_subextracted_*`). Unknown languages fall back to English.
 */
export function contentIndexBody(
  clusterVersion: string,
  language: string | null = 'en',
): { settings: JsonObject; mappings: JsonObject } | undefined {
  const major = parseVersion(clusterVersion)?.major ?? 9;
  if (major >= 9) return undefined;
  const code = language && LANGUAGES[language] ? language : 'en';
  const lang = LANGUAGES[code] ?? { stemmer: 'light_english', stopWords: '_english_' };
  const stem = `${code}-stem-filter`;
  const stop = `${code}-stop-words-filter`;
  const folding = ['cjk_width', 'lowercase', 'asciifolding'];
  const tokenizer = 'standard';
  return {
    settings: {
      analysis: {
        analyzer: {
          i_prefix: { tokenizer, filter: [...folding, 'front_ngram'] },
          q_prefix: { tokenizer, filter: [...folding] },
          iq_text_base: { tokenizer, filter: [...folding, stop] },
          iq_text_stem: { tokenizer, filter: [...folding, stop, stem] },
          iq_text_delimiter: { tokenizer: 'whitespace', filter: ['delimiter', ...folding, stop, stem] },
          i_text_bigram: { tokenizer, filter: [...folding, stem, 'bigram_joiner', 'bigram_max_size'] },
          q_text_bigram: {
            tokenizer,
            filter: [...folding, stem, 'bigram_joiner_unigrams', 'bigram_max_size'],
          },
        },
        filter: {
          front_ngram: { type: 'edge_ngram', min_gram: 1, max_gram: 12 },
          delimiter: {
            type: 'word_delimiter_graph',
            generate_word_parts: 'true',
            generate_number_parts: 'true',
            catenate_words: 'true',
            catenate_numbers: 'true',
            catenate_all: 'true',
            preserve_original: 'false',
            split_on_case_change: 'true',
            split_on_numerics: 'true',
            stem_english_possessive: 'true',
          },
          bigram_joiner: {
            type: 'shingle',
            token_separator: '',
            max_shingle_size: 2,
            output_unigrams: 'false',
          },
          bigram_joiner_unigrams: {
            type: 'shingle',
            token_separator: '',
            max_shingle_size: 2,
            output_unigrams: 'true',
          },
          bigram_max_size: { type: 'length', min: 0, max: 16 },
          [stem]: { type: 'stemmer', name: lang.stemmer },
          [stop]: { type: 'stop', stopwords: lang.stopWords },
        },
      },
      index: { similarity: { default: { type: 'BM25' } } },
    },
    mappings: {
      dynamic: 'true',
      dynamic_templates: [{ data: { match_mapping_type: 'string', mapping: TEXT_FIELD } }],
      properties: {
        id: { type: 'keyword' },
        _subextracted_as_of: { type: 'date' },
        _subextracted_version: { type: 'keyword' },
      },
    },
  };
}

/** Options of {@link ensureContentIndex}. */
export interface EnsureIndexOptions {
  readonly signal: AbortSignal;
  readonly policy: RetryPolicy;
  readonly language?: string | null;
  readonly logger?: Logger;
}

/**
 * Creates the content index when neither an index nor an alias of that name exists, with the body
 * {@link contentIndexBody} gives for the cluster's version. Checks the name locally first (ConfigError).
 * Returns true when it created the index. A concurrent creation by another process is not an error.
 */
export async function ensureContentIndex(
  client: Client,
  indexName: string,
  options: EnsureIndexOptions,
): Promise<boolean> {
  assertValidIndexName(indexName);
  const { signal, policy } = options;
  const logger = options.logger ?? noopLogger;
  const exists = await withRetry(
    `Checking index [${indexName}]`,
    () => client.indices.exists({ index: indexName }, { signal }),
    { policy, signal },
  );
  if (exists) return false;
  const info = await getClusterInfo(client, { policy, signal });
  const body = contentIndexBody(info.version, options.language ?? 'en');
  try {
    await withRetry(
      `Creating index [${indexName}]`,
      () => client.indices.create({ index: indexName, ...(body ?? {}) }, { signal }),
      { policy, signal },
    );
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof errors.ResponseError && isAlreadyExists(cause.body)) return false;
    throw error;
  }
  logger.info({ index: indexName, clusterVersion: info.version }, 'Created the content index');
  return true;
}

function isAlreadyExists(body: unknown): boolean {
  const type = (body as { error?: { type?: unknown } } | undefined)?.error?.type;
  return type === 'resource_already_exists_exception';
}
