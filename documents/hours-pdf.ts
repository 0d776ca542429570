// The hours specification (urenspecificatie) of an hour invoice as PDF: per line the time
// entries it billed and how rounding made its hours. It also travels inside the UBL.
import PDFDocument from 'pdfkit';
import { dateNl, hoursNl, roundingNl } from '../i18n/nl';
import type { LineRounding } from '../domain/invoicing';
import type { InvoiceView } from './invoice-view';

export interface HoursSpecLine {
  lineNo: number;
  title: string;
  minutes: number;
  rounding: LineRounding | null;
  entries: { date: string; userName: string; minutes: number; billedMinutes: number; description: string }[];
}

export function hoursSpecificationPdf(v: InvoiceView, lines: readonly HoursSpecLine[]): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Urenspecificatie ${v.number}`, Author: v.provider.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  doc.fontSize(14).font('Helvetica-Bold').text(v.provider.name);
  doc.moveDown();
  doc.fontSize(18).text(`Urenspecificatie bij factuur ${v.number}`);
  doc.fontSize(10).font('Helvetica').moveDown(0.5);
  doc.text(`Aan: ${v.buyer.name}    Periode: ${v.period}    Uw ordernummer: ${v.orderReference}`);
  doc.moveDown();

  const cols = [50, 115, 220, 395, 475];
  const row = (cells: string[], bold = false) => {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    doc.text(cells[0]!, cols[0], y, { width: 60 });
    doc.text(cells[1]!, cols[1], y, { width: 100 });
    doc.text(cells[2]!, cols[2], y, { width: 170 });
    doc.text(cells[3]!, cols[3], y, { width: 75, align: 'right' });
    doc.text(cells[4]!, cols[4], y, { width: 70, align: 'right' });
    doc.moveDown(0.3);
  };
  for (const l of lines) {
    if (doc.y > 720) doc.addPage();
    doc.fontSize(11).font('Helvetica-Bold').text(`Regel ${l.lineNo}: ${l.title}`, 50);
    doc.fontSize(9).font('Helvetica');
    // The PDF's standard font has no arrow: "3,8 naar 3,9 uur".
    const rounding = l.rounding ? `; uren ${roundingNl(l.rounding).replace(' → ', ' naar ')}` : '';
    doc.text(`${hoursNl(l.minutes)} uur gefactureerd${rounding}.`, 50);
    doc.moveDown(0.3);
    row(['Datum', 'Medewerker', 'Omschrijving', 'Geregistreerd', 'Gefactureerd'], true);
    for (const e of l.entries)
      row([dateNl(e.date), e.userName, e.description, `${hoursNl(e.minutes)} uur`, `${hoursNl(e.billedMinutes)} uur`]);
    doc.moveDown();
  }
  doc.end();
  return done;
}
