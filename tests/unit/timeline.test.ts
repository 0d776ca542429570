// A request's timeline: one chronological view, each side seeing what it may.
import { commentRefusal, mentionedIn, requestTimeline, type TimelineInput } from '../../domain/timeline';

const base: TimelineInput = {
  events: [
    { at: '2026-11-02T09:00:00Z', action: 'submit', actor: 'q', before: { status: 'submitted' }, after: { status: 'submitted' } },
    {
      at: '2026-11-02T10:00:00Z',
      action: 'askClarification',
      actor: 'c',
      before: { status: 'submitted' },
      after: { status: 'clarification' },
    },
    {
      at: '2026-11-02T11:00:00Z',
      action: 'answerClarification',
      actor: 'q',
      before: { status: 'clarification' },
      after: { status: 'submitted' },
    },
    { at: '2026-11-03T09:00:00Z', action: 'acceptIntake', actor: 'c', before: { status: 'submitted' }, after: { status: 'in_progress' } },
    { at: '2026-11-03T10:00:00Z', action: 'logTime', actor: 's', before: { status: 'in_progress' }, after: { status: 'in_progress' } },
  ],
  clarifications: [{ question: 'Welke scholen?', answer: 'Alle vo-scholen' }],
  comments: [
    { at: '2026-11-03T12:00:00Z', authorId: 'c', text: 'Let op de privacy', internal: true },
    { at: '2026-11-03T13:00:00Z', authorId: 'q', text: 'Dank u', internal: false },
  ],
  mails: [
    { at: '2026-11-02T09:00:01Z', toId: 'c', subject: 'Nieuwe opdracht ter intake' },
    { at: '2026-11-02T10:00:01Z', toId: 'q', subject: 'Verduidelijkingsvraag' },
  ],
  entries: [
    { date: '2026-11-03', minutes: 90, createdAt: '2026-11-03T10:00:00Z' },
    { date: '2026-11-04', minutes: 30, createdAt: '2026-11-04T16:00:00Z' },
    { date: '2026-11-10', minutes: 60, createdAt: '2026-11-10T16:00:00Z' },
  ],
  invoices: [{ invoiceId: 'I1', number: 'DOR-2026-00001', issueDate: '2026-12-01', minutes: 180 }],
  side: 'provider',
  ownMail: (to) => to === 'c' || to === 's',
};

test('one chronological list: questions paired with their text, hours per week, no entry one by one', () => {
  const items = requestTimeline(base);
  expect(items.map((i) => i.kind)).toEqual([
    'event',
    'mail',
    'question',
    'answer',
    'event',
    'comment',
    'comment',
    'hours',
    'hours',
    'invoice',
  ]);
  expect(items[2]).toMatchObject({ kind: 'question', text: 'Welke scholen?', actorId: 'c' });
  expect(items[3]).toMatchObject({ kind: 'answer', text: 'Alle vo-scholen' });
  expect(items[4]).toMatchObject({ kind: 'event', action: 'acceptIntake', from: 'submitted', to: 'in_progress' });
  expect(items.filter((i) => i.kind === 'hours')).toEqual([
    { kind: 'hours', at: '2026-11-04T16:00:00Z', week: '2026-11-02', minutes: 120, entries: 2 },
    { kind: 'hours', at: '2026-11-10T16:00:00Z', week: '2026-11-09', minutes: 60, entries: 1 },
  ]);
  expect(items.some((i) => i.kind === 'event' && i.action === 'logTime')).toBe(false);
});

test("the buyer never sees the provider's internal notes nor the mails to the provider's people", () => {
  const buyer = requestTimeline({ ...base, side: 'buyer', ownMail: (to) => to === 'q' });
  expect(buyer.filter((i) => i.kind === 'comment')).toEqual([expect.objectContaining({ text: 'Dank u', internal: false })]);
  expect(buyer.filter((i) => i.kind === 'mail').map((i) => (i as { toId: string }).toId)).toEqual(['q']);
});

test("anyone of either party may comment; only the provider's people write internal notes", () => {
  const r = { buyer: 'ZWN', provider: 'DOR', status: 'in_progress' };
  expect(commentRefusal('comment', r, { userId: 'q', org: 'ZWN', roles: ['requester'] })).toBeNull();
  expect(commentRefusal('internalNote', r, { userId: 'q', org: 'ZWN', roles: ['requester'] })?.code).toBe('role_required');
  expect(commentRefusal('internalNote', r, { userId: 's', org: 'DOR', roles: ['staff'] })).toBeNull();
  expect(commentRefusal('comment', r, { userId: 'x', org: 'PAP', roles: ['requester'] })?.code).toBe('role_required');
});

test('@ names a colleague by first name or user id, not a word that merely contains one', () => {
  const colleagues = [
    { userId: 'dor-staff', name: 'Joris van Dijk' },
    { userId: 'dor-reviewer', name: 'Sanne Bakker' },
  ];
  expect(mentionedIn('@joris kun jij dit oppakken?', colleagues)).toEqual(['dor-staff']);
  expect(mentionedIn('Graag @dor-reviewer en @Sanne.', colleagues)).toEqual(['dor-reviewer']);
  expect(mentionedIn('Dank je, @Sanne.', colleagues)).toEqual(['dor-reviewer']);
  expect(mentionedIn('Joris zonder apenstaartje, en mail@joris.nl', colleagues)).toEqual([]);
});
