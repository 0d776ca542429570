// The shared centre's money (scenario 2): products and participation, key figures, budgets and
// actual costs, the allocation preview, advance and settlement steps, mergers and reports.
// The centre's admin manages products, participation and key figures; its finance (or admin)
// budgets and invoices; a participant sees only its own participation and contributions.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { contributionStepWorkflowId, type ContributionStepKind } from '../../contracts';
import { overlappingPeriod, validateRules, addDaysIso, type ContributionRules } from '../../domain/contributions';
import { badInput, conflict, DomainError, forbidden, notFound } from '../../domain/errors';
import { cbsCode, mergeFigures, parseKeyFigureCsv } from '../../domain/key-figures';
import type { Actor, Role } from '../../domain/roles';
import { dutchDate } from '../../domain/time';
import {
  actualsFromHours,
  advancesInvoiced,
  allocateProduct,
  contributionStepId,
  instalmentsOf,
  latestActual,
  latestBudget,
  planStep,
  assertYear,
} from '../../lib/contributions';
import { ulid } from 'ulid';
import { isDuplicateKey } from '../../models';
import type { StepLine } from '../../models/contributions';
import type { Deps } from './requests';

export interface ProductInput {
  _id: string;
  name: string;
  serviceLevel: string | null;
  serviceIds: string[];
  rules: ContributionRules;
  advanceFrequency: 'yearly' | 'quarterly' | 'monthly';
  vatCategory: 'S' | 'E' | 'O';
  paymentTermDays: number;
}

/** A participation lock older than this was left behind by a crash and may be taken over. */
const LOCK_STALE_MS = 10_000;

