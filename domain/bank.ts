// Bank statements: a CAMT.053 file (ISO 20022 BankToCustomerStatement, the XML Dutch banks
// export) read into its credits, and each credit matched to an open invoice by the invoice
// number in its reference or remittance text. The result is a proposal for finance to confirm:
// exact matches, partial payments, and lines nobody can place. Parsed with fast-xml-parser;
// versions .001.02 up to .001.13 differ in where the amount and status sit, both are read.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { refuse, type Refusal } from './refusals';

export interface BankTransaction {
  /** Position in the file: the n-th transaction of the statement (1-based), stable across reads. */
  lineNo: number;
  entryRef: string;
  endToEndId: string;
  bookingDate: string;
  amountCents: number;
  currency: string;
  credit: boolean;
  booked: boolean;
  /** Part of a batch booking (one entry with several transactions). */
  batch: boolean;
  debtorName: string;
  debtorIban: string;
  remittance: string;
}

export interface BankStatementFile {
  statementId: string;
  account: string;
  createdAt: string;
  transactions: BankTransaction[];
}

const asArray = <T>(v: T | T[] | undefined | null): T[] => (v == null ? [] : Array.isArray(v) ? v : [v]);
type Node = Record<string, unknown>;
const child = (n: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Node)[key] : undefined), n);
const text = (n: unknown): string => {
  if (n == null) return '';
  if (typeof n === 'object') return text((n as Node)['#text']);
  return String(n).trim();
};

/** "190.00" → 19000; a bank amount has at most two decimals. */
function cents(value: string): number | null {
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  isArray: (name) => ['Stmt', 'Ntry', 'TxDtls', 'NtryDtls', 'Ustrd'].includes(name),
});

/**
 * Reads a CAMT.053 file. A file that is not well-formed XML, not a CAMT.053 statement, or has
 * an amount that is not an amount is refused as a whole: nothing of it is used.
 */
export function parseCamt053(xml: string): { ok: true; statements: BankStatementFile[] } | { ok: false; refusal: Refusal } {
  const bad = (problem: 'not_xml' | 'not_camt053' | 'no_statement' | 'bad_amount' | 'bad_date', detail = '') =>
    ({ ok: false, refusal: refuse('bank_statement_invalid', { problem, detail: detail.slice(0, 200) }, 'file') }) as const;
  if (!xml.trim()) return bad('not_xml');
  // DOCTYPEs are refused outright: no entity expansion from a bank file.
  if (/<!DOCTYPE/i.test(xml)) return bad('not_xml', 'DOCTYPE');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) return bad('not_xml', `regel ${valid.err.line}: ${valid.err.msg}`);
  const doc = parser.parse(xml) as Node;
  const root = child(doc, 'Document', 'BkToCstmrStmt');
  if (!root) return bad('not_camt053');
  const statements: BankStatementFile[] = [];
  for (const stmt of asArray(child(root, 'Stmt') as Node[])) {
    const statementId = text(child(stmt, 'Id'));
    const account = text(child(stmt, 'Acct', 'Id', 'IBAN')) || text(child(stmt, 'Acct', 'Id', 'Othr', 'Id'));
    if (!statementId || !account) return bad('no_statement');
    const transactions: BankTransaction[] = [];
    for (const entry of asArray(child(stmt, 'Ntry') as Node[])) {
      const entryAmount = cents(text(child(entry, 'Amt')));
      if (entryAmount === null) return bad('bad_amount', text(child(entry, 'Amt')));
      const currency = text(child(entry, 'Amt', '@Ccy')) || 'EUR';
      const credit = text(child(entry, 'CdtDbtInd')) === 'CRDT';
      const status = text(child(entry, 'Sts', 'Cd')) || text(child(entry, 'Sts'));
      const bookingDate = (text(child(entry, 'BookgDt', 'Dt')) || text(child(entry, 'BookgDt', 'DtTm'))).slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(bookingDate)) return bad('bad_date', bookingDate);
      const entryRef = text(child(entry, 'NtryRef')) || text(child(entry, 'AcctSvcrRef'));
      const details = asArray(child(entry, 'NtryDtls') as Node[]).flatMap((d) => asArray(child(d, 'TxDtls') as Node[]));
      const batch = details.length > 1 || Boolean(child(entry, 'NtryDtls'));
      const txs = details.length ? details : [null];
      for (const tx of txs) {
        const txAmountText = tx ? text(child(tx, 'AmtDtls', 'TxAmt', 'Amt')) || text(child(tx, 'Amt')) : '';
        const amountCents = txAmountText ? cents(txAmountText) : entryAmount;
        if (amountCents === null) return bad('bad_amount', txAmountText);
        const remittance = tx
          ? asArray(child(tx, 'RmtInf', 'Ustrd') as unknown[])
              .map(text)
              .join(' ')
              .concat(' ', text(child(tx, 'RmtInf', 'Strd', 'CdtrRefInf', 'Ref')))
              .trim()
          : text(child(entry, 'AddtlNtryInf'));
        transactions.push({
          lineNo: transactions.length + 1,
          entryRef,
          endToEndId: tx ? text(child(tx, 'Refs', 'EndToEndId')).replace(/^NOTPROVIDED$/i, '') : '',
          bookingDate,
          amountCents,
          currency,
          credit,
          booked: status === '' || status === 'BOOK',
          batch: batch && details.length > 1,
          debtorName: tx ? text(child(tx, 'RltdPties', 'Dbtr', 'Nm')) || text(child(tx, 'RltdPties', 'Dbtr', 'Pty', 'Nm')) : '',
          debtorIban: tx ? text(child(tx, 'RltdPties', 'DbtrAcct', 'Id', 'IBAN')) : '',
          remittance,
        });
      }
    }
    statements.push({ statementId, account, createdAt: text(child(stmt, 'CreDtTm')), transactions });
  }
  if (!statements.length) return bad('no_statement');
  return { ok: true, statements };
}

