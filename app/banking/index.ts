// Bank statements: provider finance imports a CAMT.053 file; each credit is matched to an
// open invoice (domain/bank.ts) and the proposal waits for a person to confirm it. Confirmed
// lines register their payments through the invoice's workflow, each under a reference of its
// own (statement, line, invoice) that is also the Update id: importing or confirming twice
// registers nothing twice. A malformed file is refused whole and changes nothing.
import crypto from 'node:crypto';
import { z } from 'zod';
import { bankPaymentReference, matchStatement, parseCamt053, type BankMatch, type BankTransaction } from '../../domain/bank';
import { OPEN_INVOICE_STATUSES } from '../../domain/invoice-access';
import { notFound, refuse, Refusal } from '../../domain/refusals';
import { assertOrgAction, type Actor } from '../../domain/roles';
import { isDuplicateKey } from '../../models';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';
import { parseInput } from '../core/input';
import { withIdempotencyKey } from '../core/request-context';
import type { InvoicingFeature } from '../invoicing';

export type BankLineStatus = 'proposed' | 'registered' | 'skipped' | 'failed';
export type BankLine = BankTransaction &
  BankMatch & { status: BankLineStatus; refusal: { code: string; params: unknown } | null; registeredAt: string | null };

export const confirmSchema = z.object({
  /** The lines to register (their numbers); all exact and partial matches when absent. */
  lines: z.array(z.number().int().min(1)).max(5000).optional(),
});

/** Statements are at most a few MB; a year of a municipality's bank lines fits easily. */
export const MAX_STATEMENT_BYTES = 10 * 1024 * 1024;

