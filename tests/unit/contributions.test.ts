import {
  productChangeRefusal,
  isContributionStepKey,
  advanceAmount,
  allocateContributions,
  dueInstalments,
  instalmentPeriod,
  keyFigureWeights,
  overlappingPeriod,
  participationDays,
  periodRange,
  prorate,
  settlementDifference,
  versionOn,
  type KeyFigureVersion,
  type ParticipationPeriod,
} from '../../domain/contributions';
import { daysInYear, yearEnded } from '../../domain/dates';
import { Refusal } from '../../domain/refusals';
import { cbsCode, mergeFigures, parseKeyFigureCsv } from '../../domain/key-figures';
import { demoContributionBudgets, demoContributionProducts, demoKeyFigures, demoParticipations } from '../../models/demo-data';

const POPULATION = { DOR: 119_500, ZWN: 44_800, PAP: 30_500, HIA: 24_500, SLI: 24_000, ALB: 18_900, GRA: 9_500 };
const SEVEN = Object.keys(POPULATION);
const fullYear = (codes: string[], from = '2026-01-01'): ParticipationPeriod[] =>
  codes.map((participant) => ({ participant, from, to: null }));
const inwoners = (figures: Record<string, number>, referenceDate = '2025-01-01', version = 1): KeyFigureVersion => ({
  id: `inwoners-v${version}`,
  name: 'inwoners',
  version,
  referenceDate,
  figures,
});
const byParticipant = (shares: { participant: string; totalCents: number }[]) =>
  Object.fromEntries(shares.map((s) => [s.participant, s.totalCents]));
const sum = (shares: { totalCents: number }[]) => shares.reduce((s, x) => s + x.totalCents, 0);

const expectBadInput = (fn: () => unknown, field: string, message: RegExp) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Refusal);
    expect((err as Refusal).kind).toBe('BadInput');
    expect((err as Refusal).field).toBe(field);
    expect((err as Refusal).message).toMatch(message);
    return;
  }
  throw new Error('expected a BadInput error');
};

