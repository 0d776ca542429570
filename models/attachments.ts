// Attachments live in the database with GridFS (bucket "attachments"), on MongoDB 7 and on
// FerretDB alike (tests/integration/attachments.test.ts runs it on FerretDB). GridFS writes
// the chunks first and the file document last: the file document is the commit point. A file
// whose upload broke off leaves chunks without a file document, which removeOrphanChunks
// clears; nothing lists or serves a file without its document.
import { mongo } from 'mongoose';
import type { AttachmentContext } from '../domain/attachments';
import type { Models } from './index';

export interface AttachmentMeta {
  requestId: string;
  context: AttachmentContext;
  /** The question (and its answer) it belongs to, counted from 0. */
  clarification: number | null;
  org: string;
  uploadedBy: string;
  /** The name as the uploader's computer gave it (the stored filename is made safe). */
  originalName: string;
  sha256: string;
  /** Whether a virus scanner saw it: "clean", or "not_scanned" when none is configured. */
  scan: 'clean' | 'not_scanned';
}

export interface AttachmentFile {
  _id: string;
  filename: string;
  length: number;
  contentType: string;
  uploadDate: Date;
  metadata: AttachmentMeta;
}

const BUCKET = 'attachments';

export function attachmentStore(models: Models) {
  const db = () => models.Request.db.db!;
  const bucket = () => new mongo.GridFSBucket(db(), { bucketName: BUCKET });
  const files = () => db().collection<AttachmentFile>(`${BUCKET}.files`);
  let indexed: Promise<unknown> | null = null;
  const ensureIndex = () =>
    (indexed ??= files()
      .createIndex({ 'metadata.requestId': 1, uploadDate: 1 })
      .catch(() => (indexed = null)));

  return {
    async byId(id: string): Promise<AttachmentFile | null> {
      return files().findOne({ _id: id });
    },

    async ofRequest(requestId: string): Promise<AttachmentFile[]> {
      await ensureIndex();
      return files().find({ 'metadata.requestId': requestId }).sort({ uploadDate: 1, _id: 1 }).toArray();
    },

    /**
     * Stores the bytes under the given id. A repeat with the same id (an Idempotency-Key)
     * finds the file already there; a failure part-way removes what was written.
     */
    async put(id: string, file: { name: string; contentType: string; bytes: Uint8Array }, metadata: AttachmentMeta) {
      await ensureIndex();
      const existing = await files().findOne({ _id: id });
      if (existing) return existing;
      const upload = bucket().openUploadStreamWithId(id as never, file.name, { metadata, contentType: file.contentType } as never);
      try {
        await new Promise<void>((resolve, reject) => {
          upload.once('finish', () => resolve());
          upload.once('error', reject);
          upload.end(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
        });
      } catch (err) {
        await db()
          .collection(`${BUCKET}.chunks`)
          .deleteMany({ files_id: id })
          .catch(() => undefined);
        throw err;
      }
      return (await files().findOne({ _id: id }))!;
    },

    /** The file's content as a stream. */
    open(id: string) {
      return bucket().openDownloadStream(id as never);
    },

    /** Removes one file, its chunks with it. */
    async removeOne(id: string): Promise<void> {
      await bucket().delete(id as never);
    },

    /** Removes every attachment of a request (the retention clean-up). */
    async removeOfRequest(requestId: string): Promise<number> {
      const all = await files().find({ 'metadata.requestId': requestId }).project({ _id: 1 }).toArray();
      for (const f of all) await bucket().delete(f._id as never);
      return all.length;
    },

    /** Chunks of uploads that broke off before their file document was written, older than a day. */
    async removeOrphanChunks(now = Date.now()): Promise<number> {
      const chunks = db().collection<{ _id: mongo.ObjectId; files_id: string; n: number }>(`${BUCKET}.chunks`);
      // A chunk's ObjectId carries the time it was written: an upload under way is never touched.
      const firsts = (await chunks.find({ n: 0 }).project<{ _id: mongo.ObjectId; files_id: string }>({ files_id: 1 }).toArray()).filter(
        (c) => c._id.getTimestamp().getTime() < now - 24 * 3600_000,
      );
      const ids = firsts.map((c) => c.files_id);
      const known = new Set(
        (
          await files()
            .find({ _id: { $in: ids } })
            .project({ _id: 1 })
            .toArray()
        ).map((f) => f._id),
      );
      const orphans = ids.filter((id) => !known.has(id));
      if (orphans.length) await chunks.deleteMany({ files_id: { $in: orphans } });
      return orphans.length;
    },
  };
}
export type AttachmentStore = ReturnType<typeof attachmentStore>;
