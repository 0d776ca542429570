// Refusals carry a stable code; the pages' Dutch text comes from one table keyed by that code
// (a missing key does not compile; this checks the table at run time too), never from English.
import { REFUSALS, refuse, type RefusalCode } from '../../domain/refusals';
import { CSV_ROW_NL, REFUSAL_NL, refusalNl } from '../../i18n/nl';

test('every refusal code has an English detail and a Dutch text, and nothing else is in the Dutch table', () => {
  expect(Object.keys(REFUSAL_NL).sort()).toEqual(Object.keys(REFUSALS).sort());
});

test.each<[RefusalCode, object, string | undefined, RegExp]>([
  ['budget_exceeded', { remainingMinutes: 90 }, 'minutes', /er resteert nog 1,5 uur/],
  ['budget_exceeded', { remainingMinutes: 0 }, 'minutes', /budget is op\. Vraag de coördinator om een budgetuitbreiding/],
  ['day_cap_exceeded', { date: '2026-11-28', remainingMinutes: 30 }, 'minutes', /Op 28-11-2026 kunt u nog 0,5 uur registreren/],
  ['invalid_input', { problem: 'not_a_number' }, 'minutes', /^Vul een aantal uren in, bijvoorbeeld 1,5 of 1:30\.$/],
  ['invalid_input', { problem: 'too_large', limit: 1440 }, 'minutes', /^Dat is meer dan 24 uur\./],
  ['invalid_input', { problem: 'too_long', limit: 2000 }, 'reason', /^Gebruik hoogstens 2\.000 tekens\.$/],
  ['invalid_input', { problem: 'not_a_number' }, 'rules.fixed.DOR', /^Schrijf per regel een gemeentecode en een bedrag/],
  [
    'role_required',
    { roles: ['coordinator', 'reviewer'], org: 'DOR' },
    undefined,
    /de rol coördinator en toetser nodig bij Gemeente Dordrecht/,
  ],
  ['earlier_step_unfinished', { invoices: ['X'] }, undefined, /Een eerder voorschot is nog niet helemaal verstuurd/],
  ['fixed_exceeds_budget', { fixedCents: 9_000_000, budgetCents: 8_000_000, year: 2026 }, 'rules.fixed', /€ 90\.000,00.*€ 80\.000,00/],
])('%s in Dutch', (code, params, field, dutch) => {
  const r = refuse(code, params as never, field);
  const text = refusalNl(r.info(), (c) => (c === 'DOR' ? 'Gemeente Dordrecht' : c));
  expect(text).toMatch(dutch);
  expect(text).not.toBe(r.message);
});

test('the English detail is made from the code and its parameters', () => {
  const r = refuse('budget_exceeded', { remainingMinutes: 90 }, 'minutes');
  expect(r).toMatchObject({ kind: 'Conflict', status: 409, code: 'budget_exceeded', field: 'minutes' });
  expect(r.message).toBe('this exceeds the approved budget; 90 minutes remain');
});

test('CSV row problems have Dutch texts', () => {
  expect(CSV_ROW_NL.column_count({ code: 'column_count', expected: 2, found: 3 })).toBe('verwacht 2 kolommen, gevonden 3');
});
