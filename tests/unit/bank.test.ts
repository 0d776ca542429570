// Reading CAMT.053 statements and matching their credits to open invoices.
import { matchStatement, parseCamt053, type BankTransaction } from '../../domain/bank';
import { camt053 } from '../support/camt';

const open = [
  { invoiceId: 'I1', number: 'DOR-2026-00001', buyer: 'ZWN', outstandingCents: 19_000 },
  { invoiceId: 'I2', number: 'DOR-2026-00002', buyer: 'PAP', outstandingCents: 50_000 },
  { invoiceId: 'I3', number: 'DOR-2026-00003', buyer: 'HIA', outstandingCents: 7_500 },
  { invoiceId: 'I4', number: 'DOR-2026-00004', buyer: 'SLI', outstandingCents: 2_500 },
];
const file = camt053({
  statementId: 'STMT-2026-334',
  entries: [
    { amount: '190.00', txs: [{ amount: '190.00', remittance: 'Betaling factuur DOR-2026-00001 leerplicht' }] },
    // A batch booking: one entry of three transfers.
    {
      amount: '375.00',
      txs: [
        { amount: '200.00', endToEndId: 'DOR-2026-00002', debtor: 'Gemeente Papendrecht' },
        { amount: '100.00', remittance: 'facturen DOR-2026-00003 en DOR-2026-00004', debtor: 'Gemeente Sliedrecht' },
        { amount: '75.00', remittance: 'Contributie 2026' },
      ],
    },
    { amount: '12.50', credit: false, txs: [{ amount: '12.50', remittance: 'Bankkosten' }] },
    { amount: '900.00', txs: [{ amount: '900.00', remittance: 'DOR-2026-00001' }] },
    { amount: '10.00', status: 'PDNG', txs: [{ amount: '10.00', remittance: 'DOR-2026-00003' }] },
  ],
});

test('a statement is read with every transaction, also those inside a batch booking', () => {
  const parsed = parseCamt053(file);
  if (!parsed.ok) throw new Error(parsed.refusal.message);
  const [s] = parsed.statements;
  expect(s).toMatchObject({ statementId: 'STMT-2026-334', account: 'NL91RABO0300065264' });
  expect(s!.transactions.map((t) => [t.lineNo, t.amountCents, t.credit, t.batch])).toEqual([
    [1, 19_000, true, false],
    [2, 20_000, true, true],
    [3, 10_000, true, true],
    [4, 7_500, true, true],
    [5, 1_250, false, false],
    [6, 90_000, true, false],
    [7, 1_000, true, false],
  ]);
  expect(s!.transactions[1]).toMatchObject({ endToEndId: 'DOR-2026-00002', debtorName: 'Gemeente Papendrecht', bookingDate: '2026-11-30' });
  expect(s!.transactions[6]!.booked).toBe(false);
});

test('credits match by invoice number in the remittance or the end-to-end reference: exact, partial, or left for a person', () => {
  const parsed = parseCamt053(file);
  if (!parsed.ok) throw new Error('unreadable');
  const m = matchStatement(parsed.statements[0]!.transactions, open);
  const brief = (x: BankTransaction & { match: string; reason: string | null; invoices: { number: string; amountCents: number }[] }) => [
    x.lineNo,
    x.match,
    x.reason,
    x.invoices.map((i) => `${i.number}=${i.amountCents}`).join('+'),
  ];
  expect(m.map(brief)).toEqual([
    [1, 'exact', null, 'DOR-2026-00001=19000'],
    [2, 'partial', null, 'DOR-2026-00002=20000'],
    [3, 'exact', null, 'DOR-2026-00003=7500+DOR-2026-00004=2500'],
    [4, 'unmatched', 'no_invoice', ''],
    [5, 'unmatched', 'debit', ''],
    // Invoice 1 was paid by line 1 of this same file: nothing is outstanding for line 6.
    [6, 'unmatched', 'no_invoice', ''],
    [7, 'unmatched', 'not_booked', ''],
  ]);
});

test('more than is outstanding, or several invoices that do not add up, are left for a person', () => {
  const parsed = parseCamt053(
    camt053({
      statementId: 'S2',
      entries: [
        { amount: '191.00', txs: [{ amount: '191.00', remittance: 'DOR-2026-00001' }] },
        { amount: '99.00', txs: [{ amount: '99.00', remittance: 'DOR-2026-00003 DOR-2026-00004' }] },
      ],
    }),
  );
  if (!parsed.ok) throw new Error('unreadable');
  expect(matchStatement(parsed.statements[0]!.transactions, open).map((x) => x.reason)).toEqual([
    'more_than_outstanding',
    'several_invoices',
  ]);
});

test('a malformed file, another XML, a DOCTYPE or a bad amount is refused whole, with what is wrong', () => {
  const problem = (xml: string) => {
    const r = parseCamt053(xml);
    return r.ok ? null : (r.refusal.params as { problem: string }).problem;
  };
  expect(problem('')).toBe('not_xml');
  expect(problem('<Document><BkToCstmrStmt>')).toBe('not_xml');
  expect(problem('<?xml version="1.0"?><Invoice><ID>1</ID></Invoice>')).toBe('not_camt053');
  expect(problem('<!DOCTYPE x [<!ENTITY a "b">]><Document/>')).toBe('not_xml');
  expect(problem(file.replace('<Amt Ccy="EUR">190.00</Amt>', '<Amt Ccy="EUR">1,90</Amt>'))).toBe('bad_amount');
  expect(problem(file.replace('<Id>STMT-2026-334</Id>', ''))).toBe('no_statement');
});
