// Attachments of a request: files on the request itself, on a question or its answer, and the
// result (the deliverable). Every file is checked before anything is stored (size, kind by
// content, a virus scan when a ClamAV daemon is configured); only the parties of the request
// list and download them, and every upload and download is in the audit trail.
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { ulid } from 'ulid';
import { z } from 'zod';
import {
  ATTACH_ACTION_OF,
  ATTACHMENT_CONTEXTS,
  attachmentRefusal,
  checkFile,
  DEFAULT_ATTACHMENT_MAX_BYTES,
  type AttachmentContext,
  type FileKind,
} from '../../domain/attachments';
import type { RequestAction } from '../../domain/lifecycle';
import { notFound, refuse } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import { scanWithClamd } from '../../lib/clamav';
import { attachmentStore, type AttachmentFile } from '../../models/attachments';
import { appendAudit, appendNextAudit } from '../../models/audit';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';
import { parseInput } from '../core/input';
import { idempotencyKeyNow, idFromKey } from '../core/request-context';
import type { RequestFeature } from '../requests';

/** A file as the transport received it. */
export interface IncomingFile {
  name: string;
  bytes: Uint8Array;
}

/** A file that passed every check and may be stored. */
export interface CheckedFile {
  name: string;
  originalName: string;
  kind: FileKind;
  bytes: Uint8Array;
  scan: 'clean' | 'not_scanned';
}

export const attachSchema = z.object({
  context: z.enum(ATTACHMENT_CONTEXTS).default('request'),
});

/** The action whose form may carry files, and where on the request they land. */
const CONTEXT_OF_ACTION: Partial<Record<RequestAction, AttachmentContext>> = {
  askClarification: 'question',
  answerClarification: 'answer',
  submitResult: 'result',
};

