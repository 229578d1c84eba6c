import type { Filter, FilteringValidation } from '../control-plane/records.js';
import type { JsonValue } from '../document/json.js';
import type { SourceCapabilities, SourceInstance } from '../source/define-source.js';
import { toConnectorError } from '../errors/to-connector-error.js';
import { validateBasicRules } from './validate-basic-rules.js';

/** The id that advanced-rule errors carry in a validation result. */
export const ADVANCED_RULES_ID = 'advanced_snippet';

/** Options of {@link validateFilter}. */
export interface ValidateFilterOptions {
  readonly filter: Pick<Filter, 'rules' | 'advanced_snippet'> | undefined | null;
  readonly capabilities: SourceCapabilities;
  /** The live instance, whose `validateAdvancedRules` checks the advanced snippet. */
  readonly instance?: Pick<SourceInstance, 'validateAdvancedRules'>;
  readonly signal: AbortSignal;
}

/** True when an advanced snippet holds something (not null, `{}`, `[]` or an empty string). */
export function hasAdvancedRules(value: JsonValue | undefined): value is JsonValue {
  if (value === undefined || value === null || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * Validates a whole filter: basic rules (when the source applies them) plus the advanced snippet through the
 * source's `validateAdvancedRules` (only when non-empty). An advanced snippet for a source without advanced
 * rules is invalid. Returns `{state, errors}` as the connector record stores it.
 */
export async function validateFilter(options: ValidateFilterOptions): Promise<FilteringValidation> {
  const { filter, capabilities, instance, signal } = options;
  const errors: FilteringValidation['errors'] = [];
  if (capabilities.basicRules !== false) errors.push(...validateBasicRules(filter?.rules ?? []).errors);
  const advanced = filter?.advanced_snippet?.value;
  if (hasAdvancedRules(advanced)) {
    if (!capabilities.advancedRules) {
      errors.push({
        ids: [ADVANCED_RULES_ID],
        messages: ['Advanced rules are not supported by this source'],
      });
    } else if (instance?.validateAdvancedRules) {
      try {
        const result = await instance.validateAdvancedRules(advanced, signal);
        if (result.errors.length > 0) errors.push({ ids: [ADVANCED_RULES_ID], messages: [...result.errors] });
      } catch (error) {
        const normalized = toConnectorError(error, 'Advanced rules validation');
        if (normalized.code === 'ABORTED') throw normalized;
        errors.push({ ids: [ADVANCED_RULES_ID], messages: [normalized.message] });
      }
    }
  }
  return { state: errors.length === 0 ? 'valid' : 'invalid', errors };
}
