import type { Handler } from '../fake-context.js';

/** Connector API handlers by REST API name. */
export const CONNECTOR_HANDLERS: Readonly<Record<string, Handler>> = {};
