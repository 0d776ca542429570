// multipart/form-data for the few forms with a file field (the key-figure CSV import), read by
// multer (busboy underneath) into memory with a size limit. Text fields and the files' text end
// up in req.body like urlencoded fields, so the CSRF check (which runs after this) and the
// pages read them the same way. Only UTF-8 text files.
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { refuse } from '../domain/refusals';

export function multipartForm(limitBytes: number): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: limitBytes, fieldSize: 100 * 1024, files: 1, fields: 10, parts: 12 },
  }).any();
  return (req, res, next) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return next();
    upload(req, res, (err: unknown) => {
      // Too large a file or too many parts: refused as too large; anything else cannot be read.
      if (err instanceof multer.MulterError)
        return next(
          err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE' || err.code === 'LIMIT_PART_COUNT'
            ? refuse('body_too_large', { limitBytes }, 'file')
            : refuse('invalid_input', { problem: 'invalid' }, 'file'),
        );
      if (err) return next(refuse('invalid_input', { problem: 'invalid' }, 'file'));
      const body: Record<string, string> = {};
      for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) if (typeof v === 'string') body[k] = v;
      // A file field holds the file's text (empty when no file was chosen).
      for (const f of (req.files ?? []) as Express.Multer.File[]) body[f.fieldname] = f.buffer.toString('utf8');
      req.body = body;
      delete req.files;
      next();
    });
  };
}

/** The files of an attachment form, and the refusal when one was too large (the form shows it on its file field). */
export interface Uploads {
  files: { name: string; bytes: Uint8Array }[];
  refusal: ReturnType<typeof refuse> | null;
}
const UPLOADS = Symbol('uploads');
export const uploadsOf = (req: Request): Uploads => (req as Request & { [UPLOADS]?: Uploads })[UPLOADS] ?? { files: [], refusal: null };

/**
 * multipart/form-data for forms with attachments (field "bestanden", up to 5 files of at most
 * maxBytes each), kept as bytes. A file that is too large does not end the request: the
 * fields before it (the CSRF token comes first on every form) are read, and the page shows
 * the refusal on the form. Empty file fields (nothing chosen) are left out.
 */
export function attachmentForm(maxBytes: number): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, fieldSize: 100 * 1024, files: 5, fields: 20, parts: 26 },
  }).any();
  return (req, res, next) => {
    if (req.method !== 'POST' || !req.is('multipart/form-data')) return next();
    upload(req, res, (err: unknown) => {
      const tooLarge = err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE';
      if (err && !tooLarge) return next(refuse('invalid_input', { problem: 'invalid' }, 'bestanden'));
      const body: Record<string, string> = {};
      for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, unknown>)) if (typeof v === 'string') body[k] = v;
      req.body = body;
      const files = ((req.files ?? []) as Express.Multer.File[])
        .filter((f) => f.originalname || f.size > 0)
        .map((f) => ({ name: f.originalname, bytes: f.buffer }));
      delete req.files;
      (req as Request & { [UPLOADS]?: Uploads })[UPLOADS] = {
        files: tooLarge ? [] : files,
        refusal: tooLarge ? refuse('attachment_too_large', { maxBytes }, 'bestanden') : null,
      };
      next();
    });
  };
}
