// Mail composition for the outbox: recipients resolved from roles, Dutch text from templates.
import type { RequestState } from '../contracts';
import { formatHours } from '../domain/money';
import { REQUEST_STATUS_NL } from '../i18n/nl';
import type { Views } from '../lib/views';
import { usersVersion, type Models } from '../models';

export const MAIL_SUBJECTS = {
  submitted: 'Nieuwe opdracht ter intake',
  'intake-accepted': 'Intake afgerond',
  'intake-rejected': 'Opdracht afgewezen',
  quote: 'Offerte ter goedkeuring',
  'quote-approved': 'Offerte goedgekeurd',
  'quote-declined': 'Offerte afgewezen',
  'clarification-question': 'Verduidelijkingsvraag over uw opdracht',
  'clarification-answer': 'Verduidelijkingsvraag beantwoord',
  assigned: 'Opdracht aan u toegewezen',
  'budget-alert': '80% van het budget bereikt',
  'extension-requested': 'Budgetuitbreiding gevraagd',
  'extension-decided': 'Besluit over budgetuitbreiding',
  'review-requested': 'Resultaat wacht op interne toets',
  'review-rejected': 'Resultaat teruggezet na interne toets',
  'result-ready': 'Resultaat klaar voor acceptatie',
  'result-rejected': 'Resultaat niet geaccepteerd',
  completed: 'Opdracht afgerond',
  cancelled: 'Opdracht geannuleerd',
  'sla-reminder': 'Herinnering: termijn verloopt',
  'sla-breach': 'Escalatie: termijn verstreken',
} as const;
export type MailKind = keyof typeof MAIL_SUBJECTS;
export type Recipient = 'requester' | 'coordinators' | 'assignee' | 'reviewers' | 'nominatedReviewer';

export interface MailRequest {
  to: Recipient[];
  kind: MailKind;
}

type MailUser = {
  _id: string;
  name: string;
  email: string;
  memberships: { org: string; roles: string[]; deactivatedAt?: string | null }[];
};

/**
 * All users with their memberships, for recipients by role (and then for the names and
 * addresses of the others): cached for ten seconds per process and database, and read again at
 * once after a write of users in this process. A role or an address changed elsewhere reaches
 * the mails within those seconds; who may act is checked apart.
 */
const usersCache = new WeakMap<Models, { at: number; version: number; users: Promise<MailUser[]> }>();
/** The cached users while they are fresh, else null. */
function freshUsers(models: Models): Promise<MailUser[]> | null {
  const cached = usersCache.get(models);
  return cached && cached.version === usersVersion() && Date.now() - cached.at < 10_000 ? cached.users : null;
}
function usersOf(models: Models): Promise<MailUser[]> {
  const fresh = freshUsers(models);
  if (fresh) return fresh;
  const users = models.User.find().select({ _id: 1, name: 1, email: 1, memberships: 1 }).lean().exec() as unknown as Promise<MailUser[]>;
  usersCache.set(models, { at: Date.now(), version: usersVersion(), users });
  users.catch(() => usersCache.delete(models));
  return users;
}

