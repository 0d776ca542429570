// What an attachment may be, judged by its content; what its stored name may contain; who may
// add and download one.
import { strToU8, zipSync } from 'fflate';
import { attachmentRefusal, checkFile, safeFileName, sniffFileKind } from '../../domain/attachments';
import type { Actor } from '../../domain/roles';

const zip = (files: Record<string, string>) => zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])));
const kind = (bytes: Uint8Array | string, name: string) =>
  sniffFileKind(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, name)?.kind ?? null;

test('PDF and images are known by their first bytes, whatever the name says', () => {
  expect(kind('%PDF-1.7\n...', 'advies.docx')).toBe('pdf');
  expect(kind('\x89PNG\r\n\x1a\n\0\0\0\rIHDR', 'x')).toBe('png');
  expect(kind('\xff\xd8\xff\xe0\0\x10JFIF\0', 'foto.png')).toBe('jpg');
  expect(kind('GIF89a\x01\0', 'a.gif')).toBe('gif');
});

test('office documents are told apart by the names inside their zip; any other zip is refused', () => {
  expect(kind(zip({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w/>' }), 'a.zip')).toBe('docx');
  expect(kind(zip({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<w/>' }), 'a')).toBe('xlsx');
  expect(kind(zip({ '[Content_Types].xml': '<Types/>', 'ppt/presentation.xml': '<p/>' }), 'a')).toBe('pptx');
  expect(kind(zip({ mimetype: 'application/vnd.oasis.opendocument.text', 'content.xml': '<c/>' }), 'a')).toBe('odt');
  expect(kind(zip({ mimetype: 'application/epub+zip' }), 'boek.odt')).toBeNull();
  expect(kind(zip({ 'run.js': 'x' }), 'stukken.docx')).toBeNull();
  expect(kind(zip({ '[Content_Types].xml': '<Types/>', 'other/x.xml': '' }), 'a.docx')).toBeNull();
});

test('the old binary Office formats are accepted under their own extension only', () => {
  const ole = '\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1' + '\0'.repeat(100);
  expect(kind(ole, 'begroting.xls')).toBe('xls');
  expect(kind(ole, 'brief.doc')).toBe('doc');
  expect(kind(ole, 'bericht.msg')).toBeNull();
});

test('text without a signature is plain text or CSV (also in a Windows code page); programs and binaries are refused', () => {
  expect(kind('school;leerlingen\nDe Linde;120\n', 'telling.csv')).toBe('csv');
  expect(kind('Gemeente Hardinxveld-Giessendam: café\xe9\r\n', 'notitie.txt')).toBe('txt');
  expect(kind('MZ\x90\0\x03\0\0\0', 'factuur.pdf')).toBeNull();
  expect(kind('\x7fELF\x02\x01\x01', 'a.txt')).toBeNull();
  expect(kind('\0\x01\x02binary', 'a.txt')).toBeNull();
});

test('a stored name has no folders or control characters, keeps a fitting extension and is at most 120 characters', () => {
  const pdf = { mime: 'application/pdf', ext: 'pdf' };
  expect(safeFileName('../../etc/passwd', pdf)).toBe('passwd.pdf');
  expect(safeFileName('C:\\Users\\anne\\Advies.PDF', pdf)).toBe('Advies.PDF');
  expect(safeFileName('a\u0000b\u202e<c>|d?.pdf', pdf)).toBe('abcd.pdf');
  expect(safeFileName('...', pdf)).toBe('bijlage.pdf');
  expect(safeFileName('foto.jpeg', { mime: 'image/jpeg', ext: 'jpg', also: ['jpeg'] })).toBe('foto.jpeg');
  expect(safeFileName('notitie.txt', { mime: 'x', ext: 'docx' })).toBe('notitie.txt.docx');
  const long = safeFileName(`${'a'.repeat(300)}.pdf`, pdf);
  expect(long).toHaveLength(120);
  expect(long.endsWith('.pdf')).toBe(true);
});

test('checkFile refuses an empty file, a file over the limit and a forbidden kind, each with its code', () => {
  expect(checkFile({ name: 'a.txt', bytes: new Uint8Array(0) }, 10)).toMatchObject({ ok: false, refusal: { code: 'attachment_empty' } });
  expect(checkFile({ name: 'a.txt', bytes: Buffer.from('x'.repeat(11)) }, 10)).toMatchObject({
    ok: false,
    refusal: { code: 'attachment_too_large', params: { maxBytes: 10 } },
  });
  expect(checkFile({ name: 'a.pdf', bytes: Buffer.from('MZ\x90\0', 'latin1') }, 100)).toMatchObject({
    ok: false,
    refusal: { code: 'attachment_type' },
  });
  expect(checkFile({ name: 'a', bytes: Buffer.from('%PDF-1.4') }, 100)).toMatchObject({ ok: true, name: 'a.pdf' });
});

test("both parties download; a question is the coordinator's, an answer the requester's, the result the staff's; others nothing", () => {
  const r = { buyer: 'ZWN', provider: 'DOR', status: 'in_progress' };
  const actor = (org: string, ...roles: string[]): Actor => ({ userId: 'u', org, roles: roles as Actor['roles'] });
  expect(attachmentRefusal('downloadAttachment', r, actor('ZWN', 'buyer_finance'))).toBeNull();
  expect(attachmentRefusal('downloadAttachment', r, actor('DOR', 'reviewer'))).toBeNull();
  expect(attachmentRefusal('downloadAttachment', r, actor('PAP', 'requester'))?.code).toBe('role_required');
  expect(attachmentRefusal('attachToAnswer', r, actor('ZWN', 'requester'))).toBeNull();
  expect(attachmentRefusal('attachToAnswer', r, actor('DOR', 'coordinator'))?.code).toBe('role_required');
  expect(attachmentRefusal('attachToQuestion', r, actor('DOR', 'coordinator'))).toBeNull();
  expect(attachmentRefusal('attachToResult', r, actor('DOR', 'staff'))).toBeNull();
  expect(attachmentRefusal('attachToResult', r, actor('ZWN', 'requester'))?.code).toBe('role_required');
});
