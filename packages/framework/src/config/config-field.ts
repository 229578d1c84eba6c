/**
 * Kibana's configuration widgets: the set the Connector API's `_configuration` endpoint accepts (the Python
 * service's default `text` is rejected there, so string fields default to `textbox`).
 */
export type FieldDisplay = 'textbox' | 'textarea' | 'numeric' | 'toggle' | 'dropdown';
/** Value types the Connector API knows (lists are stored as comma-separated strings). */
export type FieldType = 'str' | 'int' | 'bool' | 'list';

/** A validation Kibana shows and the framework enforces. */
export type FieldValidation =
  | { readonly type: 'less_than'; readonly constraint: number }
  | { readonly type: 'greater_than'; readonly constraint: number }
  | { readonly type: 'list_type'; readonly constraint: 'int' | 'str' }
  | { readonly type: 'included_in'; readonly constraint: readonly (string | number)[] }
  | { readonly type: 'regex'; readonly constraint: string };

/** Show (and validate) a field only when another field has a given value. */
export interface FieldDependency {
  readonly field: string;
  readonly value: string | number | boolean;
}

/** A dropdown choice. */
export interface FieldOption {
  readonly label: string;
  readonly value: string;
}

type ValueOf<T extends FieldType> = T extends 'str'
  ? string
  : T extends 'int'
    ? number
    : T extends 'bool'
      ? boolean
      : string[];

/** The declaration of one configuration field. */
export interface ConfigField<T extends FieldType = FieldType, Required extends boolean = boolean> {
  readonly type: T;
  /** UI label. */
  readonly label: string;
  /** UI widget. @default derived from `type` */
  readonly display: FieldDisplay;
  /** UI order. */
  readonly order: number;
  /** Whether an empty value is an error (when its dependencies hold). @default true */
  readonly required: Required;
  /** Masked in Kibana and never printed. @default false */
  readonly sensitive: boolean;
  /** Value used when the field is empty and not required. */
  readonly defaultValue: ValueOf<T> | null;
  readonly dependsOn: readonly FieldDependency[];
  readonly validations: readonly FieldValidation[];
  readonly tooltip: string | null;
  /** `['advanced']` puts the field in Kibana's advanced section. */
  readonly uiRestrictions: readonly string[];
  readonly options: readonly FieldOption[];
  readonly placeholder: string | undefined;
}

/** Options for a field declaration. */
export interface FieldOptions<T extends FieldType, R extends boolean> {
  label: string;
  order?: number;
  required?: R;
  sensitive?: boolean;
  default?: ValueOf<T>;
  display?: FieldDisplay;
  dependsOn?: readonly FieldDependency[];
  validations?: readonly FieldValidation[];
  tooltip?: string;
  uiRestrictions?: readonly string[];
  options?: readonly FieldOption[];
  placeholder?: string;
}

const DISPLAY: Record<FieldType, FieldDisplay> = {
  str: 'textbox',
  int: 'numeric',
  bool: 'toggle',
  list: 'textarea',
};

function make<T extends FieldType, R extends boolean = true>(
  type: T,
  options: FieldOptions<T, R>,
): ConfigField<T, R> {
  return {
    type,
    label: options.label,
    display: options.display ?? (options.options?.length ? 'dropdown' : DISPLAY[type]),
    order: options.order ?? 1,
    required: (options.required ?? true) as R,
    sensitive: options.sensitive ?? false,
    defaultValue: options.default ?? null,
    dependsOn: options.dependsOn ?? [],
    validations: options.validations ?? [],
    tooltip: options.tooltip ?? null,
    uiRestrictions: options.uiRestrictions ?? [],
    options: options.options ?? [],
    placeholder: options.placeholder,
  };
}

/** Field declaration builders. */
export const field = {
  /** A string field. */
  str: <R extends boolean = true>(options: FieldOptions<'str', R>): ConfigField<'str', NoInfer<R>> =>
    make('str', options),
  /** An integer field. */
  int: <R extends boolean = true>(options: FieldOptions<'int', R>): ConfigField<'int', NoInfer<R>> =>
    make('int', options),
  /** A boolean toggle. */
  bool: <R extends boolean = true>(options: FieldOptions<'bool', R>): ConfigField<'bool', NoInfer<R>> =>
    make('bool', options),
  /** A list of strings (stored comma-separated in Kibana). */
  list: <R extends boolean = true>(options: FieldOptions<'list', R>): ConfigField<'list', NoInfer<R>> =>
    make('list', options),
};

/** A map of field key to declaration. */
export type ConfigFields = Readonly<Record<string, ConfigField>>;

/** The validated configuration type of a field map. */
export type ConfigOf<F extends ConfigFields> = {
  -readonly [K in keyof F]: F[K] extends ConfigField<infer T, infer R>
    ? R extends false
      ? ValueOf<T> | undefined
      : ValueOf<T>
    : never;
};

/** Declares a source's configuration fields (keeps literal types). */
export function defineConfigFields<const F extends ConfigFields>(fields: F): F {
  return fields;
}