export async function composeMails(
  models: Models,
  views: Views,
  /** Organisation names (the directory's, cached for a minute). */
  orgNames: () => Promise<Map<string, string>>,
  args: {
    state: RequestState;
    /** The request's page, for the link in the mail. */
    link: string;
    submittedBy: string;
    seq: number;
    at: string;
    reason: string | null;
    notify: MailRequest[];
    slaKind?: string;
    deadline?: string;
  },
) {
  const { state } = args;
  // Few users per organisation: filter memberships here rather than rely on $elemMatch,
  // which FerretDB v1 does not fully support. Read only when a mail goes to a role, from a
  // short cache (FerretDB reads the whole collection for it), and then also for the
  // recipients' names and addresses.
  let everyone: Promise<MailUser[]> | null = null;
  const roleUsers = async (role: string) =>
    (await (everyone ??= usersOf(models)))
      .filter((u) => u.memberships.some((m) => m.org === state.provider && !m.deactivatedAt && m.roles.includes(role)))
      .map((u) => u._id);
  const orgs = await orgNames();
  const recipients: { ids: Set<string>; noReviewer: boolean }[] = [];
  for (const n of args.notify) {
    const ids = new Set<string>();
    let noReviewer = false;
    for (const r of n.to) {
      if (r === 'requester') ids.add(args.submittedBy);
      if (r === 'assignee' && state.assignee) ids.add(state.assignee);
      if (r === 'coordinators') for (const id of await roleUsers('coordinator')) ids.add(id);
      if (r === 'reviewers') {
        for (const id of await roleUsers('reviewer')) if (!state.contributors.includes(id) && id !== state.assignee) ids.add(id);
        if (state.nominatedReviewer) ids.add(state.nominatedReviewer);
        // Nobody may review (four eyes): the coordinators hear it now, and can name a reviewer.
        if (ids.size === 0) {
          noReviewer = true;
          for (const id of await roleUsers('coordinator')) ids.add(id);
        }
      }
      if (r === 'nominatedReviewer' && state.nominatedReviewer) ids.add(state.nominatedReviewer);
    }
    recipients.push({ ids, noReviewer });
  }
  // The recipients in one read: from the users already read (for this mail, or for another one
  // in the last seconds) when they are all there, by _id for one (FerretDB answers only
  // {_id: value} without reading the whole collection), else all at once.
  const wanted = [...new Set(recipients.flatMap((r) => [...r.ids]))];
  const read = async (): Promise<MailUser[]> => {
    if (everyone) return everyone;
    const cached = await freshUsers(models)?.catch(() => null);
    if (cached && wanted.every((id) => cached.some((u) => u._id === id))) return cached;
    if (wanted.length === 1) {
      const one = await models.User.findById(wanted[0]).lean();
      return one ? [one as unknown as MailUser] : [];
    }
    return wanted.length ? ((await models.User.find({ _id: { $in: wanted } }).lean()) as unknown as MailUser[]) : [];
  };
  const known = await read();
  const byId = new Map(known.map((u) => [u._id, u]));
  const docs = [];
  for (const [i, n] of args.notify.entries()) {
    const { ids, noReviewer } = recipients[i]!;
    // In the order the ids were found: the requester first.
    const users = [...ids].flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    const last = state.clarifications[state.clarifications.length - 1];
    for (const user of users) {
      const data = {
        recipientName: user.name,
        link: args.link,
        title: state.title,
        buyerName: orgs.get(state.buyer) ?? state.buyer,
        providerName: orgs.get(state.provider) ?? state.provider,
        statusText: REQUEST_STATUS_NL[state.status] ?? state.status,
        description: state.description ?? '',
        quoteNote: state.quoteNote ?? null,
        noReviewer,
        reason: args.reason,
        question: last?.question,
        answer: last?.answer,
        estimateHours: state.estimateMinutes !== null ? formatHours(state.estimateMinutes) : null,
        budgetHours: state.budgetMinutes !== null ? formatHours(state.budgetMinutes) : null,
        loggedHours: formatHours(state.loggedMinutes),
        extraHours: state.pendingExtension ? formatHours(state.pendingExtension.extraMinutes) : null,
        deliverable: state.deliverable?.reference,
        slaKind: args.slaKind === 'intake' ? 'intake' : 'levering',
        deadline: args.deadline ? args.deadline.split('-').reverse().join('-') : null,
      };
      docs.push({
        _id: `request-${state.requestId}:${args.seq}:${i}:${user._id}`,
        to: user._id,
        email: user.email,
        subject: `${MAIL_SUBJECTS[n.kind]}: ${state.title}`,
        html: views.render(`mail/${n.kind}`, data, 'mail/layout'),
        kind: n.kind,
        requestId: state.requestId,
        createdAt: args.at,
      });
    }
  }
  return docs;
}
