import {
  parseQuarter,
  quarterNl,
  quarterOf,
  quarterRange,
  quartersUpTo,
  slaPercent,
  steeringFigures,
  tally,
  total,
  usedPercent,
  type SteeringFacts,
} from '../../domain/steering';

test('quarters: of a date, their days, the ones before, in Dutch', () => {
  expect(quarterOf('2026-01-01')).toBe('2026-Q1');
  expect(quarterOf('2026-03-31')).toBe('2026-Q1');
  expect(quarterOf('2026-04-01')).toBe('2026-Q2');
  expect(quarterOf('2026-12-31')).toBe('2026-Q4');
  expect(quarterRange('2026-Q1')).toEqual({ from: '2026-01-01', to: '2026-03-31', year: 2026 });
  expect(quarterRange('2028-Q1').to).toBe('2028-03-31');
  expect(quarterRange('2026-Q2')).toEqual({ from: '2026-04-01', to: '2026-06-30', year: 2026 });
  expect(quarterRange('2026-Q4')).toEqual({ from: '2026-10-01', to: '2026-12-31', year: 2026 });
  expect(quartersUpTo('2026-Q2', 4)).toEqual(['2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2']);
  expect(quartersUpTo('2026-Q1', 1)).toEqual(['2026-Q1']);
  expect(quarterNl('2026-Q3')).toBe('K3 2026');
  expect(parseQuarter('2026-Q3')).toBe('2026-Q3');
  for (const bad of ['2026-Q5', '2026-Q0', '2026Q1', 'Q1-2026', '', '2026-q1 ']) expect(parseQuarter(bad)).toBeNull();
});

const facts: SteeringFacts = {
  requests: [
    { buyer: 'ZWN', serviceId: 'DOR-LP', submittedAt: '2026-04-02T09:00:00.000Z', breached: false },
    { buyer: 'ZWN', serviceId: 'DOR-LP', submittedAt: '2026-05-02T09:00:00.000Z', breached: true },
    { buyer: 'PAP', serviceId: 'ZWN-ICT', submittedAt: '2026-06-30T21:00:00.000Z', breached: false },
    { buyer: 'PAP', serviceId: 'ZWN-ICT', submittedAt: '2026-03-31T09:00:00.000Z', breached: false },
  ],
  entries: [
    { buyer: 'ZWN', serviceId: 'DOR-LP', date: '2026-04-10', minutes: 90 },
    { buyer: 'ZWN', serviceId: 'DOR-LP', date: '2026-07-01', minutes: 60 },
    { buyer: 'PAP', serviceId: null, date: '2026-05-10', minutes: 30 },
  ],
  invoices: [
    { buyer: 'ZWN', serviceId: 'DOR-LP', issueDate: '2026-05-01', netCents: 14_063, financing: 'hours' },
    { buyer: 'ZWN', serviceId: 'DOR-LP', issueDate: '2026-05-20', netCents: -4_000, financing: 'hours' },
    { buyer: 'ZWN', serviceId: null, issueDate: '2026-04-01', netCents: 100_001, financing: 'contribution' },
    { buyer: 'PAP', serviceId: null, issueDate: '2026-01-15', netCents: 50_000, financing: 'contribution' },
  ],
};

test('one quarter per buyer and per service: counts, minutes, euros by financing, SLA; other quarters left out', () => {
  const f = steeringFigures(facts, '2026-Q2', 3);
  expect(f.perBuyer.get('ZWN')).toEqual({
    requests: 2,
    minutes: 90,
    hoursCents: 10_063,
    contributionCents: 100_001,
    slaTotal: 2,
    slaMet: 1,
  });
  // The request of 31 March and the contribution invoice of January are Q1's.
  expect(f.perBuyer.get('PAP')).toEqual({ requests: 1, minutes: 30, hoursCents: 0, contributionCents: 0, slaTotal: 1, slaMet: 1 });
  // Time without a known service, and contribution invoices, are not per service.
  expect(f.perService.get('DOR-LP')).toMatchObject({ requests: 2, minutes: 90, hoursCents: 10_063, contributionCents: 0 });
  expect(f.perService.get('ZWN-ICT')).toMatchObject({ requests: 1, minutes: 0 });
  expect([...f.perService.keys()].sort()).toEqual(['DOR-LP', 'ZWN-ICT']);
  expect(f.trend.map((t) => t.quarter)).toEqual(['2025-Q4', '2026-Q1', '2026-Q2']);
  expect(f.trend.map((t) => t.requests)).toEqual([0, 1, 3]);
  expect(f.trend.map((t) => t.contributionCents)).toEqual([0, 50_000, 100_001]);
  // The trend's quarter equals the sum over the buyers of that quarter: one count, two views.
  const sum = total(f.perBuyer.values());
  expect(f.trend[2]).toEqual({ quarter: '2026-Q2', ...sum });
  expect(slaPercent(sum)).toBe(67);
});

test('tally leaves out what the key refuses, and SLA and budget percentages have no value without a base', () => {
  expect(tally(facts, () => null).size).toBe(0);
  expect(slaPercent({ slaTotal: 0, slaMet: 0 })).toBeNull();
  expect(slaPercent({ slaTotal: 3, slaMet: 3 })).toBe(100);
  expect(usedPercent(90, null)).toBeNull();
  expect(usedPercent(90, 0)).toBeNull();
  expect(usedPercent(150, 100)).toBe(150);
});

test('a request counts in the quarter of its Dutch day: sent at 00:30 on 1 July in the Netherlands, it is Q3', () => {
  // 22:30 UTC on 30 June is 00:30 on 1 July in summer time; 21:59 UTC is still 30 June.
  const at = (submittedAt: string): SteeringFacts => ({
    requests: [{ buyer: 'ZWN', serviceId: 'DOR-LP', submittedAt, breached: false }],
    entries: [],
    invoices: [],
  });
  expect(steeringFigures(at('2026-06-30T22:30:00.000Z'), '2026-Q2', 1).perBuyer.get('ZWN')).toBeUndefined();
  expect(steeringFigures(at('2026-06-30T22:30:00.000Z'), '2026-Q3', 1).perBuyer.get('ZWN')).toMatchObject({ requests: 1 });
  expect(steeringFigures(at('2026-06-30T21:59:00.000Z'), '2026-Q2', 1).perBuyer.get('ZWN')).toMatchObject({ requests: 1 });
});
