// The demo data a new user meets first: names that match the organisation, numbers that pass
// the checks a finance system applies.
import { dutchVatNumber, isDutchVatNumber } from '../../domain/money';
import { demoOrganisations, demoUsers } from '../../models/demo-data';

describe('Dutch VAT numbers', () => {
  test('the eleven test and the mod-97 rule are both accepted; a wrong check digit is not', () => {
    expect(isDutchVatNumber('NL001234567B01')).toBe(false); // the old demo numbers
    expect(isDutchVatNumber('NL123456782B01')).toBe(true); // 1·9+2·8+…+8·2 = 240 ≡ 9… check digit below
    expect(isDutchVatNumber('NL000099998B57')).toBe(true); // mod 97 (the Belastingdienst's example format)
    expect(isDutchVatNumber('NL12345678B01')).toBe(false);
  });
  test('generated numbers pass the eleven test', () => {
    for (const n of ['10000000', '10007919', '00999999', '99999999']) expect(isDutchVatNumber(dutchVatNumber(n))).toBe(true);
  });
  test('every demo organisation has a valid VAT number', () => {
    for (const o of demoOrganisations()) expect([o._id, isDutchVatNumber(o.vatNumber!)]).toEqual([o._id, true]);
  });
});

test('demo users are named after the municipality they work for', () => {
  const orgs = new Map(demoOrganisations().map((o) => [o._id, o.name.replace(/^Gemeente /, '')]));
  for (const u of demoUsers().filter((x) => /^(Opdrachtgever|Financiën) /.test(x.name))) {
    expect([u._id, u.name.replace(/^(Opdrachtgever|Financiën) /, '')]).toEqual([u._id, orgs.get(u.memberships[0]!.org)]);
  }
  expect(demoUsers().find((u) => u._id === 'gra-requester')!.name).toBe('Opdrachtgever Graafstroom');
});
