// Text extraction per file format, with well-kept npm libraries only (no home-made binary parsers).
// Plain JavaScript on purpose: it runs inside a worker thread both from `src` (vitest) and from `dist`.
// Libraries are imported lazily, so a worker only loads what the files it meets need.

/** Extensions read as plain text (decoded, not parsed); Dropbox exports `.paper` documents as Markdown. */
export const PLAIN_TEXT_EXTENSIONS = new Set([
  '.paper',
  '.txt',
  '.text',
  '.log',
  '.md',
  '.markdown',
  '.rst',
  '.csv',
  '.tsv',
  '.json',
  '.ndjson',
  '.yaml',
  '.yml',
  '.ini',
  '.cfg',
  '.conf',
  '.toml',
  '.properties',
  '.py',
  '.rb',
  '.sh',
  '.bash',
  '.zsh',
  '.ps1',
  '.bat',
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.ts',
  '.tsx',
  '.java',
  '.kt',
  '.scala',
  '.go',
  '.rs',
  '.c',
  '.h',
  '.cc',
  '.cpp',
  '.hpp',
  '.cs',
  '.php',
  '.pl',
  '.swift',
  '.sql',
  '.r',
  '.lua',
  '.css',
  '.scss',
  '.less',
  '.tex',
]);

/** Extensions with a dedicated parser. */
export const PARSED_EXTENSIONS = new Set([
  '.pdf',
  '.docx',
  '.xlsx',
  '.xlsm',
  '.pptx',
  '.odt',
  '.ods',
  '.odp',
  '.rtf',
  '.html',
  '.htm',
  '.aspx',
  '.xhtml',
  '.eml',
  '.msg',
  '.xml',
  '.svg',
]);

/** Formats that are ZIP packages; their declared unpacked size is checked before any parser inflates them. */
const ZIP_EXTENSIONS = new Set(['.docx', '.xlsx', '.xlsm', '.pptx', '.odt', '.ods', '.odp']);

/** How deep attachments of attachments are followed (a mail inside a mail counts one level). */
const MAX_ATTACHMENT_DEPTH = 2;

/**
 * Extracts the text of one file.
 * @param {Buffer} data the whole file
 * @param {string} ext lower-cased extension with its dot
 * @param {number} [depth] attachment nesting level (internal)
 * @param {{ maxUnpackedBytes?: number }} [limits] refuse ZIP packages declaring more unpacked bytes (zip bombs)
 * @returns {Promise<string>}
 */
export async function extractText(data, ext, depth = 0, limits = {}) {
  if (data.length === 0) {
    if (PLAIN_TEXT_EXTENSIONS.has(ext)) return '';
    throw new Error('empty file');
  }
  if (ZIP_EXTENSIONS.has(ext)) {
    if (isCompoundFile(data)) {
      throw new Error(
        `the ${ext} file is password-protected (an encrypted Office package) or in a legacy binary format`,
      );
    }
    if (limits.maxUnpackedBytes !== undefined) await checkUnpackedSize(data, limits.maxUnpackedBytes);
  }
  if (PLAIN_TEXT_EXTENSIONS.has(ext)) return decodeText(data);
  switch (ext) {
    case '.pdf':
      return extractPdf(data);
    case '.docx':
      return extractDocx(data);
    case '.xlsx':
    case '.xlsm':
      return extractSpreadsheet(data);
    case '.pptx':
      return extractWithOfficeParser(data, 'pptx');
    case '.odt':
    case '.ods':
    case '.odp':
      return extractWithOfficeParser(data, ext.slice(1));
    case '.rtf':
      return extractWithOfficeParser(data, 'rtf');
    case '.html':
    case '.htm':
    case '.xhtml':
    case '.aspx':
      return htmlToText(decodeText(data, declaredCharset(data)));
    case '.eml':
      return extractEml(data, depth, limits);
    case '.msg':
      return extractMsg(data, depth, limits);
    case '.xml':
    case '.svg':
      return extractXmlText(decodeText(data, declaredCharset(data)));
    default:
      throw new Error(`unsupported extension ${ext}`);
  }
}

