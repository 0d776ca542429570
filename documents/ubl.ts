// UBL 2.1 e-invoice following Peppol BIS Billing 3.0 and the Dutch NLCIUS (SI-UBL 2.0):
// OIN identifiers (scheme 0190), buyer reference, VAT breakdown per category with exemption
// reasons, SEPA credit transfer with IBAN. Amounts are the stored cents, printed exactly.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { centsToDecimal } from '../domain/money';
import type { Organisation } from '../models';
import type { InvoiceView } from './invoice-view';
import { periodRange } from '../domain/contributions';

export const CUSTOMIZATION_IDS = {
  // Peppol BIS Billing 3.0, which includes the Dutch country rules (NL-R-001 …)
  peppol: 'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0',
  // SI-UBL 2.0 (NLCIUS), for Dutch receivers outside Peppol
  nlcius: 'urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0',
} as const;
export type UblProfile = keyof typeof CUSTOMIZATION_IDS;
export const PROFILE_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

const NS = {
  Invoice: 'urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
  CreditNote: 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2',
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
};
const iso = (dutch: string) => dutch.split('-').reverse().join('-');
const money = (cents: number) => centsToDecimal(cents);

function party(parent: XMLBuilder, org: Organisation, withVatId: boolean): void {
  const p = parent.ele('cac:Party');
  p.ele('cbc:EndpointID', { schemeID: '0190' }).txt(org.oin);
  p.ele('cac:PartyIdentification').ele('cbc:ID', { schemeID: '0190' }).txt(org.oin);
  p.ele('cac:PartyName').ele('cbc:Name').txt(org.name);
  const a = p.ele('cac:PostalAddress');
  a.ele('cbc:StreetName').txt(org.address?.street ?? '');
  a.ele('cbc:CityName').txt(org.address?.city ?? '');
  a.ele('cbc:PostalZone').txt(org.address?.postalCode ?? '');
  a.ele('cac:Country').ele('cbc:IdentificationCode').txt('NL');
  // Out-of-scope (O) invoices may carry no VAT identifiers at all (BR-O-02).
  if (withVatId && org.vatNumber) {
    const t = p.ele('cac:PartyTaxScheme');
    t.ele('cbc:CompanyID').txt(org.vatNumber);
    t.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
  }
  const le = p.ele('cac:PartyLegalEntity');
  le.ele('cbc:RegistrationName').txt(org.name);
  le.ele('cbc:CompanyID', { schemeID: '0190' }).txt(org.oin);
}

function taxCategory(
  parent: XMLBuilder,
  name: 'cac:TaxCategory' | 'cac:ClassifiedTaxCategory',
  category: string,
  percent: number,
  reason?: string | null,
) {
  const c = parent.ele(name);
  c.ele('cbc:ID').txt(category);
  if (category !== 'O') c.ele('cbc:Percent').txt(String(percent));
  if (reason && category !== 'S' && name === 'cac:TaxCategory') c.ele('cbc:TaxExemptionReason').txt(reason);
  c.ele('cac:TaxScheme').ele('cbc:ID').txt('VAT');
}

/** A document that travels inside the e-invoice (BT-122 to BT-125), e.g. the hours specification. */
export interface UblAttachment {
  id: string;
  description: string;
  filename: string;
  mimeCode: 'application/pdf' | 'text/csv';
  content: Buffer;
}

