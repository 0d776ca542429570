// Demo data from the design (approximate 2004 populations of the Drechtsteden), for seeding only.
import type { Role } from '../domain/roles';
import type { Model } from 'mongoose';
import { isDuplicateKey, type AgreementInput, type Models } from './index';

const MUNICIPALITIES: Array<[code: string, name: string, population: number, city: string]> = [
  ['DOR', 'Gemeente Dordrecht', 119_500, 'Dordrecht'],
  ['ZWN', 'Gemeente Zwijndrecht', 44_800, 'Zwijndrecht'],
  ['PAP', 'Gemeente Papendrecht', 30_500, 'Papendrecht'],
  ['HIA', 'Gemeente Hendrik-Ido-Ambacht', 24_500, 'Hendrik-Ido-Ambacht'],
  ['SLI', 'Gemeente Sliedrecht', 24_000, 'Sliedrecht'],
  ['ALB', 'Gemeente Alblasserdam', 18_900, 'Alblasserdam'],
  ['GRA', 'Gemeente Graafstroom', 9_500, 'Bleskensgraaf'],
];

/** A syntactically valid Dutch IBAN (ISO 13616 mod-97 check digits) for demo bank account n. */
export function demoIban(n: number): string {
  const bank = 'BNGH'; // BNG Bank, the municipalities' bank
  const account = String(2850000000 + n).padStart(10, '0');
  const digits = `${[...bank].map((c) => c.charCodeAt(0) - 55).join('')}${account}232100`; // NL00 -> 2321 00
  let rem = 0;
  for (const d of digits) rem = (rem * 10 + Number(d)) % 97;
  return `NL${String(98 - rem).padStart(2, '0')}${bank}${account}`;
}

export function demoOrganisations() {
  const orgs = MUNICIPALITIES.map(([code, name, population, city], i) => ({
    _id: code,
    name,
    kind: 'municipality' as 'municipality' | 'shared_centre',
    population,
    populationDate: '2004-01-01',
    oin: `000000010000${String(1000 + i).padStart(8, '0')}`,
    kvk: `2700${String(1000 + i)}`,
    vatNumber: `NL00${String(1000000 + i * 7919).slice(0, 7)}B01`,
    iban: demoIban(i + 1),
    address: { street: 'Stadhuisplein 1', postalCode: `33${10 + i} AA`, city },
  }));
  orgs.push({
    _id: 'DBC',
    name: 'Drechtsteden Beleidscentrum',
    kind: 'shared_centre',
    population: 0,
    populationDate: '2004-01-01',
    oin: '00000001000000009999',
    kvk: '27009999',
    vatNumber: 'NL009999999B01',
    iban: demoIban(99),
    address: { street: 'Spuiboulevard 300', postalCode: '3311 GR', city: 'Dordrecht' },
  });
  return orgs;
}

type Membership = { org: string; roles: Role[] };
const user = (id: string, name: string, memberships: Membership[], skills: string[] = []) => ({
  _id: id,
  name,
  email: `${id}@demo.eenvoud.nl`,
  memberships,
  skills,
});

export function demoUsers() {
  const users = [
    user('dor-coordinator', 'Fatima El Amrani', [{ org: 'DOR', roles: ['coordinator'] }]),
    user('dor-staff', 'Joris van Dijk', [{ org: 'DOR', roles: ['staff'] }], ['leerplicht']),
    user('dor-staff-2', 'Sanne Bakker', [{ org: 'DOR', roles: ['staff'] }], ['leerplicht', 'jeugd']),
    user('dor-reviewer', 'Pieter Jansen', [{ org: 'DOR', roles: ['reviewer', 'staff'] }], ['leerplicht']),
    user('dor-finance', 'Ingrid Smit', [{ org: 'DOR', roles: ['provider_finance', 'buyer_finance'] }]),
    user('dor-requester', 'Mark de Groot', [{ org: 'DOR', roles: ['requester'] }]),
    user('zwn-coordinator', 'Kees Visser', [{ org: 'ZWN', roles: ['coordinator', 'reviewer'] }]),
    user('zwn-staff', 'Lotte Mulder', [{ org: 'ZWN', roles: ['staff'] }], ['ict']),
    user('dbc-coordinator', 'Ahmed Yilmaz', [{ org: 'DBC', roles: ['coordinator', 'reviewer'] }]),
    user('dbc-staff', 'Eva de Boer', [{ org: 'DBC', roles: ['staff'] }], ['leerplicht']),
    user('dbc-finance', 'Tom Vermeulen', [{ org: 'DBC', roles: ['provider_finance'] }]),
    user('region-admin', 'Regiobeheer Drechtsteden', [{ org: 'DBC', roles: ['admin'] }]),
  ];
  for (const [code, , , city] of MUNICIPALITIES.filter(([c]) => c !== 'DOR')) {
    const lc = code.toLowerCase();
    if (code !== 'ZWN') users.push(user(`${lc}-requester`, `Opdrachtgever ${city}`, [{ org: code, roles: ['requester'] }]));
    users.push(
      user(`${lc}-finance`, `Financiën ${city}`, [
        { org: code, roles: code === 'ZWN' ? ['buyer_finance', 'provider_finance'] : ['buyer_finance'] },
      ]),
    );
  }
  users.push(user('zwn-requester', 'Anne de Vries', [{ org: 'ZWN', roles: ['requester'] }]));
  return users;
}

