// The one Dutch message table: labels of statuses, roles and actions, the Dutch text of every
// refusal code, and the Dutch display of hours, dates and amounts. Pages, mails and documents
// read it; a refusal code without a Dutch text here does not compile.
import type { InvoiceStatus, LineStatus } from '../contracts/invoice';
import type { ContributionAction } from '../domain/contribution-access';
import type { InvoiceAction, InvoiceDisplayStatus } from '../domain/invoice-access';
import type { RequestAction, RequestStatus } from '../domain/lifecycle';
import { formatEuro } from '../domain/money';
import type { LineMatch } from '../domain/reconciliation';
import type { CsvRowProblem, InputProblem, RefusalCode, RefusalInfo, RefusalParams, Thing } from '../domain/refusals';
import type { OrgAction, Role } from '../domain/roles';
import type { WorkKind } from '../domain/worklist';

// ---- display -------------------------------------------------------------------------------

/** `2026-11-28` or an ISO timestamp -> `28-11-2026` (a timestamp in Dutch time). */
export function dateNl(value: string | null | undefined): string {
  if (!value) return '';
  const iso = value.length > 10 ? new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date(value)) : value;
  const [y, m, d] = iso.split('-');
  return y && m && d ? `${d}-${m}-${y}` : value;
}

/** Minutes as Dutch decimal hours: 90 -> `1,5`; a dash when there is no number. */
export function hoursNl(minutes: number | null | undefined): string {
  if (minutes == null || !Number.isFinite(minutes)) return '–';
  return (minutes / 60).toLocaleString('nl-NL', { maximumFractionDigits: 2 });
}

export const euroNl = (cents: number) => formatEuro(cents);

