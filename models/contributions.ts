// Records of the shared centre's money (scenario 2). Like the rest of the data layer: no
// transactions, no conditional updates for exclusivity. What must not happen twice is a
// document with a deterministic, unique _id: key-figure versions, budget versions, the
// allocation record of each advance or settlement step (which is the claim that binds the
// amounts and invoice ids of that step), and a service transfer.
import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { VAT_CATEGORIES } from '../domain/money';

const opts = { versionKey: false, timestamps: false } as const;

const contributionProductSchema = new Schema(
  {
    _id: { type: String, required: true }, // e.g. DBC-LP-BASIS
    provider: { type: String, required: true, index: true }, // the shared centre
    name: { type: String, required: true },
    serviceLevel: { type: String, default: null }, // e.g. "basis", "casusbehandeling"
    /** Catalogue services whose approved hours count for a part "by hours" and for actuals from hours. */
    serviceIds: { type: [String], default: [] },
    rules: { type: Object, required: true }, // ContributionRules
    advanceFrequency: { type: String, enum: ['yearly', 'quarterly', 'monthly'], default: 'quarterly' },
    vatCategory: { type: String, enum: VAT_CATEGORIES, default: 'O' },
    paymentTermDays: { type: Number, default: 30 },
    createdAt: { type: String, required: true },
  },
  opts,
);

// A municipality's participation in a product from a date (to a date, inclusive, or open).
const participationSchema = new Schema(
  {
    _id: { type: String, required: true }, // <product>:<participant>:<from>
    product: { type: String, required: true, index: true },
    provider: { type: String, required: true, index: true },
    participant: { type: String, required: true, index: true },
    from: { type: String, required: true },
    to: { type: String, default: null },
    orderReference: { type: String, required: true },
    /** How it came about when not joined directly, e.g. "merger GRA > ALB 2026-07-01". */
    origin: { type: String, default: null },
    createdAt: { type: String, required: true },
  },
  opts,
);

// One version of a named key figure: the figures of every participant on a reference date.
const keyFigureVersionSchema = new Schema(
  {
    _id: { type: String, required: true }, // <provider>:<name>:v<version>
    provider: { type: String, required: true },
    name: { type: String, required: true },
    version: { type: Number, required: true },
    referenceDate: { type: String, required: true },
    figures: { type: Object, required: true },
    source: { type: String, required: true }, // api | csv | merger | seed
    note: { type: String, default: null },
    createdBy: { type: String, required: true },
    createdAt: { type: String, required: true },
  },
  opts,
);
keyFigureVersionSchema.index({ provider: 1, name: 1, version: -1 });

// Budget and actual costs per product and year, insert-only versions: an amendment is a new version.
const contributionBudgetSchema = new Schema(
  {
    _id: { type: String, required: true }, // <product>:<year>:v<version>
    product: { type: String, required: true },
    year: { type: Number, required: true },
    version: { type: Number, required: true },
    budgetCents: { type: Number, required: true },
    reason: { type: String, default: null },
    by: { type: String, required: true },
    at: { type: String, required: true },
  },
  opts,
);
contributionBudgetSchema.index({ product: 1, year: 1, version: -1 });

const contributionActualSchema = new Schema(
  {
    _id: { type: String, required: true }, // <product>:<year>:v<version>
    product: { type: String, required: true },
    year: { type: Number, required: true },
    version: { type: Number, required: true },
    mode: { type: String, enum: ['entered', 'hours'], required: true },
    actualCents: { type: Number, required: true },
    /** For actuals from hours: minutes and amount per service. */
    detail: { type: Object, default: null },
    by: { type: String, required: true },
    at: { type: String, required: true },
  },
  opts,
);
contributionActualSchema.index({ product: 1, year: 1, version: -1 });

// The record of one invoicing step (an advance instalment or the settlement): the basis, the
// whole allocation as computed, and per participant the amount and the invoice id. Inserted
// once; a retry, a second run or a crash-and-resume reads it back, so a step never invoices
// other amounts or twice, and a past allocation can be shown exactly as it was.
const contributionStepSchema = new Schema(
  {
    _id: { type: String, required: true }, // <product>:<year>:A<k> | <product>:<year>:S
    product: { type: String, required: true, index: true },
    provider: { type: String, required: true },
    year: { type: Number, required: true },
    kind: { type: String, enum: ['advance', 'settlement'], required: true },
    instalment: { type: Number, default: null },
    instalments: { type: Number, default: null },
    periodLabel: { type: String, required: true },
    basis: { type: Object, required: true }, // { budgetId | actualId, totalCents }
    allocation: { type: Object, required: true }, // ContributionAllocation
    lines: { type: Schema.Types.Mixed, required: true }, // StepLine[]
    issueDate: { type: String, required: true },
    startedBy: { type: String, required: true },
    createdAt: { type: String, required: true },
  },
  opts,
);
contributionStepSchema.index({ product: 1, year: 1 });

// Growth model: a service moves from a centre municipality to the shared centre on a date.
const serviceTransferSchema = new Schema(
  {
    _id: { type: String, required: true }, // the transferred service's id: it moves once
    serviceId: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    targetServiceId: { type: String, required: true },
    effectiveDate: { type: String, required: true },
    /** How the moved participants are financed: hours (billed), contribution (hourBilling false), both. */
    financing: { type: String, enum: ['hours', 'contribution', 'both'], default: 'hours' },
    agreements: { type: [Object], default: [] }, // { from: old id, to: new id }
    by: { type: String, required: true },
    at: { type: String, required: true },
  },
  opts,
);

export type ContributionProduct = InferSchemaType<typeof contributionProductSchema>;
export type Participation = InferSchemaType<typeof participationSchema>;
export type KeyFigureVersionDoc = InferSchemaType<typeof keyFigureVersionSchema>;
export type ContributionBudget = InferSchemaType<typeof contributionBudgetSchema>;
export type ContributionActual = InferSchemaType<typeof contributionActualSchema>;
export type ContributionStep = InferSchemaType<typeof contributionStepSchema>;
export type ServiceTransfer = InferSchemaType<typeof serviceTransferSchema>;

/** One participant's line of a step. */
export interface StepLine {
  participant: string;
  /** Advance: the provisional yearly contribution; settlement: the definitive one. */
  contributionCents: number;
  /** Net advances invoiced before this step (credit notes on them deducted). */
  invoicedBeforeCents: number;
  kind: 'invoice' | 'credit_note' | 'none';
  amountCents: number;
  invoiceId: string | null;
  participationId: string;
  orderReference: string;
}

export function createContributionModels(conn: Connection) {
  return {
    ContributionProduct: conn.model(
      'ContributionProduct',
      contributionProductSchema,
      'contribution_products',
    ) as Model<ContributionProduct>,
    Participation: conn.model('Participation', participationSchema, 'participations') as Model<Participation>,
    KeyFigureVersion: conn.model('KeyFigureVersion', keyFigureVersionSchema, 'key_figure_versions') as Model<KeyFigureVersionDoc>,
    ContributionBudget: conn.model('ContributionBudget', contributionBudgetSchema, 'contribution_budgets') as Model<ContributionBudget>,
    ContributionActual: conn.model('ContributionActual', contributionActualSchema, 'contribution_actuals') as Model<ContributionActual>,
    ContributionStep: conn.model('ContributionStep', contributionStepSchema, 'contribution_steps') as Model<ContributionStep>,
    ServiceTransfer: conn.model('ServiceTransfer', serviceTransferSchema, 'service_transfers') as Model<ServiceTransfer>,
  };
}
