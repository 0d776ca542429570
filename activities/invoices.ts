// The invoice workflow's writes: the reconciliation state on the invoice, the audit trail,
// and the buyer's reminder and overdue mails.
import type { InvoiceState } from '../contracts';
import type { Actor } from '../domain/roles';
import { formatEuro } from '../domain/money';
import type { Views } from '../lib/views';
import type { Models } from '../models';
import { enqueueMails } from '../models/outbox';
import { appendAudit } from './audit';

export interface RecordInvoiceInput {
  state: InvoiceState;
  event: { seq: number; action: string; actor: Actor; at: string; before: unknown; after: unknown };
  mail?: 'invoice-reminder' | 'invoice-overdue';
}

const SUBJECTS = { 'invoice-reminder': 'Herinnering: factuur vervalt binnenkort', 'invoice-overdue': 'Factuur vervallen' } as const;

export function invoiceActivities({ models, views, publicBaseUrl }: { models: Models; views: Views; publicBaseUrl: string }) {
  async function recordInvoice(input: RecordInvoiceInput): Promise<void> {
    const { state, event } = input;
    // Mails first: whoever sees the new state can also see the mails it caused.
    if (input.mail) {
      const invoice = await models.Invoice.findById(state.invoiceId).lean();
      const users = (await models.User.find().lean()).filter((u) =>
        u.memberships.some((m) => m.org === state.buyer && m.roles.includes('buyer_finance')),
      );
      const docs = users.map((u) => ({
        _id: `invoice-${state.invoiceId}:${event.seq}:${u._id}`,
        to: u._id,
        email: u.email,
        subject: `${SUBJECTS[input.mail!]}: ${invoice?.number ?? state.invoiceId}`,
        html: views.render(
          `mail/${input.mail}`,
          {
            recipientName: u.name,
            link: `${publicBaseUrl}/facturen/${state.invoiceId}`,
            number: invoice?.number,
            dueDate: state.dueDate.split('-').reverse().join('-'),
            outstanding: formatEuro(state.outstandingCents),
            disputed: formatEuro(state.disputedCents),
          },
          'mail/invoice-layout',
        ),
        kind: input.mail!,
        requestId: null,
        invoiceId: state.invoiceId,
        createdAt: event.at,
      }));
      await enqueueMails(models, docs);
    }
    await models.Invoice.updateOne(
      { _id: state.invoiceId, version: { $lt: state.version } },
      {
        $set: {
          status: state.status,
          lineStates: state.lines,
          creditedCents: state.creditedCents,
          paidCents: state.paidCents,
          outstandingCents: state.outstandingCents,
          disputedCents: state.disputedCents,
          overdue: state.overdue,
          payments: state.payments,
          creditNoteIds: state.creditNoteIds,
          nettingRound: state.nettingRound ?? null,
          version: state.version,
        },
      },
    );
    await appendAudit(models, `invoice-${state.invoiceId}`, event);
  }

  return { recordInvoice };
}