/**
 * True for an OLE compound file (signature D0 CF 11 E0 A1 B1 1A E1): what Office writes for encrypted
 * OOXML documents and for legacy .doc/.xls/.ppt files.
 * @param {Uint8Array} data
 */
function isCompoundFile(data) {
  const magic = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
  return data.length >= magic.length && magic.every((byte, i) => data[i] === byte);
}

/**
 * Refuses a ZIP package whose entries declare more than `max` unpacked bytes in total. Only the central
 * directory is read (fflate's filter sees each entry's declared size and inflates nothing). Parsers inflate
 * into buffers outside the worker's heap cap, so this is what keeps a zip bomb from exhausting memory.
 * A package lying about its sizes is not caught here.
 * @param {Buffer} data
 * @param {number} max
 */
async function checkUnpackedSize(data, max) {
  const { unzipSync } = await import('fflate');
  let total = 0;
  try {
    unzipSync(data, {
      filter(file) {
        total += file.originalSize;
        return false;
      },
    });
  } catch (error) {
    throw new Error(`not a valid ZIP package: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (total > max) throw new Error(`the package unpacks to ${total} bytes, over the ${max}-byte limit`);
}

/**
 * Decodes text: a UTF-8 or UTF-16 byte-order mark wins, then the charset the document declares (HTML
 * `<meta charset>`, XML `encoding=`), then UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what
 * spreadsheets and editors on Windows write).
 * @param {Uint8Array} data
 * @param {string} [declared] charset declared by the document
 */
export function decodeText(data, declared) {
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
    return new TextDecoder('utf-8').decode(data.subarray(3));
  }
  if (data.length >= 2 && data[0] === 0xff && data[1] === 0xfe)
    return new TextDecoder('utf-16le').decode(data.subarray(2));
  if (data.length >= 2 && data[0] === 0xfe && data[1] === 0xff)
    return new TextDecoder('utf-16be').decode(data.subarray(2));
  if (declared) {
    try {
      return new TextDecoder(declared).decode(data);
    } catch {
      // unknown label: fall through to detection
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return new TextDecoder('windows-1252').decode(data);
  }
}

/**
 * The charset an HTML or XML document declares in its first 2 KiB, if any.
 * @param {Uint8Array} data
 */
function declaredCharset(data) {
  const head = new TextDecoder('latin1').decode(data.subarray(0, 2048));
  const match =
    /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head) ??
    /<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)/i.exec(head);
  return match?.[1];
}

/** @param {Buffer} data */
async function extractPdf(data) {
  const { getDocumentProxy, extractText: pdfText } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), {
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    verbosity: 0,
  });
  try {
    const { text } = await pdfText(pdf, { mergePages: false });
    return text.join('\n');
  } finally {
    await pdf.loadingTask.destroy();
  }
}

/** @param {Buffer} data */
async function extractDocx(data) {
  const { default: mammoth } = await import('mammoth');
  const result = await mammoth.extractRawText({ buffer: data });
  return result.value;
}

/** @param {Buffer} data */
async function extractSpreadsheet(data) {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data);
  /** @type {string[]} */
  const lines = [];
  workbook.eachSheet((sheet) => {
    lines.push(sheet.name);
    sheet.eachRow({ includeEmpty: false }, (row) => {
      /** @type {string[]} */
      const cells = [];
      row.eachCell({ includeEmpty: false }, (cell) => {
        const text = cell.text;
        if (text !== '') cells.push(text);
      });
      if (cells.length > 0) lines.push(cells.join('\t'));
    });
  });
  return lines.join('\n');
}

/**
 * @param {Buffer} data
 * @param {string} fileType
 */
async function extractWithOfficeParser(data, fileType) {
  const { OfficeParser } = await import('officeparser');
  const ast = await OfficeParser.parseOffice(data, {
    fileType,
    ocr: false,
    extractAttachments: false,
    ignoreNotes: false,
  });
  const out = await ast.to('text');
  return typeof out.value === 'string' ? out.value : String(out.value);
}

/** @param {string} html */
async function htmlToText(html) {
  const { convert } = await import('html-to-text');
  return convert(html, {
    wordwrap: false,
    selectors: [
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'img', format: 'skip' },
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
        selector,
        options: { uppercase: false },
      })),
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      { selector: 'script', format: 'skip' },
      { selector: 'style', format: 'skip' },
    ],
  });
}

/**
 * @param {Buffer} data
 * @param {number} depth
 * @param {{ maxUnpackedBytes?: number }} limits
 */
async function extractEml(data, depth, limits) {
  const { simpleParser } = await import('mailparser');
  const mail = await simpleParser(data, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true });
  /** @type {string[]} */
  const parts = [];
  if (mail.subject) parts.push(mail.subject);
  if (mail.from?.text) parts.push(`From: ${mail.from.text}`);
  const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to?.text;
  if (to) parts.push(`To: ${to}`);
  if (typeof mail.text === 'string' && mail.text.trim() !== '') parts.push(mail.text);
  else if (typeof mail.html === 'string') parts.push(await htmlToText(mail.html));
  if (parts.length === 0) throw new Error('no message headers or body found');
  for (const attachment of mail.attachments ?? []) {
    const text = await attachmentText(attachment.filename, attachment.content, depth, limits);
    if (text !== '') parts.push(text);
  }
  return parts.join('\n');
}

/**
 * The text of a mail attachment with a supported extension ('' for others and for unreadable ones:
 * a broken attachment does not fail the whole message).
 * @param {string | undefined} filename
 * @param {Buffer} content
 * @param {number} depth
 * @param {{ maxUnpackedBytes?: number }} limits
 */
async function attachmentText(filename, content, depth, limits) {
  if (!filename || depth + 1 > MAX_ATTACHMENT_DEPTH) return '';
  const dot = filename.lastIndexOf('.');
  const ext = dot > 0 ? filename.slice(dot).toLowerCase() : '';
  if (!PLAIN_TEXT_EXTENSIONS.has(ext) && !PARSED_EXTENSIONS.has(ext)) return '';
  try {
    return await extractText(content, ext, depth + 1, limits);
  } catch {
    return '';
  }
}

/**
 * @param {Buffer} data
 * @param {number} depth
 * @param {{ maxUnpackedBytes?: number }} limits
 */
async function extractMsg(data, depth, limits) {
  const mod = await import('@kenjiuno/msgreader');
  /** @type {any} */
  const MsgReader = mod.default?.default ?? mod.default;
  const reader = new MsgReader(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const fields = reader.getFileData();
  if (fields.error) throw new Error(String(fields.error));
  /** @type {string[]} */
  const parts = [];
  if (fields.subject) parts.push(fields.subject);
  if (fields.senderName || fields.senderEmail) {
    parts.push(`From: ${[fields.senderName, fields.senderEmail].filter(Boolean).join(' ')}`);
  }
  const recipients = (fields.recipients ?? [])
    .map((/** @type {any} */ r) => r.email ?? r.name)
    .filter(Boolean);
  if (recipients.length > 0) parts.push(`To: ${recipients.join(', ')}`);
  if (typeof fields.body === 'string' && fields.body.trim() !== '') parts.push(fields.body);
  else if (typeof fields.bodyHtml === 'string') parts.push(await htmlToText(fields.bodyHtml));
  if (parts.length === 0) throw new Error('no subject or body found in the message');
  for (const attachment of fields.attachments ?? []) {
    /** @type {{ fileName?: string, content?: Uint8Array } | undefined} */
    let file;
    try {
      file = reader.getAttachment(attachment);
    } catch {
      continue;
    }
    if (!file?.content) continue;
    const text = await attachmentText(file.fileName, Buffer.from(file.content), depth, limits);
    if (text !== '') parts.push(text);
  }
  return parts.join('\n');
}

/** @param {string} xml */
async function extractXmlText(xml) {
  const { Parser } = await import('htmlparser2');
  /** @type {string[]} */
  const chunks = [];
  let current = '';
  let skip = 0;
  const flush = () => {
    const text = current.trim();
    if (skip === 0 && text !== '') chunks.push(text);
    current = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        flush();
        if (name === 'style' || name === 'script') skip += 1;
      },
      onclosetag(name) {
        flush();
        if ((name === 'style' || name === 'script') && skip > 0) skip -= 1;
      },
      ontext(text) {
        current += text;
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.write(xml);
  parser.end();
  flush();
  return chunks.join('\n');
}
