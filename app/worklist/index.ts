// Actie nodig: everything waiting for the caller, across requests and invoices, overdue first.
// The items come from domain/worklist.ts, which reads the access tables: what is listed here
// is exactly what the caller's pages offer as an action.
import { dutchDate } from '../../domain/dates';
import { OPEN_INVOICE_STATUSES, readableSides } from '../../domain/invoice-access';
import type { RequestStatus } from '../../domain/lifecycle';
import { assertOrgAction, type Actor } from '../../domain/roles';
import { invoiceWork, requestWork, requestWorkScope, sortWork, type WorkItem } from '../../domain/worklist';
import { isContributionStepKey } from '../../domain/contributions';
import type { LineStatus } from '../../contracts/invoice';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';

export interface WorklistItem extends WorkItem {
  title: string;
  counterpartName: string;
}

export function worklistFeature({ models }: AppDeps, directory: Directory) {
  async function requestItems(actor: Actor, today: string): Promise<WorklistItem[]> {
    const scope = requestWorkScope(actor).filter((s) => s.statuses.length > 0);
    if (scope.length === 0) return [];
    const open = await models.Request.find({ $or: scope.map((s) => ({ [s.side]: actor.org, status: { $in: s.statuses } })) })
      .select({ title: 1, buyer: 1, provider: 1, status: 1, kind: 1, assignee: 1, contributors: 1 })
      .select({ budgetMinutes: 1, pendingExtension: 1, nominatedReviewer: 1, deadlines: 1 })
      .lean();
    const name = await directory.namer();
    return open.flatMap((r) =>
      requestWork({ ...r, requestId: r._id, status: r.status as RequestStatus, kind: r.kind as 'one_off' | 'standing' }, actor, today).map(
        (item) => ({ ...item, title: r.title, counterpartName: name(actor.org === r.buyer ? r.provider : r.buyer) }),
      ),
    );
  }

  async function invoiceItems(actor: Actor, today: string): Promise<WorklistItem[]> {
    const sides = readableSides(actor);
    if (sides.length === 0) return [];
    const open = await models.Invoice.find({
      $or: sides.map((s) => ({ [s]: actor.org })),
      kind: 'invoice',
      status: { $in: OPEN_INVOICE_STATUSES },
    })
      .select({ number: 1, buyer: 1, provider: 1, status: 1, runKey: 1, outstandingCents: 1, dueDate: 1, lineStates: 1, lines: 1 })
      .lean();
    const name = await directory.namer();
    return open.flatMap((i) => {
      const states = (i.lineStates ?? []) as { status?: LineStatus }[];
      const items = invoiceWork(
        {
          invoiceId: i._id,
          buyer: i.buyer,
          provider: i.provider,
          status: i.status as never,
          kind: 'invoice',
          contribution: isContributionStepKey(i.runKey),
          outstandingCents: i.outstandingCents ?? 0,
          dueDate: i.dueDate,
          lineStatuses: i.lines.map((_, n) => states[n]?.status ?? 'open'),
        },
        actor,
        today,
      );
      return items.map((item) => ({
        ...item,
        title: i.number ?? i._id,
        counterpartName: name(actor.org === i.buyer ? i.provider : i.buyer),
      }));
    });
  }

  /** Everything waiting for the caller, overdue first. */
  async function worklist(actor: Actor): Promise<{ items: WorklistItem[]; overdue: number }> {
    assertOrgAction(actor, 'viewWorklist');
    const today = dutchDate(Date.now());
    const items = sortWork([...(await requestItems(actor, today)), ...(await invoiceItems(actor, today))]);
    return { items, overdue: items.filter((i) => i.overdue).length };
  }

  return {
    worklist,
    /** How many items wait, for the menu. */
    async count(actor: Actor): Promise<number> {
      return (await worklist(actor)).items.length;
    },
  };
}
export type WorklistFeature = ReturnType<typeof worklistFeature>;
