// Demo data from the design (approximate 2004 populations of the Drechtsteden), for seeding only.
import { dutchVatNumber } from '../domain/money';
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

/** CBS municipality codes (for key-figure imports from CBS open data). */
export const CBS_CODES: Record<string, string> = {
  DOR: 'GM0505',
  ZWN: 'GM0642',
  PAP: 'GM0590',
  HIA: 'GM0531',
  SLI: 'GM0610',
  ALB: 'GM0482',
  GRA: 'GM0693',
};

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
    cbsCode: (CBS_CODES[code] ?? null) as string | null,
    oin: `000000010000${String(1000 + i).padStart(8, '0')}`,
    kvk: `2700${String(1000 + i)}`,
    vatNumber: dutchVatNumber(String(10_000_000 + i * 7919)),
    iban: demoIban(i + 1),
    address: { street: 'Stadhuisplein 1', postalCode: `33${10 + i} AA`, city },
  }));
  orgs.push({
    _id: 'DBC',
    name: 'Drechtsteden Beleidscentrum',
    kind: 'shared_centre',
    population: 0,
    populationDate: '2004-01-01',
    cbsCode: null,
    oin: '00000001000000009999',
    kvk: '27009999',
    vatNumber: dutchVatNumber('00999999'),
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
    user('region-admin', 'Regiobeheer Drechtsteden', [{ org: 'DBC', roles: ['admin', 'org_admin', 'steering'] }]),
    // The regional steering group's secretary: the region's figures, no request's content.
    user('regio-sturing', 'Stuurgroep Drechtsteden', [{ org: 'DBC', roles: ['steering'] }]),
    // The administrators (beheerders) of users and roles of Dordrecht and Zwijndrecht.
    user('dor-beheer', 'Hanneke Smits', [{ org: 'DOR', roles: ['org_admin'] }]),
    user('zwn-beheer', 'Bram Koster', [{ org: 'ZWN', roles: ['org_admin'] }]),
    // Works for two organisations: Dordrecht's buyer finance and the shared centre's books.
    user('dor-dbc-finance', 'Karin Bos', [
      { org: 'DOR', roles: ['buyer_finance'] },
      { org: 'DBC', roles: ['provider_finance'] },
    ]),
  ];
  // Named after their municipality (Graafstroom's town hall is in Bleskensgraaf, its people work for Graafstroom).
  for (const [code, name] of MUNICIPALITIES.filter(([c]) => c !== 'DOR')) {
    const lc = code.toLowerCase();
    const place = name.replace(/^Gemeente /, '');
    if (code !== 'ZWN') users.push(user(`${lc}-requester`, `Opdrachtgever ${place}`, [{ org: code, roles: ['requester'] }]));
    users.push(
      user(`${lc}-finance`, `Financiën ${place}`, [
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

/**
 * The shared centre's products (scenario 2): compulsory-education administration for all seven
 * (the seed's rule: Dordrecht a fixed EUR 40,000, the rest by inhabitants), and an optional
 * second service level with case handling (a fixed base, the rest by pupils aged 5–18).
 */
export function demoContributionProducts() {
  const createdAt = '2026-01-01T00:00:00.000Z';
  return [
    {
      _id: 'DBC-LP-BASIS',
      provider: 'DBC',
      name: 'Leerplichtadministratie (regionaal)',
      serviceLevel: 'basis',
      serviceIds: ['DBC-LEERPLICHT'],
      rules: { fixed: { DOR: 4_000_000 }, rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
      advanceFrequency: 'quarterly',
      vatCategory: 'O',
      paymentTermDays: 30,
      createdAt,
    },
    {
      _id: 'DBC-LP-CASUS',
      provider: 'DBC',
      name: 'Leerplicht tweede niveau: casusbehandeling',
      serviceLevel: 'casusbehandeling',
      serviceIds: ['DBC-LEERPLICHT'],
      rules: {
        basePerParticipant: 250_000,
        // Once case work is registered under DBC-LEERPLICHT, a part by hours can be added: { by: 'hours', weight: 50 }.
        rest: [{ by: 'keyFigure', name: 'leerlingen 5-18', weight: 1 }],
      },
      advanceFrequency: 'quarterly',
      vatCategory: 'O',
      paymentTermDays: 30,
      createdAt,
    },
  ];
}

export function demoParticipations(from = '2026-01-01') {
  const createdAt = '2026-01-01T00:00:00.000Z';
  const basis = MUNICIPALITIES.map(([code]) => ({ product: 'DBC-LP-BASIS', participant: code }));
  const casus = ['DOR', 'ZWN', 'PAP'].map((code) => ({ product: 'DBC-LP-CASUS', participant: code }));
  return [...basis, ...casus].map(({ product, participant }) => ({
    _id: `${product}:${participant}:${from}`,
    product,
    provider: 'DBC',
    participant,
    from,
    to: null,
    orderReference: `${participant}-${product}`,
    origin: null,
    createdAt,
  }));
}

/** Inhabitants (the design's approximate 2004 figures) and pupils aged 5–18 (an estimate, 15%). */
export function demoKeyFigures() {
  const createdAt = '2026-01-01T00:00:00.000Z';
  const inwoners = Object.fromEntries(MUNICIPALITIES.map(([code, , population]) => [code, population]));
  const leerlingen = Object.fromEntries(MUNICIPALITIES.map(([code, , population]) => [code, Math.round(population * 0.15)]));
  return [
    { _id: 'DBC:inwoners:v1', name: 'inwoners', figures: inwoners },
    { _id: 'DBC:leerlingen 5-18:v1', name: 'leerlingen 5-18', figures: leerlingen },
  ].map((v) => ({
    ...v,
    provider: 'DBC',
    version: 1,
    referenceDate: '2004-01-01',
    source: 'seed',
    note: null,
    createdBy: 'seed',
    createdAt,
  }));
}

/** The seed's EUR 80,000 for the basic product, EUR 30,000 for case handling. */
export function demoContributionBudgets(year = 2026) {
  const at = '2026-01-01T00:00:00.000Z';
  return [
    {
      _id: `DBC-LP-BASIS:${year}:v1`,
      product: 'DBC-LP-BASIS',
      year,
      version: 1,
      budgetCents: 8_000_000,
      reason: 'begroting',
      by: 'seed',
      at,
    },
    {
      _id: `DBC-LP-CASUS:${year}:v1`,
      product: 'DBC-LP-CASUS',
      year,
      version: 1,
      budgetCents: 3_000_000,
      reason: 'begroting',
      by: 'seed',
      at,
    },
  ];
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
  await seed(models.ContributionProduct as never, demoContributionProducts());
  await seed(models.Participation as never, demoParticipations());
  await seed(models.KeyFigureVersion as never, demoKeyFigures());
  await seed(models.ContributionBudget as never, demoContributionBudgets());
  return true;
}
