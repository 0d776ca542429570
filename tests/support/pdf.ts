// The text of a PDF, extracted by pdf-text.cjs in a child process (pdf.js needs dynamic
// imports that Jest's module sandbox does not provide).
import { execFile } from 'node:child_process';
import path from 'node:path';

export function pdfText(buf: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [path.join(__dirname, 'pdf-text.cjs')], { maxBuffer: 10_000_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
    child.stdin!.end(buf);
  });
}
