// The invoice as PDF (pdfkit), from the same view as the HTML and the UBL.
import PDFDocument from 'pdfkit';
import type { InvoiceView } from './invoice-view';

export function invoicePdf(v: InvoiceView): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${v.title} ${v.number}`, Author: v.provider.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.fontSize(14).font('Helvetica-Bold').text(v.provider.name);
  doc
    .fontSize(9)
    .font('Helvetica')
    .text(`${v.provider.address?.street ?? ''}, ${v.provider.address?.postalCode ?? ''} ${v.provider.address?.city ?? ''}`);
  doc.text(`OIN ${v.provider.oin}   KvK ${v.provider.kvk ?? ''}   IBAN ${v.provider.iban}`);
  doc.moveDown(2);
  doc.fontSize(18).font('Helvetica-Bold').text(`${v.title} ${v.number}`);
  doc.fontSize(10).font('Helvetica').moveDown(0.5);
  doc.text(`Aan: ${v.buyer.name} (OIN ${v.buyer.oin})`);
  doc.text(
    v.kind === 'credit_note'
      ? `Datum creditnota: ${v.issueDate}    Periode: ${v.period}`
      : `Factuurdatum: ${v.issueDate}    Vervaldatum: ${v.dueDate}    Periode: ${v.period}`,
  );
  doc.text(`Uw ordernummer: ${v.orderReference}`);
  if (v.creditedInvoiceNumber) doc.text(`Crediteert factuur ${v.creditedInvoiceNumber}${v.reason ? ` (${v.reason})` : ''}`);
  doc.moveDown();

  const cols = [50, 75, 330, 390, 460];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(cells[0]!, cols[0], y, { width: 20 });
    doc.text(cells[1]!, cols[1], y, { width: 250 });
    doc.text(cells[2]!, cols[2], y, { width: 55, align: 'right' });
    doc.text(cells[3]!, cols[3], y, { width: 65, align: 'right' });
    doc.text(cells[4]!, cols[4], y, { width: 85, align: 'right' });
    doc.moveDown(0.3);
  };
  // Contribution invoices and credit notes are amounts: no hours or rate.
  row(['#', 'Omschrijving', v.amountsOnly ? '' : 'Uren', v.amountsOnly ? '' : 'Tarief', 'Bedrag'], true);
  for (const l of v.lines) row([String(l.no), `${l.description} [${l.vatCategory}]`, l.hoursText, l.rate, l.amount]);
  doc.moveDown();
  for (const t of v.vat)
    row(['', `${t.label}${t.exemptionReason ? ` — ${t.exemptionReason}` : ''}: grondslag ${t.base}`, '', '', t.amount]);
  row(['', 'Totaal exclusief btw', '', '', v.net]);
  row(['', 'Btw', '', '', v.vatTotal]);
  row(['', v.totalLabel, '', '', v.gross], true);
  if (v.kind === 'invoice') {
    doc
      .moveDown()
      .font('Helvetica')
      .text(
        `Graag binnen ${v.paymentTermDays} dagen betalen op ${v.provider.iban} t.n.v. ${v.provider.name}, onder vermelding van ${v.number}.`,
        50,
      );
  }
  doc.end();
  return done;
}
