// Gap-free invoice numbers per provider and year, shared by hour invoices, credit notes and
// contribution invoices: a number is a document with a unique _id bound to exactly one
// invoice id (also unique), so a retry, a crash or a parallel attempt neither skips nor
// repeats a number, and an invoice never gets two.
import { formatInvoiceNumber } from '../domain/invoicing';
import { isDuplicateKey, type Models } from '../models';

export async function allocateInvoiceNumber(
  InvoiceNumber: Models['InvoiceNumber'],
  invoiceId: string,
  provider: string,
  year: number,
): Promise<string> {
  const existing = await InvoiceNumber.findOne({ invoiceId }).lean();
  if (existing) return existing._id as string;
  const series = `${provider}-${year}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const last = await InvoiceNumber.findOne({ series }).sort({ seq: -1 }).lean();
    const seq = ((last?.seq as number | undefined) ?? 0) + 1;
    const number = formatInvoiceNumber(provider, year, seq);
    try {
      await InvoiceNumber.create({ _id: number, series, seq, invoiceId });
      return number;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const mine = await InvoiceNumber.findOne({ invoiceId }).lean();
      if (mine) return mine._id as string; // a parallel attempt of this same invoice won
      // another invoice took this number: try the next one
    }
  }
  throw new Error(`could not allocate an invoice number in ${series}`);
}