const list = (xs: readonly string[]) => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} en ${xs[xs.length - 1]}`);

// ---- labels --------------------------------------------------------------------------------

export const REQUEST_STATUS_NL: Record<RequestStatus, string> = {
  submitted: 'Ingediend',
  clarification: 'Vraag aan opdrachtgever',
  quoted: 'Offerte uitgebracht',
  accepted: 'Wacht op toewijzing',
  in_progress: 'In uitvoering',
  in_review: 'Interne toets',
  awaiting_acceptance: 'Wacht op acceptatie',
  completed: 'Afgerond',
  rejected: 'Afgewezen',
  cancelled: 'Geannuleerd',
};

/** How an invoice reads to a person (never "done" while money is outstanding). */
export const INVOICE_STATUS_NL: Record<InvoiceDisplayStatus, string> = {
  issued: 'Verzonden',
  disputed: 'Betwist',
  accepted_unpaid: 'Akkoord, nog te betalen',
  overdue: 'Te laat',
  paid: 'Betaald',
  credit_note: 'Creditnota',
};
/** The invoice workflow's own states, where a page names them. */
export const INVOICE_WORKFLOW_STATUS_NL: Record<InvoiceStatus, string> = {
  issued: 'Verzonden',
  disputed: 'Betwist',
  settled: 'Akkoord, nog te betalen',
  paid: 'Betaald',
};

export const LINE_STATUS_NL: Record<LineStatus, string> = {
  open: 'Open',
  accepted: 'Geaccepteerd',
  disputed: 'Betwist',
  credited: 'Gecrediteerd',
  dispute_rejected: 'Betwisting afgewezen',
};

export const MATCH_NL: Record<LineMatch, string> = {
  matched: 'Past binnen budget',
  exceeds_budget: 'Boven budget',
  unknown_request: 'Onbekende opdracht',
  contribution: 'Klopt met de vastgelegde bijdrage',
  contribution_differs: 'Wijkt af van de vastgelegde bijdrage',
  contribution_credit: 'Creditnota op de bijdragefactuur na betwisting',
  unknown_contribution: 'Geen vastgelegde bijdrage gevonden',
};

export const NETTING_STATUS_NL: Record<string, string> = {
  proposed: 'voorgesteld',
  rejected: 'afgewezen',
  expired: 'verlopen',
  settling: 'bezig met verrekenen',
  stale: 'vervallen: een factuur veranderde',
  settled: 'verrekend',
};

export const ROLE_NL: Record<Role, string> = {
  requester: 'opdrachtgever',
  buyer_finance: 'financiën (afnemer)',
  coordinator: 'coördinator',
  staff: 'medewerker',
  reviewer: 'toetser',
  provider_finance: 'financiën (leverancier)',
  admin: 'regiobeheer',
  org_admin: 'beheerder',
  steering: 'regionale sturing',
};

export const KIND_NL = { one_off: 'Eenmalige opdracht', standing: 'Doorlopende opdracht' } as const;

export const KEY_FIGURE_SOURCE_NL: Record<string, string> = {
  seed: 'Demogegevens (bevolking 2004)',
  csv: 'CSV-bestand (CBS-indeling)',
  api: 'Ingevoerd via de API',
  merger: 'Herindeling (fusie)',
};

export const FREQUENCY_NL: Record<string, string> = { yearly: 'jaarlijks', quarterly: 'per kwartaal', monthly: 'per maand' };

/** Names of request actions, as buttons and in the history. */
export const REQUEST_ACTION_NL: Record<RequestAction, string> = {
  acceptIntake: 'Intake accepteren',
  rejectIntake: 'Aanvraag afwijzen',
  askClarification: 'Verduidelijkingsvraag stellen',
  answerClarification: 'Vraag beantwoorden',
  approveQuote: 'Offerte goedkeuren',
  declineQuote: 'Offerte afwijzen',
  assign: 'Medewerker toewijzen',
  logTime: 'Uren registreren',
  editTime: 'Uren wijzigen',
  deleteTime: 'Uren verwijderen',
  approveTime: 'Uren goedkeuren',
  requestBudgetExtension: 'Budgetuitbreiding aanvragen',
  decideBudgetExtension: 'Budgetuitbreiding beoordelen',
  submitResult: 'Resultaat ter toetsing aanbieden',
  nominateReviewer: 'Toetser aanwijzen',
  review: 'Toetsen (vier ogen)',
  acceptResult: 'Resultaat accepteren',
  rejectResult: 'Resultaat terugsturen',
  cancel: 'Opdracht annuleren',
};

/** What happened, for the audit trail (the workflow's action names, including system steps). */
export const AUDIT_ACTION_NL: Record<string, string> = {
  submit: 'Ingediend',
  transferService: 'Dienst overgedragen',
  proposeNetting: 'Verrekenronde voorgesteld',
  agreeNetting: 'Ingestemd met de verrekenronde',
  rejectNetting: 'Verrekenronde afgewezen',
  nettingExpired: 'Verrekenronde verlopen',
  nettingSettling: 'Alle partijen akkoord: verrekenen begonnen',
  nettingStale: 'Niet verrekend: een factuur was veranderd',
  nettingSettled: 'Facturen verrekend',
  holdForNetting: 'Vastgehouden voor een verrekenronde',
  releaseNetting: 'Vrijgegeven door de verrekenronde',
  settleByNetting: 'Verrekend in een verrekenronde',
  acceptIntake: 'Intake geaccepteerd',
  rejectIntake: 'Aanvraag afgewezen',
  askClarification: 'Verduidelijkingsvraag gesteld',
  answerClarification: 'Vraag beantwoord',
  approveQuote: 'Offerte goedgekeurd',
  declineQuote: 'Offerte afgewezen',
  assign: 'Medewerker toegewezen',
  logTime: 'Uren geregistreerd',
  editTime: 'Uren gewijzigd',
  deleteTime: 'Uren verwijderd',
  approveTime: 'Uren goedgekeurd',
  requestBudgetExtension: 'Budgetuitbreiding aangevraagd',
  approveBudgetExtension: 'Budgetuitbreiding goedgekeurd',
  declineBudgetExtension: 'Budgetuitbreiding afgewezen',
  submitResult: 'Resultaat aangeboden',
  nominateReviewer: 'Toetser aangewezen',
  approveReview: 'Interne toets goedgekeurd',
  rejectReview: 'Interne toets afgekeurd',
  acceptResult: 'Resultaat geaccepteerd',
  rejectResult: 'Resultaat teruggestuurd',
  silentAcceptance: 'Stilzwijgend geaccepteerd',
  periodEnded: 'Periode afgelopen',
  cancel: 'Geannuleerd',
  'slaReminder:intake': 'Herinnering intaketermijn',
  'slaReminder:delivery': 'Herinnering levertermijn',
  'slaBreach:intake': 'Intaketermijn overschreden',
  'slaBreach:delivery': 'Levertermijn overschreden',
};

export const INVOICE_ACTION_NL: Record<InvoiceAction, string> = {
  read: 'Bekijken',
  acceptLine: 'Regel accepteren',
  disputeLine: 'Regel betwisten',
  resolveDispute: 'Betwisting afhandelen',
  registerPayment: 'Betaling registreren',
  registerReceipt: 'Ontvangst registreren (bankafschrift)',
  bookCorrection: 'Correctie boeken',
};

export const CONTRIBUTION_ACTION_NL: Record<ContributionAction, string> = {
  createProduct: 'Product toevoegen',
  changeRules: 'Verdeelregels wijzigen',
  changeProduct: 'Productgegevens wijzigen',
  manageParticipation: 'Deelname vastleggen',
  manageKeyFigures: 'Kengetallen inlezen',
  readKeyFigures: 'Kengetallen bekijken',
  recordMerger: 'Fusie vastleggen',
  viewProduct: 'Product bekijken',
  manageBudget: 'Begroting vastleggen',
  recordActuals: 'Werkelijke kosten vastleggen',
  invoiceStep: 'Voorschot of afrekening factureren',
  viewReport: 'Rapportage bekijken',
  viewOwnShare: 'Eigen aandeel bekijken',
};

/** The menu: one item per organisation-wide action that opens a page. */
/** What waits, as the worklist says it. */
export const WORK_KIND_NL: Record<WorkKind, string> = {
  intake: 'Intake afhandelen',
  question: 'Vraag beantwoorden',
  quote: 'Offerte beoordelen',
  extension: 'Budgetuitbreiding beoordelen',
  assign: 'Medewerker toewijzen',
  work: 'Uitvoeren en resultaat opleveren',
  review: 'Resultaat toetsen (vier ogen)',
  acceptance: 'Resultaat accepteren',
  reconcile: 'Factuurregels controleren',
  dispute: 'Betwisting afhandelen',
  payment: 'Betaling registreren',
};

export const MENU_NL: Partial<Record<OrgAction, { href: string; label: string }>> = {
  viewWorklist: { href: '/actie-nodig', label: 'Actie nodig' },
  viewNotifications: { href: '/meldingen', label: 'Meldingen' },
  viewBuyerRequests: { href: '/aanvragen', label: 'Mijn aanvragen' },
  submitRequest: { href: '/aanvragen/nieuw', label: 'Nieuwe aanvraag' },
  handleIntake: { href: '/intake', label: 'Intake' },
  viewProviderRequests: { href: '/opdrachten', label: 'Opdrachten' },
  viewWorkload: { href: '/werkvoorraad', label: 'Werkvoorraad' },
  viewTasks: { href: '/taken', label: 'Mijn taken' },
  registerHours: { href: '/uren', label: 'Uren' },
  viewReviewQueue: { href: '/toetsing', label: 'Toetsing' },
  listInvoices: { href: '/facturen', label: 'Facturen' },
  startInvoiceRun: { href: '/factuurrun', label: 'Factuurrun' },
  viewBalances: { href: '/saldi', label: 'Saldi en verrekening' },
  importBankStatements: { href: '/bankafschriften', label: 'Bankafschriften' },
  manageUsers: { href: '/beheer/gebruikers', label: 'Gebruikers' },
  manageCatalogue: { href: '/beheer/catalogus', label: 'Catalogus en DVO’s' },
  viewSteering: { href: '/sturing', label: 'Regionale sturing' },
  viewContributions: { href: '/bijdragen', label: 'Bijdragen' },
  viewDashboard: { href: '/dashboard', label: 'Dashboard' },
};

export const THING_NL: Record<Thing, string> = {
  request: 'opdracht',
  invoice: 'factuur',
  invoice_line: 'factuurregel',
  invoice_run: 'factuurrun',
  product: 'product',
  participation: 'deelname',
  service: 'dienst',
  agreement: 'dienstverleningsovereenkomst',
  user: 'gebruiker',
  organisation: 'organisatie',
  contribution_step: 'voorschot of afrekening',
  time_entry: 'urenregistratie',
  notification: 'melding',
  attachment: 'bijlage',
  bank_statement: 'bankafschrift',
  netting_round: 'verrekenronde',
  invitation: 'uitnodiging',
  page: 'pagina',
};

// ---- input problems ------------------------------------------------------------------------

/** What a field asks for, used when its input cannot be read. */
const FIELD_HINT_NL: Record<string, string> = {
  minutes: 'Vul een aantal uren in, bijvoorbeeld 1,5 of 1:30.',
  estimateMinutes: 'Vul een aantal uren in, bijvoorbeeld 10 of 7,5.',
  extraMinutes: 'Vul een aantal extra uren in, bijvoorbeeld 8 of 2,5.',
  date: 'Vul een geldige datum in (dd-mm-jjjj).',
  upTo: 'Vul een geldige datum in (dd-mm-jjjj).',
  from: 'Vul een geldige begindatum in (dd-mm-jjjj).',
  to: 'Vul een geldige einddatum in (dd-mm-jjjj), of laat het veld leeg.',
  referenceDate: 'Vul een geldige peildatum in (dd-mm-jjjj).',
  effectiveDate: 'Vul een geldige ingangsdatum in (dd-mm-jjjj).',
  validFrom: 'Vul een geldige datum in (dd-mm-jjjj).',
  validTo: 'Vul een geldige datum in (dd-mm-jjjj).',
  period: 'Vul een periode in als jjjj-mm, bijvoorbeeld 2026-11.',
  year: 'Kies een jaar tussen 2000 en 2100.',
  amountCents: 'Vul een bedrag in, bijvoorbeeld 1.234,56.',
  creditCents: 'Vul het bedrag van de creditnota in, bijvoorbeeld 365,63.',
  budgetCents: 'Vul een bedrag in, bijvoorbeeld 80.000,00.',
  actualCents: 'Vul een bedrag in, bijvoorbeeld 78.500,00.',
  serviceId: 'Kies een dienst waarvoor uw gemeente een geldige DVO heeft.',
  title: 'Geef de aanvraag een titel.',
  description: 'Beschrijf kort waar het om gaat.',
  kind: 'Kies het soort opdracht.',
  reason: 'Geef een reden op.',
  text: 'Schrijf uw vraag of antwoord in het tekstvak.',
  note: 'De toelichting is te lang.',
  assignee: 'Kies een medewerker.',
  reviewer: 'Kies een collega die de toets doet.',
  reference: 'Vul de vindplaats van het resultaat in (bijvoorbeeld een DMS-nummer).',
  decision: 'Kies goedkeuren of afwijzen.',
  approved: 'Kies goedkeuren of afwijzen.',
  explanation: 'Leg uit waarom de betwisting wordt afgewezen.',
  requestId: 'Kies de opdracht.',
  entryId: 'Kies de registratie.',
  participant: 'Kies een gemeente.',
  orderReference: 'Vul een ordernummer in van hoogstens 100 tekens.',
  name: 'Vul een naam in (letters, cijfers, spaties, - en _).',
  csv: 'Kies een CSV-bestand of plak de inhoud in het tekstvak.',
  column: 'Vul de naam van de kolom in, of laat het veld leeg.',
  _id: 'Vul een code in van hoofdletters, cijfers en streepjes (2 tot 40 tekens), bijvoorbeeld DBC-LP-BASIS.',
  code: 'Vul een code in van hoofdletters, cijfers en streepjes (2 tot 40 tekens), bijvoorbeeld DBC-LP-BASIS.',
  serviceLevel: 'Gebruik hoogstens 100 tekens.',
  advanceFrequency: 'Kies hoe vaak er een voorschot komt.',
  paymentTermDays: 'Vul een betaaltermijn in dagen in, van 0 tot 365.',
  vatCategory: 'Kies een btw-categorie.',
  into: 'Kies de gemeente na de fusie.',
  merged: 'Kies minstens één gemeente die opgaat in de nieuwe gemeente.',
  instalment: 'Kies een voorschot.',
  lineNo: 'Kies een factuurregel.',
  body: 'De gegevens zijn niet goed ontvangen.',
  figures: 'Vul per gemeente een geheel getal van 0 of meer in.',
  'rules.fixed': 'Schrijf per regel een gemeentecode en een bedrag, bijvoorbeeld DOR 40.000,00.',
  'rules.basePerParticipant': 'Vul een bedrag in, bijvoorbeeld 1.000,00, of laat het veld leeg.',
  'rules.rest': 'Schrijf per regel een kengetal of "uren", met eventueel een gewicht, bijvoorbeeld inwoners 1.',
  fixed: 'Schrijf per regel een gemeentecode en een bedrag, bijvoorbeeld DOR 40.000,00.',
  basePerParticipant: 'Vul een bedrag in, bijvoorbeeld 1.000,00, of laat het veld leeg.',
  rest: 'Schrijf per regel een kengetal of "uren", met eventueel een gewicht, bijvoorbeeld inwoners 1.',
  rules: 'Controleer de verdeelregels.',
  reviewerId: 'Kies een collega.',
  file: 'Kies een CSV-bestand van hoogstens 1 MB.',
  confirm: 'Bevestig uw keuze.',
};

/** The hint of a field, or of the field it is part of (`rules.fixed.DOR` → `rules.fixed`). */
function hintOf(field: string | undefined): string | undefined {
  for (let f = field; f; f = f.includes('.') ? f.slice(0, f.lastIndexOf('.')) : undefined) if (FIELD_HINT_NL[f]) return FIELD_HINT_NL[f];
  return undefined;
}

const minutesField = (field: string | undefined) => field !== undefined && /[mM]inutes$/.test(field);
const centsField = (field: string | undefined) => field !== undefined && /Cents$/.test(field);

function inputProblemNl(problem: InputProblem, field: string | undefined, limit: number | undefined): string {
  const hint = hintOf(field) ?? 'Controleer deze invoer.';
  const amount = (n: number) => (minutesField(field) ? `${hoursNl(n)} uur` : centsField(field) ? euroNl(n) : n.toLocaleString('nl-NL'));
  switch (problem) {
    case 'too_long':
      return `Gebruik hoogstens ${limit?.toLocaleString('nl-NL') ?? 'het toegestane aantal'} tekens.`;
    case 'too_large':
      return limit !== undefined ? `Dat is meer dan ${amount(limit)}. ${hint}` : hint;
    case 'too_small':
      return limit !== undefined && limit > 1 ? `Dat is minder dan ${amount(limit)}. ${hint}` : hint;
    default:
      return hint;
  }
}

// ---- CSV rows ------------------------------------------------------------------------------

type CsvTexts = { [K in CsvRowProblem['code']]: (p: Extract<CsvRowProblem, { code: K }>) => string };
export const CSV_ROW_NL: CsvTexts = {
  header_incomplete: () => 'de kopregel moet een regiokolom en een getalkolom hebben',
  no_such_column: (p) => `er is geen kolom "${p.column}"`,
  column_count: (p) => `verwacht ${p.expected} kolommen, gevonden ${p.found}`,
  region_empty: () => 'de regio is leeg',
  figure_not_whole: (p) => `het getal van ${p.region} moet een geheel getal van 0 of meer zijn (gevonden: "${p.found}")`,
  region_twice: (p) => `${p.region} staat er twee keer in, ook op regel ${p.otherRow}`,
  no_participant_rows: () => 'geen enkele regel noemt een deelnemer',
  unreadable: () => 'het bestand is hier niet te lezen (een aanhalingsteken wordt niet gesloten)',
};
export const csvRowNl = (problem: CsvRowProblem) => (CSV_ROW_NL[problem.code] as (p: CsvRowProblem) => string)(problem);

const BANK_PROBLEM_NL: Record<RefusalParams['bank_statement_invalid']['problem'], string> = {
  not_xml: 'Dit bestand is geen leesbare XML.',
  not_camt053: 'Dit is geen bankafschrift in CAMT.053-formaat (BkToCstmrStmt). Exporteer het afschrift uit uw bank als CAMT.053.',
  no_statement: 'Het bestand bevat geen afschrift met een nummer en een rekening.',
  bad_amount: 'Een bedrag in het afschrift is geen bedrag.',
  bad_date: 'Een boekdatum in het afschrift is geen datum.',
};

export const ROUNDING_RULE_NL = {
  none: 'Niet afronden',
  up6: 'Per registratie naar boven op 6 minuten',
  up15: 'Per registratie naar boven op 15 minuten',
} as const;
export const VAT_CATEGORY_NL = {
  S: 'Btw 21 %',
  E: 'Vrijgesteld van btw',
  O: 'Buiten de btw (overheidstaak)',
} as const;

/** The kinds of attachment domain/attachments.ts accepts, as the upload forms name them. */
export const ALLOWED_TYPES_NL =
  'PDF, Word, Excel, PowerPoint, OpenDocument, afbeeldingen (PNG, JPEG, GIF, WebP, TIFF), CSV en platte tekst';

// ---- refusals ------------------------------------------------------------------------------

/** Turns an organisation code into its name where the page knows it. */
export type Namer = (code: string) => string;
type Ctx = { field?: string; name: Namer };
type RefusalTexts = { [C in RefusalCode]: (p: RefusalParams[C], ctx: Ctx) => string };

const statusNl = (s: string) => (REQUEST_STATUS_NL as Record<string, string>)[s]?.toLowerCase() ?? s;
const actionNl = (a: string) => (REQUEST_ACTION_NL as Record<string, string>)[a]?.toLowerCase() ?? a;

export const REFUSAL_NL: RefusalTexts = {
  not_authenticated: () => 'U bent niet (meer) ingelogd. Log opnieuw in.',
  form_expired: () => 'Het formulier is verlopen of niet geldig. Laad de pagina opnieuw en probeer het nog eens.',
  invalid_json: () => 'De gegevens zijn niet goed ontvangen. Probeer het opnieuw.',
  body_too_large: (p) => `Wat u stuurde is te groot (meer dan ${Math.round(p.limitBytes / 1024).toLocaleString('nl-NL')} kB).`,
  unsupported_media_type: () => 'Deze gegevens worden in deze vorm niet aangenomen. Gebruik het formulier op de pagina.',
  rate_limited: () => 'U heeft in korte tijd erg veel verzoeken gedaan. Wacht een minuut en probeer het opnieuw.',
  idempotency_key_reused: () => 'Deze sleutel is al gebruikt voor een ander verzoek.',
  idempotency_key_in_progress: () => 'Het eerste verzoek met deze sleutel loopt nog. Probeer het zo opnieuw.',
  invalid_input: (p, c) => inputProblemNl(p.problem, c.field, p.limit),
  not_found: (p) => `Deze ${THING_NL[p.thing]} bestaat niet, of u heeft er geen toegang toe.`,
  role_required: (p, c) => `Hiervoor heeft u de rol ${list(p.roles.map((r) => ROLE_NL[r]))} nodig bij ${c.name(p.org)}.`,
  no_membership: (p, c) => `Deze gebruiker werkt niet voor ${c.name(p.org)}.`,

  request_closed: (p) => `Deze opdracht is ${statusNl(p.status)}; er kan niets meer aan veranderen.`,
  action_not_in_state: (p) => `Dit kan niet nu de opdracht de status "${statusNl(p.status)}" heeft (${actionNl(p.action)}).`,
  only_assignee: () => 'Alleen de toegewezen medewerker kan dit doen.',
  entry_not_open: () => 'Deze registratie bestaat niet meer, of is al goedgekeurd of gefactureerd.',
  entry_not_own: () => 'Alleen wie de uren registreerde, kan ze wijzigen of verwijderen.',
  budget_exceeded: (p) =>
    p.remainingMinutes > 0
      ? `Dit gaat boven het goedgekeurde budget uit: er resteert nog ${hoursNl(p.remainingMinutes)} uur. Vraag de coördinator om een budgetuitbreiding.`
      : 'Het goedgekeurde budget is op. Vraag de coördinator om een budgetuitbreiding; de opdrachtgever beslist daarover.',
  day_cap_exceeded: (p) =>
    `Op ${dateNl(p.date)} kunt u nog ${hoursNl(p.remainingMinutes)} uur registreren: meer dan 24 uur op één dag kan niet.`,
  date_in_future: () => 'Een datum in de toekomst kan niet.',
  date_before_work_started: (p) => `Deze datum ligt vóór de start van het werk (${dateNl(p.started)}).`,
  no_open_entries_up_to: (p) => `Er zijn geen open uren tot en met ${dateNl(p.upTo)}.`,
  no_budget_to_extend: () => 'Deze opdracht heeft nog geen budget om uit te breiden.',
  extension_pending: () => 'Er wacht al een budgetuitbreiding op het besluit van de opdrachtgever.',
  no_extension_pending: () => 'Er is geen budgetuitbreiding om over te beslissen.',
  standing_order_has_no_result: () => 'Een doorlopende opdracht heeft geen eindresultaat: de uren worden per maand goedgekeurd.',
  four_eyes: () => 'U heeft zelf uren op deze opdracht geregistreerd, dus u mag haar niet toetsen (vier-ogenprincipe).',
  no_eligible_reviewer: () =>
    'Niemand kan deze opdracht toetsen: elke toetser heeft er zelf uren op geregistreerd. De coördinator kan een collega als toetser aanwijzen.',
  reviewer_not_eligible: (p) =>
    p.why === 'contributor'
      ? 'Deze collega heeft zelf uren op de opdracht geregistreerd en mag haar niet toetsen.'
      : p.why === 'assignee'
        ? 'De toegewezen medewerker kan de eigen opdracht niet toetsen.'
        : 'Deze persoon werkt niet bij de uitvoerder en kan de opdracht niet toetsen.',
  reviewer_already_available: () => 'Er is een toetser die geen uren op deze opdracht heeft; een toetser aanwijzen is niet nodig.',
  service_unknown: () => 'Deze dienst bestaat niet. Kies een dienst uit de lijst.',
  own_service: () => 'Uw gemeente kan haar eigen dienst niet afnemen.',
  no_active_agreement: (p, c) => `Uw gemeente heeft geen geldige DVO met ${c.name(p.provider)} voor ${p.service}.`,
  assignee_not_staff: () => 'Deze persoon is geen medewerker van de uitvoerder en kan de opdracht niet krijgen.',
  assignee_lacks_skill: (p) => `Deze medewerker heeft de vaardigheid "${p.skill}" niet en kan de opdracht niet krijgen.`,

  period_not_started: (p) => `De periode ${p.period} is nog niet begonnen.`,
  credit_note_not_reconciled: () => 'Een creditnota wordt niet los afgestemd; dat gebeurt bij de factuur die zij crediteert.',
  invoice_paid: () => 'Deze factuur is betaald; er kan niets meer aan veranderen.',
  line_state: (p) =>
    `Regel ${p.lineNo} is al ${(LINE_STATUS_NL as Record<string, string>)[p.status]?.toLowerCase() ?? p.status}; ververs de pagina.`,
  credit_exceeds_line: (p) => `De creditnota kan niet hoger zijn dan het regelbedrag (${euroNl(p.maxCents)} exclusief btw).`,
  resolution_needed: () => 'Vul een bedrag voor de creditnota in, of leg uit waarom u de betwisting afwijst.',
  payment_exceeds_outstanding: (p) => `Dit is meer dan er openstaat (${euroNl(p.outstandingCents)}).`,
  payment_already_registered: () => 'Deze betaling (dezelfde regel van het bankafschrift) is al geregistreerd.',
  invoice_in_netting: () => 'Deze factuur wordt nu verrekend in een verrekenronde; probeer het over een ogenblik opnieuw.',
  netting_stale: () =>
    'Een factuur uit deze verrekenronde is veranderd nadat de ronde werd voorgesteld (betaald, betwist of gecrediteerd). Er is niets verrekend; stel een nieuwe ronde voor.',
  netting_closed: (p) => `Deze verrekenronde is ${NETTING_STATUS_NL[p.status] ?? p.status}; er valt niets meer over te beslissen.`,
  netting_already_agreed: (p, c) => `${c.name(p.org)} heeft al ingestemd met deze verrekenronde.`,
  netting_nothing_open: () => 'Er zijn geen openstaande, onbetwiste facturen om te verrekenen.',
  netting_not_party: (p, c) => `${c.name(p.org)} heeft geen openstaande facturen om te verrekenen.`,
  bank_statement_invalid: (p) => `${BANK_PROBLEM_NL[p.problem]}${p.detail ? ` (${p.detail})` : ''} Er is niets ingelezen.`,
  bank_statement_duplicate: (p) =>
    `Afschrift ${p.statementId} is al ingelezen op ${dateNl(p.importedAt)}. Er is niets dubbel geregistreerd.`,
  no_hours_on_invoice: () => 'Op deze factuur staan geen uren. Corrigeer haar met een creditnota.',
  request_not_on_invoice: () => 'Deze opdracht staat niet op deze factuur.',
  no_entries_to_invoice: (p, c) => `Er zijn geen uren te factureren voor ${c.name(p.buyer)}.`,
  no_rate: (p) => `Er is geen tarief voor ${p.serviceId} op ${dateNl(p.date)}. Leg eerst een tarief vast.`,

  not_shared_centre: (p, c) => `Dit is alleen voor een regionaal beleidscentrum; ${c.name(p.org)} is dat niet.`,
  concurrent_change: () => 'Iemand anders wijzigde dit op hetzelfde moment. Laad de pagina opnieuw en probeer het nog eens.',
  service_not_offered: (p, c) => `De dienst ${p.serviceId} wordt niet geleverd door ${c.name(p.provider)}.`,
  product_exists: (p) => `Er bestaat al een product met code ${p.product}.`,
  product_terms_invoiced: () =>
    'De btw en de frequentie van de voorschotten liggen vast zodra er een voorschot of afrekening van dit product is gemaakt.',
  not_a_municipality: (p, c) => `${list(p.codes.map(c.name))} is geen gemeente in Eenvoud.`,
  end_before_start: (p) => `De einddatum ligt vóór de begindatum (${dateNl(p.start)}).`,
  participation_already_ends: (p) => `De deelname eindigt al op ${dateNl(p.to)}.`,
  participation_overlap: (p, c) =>
    `Deze deelname overlapt met de deelname van ${c.name(p.participant)} van ${dateNl(p.from)} ${p.to ? `tot en met ${dateNl(p.to)}` : 'zonder einddatum'}.`,
  csv_rows_invalid: (p) => `Het bestand heeft ${p.count} ${p.count === 1 ? 'foute regel' : 'foute regels'}; er is niets ingelezen.`,
  year_settled: (p) => `Het jaar ${p.year} is al afgerekend.`,
  no_budget: (p) => `Er is nog geen begroting voor ${p.year}. Leg eerst de begroting vast.`,
  no_actuals: (p) => `Er zijn nog geen werkelijke kosten voor ${p.year} vastgelegd.`,
  year_not_ended: (p) => `Het jaar ${p.year} is nog niet afgelopen. Afrekenen kan vanaf 01-01-${p.year + 1}.`,
  earlier_instalment_open: (p) => `Voorschot ${p.instalment} van ${p.year} is nog niet gefactureerd.`,
  earlier_step_unfinished: () => 'Een eerder voorschot is nog niet helemaal verstuurd. Start die stap opnieuw; daarna kan de volgende.',
  all_advances_invoiced: (p) => `Alle ${p.instalments} voorschotten van ${p.year} zijn al gefactureerd.`,
  instalment_out_of_range: (p) => `Kies een voorschot van 1 tot en met ${p.max}.`,
  actuals_need_amount: () => 'Vul de werkelijke kosten in: aan dit product hangen geen diensten met uren.',
  merge_into_itself: () => 'Een gemeente kan niet in zichzelf opgaan.',
  merge_after_participation: () => 'Een van de gemeenten heeft een deelname die op of na de fusiedatum begint.',
  key_figure_missing: (p) => `Het kengetal "${p.name}" ontbreekt voor een of meer deelnemers op een deel van het jaar.`,
  key_figure_unknown: (p) => `Er is nog geen kengetal "${p.name}". Lees het eerst in bij Kengetallen.`,
  key_figure_zero: (p) => `Het kengetal "${p.name}" telt op tot nul; daarmee valt niets te verdelen.`,
  rule_fixed_not_cents: (p, c) => `Het vaste bedrag van ${c.name(p.participant)} moet een bedrag van 0 of meer zijn.`,
  rule_base_not_cents: () => 'De vaste voet moet een bedrag van 0 of meer zijn.',
  rule_rest_twice: () => 'Een kengetal of "uren" staat twee keer in de verdeling van de rest.',
  rule_rest_weight: () => 'Elk deel van de rest heeft een gewicht van 1 of meer nodig.',
  fixed_share_non_participant: (p, c) =>
    `Er staat een vast bedrag voor ${list(p.participants.map(c.name))}, maar die gemeente neemt niet deel aan dit product. Dat bedrag telt niet mee.`,
  fixed_exceeds_total: (p) => `De vaste bedragen (samen ${euroNl(p.fixedCents)}) zijn hoger dan het totaal (${euroNl(p.totalCents)}).`,
  fixed_and_base_exceed_total: (p) =>
    `De vaste bedragen en de vaste voet (samen ${euroNl(p.fixedCents)}) zijn hoger dan het totaal (${euroNl(p.totalCents)}).`,
  fixed_exceeds_budget: (p) =>
    `De vaste bedragen (samen ${euroNl(p.fixedCents)}) zijn hoger dan de begroting van ${p.year} (${euroNl(p.budgetCents)}).`,
  rest_unassigned: (p) => `Na de vaste delen blijft ${euroNl(p.restCents)} over, maar de regels zeggen niet hoe de rest wordt verdeeld.`,
  nobody_pays_rest: () => 'Elke deelnemer heeft een vast bedrag, dus niemand kan de rest betalen.',
  nobody_participates: (p) => `Niemand neemt deel in ${p.year}. Voeg eerst deelnemers toe.`,
  no_hours_to_divide: (p) => `Er zijn in ${p.year} geen goedgekeurde uren van de deelnemers om naar te verdelen.`,

  organisation_unknown: (p) => `De organisatie ${p.org} bestaat niet.`,
  service_exists: (p) => `Er bestaat al een dienst met code ${p.serviceId}.`,
  rate_dates_twice: () => 'Twee tarieven beginnen op dezelfde dag.',
  rate_already_invoiced: (p) =>
    `Uren tot en met ${dateNl(p.invoicedUpTo)} zijn al tegen het huidige tarief gefactureerd; een nieuw tarief kan op zijn vroegst ingaan op ${dateNl(p.earliest)}.`,
  sells_to_itself: () => 'Een organisatie kan niet aan zichzelf leveren.',
  agreement_overlap: (p, c) =>
    `DVO ${p.agreement} dekt deze dienst al voor ${c.name(p.buyer)} van ${dateNl(p.from)} tot en met ${dateNl(p.to)}.`,
  agreement_exists: (p) => `Er bestaat al een DVO met code ${p.agreement}.`,
  target_not_shared_centre: (p, c) => `${c.name(p.org)} is geen regionaal beleidscentrum.`,
  already_provided_by: (p, c) => `${p.serviceId} wordt al geleverd door ${c.name(p.org)}.`,
  already_transferred: (p, c) => `${p.serviceId} is al per ${dateNl(p.date)} overgegaan naar ${c.name(p.to)}.`,
  transfer_in_past: () => 'Een overdracht kan niet in het verleden ingaan.',
  target_service_foreign: (p, c) => `${p.serviceId} is geen dienst van ${c.name(p.org)}.`,
  attachment_missing: () => 'Kies een bestand om toe te voegen.',
  attachment_empty: (p) => `Het bestand ${p.name} is leeg. Kies een ander bestand.`,
  attachment_too_large: (p) =>
    `Het bestand is te groot: een bijlage mag hoogstens ${(p.maxBytes / (1024 * 1024)).toLocaleString('nl-NL', { maximumFractionDigits: 1 })} MB zijn. Er is niets opgeslagen.`,
  attachment_type: (p) =>
    `${p.name} is geen toegestaan bestand. Toegestaan zijn ${ALLOWED_TYPES_NL}; we kijken naar de inhoud, niet naar de naam. Er is niets opgeslagen.`,
  attachment_infected: (p) => `In ${p.name} is een virus gevonden (${p.signature}). Het bestand is niet opgeslagen.`,
  last_admin: (p, c) => `Dit kan niet: dan heeft ${c.name(p.org)} geen beheerder meer. Geef eerst iemand anders de rol beheerder.`,
  invitation_expired: (p) => `Deze uitnodiging is verlopen (${dateNl(p.expiredAt)}). Vraag de beheerder om een nieuwe.`,
  invitation_used: () => 'Deze uitnodiging is al gebruikt. Log in, of vraag de beheerder om een nieuwe.',
  user_not_member: (p, c) => `Deze gebruiker werkt niet (meer) voor ${c.name(p.org)}.`,
  already_member: (p, c) => `${p.email} werkt al voor ${c.name(p.org)}. Pas de rollen aan in de lijst.`,
  role_not_for_org: (p, c) =>
    `De rol ${ROLE_NL[p.role]} hoort bij een gemeenschappelijk beleidscentrum; ${c.name(p.org)} kan die rol niet geven.`,
  own_account: () => 'U kunt uw eigen account niet uitschakelen.',
  virus_scanner_unavailable: () =>
    'De virusscanner is nu niet bereikbaar. Er is niets opgeslagen; probeer het over enkele minuten opnieuw.',
};

/** The Dutch text of a refusal. */
export function refusalNl(info: RefusalInfo, name: Namer = (c) => c): string {
  const text = REFUSAL_NL[info.code] as (p: unknown, ctx: Ctx) => string;
  return text(info.params, { ...(info.field ? { field: info.field } : {}), name });
}

/** How rounding made a line's hours, in words: "afgerond per registratie op 6 minuten: 21,5 → 21,6 uur". */
export function roundingNl(r: { rule: 'none' | 'up6' | 'up15'; registeredMinutes: number; billedMinutes: number }): string {
  const from = hoursNl(r.registeredMinutes);
  const to = hoursNl(r.billedMinutes);
  if (r.rule === 'none') return `niet afgerond: ${to} uur zoals geregistreerd`;
  const step = r.rule === 'up6' ? 6 : 15;
  return r.registeredMinutes === r.billedMinutes
    ? `afgerond per registratie op ${step} minuten: ${to} uur, er viel niets af te ronden`
    : `afgerond per registratie op ${step} minuten: ${from} → ${to} uur`;
}
