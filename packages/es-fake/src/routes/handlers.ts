import { executeBulk } from '../bulk.js';
import type { Handler } from '../fake-context.js';
import {
  info,
  ingestDeletePipeline,
  ingestGetPipeline,
  ingestPutPipeline,
  licenseGet,
  ping,
  securityAuthenticate,
  securityCreateApiKey,
} from './cluster-routes.js';
import { CONNECTOR_HANDLERS } from './connector-routes.js';
import {
  createDoc,
  deleteDoc,
  existsDoc,
  getDoc,
  getSource,
  indexDoc,
  mget,
  updateDoc,
} from './document-routes.js';
import {
  indicesCreate,
  indicesDelete,
  indicesDeleteAlias,
  indicesExists,
  indicesExistsAlias,
  indicesGet,
  indicesGetAlias,
  indicesGetMapping,
  indicesGetSettings,
  indicesPutAlias,
  indicesPutMapping,
  indicesRefresh,
  indicesUpdateAliases,
} from './index-routes.js';
import { clearScroll, closePit, count, deleteByQuery, openPit, scroll, search } from './search-routes.js';

const bulk: Handler = (req, ctx) => ({ body: executeBulk(req, ctx) });

/** Route handlers by REST API name; any other API answers 400 `fake: unsupported`. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  info,
  ping,
  'license.get': licenseGet,
  'security.authenticate': securityAuthenticate,
  'security.create_api_key': securityCreateApiKey,
  'ingest.get_pipeline': ingestGetPipeline,
  'ingest.put_pipeline': ingestPutPipeline,
  'ingest.delete_pipeline': ingestDeletePipeline,
  'indices.create': indicesCreate,
  'indices.delete': indicesDelete,
  'indices.exists': indicesExists,
  'indices.get': indicesGet,
  'indices.get_settings': indicesGetSettings,
  'indices.get_mapping': indicesGetMapping,
  'indices.put_mapping': indicesPutMapping,
  'indices.refresh': indicesRefresh,
  'indices.update_aliases': indicesUpdateAliases,
  'indices.put_alias': indicesPutAlias,
  'indices.get_alias': indicesGetAlias,
  'indices.exists_alias': indicesExistsAlias,
  'indices.delete_alias': indicesDeleteAlias,
  index: indexDoc,
  create: createDoc,
  get: getDoc,
  exists: existsDoc,
  get_source: getSource,
  delete: deleteDoc,
  update: updateDoc,
  mget,
  bulk,
  search,
  count,
  open_point_in_time: openPit,
  close_point_in_time: closePit,
  scroll,
  clear_scroll: clearScroll,
  delete_by_query: deleteByQuery,
  ...CONNECTOR_HANDLERS,
};
