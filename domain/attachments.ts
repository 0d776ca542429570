// Attachments of a request: which files are allowed (judged by their content, never by the
// name a person gave them), what a stored name may contain, and who may add or download one.
// A file's kind is read from its first bytes (magic-bytes.js); an office document is a zip
// container, so its entry names (fflate, without unpacking) tell a .docx from any other zip.
import { unzipSync } from 'fflate';
import { filetypeinfo } from 'magic-bytes.js';
import { createAccess, type AccessRule } from './access';
import { refuse, type Refusal } from './refusals';
import type { Actor } from './roles';

/** Where on the request an attachment was added. */
export const ATTACHMENT_CONTEXTS = ['request', 'question', 'answer', 'result'] as const;
export type AttachmentContext = (typeof ATTACHMENT_CONTEXTS)[number];

export interface FileKind {
  mime: string;
  /** The extension a stored name gets; a name with one of `also` keeps its own. */
  ext: string;
  also?: readonly string[];
}

const KINDS = {
  pdf: { mime: 'application/pdf', ext: 'pdf' },
  png: { mime: 'image/png', ext: 'png' },
  jpg: { mime: 'image/jpeg', ext: 'jpg', also: ['jpeg'] },
  gif: { mime: 'image/gif', ext: 'gif' },
  webp: { mime: 'image/webp', ext: 'webp' },
  tif: { mime: 'image/tiff', ext: 'tif', also: ['tiff'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx' },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', ext: 'pptx' },
  odt: { mime: 'application/vnd.oasis.opendocument.text', ext: 'odt' },
  ods: { mime: 'application/vnd.oasis.opendocument.spreadsheet', ext: 'ods' },
  odp: { mime: 'application/vnd.oasis.opendocument.presentation', ext: 'odp' },
  doc: { mime: 'application/msword', ext: 'doc' },
  xls: { mime: 'application/vnd.ms-excel', ext: 'xls' },
  ppt: { mime: 'application/vnd.ms-powerpoint', ext: 'ppt' },
  csv: { mime: 'text/csv', ext: 'csv' },
  txt: { mime: 'text/plain', ext: 'txt' },
} as const satisfies Record<string, FileKind>;
export type FileKindName = keyof typeof KINDS;

const extensionOf = (name: string) => /\.([a-z0-9]{1,8})$/i.exec(name)?.[1]?.toLowerCase() ?? '';

/** The names inside a zip, read from its directory without unpacking anything; null when it is no zip. */
function zipEntries(bytes: Uint8Array): string[] | null {
  const names: string[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        names.push(f.name);
        return f.name === 'mimetype' && f.originalSize < 100;
      },
    });
  } catch {
    return names.length ? names : null;
  }
  return names;
}

/** An OpenDocument file names its type in an uncompressed first entry called `mimetype`. */
function openDocumentType(bytes: Uint8Array): string | null {
  try {
    const files = unzipSync(bytes, { filter: (f) => f.name === 'mimetype' && f.originalSize < 100 });
    return files.mimetype ? new TextDecoder().decode(files.mimetype).trim() : null;
  } catch {
    return null;
  }
}

function officeZip(bytes: Uint8Array): FileKindName | null {
  const names = zipEntries(bytes);
  if (!names) return null;
  if (names.includes('[Content_Types].xml')) {
    if (names.some((n) => n.startsWith('word/'))) return 'docx';
    if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
    if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
    return null;
  }
  const odf = names.includes('mimetype') ? openDocumentType(bytes) : null;
  const found = (Object.keys(KINDS) as FileKindName[]).find((k) => ['odt', 'ods', 'odp'].includes(k) && KINDS[k].mime === odf);
  return found ?? null;
}

/**
 * Text without a signature: UTF-8 (or a Windows code page, as spreadsheets export CSV) with no
 * control characters other than tab, line ends and form feed in its first 64 kB.
 */
function isPlainText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 64 * 1024);
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c) return false;
  return head.length > 0;
}

