import { defineConfigFields, field } from '@connectors/framework';

/** Configuration fields of the example files source. */
export const filesConfigFields = defineConfigFields({
  root: field.str({ label: 'Root folder', order: 1, tooltip: 'Absolute path of the folder to index.' }),
  extensions: field.list({
    label: 'File extensions',
    order: 2,
    required: false,
    tooltip: 'Only files with these extensions (e.g. "md, txt"); empty means all files.',
  }),
  include_hidden: field.bool({ label: 'Include hidden files', order: 3, required: false, default: false }),
  page_size: field.int({
    label: 'Files per checkpoint',
    order: 4,
    required: false,
    default: 100,
    validations: [{ type: 'greater_than', constraint: 0 }],
    uiRestrictions: ['advanced'],
  }),
});