export function demoServices() {
  return [
    {
      _id: 'DOR-LEERPLICHT',
      provider: 'DOR',
      name: 'Leerplichtadministratie',
      policyArea: 'leerplicht',
      quoteRequired: true,
      intakeSlaDays: 5,
      deliverySlaDays: 20,
      silentAcceptanceDays: 10,
      rates: [
        { validFrom: '2025-01-01', rateCentsPerHour: 8_950 },
        { validFrom: '2026-01-01', rateCentsPerHour: 9_375 },
      ],
    },
    {
      _id: 'ZWN-ICT',
      provider: 'ZWN',
      name: 'Advies ICT-beleid',
      policyArea: 'ict',
      quoteRequired: true,
      intakeSlaDays: 5,
      deliverySlaDays: 15,
      silentAcceptanceDays: null,
      rates: [{ validFrom: '2025-01-01', rateCentsPerHour: 8_750 }],
    },
    {
      _id: 'DBC-LEERPLICHT',
      provider: 'DBC',
      name: 'Bureau leerplicht (regionaal)',
      policyArea: 'leerplicht',
      quoteRequired: false,
      intakeSlaDays: 3,
      deliverySlaDays: 20,
      silentAcceptanceDays: 10,
      rates: [{ validFrom: '2026-01-01', rateCentsPerHour: 9_100 }],
    },
  ];
}

export function demoAgreements(validFrom = '2026-01-01', validTo = '2028-12-31') {
  const agreements: AgreementInput[] = MUNICIPALITIES.filter(([c]) => c !== 'DOR').map(([code]) => ({
    _id: `DVO-${code}-DOR-LEERPLICHT`,
    buyer: code,
    provider: 'DOR',
    serviceIds: ['DOR-LEERPLICHT'],
    validFrom,
    validTo,
    rateCentsPerHour: null,
    hourBudget: 400,
    roundingRule: 'up6',
    vatCategory: 'O',
    paymentTermDays: 30,
    orderReference: `${code}-INK-2026-0${MUNICIPALITIES.findIndex(([c]) => c === code)}`,
  }));
  agreements.push({
    _id: 'DVO-DOR-ZWN-ICT',
    buyer: 'DOR',
    provider: 'ZWN',
    serviceIds: ['ZWN-ICT'],
    validFrom,
    validTo,
    rateCentsPerHour: 9_000,
    hourBudget: 120,
    roundingRule: 'up15',
    vatCategory: 'S',
    paymentTermDays: 30,
    orderReference: 'DOR-PO-2026-118',
  });
  return agreements;
}

/** Seeds the demo data when the database has no organisations yet. Returns whether it did. */
export async function seedDemoData(models: Models): Promise<boolean> {
  if ((await models.Organisation.countDocuments()) > 0) return false;
  // Upserts that only insert: two API processes starting at once seed the same data once.
  // A racing upsert can lose with a duplicate-key error; the retry then finds the document.
  const seed = async <T extends { _id: string }>(model: Model<T>, docs: T[]) => {
    const ops = docs.map(({ _id, ...rest }) => ({ updateOne: { filter: { _id }, update: { $setOnInsert: rest }, upsert: true } }));
    for (let attempt = 0; ; attempt++) {
      try {
        await model.bulkWrite(ops as never, { ordered: false });
        return;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= 3) throw err;
      }
    }
  };
  await seed(models.Organisation as never, demoOrganisations());
  await seed(models.User as never, demoUsers());
  await seed(models.Service as never, demoServices());
  await seed(models.Agreement as never, demoAgreements());
  return true;
}