export function bankingFeature({ models }: AppDeps, directory: Directory, invoicing: InvoicingFeature) {
  async function openInvoices(provider: string) {
    const open = await models.Invoice.find({
      provider,
      kind: 'invoice',
      status: { $in: OPEN_INVOICE_STATUSES },
      outstandingCents: { $gt: 0 },
    })
      .select({ number: 1, buyer: 1, outstandingCents: 1 })
      .lean();
    return open
      .filter((i) => i.number)
      .map((i) => ({ invoiceId: i._id, number: i.number!, buyer: i.buyer, outstandingCents: i.outstandingCents }));
  }

  /** Statements as shown, with one lookup of the names of whoever imported them. */
  async function views(docs: ({ _id: string; lines: unknown[] } & Record<string, unknown>)[]) {
    const names = await directory.userNames([...new Set(docs.map((d) => String(d.importedBy)))]);
    return docs.map((d) => view(d, names));
  }
  async function one(doc: { _id: string; lines: unknown[] } & Record<string, unknown>) {
    return (await views([doc]))[0]!;
  }

  function view(doc: { _id: string; lines: unknown[] } & Record<string, unknown>, names: Map<string, string>) {
    const lines = doc.lines as BankLine[];
    const sum = (pred: (l: BankLine) => boolean) => lines.filter(pred).reduce((s, l) => s + l.amountCents, 0);
    return {
      id: doc._id,
      account: String(doc.account),
      statementId: String(doc.statementId),
      statementCreatedAt: String(doc.statementCreatedAt ?? ''),
      fileName: String(doc.fileName ?? ''),
      importedBy: String(doc.importedBy),
      importedByName: names.get(String(doc.importedBy)) ?? String(doc.importedBy),
      importedAt: String(doc.importedAt),
      confirmedAt: (doc.confirmedAt as string | null) ?? null,
      lines,
      totals: {
        credits: sum((l) => l.credit),
        exact: sum((l) => l.match === 'exact'),
        partial: sum((l) => l.match === 'partial'),
        unmatched: sum((l) => l.credit && l.match === 'unmatched'),
        registered: sum((l) => l.status === 'registered'),
      },
    };
  }

  /**
   * Reads a CAMT.053 file and stores its proposal. A file with several statements stores each;
   * a statement imported before is refused (bank_statement_duplicate) and nothing is stored.
   */
  async function importStatement(actor: Actor, file: { name: string; bytes: Uint8Array } | null | undefined) {
    assertOrgAction(actor, 'importBankStatements');
    if (!file || file.bytes.length === 0) throw refuse('attachment_missing', {}, 'file');
    if (file.bytes.length > MAX_STATEMENT_BYTES) throw refuse('attachment_too_large', { maxBytes: MAX_STATEMENT_BYTES }, 'file');
    let xml: string;
    try {
      xml = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes).replace(/^\uFEFF/, '');
    } catch {
      throw refuse('bank_statement_invalid', { problem: 'not_xml', detail: 'geen UTF-8' }, 'file');
    }
    const parsed = parseCamt053(xml);
    if (!parsed.ok) throw parsed.refusal;
    // An opaque id fixed by the account and the bank's statement id: the same statement, the same id.
    const keyOf = (s: { account: string; statementId: string }) =>
      `bs-${crypto.createHash('sha256').update(`${s.account}\n${s.statementId}`).digest('hex').slice(0, 32)}`;
    // Every statement of the file is new, or nothing is stored.
    for (const s of parsed.statements) {
      const earlier = await models.BankStatement.findById(keyOf(s)).select({ importedAt: 1 }).lean();
      if (earlier) throw refuse('bank_statement_duplicate', { statementId: s.statementId, importedAt: String(earlier.importedAt) }, 'file');
    }
    const open = await openInvoices(actor.org);
    const at = new Date().toISOString();
    const sha256 = crypto.createHash('sha256').update(file.bytes).digest('hex');
    const docs = parsed.statements.map((s) => ({
      _id: keyOf(s),
      provider: actor.org,
      account: s.account,
      statementId: s.statementId,
      statementCreatedAt: s.createdAt,
      fileName: file.name.slice(0, 200),
      sha256,
      importedBy: actor.userId,
      importedAt: at,
      confirmedAt: null,
      lines: matchStatement(s.transactions, open).map((l) => ({ ...l, status: 'proposed', refusal: null, registeredAt: null })),
    }));
    const stored: string[] = [];
    try {
      for (const d of docs) {
        await models.BankStatement.create(d);
        stored.push(d._id);
      }
    } catch (err) {
      // Two imports at once: the unique _id lets one in; the other stores nothing.
      await models.BankStatement.deleteMany({ _id: { $in: stored } });
      if (isDuplicateKey(err)) {
        const s = parsed.statements[stored.length]!;
        throw refuse('bank_statement_duplicate', { statementId: s.statementId, importedAt: at }, 'file');
      }
      throw err;
    }
    return views(docs);
  }

  async function ownStatement(actor: Actor, id: string) {
    assertOrgAction(actor, 'importBankStatements');
    const doc = await models.BankStatement.findById(id).lean();
    if (!doc || doc.provider !== actor.org) throw notFound('bank_statement');
    return doc;
  }

  async function list(actor: Actor) {
    assertOrgAction(actor, 'importBankStatements');
    const docs = await models.BankStatement.find({ provider: actor.org }).sort({ importedAt: -1 }).limit(200).lean();
    return views(docs);
  }

  async function get(actor: Actor, id: string) {
    return one(await ownStatement(actor, id));
  }

  /**
   * Registers the chosen matched lines as payments, through each invoice's workflow. A line
   * registers under its own reference, so a repeat (or a second person confirming at the same
   * time) finds it registered; a line the invoice refuses (paid meanwhile) is marked failed
   * with the reason, and the rest go on.
   */
  async function confirm(actor: Actor, id: string, raw: unknown = {}) {
    const doc = await ownStatement(actor, id);
    const input = parseInput(confirmSchema, raw);
    const lines = doc.lines as BankLine[];
    const chosen = new Set(input.lines ?? lines.filter((l) => l.match !== 'unmatched').map((l) => l.lineNo));
    for (const n of chosen) {
      const line = lines.find((l) => l.lineNo === n);
      if (!line) throw refuse('invalid_input', { problem: 'invalid_choice' }, 'lines');
      if (line.match === 'unmatched') throw refuse('invalid_input', { problem: 'invalid_choice' }, 'lines');
    }
    for (const line of lines) {
      if (!chosen.has(line.lineNo) || line.status === 'registered') continue;
      let failed: Refusal | null = null;
      for (const part of line.invoices) {
        const reference = bankPaymentReference(doc._id, line.lineNo, part.invoiceId);
        try {
          await withIdempotencyKey(reference, () =>
            invoicing.act(actor, part.invoiceId, 'registerReceipt', { amountCents: part.amountCents, date: line.bookingDate, reference }),
          );
        } catch (err) {
          if (err instanceof Refusal && err.code === 'payment_already_registered') continue;
          if (err instanceof Refusal) failed = err;
          else throw err;
        }
      }
      line.status = failed ? 'failed' : 'registered';
      line.refusal = failed ? { code: failed.code, params: failed.params } : null;
      line.registeredAt = failed ? null : new Date().toISOString();
      await models.BankStatement.updateOne({ _id: doc._id }, { $set: { lines } });
    }
    for (const line of lines)
      if (line.status === 'proposed' && !chosen.has(line.lineNo) && line.match !== 'unmatched') line.status = 'skipped';
    const confirmedAt = doc.confirmedAt ?? new Date().toISOString();
    await models.BankStatement.updateOne({ _id: doc._id }, { $set: { lines, confirmedAt } });
    return one({ ...doc, lines, confirmedAt });
  }

  return { importStatement, list, get, confirm };
}
export type BankingFeature = ReturnType<typeof bankingFeature>;