describe('the seed example with participation: EUR 80,000, DOR fixed 40,000, the rest by population over the other six', () => {
  const a = allocateContributions({
    totalCents: 8_000_000,
    year: 2026,
    rules: { fixed: { DOR: 4_000_000 }, rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
    participations: fullYear(SEVEN),
    keyFigures: { inwoners: [inwoners(POPULATION)] },
  });
  test('gives the same cents as the plain allocation rule, adding up to the total', () => {
    expect(byParticipant(a.shares)).toEqual({
      DOR: 4_000_000,
      ZWN: 1_177_398,
      PAP: 801_577,
      HIA: 643_890,
      SLI: 630_749,
      ALB: 496_715,
      GRA: 249_671,
    });
    expect(sum(a.shares)).toBe(8_000_000);
  });
  test('records the key-figure version and explains every share', () => {
    expect(a.keyFigureVersions).toEqual(['inwoners-v1']);
    const zwn = a.shares.find((s) => s.participant === 'ZWN')!;
    expect(zwn.explanation).toMatch(/44800 inwoners × 365 days \(inwoners-v1\)/);
    expect(a.shares.find((s) => s.participant === 'DOR')!.explanation).toBe('fixed share 4000000 ct');
  });
});

describe('participation pro-rated by days', () => {
  test('days count both the first and the last day, clipped to the year; leap years have 366', () => {
    expect(daysInYear(2026)).toBe(365);
    expect(daysInYear(2028)).toBe(366);
    expect(
      participationDays(
        [
          { participant: 'A', from: '2025-06-01', to: null },
          { participant: 'B', from: '2026-07-01', to: '2026-07-31' },
          { participant: 'C', from: '2026-01-01', to: '2026-03-31' },
          { participant: 'C', from: '2026-10-01', to: null },
          { participant: 'D', from: '2027-01-01', to: null },
        ],
        2026,
      ),
    ).toEqual({ A: 365, B: 31, C: 90 + 92 });
  });
  test('a participant that joins on 1 July pays for its 184 days only; the others cover the rest of the budget', () => {
    const a = allocateContributions({
      totalCents: 1_000_000,
      year: 2026,
      rules: { rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
      participations: [...fullYear(['A']), { participant: 'B', from: '2026-07-01', to: null }],
      keyFigures: { inwoners: [inwoners({ A: 100, B: 100 })] },
    });
    // weights 100 × 365 and 100 × 184
    expect(byParticipant(a.shares)).toEqual({ A: 664_845, B: 335_155 });
    expect(a.shares.find((s) => s.participant === 'B')!.days).toBe(184);
  });
  test('a fixed share and the fixed base are pro-rated by days, half-up', () => {
    expect(prorate(4_000_000, 365, 365)).toBe(4_000_000);
    expect(prorate(100, 1, 365)).toBe(0); // 0.27 ct
    expect(prorate(200, 1, 365)).toBe(1); // 0.55 ct
    const a = allocateContributions({
      totalCents: 100_000,
      year: 2026,
      rules: { fixed: { F: 36_500 }, basePerParticipant: 3_650, rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
      participations: [
        { participant: 'F', from: '2026-01-01', to: '2026-01-10' },
        ...fullYear(['A']),
        { participant: 'B', from: '2026-12-22', to: null },
      ],
      keyFigures: { inwoners: [inwoners({ A: 1, B: 1 })] },
    });
    expect(a.shares.map((s) => [s.participant, s.fixedCents, s.baseCents])).toEqual([
      ['A', 0, 3_650],
      ['B', 0, 100],
      ['F', 1_000, 0],
    ]);
    expect(sum(a.shares)).toBe(100_000);
  });
  test('a participation that overlaps an earlier one of the same participant is found; adjacent ones are not', () => {
    const existing = [{ participant: 'A', from: '2026-01-01', to: '2026-06-30' }];
    expect(overlappingPeriod(existing, { participant: 'A', from: '2026-06-30', to: null })).toBe(existing[0]);
    expect(overlappingPeriod(existing, { participant: 'A', from: '2026-07-01', to: null })).toBeNull();
    expect(overlappingPeriod(existing, { participant: 'B', from: '2026-03-01', to: null })).toBeNull();
    expect(
      overlappingPeriod([{ participant: 'A', from: '2026-03-01', to: null }], { participant: 'A', from: '2020-01-01', to: '2026-03-01' }),
    ).not.toBeNull();
  });
});

describe('allocation rules', () => {
  test('a sum of parts: 70 by inhabitants and 30 by hours, each by largest remainder, the whole to the cent', () => {
    const a = allocateContributions({
      totalCents: 1_000_001,
      year: 2026,
      rules: {
        basePerParticipant: 100_000,
        rest: [
          { by: 'keyFigure', name: 'inwoners', weight: 70 },
          { by: 'hours', weight: 30 },
        ],
      },
      participations: fullYear(['A', 'B', 'C']),
      keyFigures: { inwoners: [inwoners({ A: 1, B: 1, C: 1 })] },
      hoursMinutes: { A: 600, B: 0, C: 300 },
    });
    expect(a.restCents).toBe(700_001);
    expect(a.parts.map((p) => [p.name, p.cents])).toEqual([
      ['inwoners', 490_001],
      ['uren', 210_000],
    ]);
    expect(a.shares.map((s) => [s.participant, s.parts.map((p) => p.cents), s.totalCents])).toEqual([
      ['A', [163_334, 140_000], 403_334],
      ['B', [163_334, 0], 263_334],
      ['C', [163_333, 70_000], 333_333],
    ]);
    expect(sum(a.shares)).toBe(1_000_001);
    expect(a.shares[0]!.parts[1]!.explanation).toMatch(/600 minutes of approved hours: 600 \/ 900/);
  });
  test('ties in the remainder go to the larger weight, then to the code, whatever the input order', () => {
    const run = (order: string[]) =>
      byParticipant(
        allocateContributions({
          totalCents: 100,
          year: 2026,
          rules: { rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
          participations: fullYear(order),
          keyFigures: { inwoners: [inwoners({ A: 1, B: 1, C: 1 })] },
        }).shares,
      );
    expect(run(['C', 'B', 'A'])).toEqual({ A: 34, B: 33, C: 33 });
    expect(run(['A', 'C', 'B'])).toEqual({ A: 34, B: 33, C: 33 });
  });
  test('fixed shares that exceed the total are refused', () => {
    expectBadInput(
      () =>
        allocateContributions({
          totalCents: 100,
          year: 2026,
          rules: { fixed: { A: 101 }, rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
          participations: fullYear(['A', 'B']),
          keyFigures: { inwoners: [inwoners({ B: 1 })] },
        }),
      'rules.fixed',
      /exceed the total/,
    );
  });
  test('a fixed base that, with the fixed shares, exceeds the total is refused', () => {
    expectBadInput(
      () =>
        allocateContributions({
          totalCents: 100,
          year: 2026,
          rules: { fixed: { A: 50 }, basePerParticipant: 51, rest: [] },
          participations: fullYear(['A', 'B']),
          keyFigures: {},
        }),
      'rules.basePerParticipant',
      /exceed the total/,
    );
  });
  test('a key figure missing for a participant is reported with every participant that lacks it', () => {
    expectBadInput(
      () =>
        allocateContributions({
          totalCents: 100,
          year: 2026,
          rules: { rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
          participations: fullYear(['A', 'B', 'C']),
          keyFigures: { inwoners: [inwoners({ A: 1 })] },
        }),
      'keyFigures',
      /missing for B on 2026-01-01 .*C on 2026-01-01/,
    );
  });
  test('a rest without a rule to divide it by, or hours when nobody has any, is refused', () => {
    expectBadInput(
      () => allocateContributions({ totalCents: 100, year: 2026, rules: { rest: [] }, participations: fullYear(['A']), keyFigures: {} }),
      'rules.rest',
      /says nothing about the rest/,
    );
    expectBadInput(
      () =>
        allocateContributions({
          totalCents: 100,
          year: 2026,
          rules: { rest: [{ by: 'hours', weight: 1 }] },
          participations: fullYear(['A']),
          keyFigures: {},
          hoursMinutes: {},
        }),
      'hours',
      /no approved hours/,
    );
  });
  test('nobody participating in the year is refused', () => {
    expectBadInput(
      () =>
        allocateContributions({
          totalCents: 100,
          year: 2026,
          rules: { rest: [] },
          participations: fullYear(['A'], '2027-01-01'),
          keyFigures: {},
        }),
      'participations',
      /nobody participates/,
    );
  });
});

describe('versioned key figures', () => {
  const v1 = inwoners({ A: 100, B: 100 }, '2025-01-01', 1);
  const v2 = inwoners({ A: 200, B: 100 }, '2025-01-01', 2); // a correction of the same reference date
  const v3 = inwoners({ A: 300 }, '2026-07-01', 3); // B merged into A on 1 July
  test('the version in force is the latest reference date on or before the day, then the highest version', () => {
    expect(versionOn([v1, v2, v3], '2026-06-30')).toBe(v2);
    expect(versionOn([v1, v2, v3], '2026-07-01')).toBe(v3);
    expect(versionOn([v3], '2026-01-01')).toBeNull();
  });
  test('a participation is split where a new version comes into force', () => {
    const intervals = new Map([
      ['A', [{ from: '2026-01-01', to: '2026-12-31' }]],
      ['B', [{ from: '2026-01-01', to: '2026-06-30' }]],
    ]);
    const r = keyFigureWeights('inwoners', [v1, v2, v3], intervals);
    expect(r.weights).toEqual({ A: 200 * 181 + 300 * 184, B: 100 * 181 });
    expect(r.versionIds).toEqual(['inwoners-v2', 'inwoners-v3']);
  });
});

describe('a merger moves the figures to the new municipality', () => {
  test('the merged figures add up in the new one and the merged ones are gone', () => {
    expect(mergeFigures({ A: 10, B: 5, C: 7 }, ['B', 'C'], 'N')).toEqual({ A: 10, N: 12 });
    expect(mergeFigures({ A: 10, B: 5 }, ['B'], 'A')).toEqual({ A: 15 });
    expect(mergeFigures({ A: 10 }, ['B'], 'N')).toEqual({ A: 10 });
  });
});

describe('advances and settlement', () => {
  test('quarterly advances of the provisional contribution add up to it exactly', () => {
    let invoiced = 0;
    const amounts = [1, 2, 3, 4].map((instalment) => {
      const a = advanceAmount({ yearlyCents: 1_177_398, invoicedCents: invoiced, instalment, instalments: 4 });
      invoiced += a;
      return a;
    });
    expect(amounts).toEqual([294_349, 294_349, 294_350, 294_350]);
    expect(invoiced).toBe(1_177_398);
  });
  test('a budget amendment changes only the advances not yet invoiced', () => {
    // two quarters of 25,000 invoiced on 100,000; the budget goes to 120,000: 70,000 left over two quarters
    expect(advanceAmount({ yearlyCents: 120_000, invoicedCents: 50_000, instalment: 3, instalments: 4 })).toBe(35_000);
    expect(advanceAmount({ yearlyCents: 120_000, invoicedCents: 85_000, instalment: 4, instalments: 4 })).toBe(35_000);
    // a cut below what is invoiced: no advance; the settlement returns the difference
    expect(advanceAmount({ yearlyCents: 40_000, invoicedCents: 50_000, instalment: 3, instalments: 4 })).toBe(0);
  });
  test('instalments have their period and become due on its first day', () => {
    expect(instalmentPeriod(2026, 3, 4)).toEqual({ start: '2026-07-01', label: '2026-Q3' });
    expect(instalmentPeriod(2026, 2, 12)).toEqual({ start: '2026-02-01', label: '2026-02' });
    expect(instalmentPeriod(2026, 1, 1)).toEqual({ start: '2026-01-01', label: '2026' });
    expect(dueInstalments(2026, 4, '2026-06-30')).toBe(2);
    expect(dueInstalments(2026, 4, '2026-07-01')).toBe(3);
    expect(dueInstalments(2027, 4, '2026-12-31')).toBe(0);
    expect(() => instalmentPeriod(2026, 5, 4)).toThrow(/instalment must be 1 to 4/);
  });
  test('the settlement is an invoice for more, a credit note for less, nothing when equal', () => {
    expect(settlementDifference(1_200_000, 1_177_398)).toEqual({ kind: 'invoice', amountCents: 22_602 });
    expect(settlementDifference(1_000_000, 1_177_398)).toEqual({ kind: 'credit_note', amountCents: 177_398 });
    expect(settlementDifference(5, 5)).toEqual({ kind: 'none', amountCents: 0 });
  });
  test('a year has ended only after its last day', () => {
    expect(yearEnded(2026, '2026-12-31')).toBe(false);
    expect(yearEnded(2026, '2027-01-01')).toBe(true);
  });
});

describe('key figures from a CBS open-data table', () => {
  const orgs: Record<string, string> = { GM0505: 'DOR', GM0642: 'ZWN', dordrecht: 'DOR', zwijndrecht: 'ZWN' };
  const resolve = (region: string) => orgs[cbsCode(region) ?? region.toLowerCase()] ?? null;
  test('a StatLine export (;, quoted, codes padded as in the OData feed) gives the figures; other regions are skipped', () => {
    const csv = [
      '"RegioS";"Perioden";"BevolkingOp1Januari_1"',
      '"GM0505    ";"2026JJ00";"121565"',
      '"GM0642    ";"2026JJ00";"45000"',
      '"GM0363    ";"2026JJ00";"931298"',
    ].join('\n');
    expect(parseKeyFigureCsv(csv, resolve)).toEqual({
      figures: { DOR: 121_565, ZWN: 45_000 },
      errors: [],
      skipped: [{ row: 4, region: 'GM0363' }],
      column: 'BevolkingOp1Januari_1',
    });
  });
  test('names and a comma-separated file with a chosen column work too', () => {
    const csv = 'Gemeente,Leerlingen 5-18,Inwoners\nDordrecht,17000,121565\nZwijndrecht,6100,45000\n';
    expect(parseKeyFigureCsv(csv, resolve, 'Leerlingen 5-18').figures).toEqual({ DOR: 17_000, ZWN: 6_100 });
  });
  test('bad rows are reported with their line numbers and a code for each problem', () => {
    const csv = ['Regio;Inwoners', 'GM0505;12x', 'GM0642;', ';5', 'GM0505;10', 'GM0642;1;2'].join('\n');
    expect(parseKeyFigureCsv(csv, resolve).errors).toEqual([
      { row: 2, problem: { code: 'figure_not_whole', region: 'GM0505', found: '12x' } },
      { row: 3, problem: { code: 'figure_not_whole', region: 'GM0642', found: '' } },
      { row: 4, problem: { code: 'region_empty' } },
      { row: 6, problem: { code: 'column_count', expected: 2, found: 3 } },
    ]);
    expect(parseKeyFigureCsv('Regio;Inwoners\nGM0505;1\nDordrecht;2', resolve).errors).toEqual([
      { row: 3, problem: { code: 'region_twice', region: 'Dordrecht', otherRow: 2 } },
    ]);
    expect(parseKeyFigureCsv('Regio;Inwoners\nGM0363;1', resolve).errors).toEqual([{ row: 1, problem: { code: 'no_participant_rows' } }]);
  });
  test('a quoted cell may hold a line break and the delimiter; rows keep the line they start on', () => {
    // The hand-written line splitter broke here: a name with a line break in quotes.
    const csv = 'Regio;Toelichting;Inwoners\n"GM0505";"Dordrecht;\nstad";121565\n"GM0642";"Zwijndrecht";45000\n"GM0505";"x";1';
    const parsed = parseKeyFigureCsv(csv, resolve);
    expect(parsed.figures).toEqual({ DOR: 121_565, ZWN: 45_000 });
    expect(parsed.errors).toEqual([{ row: 5, problem: { code: 'region_twice', region: 'GM0505', otherRow: 2 } }]);
  });
  test('an unclosed quote is reported, not guessed', () => {
    expect(parseKeyFigureCsv('Regio;Inwoners\n"GM0505;1\nGM0642;2', resolve).errors).toEqual([{ row: 3, problem: { code: 'unreadable' } }]);
  });
});

describe('invoice period labels', () => {
  test('a month, a quarter and a year have their first and last day', () => {
    expect(periodRange('2026-02')).toEqual({ start: '2026-02-01', end: '2026-02-28' });
    expect(periodRange('2026-Q4')).toEqual({ start: '2026-10-01', end: '2026-12-31' });
    expect(periodRange('2026')).toEqual({ start: '2026-01-01', end: '2026-12-31' });
  });
});

describe('the demo data of the shared centre', () => {
  const products = demoContributionProducts();
  const participations = demoParticipations();
  const figures = demoKeyFigures();
  const budgets = demoContributionBudgets();
  const allocate = (productId: string) => {
    const product = products.find((p) => p._id === productId)!;
    return allocateContributions({
      totalCents: budgets.find((b) => b.product === productId)!.budgetCents,
      year: 2026,
      rules: product.rules as never,
      participations: participations.filter((p) => p.product === productId),
      keyFigures: Object.fromEntries(figures.map((f) => [f.name, [{ ...f, id: f._id }]])),
    });
  };
  test('the basic product is the seed example: EUR 80,000, Dordrecht 40,000, the rest by population', () => {
    expect(byParticipant(allocate('DBC-LP-BASIS').shares)).toEqual({
      DOR: 4_000_000,
      ZWN: 1_177_398,
      PAP: 801_577,
      HIA: 643_890,
      SLI: 630_749,
      ALB: 496_715,
      GRA: 249_671,
    });
  });
  test('the optional case handling is paid by its three participants only', () => {
    const a = allocate('DBC-LP-CASUS');
    expect(a.shares.map((s) => s.participant)).toEqual(['DOR', 'PAP', 'ZWN']);
    expect(sum(a.shares)).toBe(3_000_000);
  });
});

describe('isContributionStepKey', () => {
  test('a contribution step (advance k or settlement) is one; an hour run is not', () => {
    expect(isContributionStepKey('DBC-LP-BASIS:2025:A1')).toBe(true);
    expect(isContributionStepKey('DBC-LP-BASIS:2025:A12')).toBe(true);
    expect(isContributionStepKey('DBC-LP-BASIS:2025:S')).toBe(true);
    expect(isContributionStepKey('invoice-run-DOR-2026-11')).toBe(false);
    expect(isContributionStepKey('invoice-run-DOR-2026-11:A1')).toBe(false);
    expect(isContributionStepKey(null)).toBe(false);
    expect(isContributionStepKey(undefined)).toBe(false);
  });
});

describe("a change of a product's details", () => {
  const product = { _id: 'DBC-LP-BASIS', vatCategory: 'O', advanceFrequency: 'quarterly' };
  test('before its first step, VAT and advance frequency may change', () =>
    expect(productChangeRefusal(product, { vatCategory: 'S', advanceFrequency: 'monthly' }, false)).toBeNull());
  test('after a step, the same terms pass; another VAT category or frequency is refused, naming the field', () => {
    expect(productChangeRefusal(product, { vatCategory: 'O', advanceFrequency: 'quarterly' }, true)).toBeNull();
    const vat = productChangeRefusal(product, { vatCategory: 'S', advanceFrequency: 'quarterly' }, true);
    expect(vat).toMatchObject({ code: 'product_terms_invoiced', field: 'vatCategory', params: { fields: ['vatCategory'] } });
    const both = productChangeRefusal(product, { vatCategory: 'E', advanceFrequency: 'yearly' }, true);
    expect(both?.params).toEqual({ product: 'DBC-LP-BASIS', fields: ['vatCategory', 'advanceFrequency'] });
  });
});