export function invoiceUbl(v: InvoiceView, profile: UblProfile = 'peppol', attachments: readonly UblAttachment[] = []): string {
  const credit = v.kind === 'credit_note';
  const root = credit ? 'CreditNote' : 'Invoice';
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS[root], root, { 'xmlns:cac': NS.cac, 'xmlns:cbc': NS.cbc });
  doc.ele('cbc:CustomizationID').txt(CUSTOMIZATION_IDS[profile]);
  doc.ele('cbc:ProfileID').txt(PROFILE_ID);
  doc.ele('cbc:ID').txt(v.number);
  doc.ele('cbc:IssueDate').txt(iso(v.issueDate));
  if (!credit) doc.ele('cbc:DueDate').txt(iso(v.dueDate));
  doc.ele(credit ? 'cbc:CreditNoteTypeCode' : 'cbc:InvoiceTypeCode').txt(credit ? '381' : '380');
  if (v.reason) doc.ele('cbc:Note').txt(v.reason);
  doc.ele('cbc:DocumentCurrencyCode').txt('EUR');
  doc.ele('cbc:BuyerReference').txt(v.orderReference);
  const range = periodRange(v.period); // a month for hours; a quarter or a year for contributions
  const period = doc.ele('cac:InvoicePeriod');
  period.ele('cbc:StartDate').txt(range.start);
  period.ele('cbc:EndDate').txt(range.end);
  doc.ele('cac:OrderReference').ele('cbc:ID').txt(v.orderReference);
  if (credit && v.creditedInvoiceNumber) {
    doc.ele('cac:BillingReference').ele('cac:InvoiceDocumentReference').ele('cbc:ID').txt(v.creditedInvoiceNumber);
  }
  for (const a of attachments) {
    const ref = doc.ele('cac:AdditionalDocumentReference');
    ref.ele('cbc:ID').txt(a.id);
    ref.ele('cbc:DocumentDescription').txt(a.description);
    ref
      .ele('cac:Attachment')
      .ele('cbc:EmbeddedDocumentBinaryObject', { mimeCode: a.mimeCode, filename: a.filename })
      .txt(a.content.toString('base64'));
  }
  const withVatId = v.vat.some((t) => t.category !== 'O');
  party(doc.ele('cac:AccountingSupplierParty'), v.provider, withVatId);
  party(doc.ele('cac:AccountingCustomerParty'), v.buyer, withVatId);
  const pm = doc.ele('cac:PaymentMeans');
  pm.ele('cbc:PaymentMeansCode').txt('58'); // SEPA credit transfer
  pm.ele('cbc:PaymentID').txt(v.number);
  const account = pm.ele('cac:PayeeFinancialAccount');
  account.ele('cbc:ID').txt(v.provider.iban);
  account.ele('cbc:Name').txt(v.provider.name);
  if (!credit) doc.ele('cac:PaymentTerms').ele('cbc:Note').txt(`Betaling binnen ${v.paymentTermDays} dagen`);

  const tax = doc.ele('cac:TaxTotal');
  tax.ele('cbc:TaxAmount', { currencyID: 'EUR' }).txt(money(v.vatCents));
  for (const t of v.vat) {
    const sub = tax.ele('cac:TaxSubtotal');
    sub.ele('cbc:TaxableAmount', { currencyID: 'EUR' }).txt(money(t.baseCents));
    sub.ele('cbc:TaxAmount', { currencyID: 'EUR' }).txt(money(t.vatCents));
    taxCategory(sub, 'cac:TaxCategory', t.category, t.percent, t.exemptionReason);
  }
  const totals = doc.ele('cac:LegalMonetaryTotal');
  totals.ele('cbc:LineExtensionAmount', { currencyID: 'EUR' }).txt(money(v.netCents));
  totals.ele('cbc:TaxExclusiveAmount', { currencyID: 'EUR' }).txt(money(v.netCents));
  totals.ele('cbc:TaxInclusiveAmount', { currencyID: 'EUR' }).txt(money(v.grossCents));
  totals.ele('cbc:PayableAmount', { currencyID: 'EUR' }).txt(money(v.grossCents));

  for (const l of v.lines) {
    const line = doc.ele(credit ? 'cac:CreditNoteLine' : 'cac:InvoiceLine');
    line.ele('cbc:ID').txt(String(l.no));
    // Credit notes of an amount carry one unit at that price; invoices the minutes worked.
    const byAmount = credit || l.minutes === 0;
    line
      .ele(credit ? 'cbc:CreditedQuantity' : 'cbc:InvoicedQuantity', { unitCode: byAmount ? 'C62' : 'MIN' })
      .txt(byAmount ? '1' : String(l.minutes));
    line.ele('cbc:LineExtensionAmount', { currencyID: 'EUR' }).txt(money(l.amountCents));
    const item = line.ele('cac:Item');
    item.ele('cbc:Name').txt(l.description.slice(0, 200));
    const vatOfLine = v.vat.find((t) => t.category === l.vatCategory);
    taxCategory(item, 'cac:ClassifiedTaxCategory', l.vatCategory, vatOfLine?.percent ?? 0);
    const price = line.ele('cac:Price');
    if (byAmount) {
      price.ele('cbc:PriceAmount', { currencyID: 'EUR' }).txt(money(l.amountCents));
    } else {
      // The hourly rate per 60 minutes: quantity x price / base quantity = the line amount, to the cent.
      price.ele('cbc:PriceAmount', { currencyID: 'EUR' }).txt(money(l.rateCents));
      price.ele('cbc:BaseQuantity', { unitCode: 'MIN' }).txt('60');
    }
  }
  return doc.end({ prettyPrint: true });
}