/** The file's kind read from its content, or null when it is none of the allowed kinds. */
export function sniffFileKind(bytes: Uint8Array, fileName: string): (FileKind & { kind: FileKindName }) | null {
  const ext = extensionOf(fileName);
  const guesses = filetypeinfo(bytes.subarray(0, 4096)).map((g) => g.typename);
  const pick = (kind: FileKindName) => ({ kind, ...KINDS[kind] });
  if (guesses.includes('pdf')) return pick('pdf');
  for (const image of ['png', 'gif', 'webp'] as const) if (guesses.includes(image)) return pick(image);
  if (guesses.includes('jpg') || guesses.includes('jpeg')) return pick('jpg');
  if (guesses.includes('tif') || guesses.includes('tiff')) return pick('tif');
  if (guesses.includes('zip')) {
    const office = officeZip(bytes);
    return office ? pick(office) : null;
  }
  // The old binary Office formats share one container; the name tells which program made it.
  if (guesses.includes('doc') || guesses.includes('xls') || guesses.includes('ppt')) {
    return ext === 'xls' || ext === 'ppt' || ext === 'doc' ? pick(ext) : null;
  }
  // Weak signatures (a text starting with "G" looks like an MPEG stream, with "MZ" like a
  // program) do not make text binary: a real binary has control bytes early on, and a text
  // file is only ever sent back as a text/plain download.
  if (isPlainText(bytes)) return pick(ext === 'csv' ? 'csv' : 'txt');
  return null;
}

/**
 * A file name that is safe to store and to send back: no folders, no control or reserved
 * characters, at most 120 characters, and the extension of its real kind.
 */
export function safeFileName(name: string, kind: FileKind): string {
  const base = name.normalize('NFC').split(/[\\/]/).pop() ?? '';
  let clean = base
    .replace(/[\p{Cc}\p{Cf}<>:"|?*]/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  const ext = extensionOf(clean);
  const own = ext === kind.ext || (kind.also ?? []).includes(ext);
  // The person's own spelling of a fitting extension stays (Advies.PDF).
  const suffix = own ? clean.slice(-ext.length) : kind.ext;
  let stem = own ? clean.slice(0, -(ext.length + 1)).replace(/[.\s]+$/, '') : clean;
  if (!stem) stem = 'bijlage';
  stem = stem.slice(0, 120 - suffix.length - 1).trimEnd();
  clean = `${stem}.${suffix}`;
  return clean;
}

/** The size limit in bytes: ATTACHMENT_MAX_MB, 20 MB by default. */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

/** Checks a file before anything is stored: not empty, not too big, an allowed kind. */
export function checkFile(
  file: { name: string; bytes: Uint8Array },
  maxBytes: number,
): { ok: true; kind: FileKind & { kind: FileKindName }; name: string } | { ok: false; refusal: Refusal } {
  if (file.bytes.length === 0) return { ok: false, refusal: refuse('attachment_empty', { name: file.name.slice(0, 120) }, 'file') };
  if (file.bytes.length > maxBytes) return { ok: false, refusal: refuse('attachment_too_large', { maxBytes }, 'file') };
  const kind = sniffFileKind(file.bytes, file.name);
  if (!kind) return { ok: false, refusal: refuse('attachment_type', { name: file.name.slice(0, 120) }, 'file') };
  return { ok: true, kind, name: safeFileName(file.name, kind) };
}

// ---- who may add and download -------------------------------------------------------------

type Side = 'buyer' | 'provider';
const everyoneOf = (side: Side) =>
  (['requester', 'buyer_finance', 'coordinator', 'staff', 'reviewer', 'provider_finance', 'admin'] as const).map(
    (role) => [side, role] as const,
  );

/**
 * Both parties add files to the request and download every file of it. A question is the
 * provider's, an answer the buyer's, the result (the deliverable) the provider's staff's.
 */
export const ATTACHMENT_ACTIONS = {
  attachToRequest: { by: [...everyoneOf('buyer'), ...everyoneOf('provider')] },
  attachToQuestion: { by: [['provider', 'coordinator']] },
  attachToAnswer: { by: [['buyer', 'requester']] },
  attachToResult: { by: [['provider', 'staff']] },
  downloadAttachment: { by: [...everyoneOf('buyer'), ...everyoneOf('provider')] },
} as const satisfies Record<string, AccessRule<Side, string, never>>;
export type AttachmentAction = keyof typeof ATTACHMENT_ACTIONS;

export const ATTACH_ACTION_OF: Record<AttachmentContext, AttachmentAction> = {
  request: 'attachToRequest',
  question: 'attachToQuestion',
  answer: 'attachToAnswer',
  result: 'attachToResult',
};

const access = createAccess<Side, string, never, AttachmentAction>({
  table: ATTACHMENT_ACTIONS,
  conditions: {},
  stateRefusal: (action, status) => refuse('action_not_in_state', { action, status }),
});

export function attachmentRefusal(action: AttachmentAction, r: { buyer: string; provider: string; status: string }, actor: Actor) {
  return access.check(action, { ...r, parties: { buyer: r.buyer, provider: r.provider } }, actor);
}
