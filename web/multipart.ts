// A small multipart/form-data reader for the few forms with a file field (the key-figure CSV
// import). Text fields and the files' text end up in req.body like urlencoded fields, so the
// CSRF check and the pages read them the same way. Only UTF-8 text files; a size limit.
import type { RequestHandler } from 'express';
import { DomainError } from '../domain/errors';

/** Parses a multipart body into fields; a file field holds the file's text (empty when no file was chosen). */
export function parseMultipart(body: Buffer, boundary: string): Record<string, string> {
  const out: Record<string, string> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const part = body.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
      if (name) out[name] = part.subarray(headerEnd + 4).toString('utf8');
    }
    start = next;
  }
  return out;
}

export function multipartForm(limitBytes: number): RequestHandler {
  return (req, _res, next) => {
    const type = req.get('content-type') ?? '';
    if (req.method !== 'POST' || !/^multipart\/form-data/i.test(type)) return next();
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
    if (!boundary) return next(new DomainError('BadInput', 'multipart without boundary'));
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limitBytes && !failed) {
        failed = true;
        next(new DomainError('BadInput', 'the upload is too large'));
      }
      if (!failed) chunks.push(c);
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        next(err);
      }
    });
    req.on('end', () => {
      if (failed) return;
      req.body = parseMultipart(Buffer.concat(chunks), boundary[1] ?? boundary[2]!);
      next();
    });
  };
}
