import { auditHash, textDigest, verifyChain, type ChainedEvent } from '../../lib/audit-chain';

function chain(n: number): ChainedEvent[] {
  const out: ChainedEvent[] = [];
  let prev = '';
  for (let seq = 1; seq <= n; seq++) {
    const e: ChainedEvent = {
      subject: 'request-X',
      seq,
      action: `a${seq}`,
      actor: 'u',
      org: 'DOR',
      at: `2026-11-0${seq}T10:00:00Z`,
      before: { status: 's' },
      after: { status: 't', reason: seq === 2 ? 'Leerling De Vries, school 3' : undefined },
    };
    e.prevHash = prev;
    e.hash = auditHash(e, prev);
    prev = e.hash;
    out.push(e);
  }
  return out;
}

test('an intact chain verifies, in any order', () => {
  expect(verifyChain(chain(4).reverse())).toEqual({ ok: true, events: 4, from: 1 });
});
test('an edited event is found: its hash no longer matches', () => {
  const events = chain(4);
  (events[2]!.after as Record<string, unknown>).status = 'completed';
  expect(verifyChain(events)).toMatchObject({ ok: false, brokenAt: 3, problem: 'hash_mismatch' });
});
test('an edited event whose hash was recomputed breaks the link of the next one', () => {
  const events = chain(4);
  events[1]!.action = 'other';
  events[1]!.hash = auditHash(events[1]!, events[1]!.prevHash!);
  expect(verifyChain(events)).toMatchObject({ ok: false, brokenAt: 3, problem: 'broken_link' });
});
test('a removed event is found', () => {
  const events = chain(4);
  events.splice(1, 1);
  expect(verifyChain(events)).toMatchObject({ ok: false, brokenAt: 2, problem: 'missing_event' });
});
test('a personal text removed by the retention clean-up, with its digest kept, still verifies', () => {
  const events = chain(3);
  const after = events[1]!.after as Record<string, unknown>;
  after.reasonDigest = textDigest(after.reason as string);
  after.reason = null;
  expect(verifyChain(events)).toMatchObject({ ok: true });
  after.reasonDigest = textDigest('iets anders');
  expect(verifyChain(events)).toMatchObject({ ok: false, brokenAt: 2, problem: 'hash_mismatch' });
});
test('events from before hashing began are left out: the chain starts at the first hashed one', () => {
  const events = chain(3);
  const legacy = { ...events[0]!, hash: null, prevHash: null };
  const restarted = { ...events[1]!, prevHash: '' };
  restarted.hash = auditHash(restarted, '');
  const third = { ...events[2]!, prevHash: restarted.hash };
  third.hash = auditHash(third, restarted.hash);
  expect(verifyChain([legacy, restarted, third])).toEqual({ ok: true, events: 3, from: 2 });
});