export function attachmentFeature(deps: AppDeps, directory: Directory, requests: RequestFeature) {
  const { models } = deps;
  const store = attachmentStore(models);
  const maxBytes = deps.attachments?.maxBytes ?? DEFAULT_ATTACHMENT_MAX_BYTES;
  const clamd = deps.attachments?.clamd ?? null;

  /** Size, kind and virus scan; refuses with a Dutch-translatable code, stores nothing. */
  async function check(file: IncomingFile | null | undefined): Promise<CheckedFile> {
    if (!file) throw refuse('attachment_missing', {}, 'file');
    const checked = checkFile(file, maxBytes);
    if (!checked.ok) throw checked.refusal;
    let scan: CheckedFile['scan'] = 'not_scanned';
    if (clamd) {
      const result = await scanWithClamd(file.bytes, clamd).catch(() => {
        throw refuse('virus_scanner_unavailable', {}, 'file');
      });
      if (!result.clean) throw refuse('attachment_infected', { name: checked.name, signature: result.signature }, 'file');
      scan = 'clean';
    }
    return { name: checked.name, originalName: file.name.slice(0, 500), kind: checked.kind, bytes: file.bytes, scan };
  }

  async function view(f: AttachmentFile) {
    const names = await directory.userNames([f.metadata.uploadedBy]);
    return {
      id: f._id,
      requestId: f.metadata.requestId,
      name: f.filename,
      contentType: f.contentType,
      size: f.length,
      context: f.metadata.context,
      clarification: f.metadata.clarification,
      uploadedBy: f.metadata.uploadedBy,
      uploadedByName: names.get(f.metadata.uploadedBy) ?? f.metadata.uploadedBy,
      org: f.metadata.org,
      uploadedAt: f.uploadDate.toISOString(),
      scan: f.metadata.scan,
      sha256: f.metadata.sha256,
    };
  }

  /** Stores checked files on a request the caller may attach to there (the rule table decides). */
  async function store_(
    actor: Actor,
    s: { requestId: string; buyer: string; provider: string; status: string; clarifications: readonly unknown[] },
    files: CheckedFile[],
    context: AttachmentContext,
    clarification: number | null,
  ) {
    const refusal = attachmentRefusal(ATTACH_ACTION_OF[context], s, actor);
    if (refusal) throw refusal;
    const key = idempotencyKeyNow();
    const stored: AttachmentFile[] = [];
    try {
      for (const [i, f] of files.entries()) {
        const id = key ? idFromKey(`${key}#${i}`, 'attachment') : ulid();
        const at = new Date().toISOString();
        const file = await store.put(
          id,
          { name: f.name, contentType: f.kind.mime, bytes: f.bytes },
          {
            requestId: s.requestId,
            context,
            clarification,
            org: actor.org,
            uploadedBy: actor.userId,
            originalName: f.originalName,
            sha256: crypto.createHash('sha256').update(f.bytes).digest('hex'),
            scan: f.scan,
          },
        );
        stored.push(file);
        await appendAudit(models, `attachment-${id}`, {
          seq: 1,
          action: 'addAttachment',
          actor,
          at,
          before: null,
          after: { requestId: s.requestId, context, name: f.name, size: f.bytes.length, sha256: file.metadata.sha256 },
        });
      }
    } catch (err) {
      // Nothing half-stored: the files of this call that did land are removed again.
      for (const f of stored) await store.removeOne(f._id).catch(() => undefined);
      throw err;
    }
    return Promise.all(stored.map(view));
  }

  /** Adds one file to a request (on the request, or with the latest question, answer or result). */
  async function add(actor: Actor, requestId: string, file: IncomingFile | null | undefined, raw: unknown) {
    const s = await requests.state(actor, requestId);
    const input = parseInput(attachSchema, raw);
    const refusal = attachmentRefusal(ATTACH_ACTION_OF[input.context], s, actor);
    if (refusal) throw refusal;
    const checked = await check(file);
    const clarification = input.context === 'question' || input.context === 'answer' ? Math.max(0, s.clarifications.length - 1) : null;
    const [view_] = await store_(actor, s, [checked], input.context, s.clarifications.length ? clarification : null);
    return view_!;
  }

  /**
   * An action of the request with files on its form (a question, an answer, the result): the
   * files are checked first, stored, then the action runs; when the action is refused, the
   * files are removed again, so a refusal leaves nothing behind.
   */
  async function actWithFiles(actor: Actor, requestId: string, action: RequestAction, input: unknown, files: IncomingFile[]) {
    const context = CONTEXT_OF_ACTION[action];
    if (!files.length || !context) return requests.act(actor, requestId, action, input);
    const s = await requests.state(actor, requestId);
    const refusal = attachmentRefusal(ATTACH_ACTION_OF[context], s, actor);
    if (refusal) throw refusal;
    const checked: CheckedFile[] = [];
    for (const f of files) checked.push(await check(f));
    const clarification =
      context === 'question' ? s.clarifications.length : context === 'answer' ? s.clarifications.findIndex((c) => c.answer === null) : null;
    const stored = await store_(actor, s, checked, context, clarification === -1 ? null : clarification);
    try {
      return await requests.act(actor, requestId, action, input);
    } catch (err) {
      for (const f of stored) await store.removeOne(f.id).catch(() => undefined);
      throw err;
    }
  }

  /** The attachments of a request, for either party. */
  async function list(actor: Actor, requestId: string) {
    const s = await requests.state(actor, requestId);
    const refusal = attachmentRefusal('downloadAttachment', s, actor);
    if (refusal) throw refusal;
    return Promise.all((await store.ofRequest(requestId)).map(view));
  }

  /** The files, and where the caller may add one (for the request page). */
  async function panel(actor: Actor, requestId: string) {
    const s = await requests.state(actor, requestId);
    const may = (context: AttachmentContext) => attachmentRefusal(ATTACH_ACTION_OF[context], s, actor) === null;
    return {
      items: attachmentRefusal('downloadAttachment', s, actor) ? [] : await Promise.all((await store.ofRequest(requestId)).map(view)),
      may: { request: may('request'), question: may('question'), answer: may('answer'), result: may('result') },
      maxBytes,
    };
  }

  /** A new request with files: the files are checked before the request is submitted, then stored on it. */
  async function submitWithFiles(actor: Actor, input: unknown, files: IncomingFile[]) {
    assertOrgAction(actor, 'submitRequest');
    const checked: CheckedFile[] = [];
    for (const f of files) checked.push(await check(f));
    const state = await requests.submit(actor, input);
    if (checked.length) await store_(actor, state, checked, 'request', null);
    return state;
  }

  /** One file to download, for the parties of its request only; the download is audited. */
  async function download(
    actor: Actor,
    requestId: string,
    attachmentId: string,
  ): Promise<{ name: string; contentType: string; size: number; stream: Readable }> {
    const s = await requests.state(actor, requestId);
    const refusal = attachmentRefusal('downloadAttachment', s, actor);
    if (refusal) throw refusal;
    const f = await store.byId(attachmentId);
    if (!f || f.metadata.requestId !== requestId) throw notFound('attachment');
    await appendNextAudit(models, `attachment-${f._id}`, {
      action: 'downloadAttachment',
      actor,
      at: new Date().toISOString(),
      before: null,
      after: { requestId, name: f.filename },
    });
    return { name: f.filename, contentType: f.contentType, size: f.length, stream: store.open(f._id) };
  }

  /** Who downloaded a file and when (its audit trail), for the parties of the request. */
  async function downloads(actor: Actor, requestId: string, attachmentId: string) {
    const s = await requests.state(actor, requestId);
    const refusal = attachmentRefusal('downloadAttachment', s, actor);
    if (refusal) throw refusal;
    const f = await store.byId(attachmentId);
    if (!f || f.metadata.requestId !== requestId) throw notFound('attachment');
    const events = await models.AuditEvent.find({ subject: `attachment-${f._id}` })
      .sort({ seq: 1 })
      .lean();
    return events.map((e) => ({ seq: e.seq, action: e.action, actor: e.actor, org: e.org, at: e.at }));
  }

  return { check, add, actWithFiles, submitWithFiles, list, panel, download, downloads, maxBytes, contextOfAction: CONTEXT_OF_ACTION };
}
export type AttachmentFeature = ReturnType<typeof attachmentFeature>;