export function contributionUseCases({ models, client, taskQueue }: Deps) {
  const today = () => dutchDate(Date.now());

  /**
   * Runs `work` (check for an overlap, then insert) while holding the lock of one
   * municipality's participation in one product: a document with a unique _id, inserted
   * first (atomic on FerretDB and MongoDB alike) and removed after. A second caller waits for
   * it, then sees the first one's participation in its own check.
   */
  async function withParticipationLock<T>(product: string, participant: string, work: () => Promise<T>): Promise<T> {
    const _id = `${product}:${participant}`;
    const token = ulid();
    for (let attempt = 0; ; attempt++) {
      try {
        await models.ParticipationLock.create({ _id, token, at: Date.now() });
        break;
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        const held = await models.ParticipationLock.findById(_id).lean();
        if (held && Date.now() - held.at > LOCK_STALE_MS) {
          await models.ParticipationLock.deleteOne({ _id, token: held.token });
          continue;
        }
        if (attempt >= 100) throw conflict(`the participation of ${participant} in ${product} is being changed; try again`);
        await new Promise((resolve) => setTimeout(resolve, 25 + Math.floor(Math.random() * 50)));
      }
    }
    try {
      return await work();
    } finally {
      await models.ParticipationLock.deleteOne({ _id, token });
    }
  }

  /** The centre's own people: `roles` at the product's provider. */
  function assertCentre(actor: Actor, provider: string, roles: Role[], what: string) {
    if (actor.org !== provider || !roles.some((r) => actor.roles.includes(r)))
      throw forbidden(`${what} needs role ${roles.join(' or ')} at ${provider}`);
  }
  /** The caller acts for a shared centre, with one of the roles: products, key figures and mergers are the centre's. */
  async function assertOwnCentre(actor: Actor, roles: Role[], what: string) {
    assertCentre(actor, actor.org, roles, what);
    const org = await models.Organisation.findById(actor.org).select({ kind: 1 }).lean();
    if (org?.kind !== 'shared_centre') throw forbidden(`${what} is for a shared centre; ${actor.org} is not one`);
  }
  /** A product of the caller's centre (404 for anyone else, so it does not leak). */
  async function ownProduct(actor: Actor, id: string, roles: Role[], what: string) {
    const product = await models.ContributionProduct.findById(id).lean();
    if (!product) throw notFound('product');
    if (actor.org !== product.provider) {
      const participates = await models.Participation.exists({ product: id, participant: actor.org });
      if (!participates) throw notFound('product');
    }
    assertCentre(actor, product.provider, roles, what);
    return product;
  }

  async function validateServices(provider: string, serviceIds: string[]) {
    for (const id of serviceIds) {
      const s = await models.Service.findById(id).lean();
      if (!s) throw badInput('serviceIds', `service ${id} does not exist`);
      if (s.provider !== provider) throw badInput('serviceIds', `service ${id} is not offered by ${provider}`);
    }
  }

  // ---- products and participation ----------------------------------------------------------

  async function createProduct(actor: Actor, input: ProductInput) {
    await assertOwnCentre(actor, ['admin'], 'adding a product');
    validateRules(input.rules);
    await validateServices(actor.org, input.serviceIds);
    try {
      await models.ContributionProduct.create({ ...input, provider: actor.org, createdAt: new Date().toISOString() });
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict(`product ${input._id} already exists`, { field: '_id' });
      throw err;
    }
    return models.ContributionProduct.findById(input._id).lean();
  }

  async function updateRules(actor: Actor, id: string, rules: ContributionRules) {
    await ownProduct(actor, id, ['admin'], 'changing the rules');
    validateRules(rules);
    await models.ContributionProduct.updateOne({ _id: id }, { $set: { rules } });
    return models.ContributionProduct.findById(id).lean();
  }

  /** The centre sees its products; a municipality the products it participates in. */
  async function listProducts(actor: Actor) {
    const joined = (await models.Participation.find({ participant: actor.org }).select({ product: 1 }).lean()).map((p) => p.product);
    return models.ContributionProduct.find({ $or: [{ provider: actor.org }, { _id: { $in: joined } }] })
      .sort({ _id: 1 })
      .lean();
  }

  async function addParticipation(
    actor: Actor,
    productId: string,
    input: { participant: string; from: string; to: string | null; orderReference?: string },
  ) {
    const product = await ownProduct(actor, productId, ['admin'], 'adding a participation');
    const org = await models.Organisation.findById(input.participant).lean();
    if (!org || org.kind !== 'municipality') throw badInput('participant', `${input.participant} is not a municipality`);
    if (input.to !== null && input.to < input.from) throw badInput('to', 'to is before from');
    const _id = `${productId}:${input.participant}:${input.from}`;
    // Check and insert under the lock: two overlapping joins at the same moment get one 201 and one 409.
    await withParticipationLock(productId, input.participant, async () => {
      const existing = await models.Participation.find({ product: productId, participant: input.participant }).lean();
      const overlap = overlappingPeriod(
        existing.map((e) => ({ ...e, to: e.to ?? null })),
        { participant: input.participant, from: input.from, to: input.to },
      );
      if (overlap)
        throw conflict(`${input.participant} already participates in ${productId} from ${overlap.from} to ${overlap.to ?? 'open end'}`, {
          field: 'from',
        });
      await models.Participation.create({
        _id,
        product: productId,
        provider: product.provider,
        participant: input.participant,
        from: input.from,
        to: input.to,
        orderReference: input.orderReference ?? `${input.participant}-${productId}`,
        createdAt: new Date().toISOString(),
      });
    });
    return models.Participation.findById(_id).lean();
  }

  /** Leaving: the last day of participation (pro-rated by days from then on). */
  async function endParticipation(actor: Actor, id: string, to: string) {
    const p = await models.Participation.findById(id).lean();
    if (!p) throw notFound('participation');
    await ownProduct(actor, p.product, ['admin'], 'ending a participation');
    if (to < p.from) throw badInput('to', `to is before the participation starts (${p.from})`);
    if (p.to && to > p.to) throw badInput('to', `the participation already ends on ${p.to}`);
    await models.Participation.updateOne({ _id: id }, { $set: { to } });
    return models.Participation.findById(id).lean();
  }

  async function listParticipations(actor: Actor) {
    const filter =
      actor.roles.includes('admin') || actor.roles.includes('provider_finance')
        ? { $or: [{ provider: actor.org }, { participant: actor.org }] }
        : { participant: actor.org };
    return models.Participation.find(filter).sort({ product: 1, participant: 1, from: 1 }).lean();
  }

  // ---- key figures -------------------------------------------------------------------------

  /** Inserts the next version (a unique _id: two parallel writers get two versions, never one overwritten). */
  async function insertVersion(
    actor: Actor,
    doc: { name: string; referenceDate: string; figures: Record<string, number>; source: string; note?: string | null },
  ) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const last = await models.KeyFigureVersion.findOne({ provider: actor.org, name: doc.name }).sort({ version: -1 }).lean();
      const version = (last?.version ?? 0) + 1;
      const _id = `${actor.org}:${doc.name}:v${version}`;
      try {
        await models.KeyFigureVersion.create({
          _id,
          provider: actor.org,
          version,
          createdBy: actor.userId,
          createdAt: new Date().toISOString(),
          note: null,
          ...doc,
        });
        return models.KeyFigureVersion.findById(_id).lean();
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
    throw conflict('could not store the key figures; try again');
  }

  async function assertMunicipalities(codes: string[]) {
    const known = new Set(
      (
        await models.Organisation.find({ _id: { $in: codes }, kind: 'municipality' })
          .select({ _id: 1 })
          .lean()
      ).map((o) => o._id),
    );
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) throw badInput('figures', `not a municipality: ${unknown.join(', ')}`);
  }

  async function addKeyFigures(actor: Actor, input: { name: string; referenceDate: string; figures: Record<string, number> }) {
    await assertOwnCentre(actor, ['admin'], 'key figures');
    await assertMunicipalities(Object.keys(input.figures));
    return insertVersion(actor, { ...input, source: 'api' });
  }

  /** A CBS open-data CSV: all rows are checked first; one bad row and nothing is written. */
  async function importKeyFigures(actor: Actor, input: { name: string; referenceDate: string; csv: string; column?: string }) {
    await assertOwnCentre(actor, ['admin'], 'key figures');
    const orgs = await models.Organisation.find({ kind: 'municipality' }).lean();
    const byKey = new Map<string, string>();
    for (const o of orgs) {
      if (o.cbsCode) byKey.set(o.cbsCode.toUpperCase(), o._id);
      byKey.set(o.name.toLowerCase(), o._id);
      byKey.set(o.name.replace(/^gemeente\s+/i, '').toLowerCase(), o._id);
      byKey.set(o._id.toLowerCase(), o._id);
    }
    const resolve = (region: string) => byKey.get(cbsCode(region) ?? region.replace(/^gemeente\s+/i, '').toLowerCase()) ?? null;
    const parsed = parseKeyFigureCsv(input.csv, resolve, input.column);
    if (parsed.errors.length) {
      throw new DomainError('BadInput', `the CSV has ${parsed.errors.length} bad row(s); nothing was imported`, {
        field: 'csv',
        errors: parsed.errors,
      });
    }
    const version = await insertVersion(actor, {
      name: input.name,
      referenceDate: input.referenceDate,
      figures: parsed.figures,
      source: 'csv',
      note: `column "${parsed.column}"`,
    });
    return { version, skipped: parsed.skipped };
  }

  async function listKeyFigures(actor: Actor) {
    await assertOwnCentre(actor, ['admin', 'provider_finance'], 'key figures');
    return models.KeyFigureVersion.find({ provider: actor.org }).sort({ name: 1, version: 1 }).lean();
  }

  // ---- budgets and actuals -----------------------------------------------------------------

  async function setBudget(actor: Actor, productId: string, input: { year: number; budgetCents: number; reason?: string }) {
    const product = await ownProduct(actor, productId, ['admin', 'provider_finance'], 'a budget');
    assertYear(input.year);
    if (await models.ContributionStep.exists({ product: productId, year: input.year, kind: 'settlement' }))
      throw conflict(`${productId} ${input.year} is settled`, { state: 'settled' });
    // The rules must fit the budget (fixed shares and base within it); other gaps show in the preview.
    await allocateProduct(models, product, input.year, input.budgetCents).catch((err) => {
      if (err instanceof DomainError && String(err.details.field).startsWith('rules.')) throw err;
    });
    const last = await latestBudget(models, productId, input.year);
    const version = (last?.version ?? 0) + 1;
    const _id = `${productId}:${input.year}:v${version}`;
    try {
      await models.ContributionBudget.create({
        _id,
        product: productId,
        year: input.year,
        version,
        budgetCents: input.budgetCents,
        reason: input.reason ?? (version === 1 ? 'begroting' : 'begrotingswijziging'),
        by: actor.userId,
        at: new Date().toISOString(),
      });
    } catch (err) {
      if (isDuplicateKey(err)) throw conflict('the budget was changed at the same moment; reload and try again');
      throw err;
    }
    return models.ContributionBudget.findById(_id).lean();
  }

  async function budgets(actor: Actor, productId: string) {
    await ownProduct(actor, productId, ['admin', 'provider_finance'], 'budgets');
    return models.ContributionBudget.find({ product: productId }).sort({ year: 1, version: 1 }).lean();
  }

  /** Actual costs: entered, or from the approved hours of the product's services × their rates. */
  async function recordActuals(actor: Actor, productId: string, input: { year: number; actualCents?: number }) {
    const product = await ownProduct(actor, productId, ['admin', 'provider_finance'], 'actual costs');
    assertYear(input.year);
    if (await models.ContributionStep.exists({ product: productId, year: input.year, kind: 'settlement' }))
      throw conflict(`${productId} ${input.year} is settled`, { state: 'settled' });
    let mode: 'entered' | 'hours' = 'entered';
    let actualCents = input.actualCents;
    let detail: unknown = null;
    if (actualCents === undefined) {
      if (!(product.serviceIds ?? []).length)
        throw badInput('actualCents', 'enter the actual costs: the product has no services with hours');
      ({ actualCents, detail } = await actualsFromHours(models, product, input.year));
      mode = 'hours';
    }
    const last = await latestActual(models, productId, input.year);
    const version = (last?.version ?? 0) + 1;
    const _id = `${productId}:${input.year}:v${version}`;
    await models.ContributionActual.create({
      _id,
      product: productId,
      year: input.year,
      version,
      mode,
      actualCents,
      detail,
      by: actor.userId,
      at: new Date().toISOString(),
    });
    return models.ContributionActual.findById(_id).lean();
  }

  // ---- preview and steps -------------------------------------------------------------------

  async function nextInstalment(productId: string, year: number) {
    return (await models.ContributionStep.countDocuments({ product: productId, year, kind: 'advance' })) + 1;
  }

  /** Every participant's share and how it was computed, and what the next step would invoice. Writes nothing. */
  async function preview(actor: Actor, productId: string, input: { year: number; basis: 'budget' | 'actuals' }) {
    const product = await ownProduct(actor, productId, ['admin', 'provider_finance'], 'the preview');
    assertYear(input.year);
    if (input.basis === 'actuals') {
      // The settlement as it would be, also before the year has ended.
      return planStep(models, { product: productId, year: input.year, kind: 'settlement', today: '9999-12-31' });
    }
    const k = await nextInstalment(productId, input.year);
    if (k <= instalmentsOf(product))
      return planStep(models, { product: productId, year: input.year, kind: 'advance', instalment: k, today: today() });
    const budget = await latestBudget(models, productId, input.year);
    if (!budget) throw conflict(`${productId} has no budget for ${input.year}`, { state: 'no_budget' });
    return {
      product: productId,
      year: input.year,
      basis: { budgetId: budget._id, totalCents: budget.budgetCents },
      allocation: await allocateProduct(models, product, input.year, budget.budgetCents),
      lines: [],
    };
  }

  /**
   * Starts an advance or the settlement of a product's year (or finds the one started before).
   * Checked first with the same planning the worker uses, so bad input changes nothing.
   */
  async function startStep(actor: Actor, productId: string, input: { kind: ContributionStepKind; year: number; instalment?: number }) {
    const product = await ownProduct(actor, productId, ['admin', 'provider_finance'], 'invoicing contributions');
    assertYear(input.year);
    const instalment = input.kind === 'advance' ? (input.instalment ?? (await nextInstalment(productId, input.year))) : null;
    if (instalment !== null && (instalment < 1 || instalment > instalmentsOf(product)))
      throw badInput('instalment', `${productId} has ${instalmentsOf(product)} instalments a year`);
    const issueDate = today();
    if (!(await models.ContributionStep.exists({ _id: contributionStepId(productId, input.year, input.kind, instalment) }))) {
      await planStep(models, { product: productId, year: input.year, kind: input.kind, instalment, today: issueDate });
    }
    const workflowId = contributionStepWorkflowId(productId, input.year, input.kind, instalment);
    try {
      await client.workflow.start('contributionStepWorkflow', {
        workflowId,
        taskQueue,
        workflowIdConflictPolicy: 'FAIL',
        // A step that completed is never started again; one that failed may be (its record makes a re-run safe).
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        args: [{ product: productId, year: input.year, kind: input.kind, instalment, issueDate, startedBy: actor }],
      });
      return { workflowId, instalment, alreadyStarted: false };
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, instalment, alreadyStarted: true };
      throw err;
    }
  }

  /** The recorded steps of a product: the allocation exactly as it was invoiced, with the versions it used. */
  async function steps(actor: Actor, productId: string) {
    await ownProduct(actor, productId, ['admin', 'provider_finance'], 'contribution steps');
    return models.ContributionStep.find({ product: productId }).sort({ year: 1, kind: 1, instalment: 1 }).lean();
  }

  // ---- merger ------------------------------------------------------------------------------

  /**
   * Municipalities merge into one (new or existing) from a date: their participations in the
   * centre's products end the day before and the merged municipality participates from the
   * date; every key figure gets a version on that date with the sum moved to it.
   */
  async function merge(actor: Actor, input: { into: string; merged: string[]; date: string }) {
    await assertOwnCentre(actor, ['admin'], 'a merger');
    if (input.merged.includes(input.into)) throw badInput('merged', 'a municipality cannot merge into itself');
    await assertMunicipalities([input.into, ...input.merged]);
    const dayBefore = addDaysIso(input.date, -1);
    const participations = await models.Participation.find({ provider: actor.org, participant: { $in: input.merged } }).lean();
    const active = participations.filter((p) => p.from < input.date && (p.to === null || p.to === undefined || p.to >= input.date));
    if (participations.some((p) => p.from >= input.date))
      throw badInput('date', 'a merged municipality has a participation that starts on or after the merger date');
    const ended: string[] = [];
    const created: string[] = [];
    for (const p of active) {
      await models.Participation.updateOne({ _id: p._id }, { $set: { to: dayBefore } });
      ended.push(p._id);
    }
    for (const product of [...new Set(active.map((p) => p.product))].sort()) {
      const _id = `${product}:${input.into}:${input.date}`;
      const added = await withParticipationLock(product, input.into, async () => {
        const own = await models.Participation.find({ product, participant: input.into }).lean();
        const covering = overlappingPeriod(
          own.map((e) => ({ ...e, to: e.to ?? null })),
          { participant: input.into, from: input.date, to: null },
        );
        if (covering) return false; // the merged municipality already participates
        await models.Participation.updateOne(
          { _id },
          {
            $setOnInsert: {
              product,
              provider: actor.org,
              participant: input.into,
              from: input.date,
              to: null,
              orderReference: `${input.into}-${product}`,
              origin: `merger ${input.merged.join('+')} > ${input.into} ${input.date}`,
              createdAt: new Date().toISOString(),
            },
          },
          { upsert: true },
        );
        return true;
      });
      if (added) created.push(_id);
    }
    const versions = [];
    for (const name of await models.KeyFigureVersion.distinct('name', { provider: actor.org })) {
      const all = await models.KeyFigureVersion.find({ provider: actor.org, name, referenceDate: { $lte: input.date } })
        .sort({ referenceDate: -1, version: -1 })
        .lean();
      const current = all[0];
      if (!current) continue;
      const figures = mergeFigures(current.figures as Record<string, number>, input.merged, input.into);
      versions.push(
        await insertVersion(actor, {
          name,
          referenceDate: input.date,
          figures,
          source: 'merger',
          note: `${input.merged.join('+')} > ${input.into} (from ${current._id})`,
        }),
      );
    }
    return { ended, created, keyFigureVersions: versions.map((v) => v!._id) };
  }

  // ---- reports -----------------------------------------------------------------------------

  /**
   * Per participant and product for a year: budget (provisional contribution), advances
   * invoiced, actuals (definitive contribution), settlement, paid and outstanding. The centre
   * sees every row and the product totals; a participant only its own rows.
   */
  async function report(actor: Actor, year: number) {
    assertYear(year);
    const centre = actor.roles.includes('admin') || actor.roles.includes('provider_finance');
    const joined = (await models.Participation.find({ participant: actor.org }).select({ product: 1 }).lean()).map((p) => p.product);
    const products = await models.ContributionProduct.find({
      $or: [...(centre ? [{ provider: actor.org }] : []), { _id: { $in: joined } }],
    })
      .sort({ _id: 1 })
      .lean();
    const rows: ReportRow[] = [];
    const totals: ReportRow[] = [];
    for (const product of products) {
      const own = product.provider === actor.org && centre;
      const budget = await latestBudget(models, product._id, year);
      const provisional = budget ? await allocateProduct(models, product, year, budget.budgetCents).catch(() => null) : null;
      const advances = await advancesInvoiced(models, product._id, year);
      const settlement = await models.ContributionStep.findById(contributionStepId(product._id, year, 'settlement')).lean();
      const steps = await models.ContributionStep.find({ product: product._id, year }).lean();
      const invoiceIds = steps.flatMap((s) =>
        (s.lines as StepLine[]).filter((l) => l.kind === 'invoice' && l.invoiceId).map((l) => l.invoiceId!),
      );
      const invoices = await models.Invoice.find({ _id: { $in: invoiceIds } })
        .select({ buyer: 1, paidCents: 1, outstandingCents: 1 })
        .lean();
      const participants = new Set([
        ...(provisional?.shares.map((s) => s.participant) ?? []),
        ...Object.keys(advances.byParticipant),
        ...((settlement?.lines as StepLine[] | undefined)?.map((l) => l.participant) ?? []),
      ]);
      const productRows: ReportRow[] = [];
      for (const participant of [...participants].sort()) {
        if (!own && participant !== actor.org) continue;
        const line = (settlement?.lines as StepLine[] | undefined)?.find((l) => l.participant === participant);
        const mine = invoices.filter((i) => i.buyer === participant);
        productRows.push({
          product: product._id,
          participant,
          year,
          budgetCents: provisional?.shares.find((s) => s.participant === participant)?.totalCents ?? null,
          advancesCents: advances.byParticipant[participant] ?? 0,
          actualCents: line ? line.contributionCents : null,
          settlementCents: line ? (line.kind === 'credit_note' ? -line.amountCents : line.amountCents) : null,
          paidCents: mine.reduce((s, i) => s + (i.paidCents ?? 0), 0),
          outstandingCents: mine.reduce((s, i) => s + (i.outstandingCents ?? 0), 0),
        });
      }
      rows.push(...productRows);
      if (own) {
        const sum = (f: (r: ReportRow) => number | null) => productRows.reduce((s, r) => s + (f(r) ?? 0), 0);
        totals.push({
          product: product._id,
          participant: null,
          year,
          budgetCents: budget?.budgetCents ?? null,
          advancesCents: sum((r) => r.advancesCents),
          actualCents: settlement ? ((settlement.basis as { totalCents: number }).totalCents ?? null) : null,
          settlementCents: settlement ? sum((r) => r.settlementCents) : null,
          paidCents: sum((r) => r.paidCents),
          outstandingCents: sum((r) => r.outstandingCents),
        });
      }
    }
    return { year, rows, products: totals };
  }

  return {
    createProduct,
    updateRules,
    listProducts,
    addParticipation,
    endParticipation,
    listParticipations,
    addKeyFigures,
    importKeyFigures,
    listKeyFigures,
    setBudget,
    budgets,
    recordActuals,
    preview,
    startStep,
    steps,
    merge,
    report,
  };
}

export interface ReportRow {
  product: string;
  participant: string | null;
  year: number;
  budgetCents: number | null;
  advancesCents: number;
  actualCents: number | null;
  settlementCents: number | null;
  paidCents: number;
  outstandingCents: number;
}
