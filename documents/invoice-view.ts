// One view of an invoice or credit note that every rendering uses (HTML, PDF, UBL): the
// amounts come from the stored integer cents, so all three show the same figure.
import { isContributionStepKey } from '../domain/contributions';
import { formatEuro, formatHours, VAT_PERCENT, type VatCategory } from '../domain/money';
import type { Invoice, Organisation } from '../models';

const dutch = (iso: string) => iso.split('-').reverse().join('-');

const CATEGORY_LABEL: Record<VatCategory, string> = { S: 'btw 21%', E: 'vrijgesteld van btw', O: 'niet onderworpen aan btw' };

export interface InvoiceView {
  kind: 'invoice' | 'credit_note';
  title: string;
  number: string;
  issueDate: string;
  dueDate: string;
  period: string;
  orderReference: string;
  creditedInvoiceNumber: string | null;
  reason: string | null;
  provider: Organisation;
  buyer: Organisation;
  lines: {
    no: number;
    /** A contribution line: hours and rate are empty, the description says what it is for. */
    contribution: boolean;
    description: string;
    late: boolean;
    minutes: number;
    hoursText: string;
    rateCents: number;
    rate: string;
    amountCents: number;
    amount: string;
    vatCategory: VatCategory;
  }[];
  vat: {
    category: VatCategory;
    label: string;
    percent: number;
    baseCents: number;
    base: string;
    vatCents: number;
    amount: string;
    exemptionReason: string | null;
  }[];
  netCents: number;
  vatCents: number;
  grossCents: number;
  net: string;
  vatTotal: string;
  gross: string;
  paymentTermDays: number;
  /** A contribution invoice (advance or settlement): lines of an amount, no hours or rate. */
  contribution: boolean;
  /** Lines show an amount only: contribution documents and credit notes (a credit is an amount). */
  amountsOnly: boolean;
  /** The last total's label: to pay on an invoice, credited on a credit note. */
  totalLabel: string;
}

export function invoiceView(
  invoice: Invoice & { _id: string },
  provider: Organisation,
  buyer: Organisation,
  paymentTermDays: number,
): InvoiceView {
  const credit = invoice.kind === 'credit_note';
  const contribution = isContributionStepKey(invoice.runKey as string | undefined);
  const amountsOnly = contribution || credit;
  return {
    kind: credit ? 'credit_note' : 'invoice',
    title: credit ? 'Creditnota' : 'Factuur',
    number: invoice.number ?? '',
    issueDate: dutch(invoice.issueDate),
    dueDate: dutch(invoice.dueDate),
    period: invoice.period,
    orderReference: invoice.orderReference,
    creditedInvoiceNumber: (invoice.creditedInvoiceNumber as string | null) ?? null,
    reason: (invoice.reason as string | null) ?? null,
    provider,
    buyer,
    lines: invoice.lines.map((l, i) => ({
      no: i + 1,
      contribution,
      description: credit
        ? `Creditering${invoice.creditedInvoiceNumber ? ` op factuur ${invoice.creditedInvoiceNumber}` : ''}: ${l.title ?? l.requestId}`
        : `${l.title ?? l.requestId}${l.late ? ' (uren uit eerdere periode)' : ''}`,
      late: Boolean(l.late),
      minutes: l.minutes as number,
      hoursText: amountsOnly ? '' : formatHours(l.minutes as number),
      rateCents: l.rateCentsPerHour as number,
      rate: amountsOnly ? '' : formatEuro(l.rateCentsPerHour as number),
      amountCents: l.amountCents as number,
      amount: formatEuro(l.amountCents as number),
      vatCategory: l.vatCategory as VatCategory,
    })),
    vat: invoice.vat.map((v) => ({
      category: v.category as VatCategory,
      label: CATEGORY_LABEL[v.category as VatCategory],
      percent: VAT_PERCENT[v.category as VatCategory],
      baseCents: v.baseCents as number,
      base: formatEuro(v.baseCents as number),
      vatCents: v.vatCents as number,
      amount: formatEuro(v.vatCents as number),
      exemptionReason: (v.exemptionReason as string | undefined) ?? null,
    })),
    netCents: invoice.netCents,
    vatCents: invoice.vatCents,
    grossCents: invoice.grossCents,
    net: formatEuro(invoice.netCents),
    vatTotal: formatEuro(invoice.vatCents),
    gross: formatEuro(invoice.grossCents),
    paymentTermDays,
    contribution,
    amountsOnly,
    totalLabel: credit ? 'Totaal gecrediteerd' : 'Totaal te betalen',
  };
}