// ---- matching ------------------------------------------------------------------------------

export interface OpenInvoice {
  invoiceId: string;
  number: string;
  buyer: string;
  outstandingCents: number;
}

export type MatchKind = 'exact' | 'partial' | 'unmatched';
export type UnmatchedReason = 'debit' | 'not_booked' | 'currency' | 'no_invoice' | 'more_than_outstanding' | 'several_invoices';

export interface BankMatch {
  match: MatchKind;
  reason: UnmatchedReason | null;
  /** The invoice(s) the credit pays, with the part of the amount for each. */
  invoices: { invoiceId: string; number: string; amountCents: number }[];
}

const squash = (s: string) => s.toUpperCase().replace(/[\s.]/g, '');

/**
 * Matches one credit: the open invoices whose number is its end-to-end reference or occurs in
 * its remittance text. One invoice: exact when the amount is what is outstanding, partial when
 * less. Several invoices: exact only when the amount pays all of them in full. Anything else,
 * and every debit, is left for a person.
 */
export function matchTransaction(tx: BankTransaction, open: readonly OpenInvoice[]): BankMatch {
  const none = (reason: UnmatchedReason): BankMatch => ({ match: 'unmatched', reason, invoices: [] });
  if (!tx.credit) return none('debit');
  if (!tx.booked) return none('not_booked');
  if (tx.currency !== 'EUR') return none('currency');
  const e2e = squash(tx.endToEndId);
  const remittance = squash(tx.remittance);
  const found = open.filter((i) => {
    const n = squash(i.number);
    return n.length > 0 && (e2e === n || remittance.includes(n) || (e2e.length > 0 && e2e.includes(n)));
  });
  if (found.length === 0) return none('no_invoice');
  if (found.length === 1) {
    const inv = found[0]!;
    if (tx.amountCents > inv.outstandingCents) return none('more_than_outstanding');
    return {
      match: tx.amountCents === inv.outstandingCents ? 'exact' : 'partial',
      reason: null,
      invoices: [{ invoiceId: inv.invoiceId, number: inv.number, amountCents: tx.amountCents }],
    };
  }
  const total = found.reduce((s, i) => s + i.outstandingCents, 0);
  if (total !== tx.amountCents) return none('several_invoices');
  return {
    match: 'exact',
    reason: null,
    invoices: found.map((i) => ({ invoiceId: i.invoiceId, number: i.number, amountCents: i.outstandingCents })),
  };
}

/**
 * Matches a statement's credits in order; what an earlier line of the same statement pays is
 * no longer outstanding for a later one (two partial payments of one invoice in one file).
 */
export function matchStatement(transactions: readonly BankTransaction[], open: readonly OpenInvoice[]): (BankTransaction & BankMatch)[] {
  const left = new Map(open.map((i) => [i.invoiceId, { ...i }]));
  return transactions.map((tx) => {
    const m = matchTransaction(
      tx,
      [...left.values()].filter((i) => i.outstandingCents > 0),
    );
    for (const part of m.invoices) left.get(part.invoiceId)!.outstandingCents -= part.amountCents;
    return { ...tx, ...m };
  });
}

/** The payment reference a bank line registers under: the same line never pays twice. */
export const bankPaymentReference = (statementKey: string, lineNo: number, invoiceId: string) =>
  `bank:${statementKey}:${lineNo}:${invoiceId}`;
