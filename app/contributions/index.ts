// The shared centre's money (scenario 2): products and participation, key figures, budgets and
// actual costs, the allocation preview, advance and settlement steps, mergers and reports.
// The centre's admin manages products, participation and key figures; its finance (or admin)
// budgets and invoices; a participant sees only its own participation and contributions.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { contributionStepWorkflowId, WORKFLOW_TASK_TIMEOUT, type ContributionStepKind } from '../../contracts';
import {
  assertContributionAction,
  contributionActions,
  type ContributionAction,
  type ContributionSubject,
} from '../../domain/contribution-access';
import { invoiceDisplayStatus, readableSides } from '../../domain/invoice-access';
import {
  assertRulesWithinBudgets,
  productChangeRefusal,
  isContributionStepKey,
  fixedShareNonParticipants,
  overlappingPeriod,
  signedSettlementCents,
  validateRules,
  type ContributionRules,
} from '../../domain/contributions';
import { addDays, dutchDate } from '../../domain/dates';
import { cbsCode, mergeFigures, parseKeyFigureCsv } from '../../domain/key-figures';
import { none, notFound, refuse, Refusal, type RefusalInfo } from '../../domain/refusals';
import type { Actor } from '../../domain/roles';
import {
  actualsFromHours,
  advancesInvoiced,
  allocateProduct,
  contributionStepId,
  instalmentsOf,
  latestActual,
  latestBudget,
  planStep,
} from '../../lib/contributions';
import { LockBusyError, withKeyLock } from '../../lib/key-lock';
import { isDuplicateKey } from '../../models';
import type { StepLine } from '../../models/contributions';
import { centsToDecimal } from '../../domain/money';
import { toCsv } from '../core/csv';
import type { AppDeps } from '../core/deps';
import type { Directory } from '../core/directory';
import { parseInput } from '../core/input';
import { ensureSchedulesAfterChange, startWorkflow } from '../core/temporal';
import {
  actualsSchema,
  advanceSchema,
  budgetSchema,
  endParticipationSchema,
  keyFigureImportSchema,
  keyFigureListSchema,
  keyFiguresSchema,
  mergerSchema,
  participationSchema,
  previewSchema,
  productDetailsSchema,
  productSchema,
  reportSchema,
  rulesSchema,
  settlementSchema,
  stepListSchema,
} from './schemas';

/** A participation lock older than this was left behind by a crash and may be taken over. */
const LOCK_STALE_MS = 10_000;

export function contributionFeature(deps: AppDeps, directory: Directory) {
  const { models, client, taskQueue } = deps;
  const today = () => dutchDate(Date.now());

  /**
   * Runs `work` (check for an overlap, then insert) while holding the lock of one
   * municipality's participation in one product (lib/key-lock.ts): a second caller waits for
   * it, then sees the first one's participation in its own check.
   */
  async function withParticipationLock<T>(product: string, participant: string, work: () => Promise<T>): Promise<T> {
    try {
      return await withKeyLock(models, `participation:${product}:${participant}`, work, { staleMs: LOCK_STALE_MS });
    } catch (err) {
      if (err instanceof LockBusyError) throw refuse('concurrent_change', none());
      throw err;
    }
  }

  /** The caller's own organisation as a centre (for products, key figures and mergers). */
  async function ownCentre(actor: Actor): Promise<ContributionSubject> {
    const org = await models.Organisation.findById(actor.org).select({ kind: 1 }).lean();
    return { centre: actor.org, centreIsShared: org?.kind === 'shared_centre' };
  }
  async function assertOwnCentre(actor: Actor, action: ContributionAction): Promise<void> {
    assertContributionAction(action, await ownCentre(actor), actor);
  }
  /** A product seen from the caller: as its centre, as a participant, or not at all (404, so it does not leak). */
  async function productFor(actor: Actor, id: string) {
    const product = await models.ContributionProduct.findById(id).lean();
    if (!product) throw notFound('product');
    const participates =
      actor.org !== product.provider && Boolean(await models.Participation.exists({ product: id, participant: actor.org }));
    if (actor.org !== product.provider && !participates) throw notFound('product');
    const subject: ContributionSubject = { centre: product.provider, centreIsShared: true, participant: participates ? actor.org : null };
    return { product, subject };
  }
  async function ownProduct(actor: Actor, id: string, action: ContributionAction) {
    const { product, subject } = await productFor(actor, id);
    assertContributionAction(action, subject, actor);
    return product;
  }

  async function validateServices(provider: string, serviceIds: string[]) {
    for (const id of serviceIds) {
      const s = await models.Service.findById(id).lean();
      if (!s) throw refuse('service_unknown', { serviceId: id }, 'serviceIds');
      if (s.provider !== provider) throw refuse('service_not_offered', { serviceId: id, provider }, 'serviceIds');
    }
  }

  // ---- products and participation ----------------------------------------------------------

  async function createProduct(actor: Actor, raw: unknown) {
    await assertOwnCentre(actor, 'createProduct');
    const input = parseInput(productSchema, raw);
    validateRules(input.rules);
    await assertMunicipalities(Object.keys(input.rules.fixed ?? {}), 'rules.fixed');
    await validateServices(actor.org, input.serviceIds);
    try {
      await models.ContributionProduct.create({ ...input, provider: actor.org, createdAt: new Date().toISOString() });
    } catch (err) {
      if (isDuplicateKey(err)) throw refuse('product_exists', { product: input._id }, '_id');
      throw err;
    }
    await ensureSchedulesAfterChange(deps);
    return models.ContributionProduct.findById(input._id).lean();
  }

  /** New rules; they must fit every budget already set (the allocation of that year would fail). */
  async function updateRules(actor: Actor, id: string, raw: unknown) {
    await ownProduct(actor, id, 'changeRules');
    const rules = parseInput(rulesSchema, raw) as ContributionRules;
    validateRules(rules);
    await assertMunicipalities(Object.keys(rules.fixed ?? {}), 'rules.fixed');
    assertRulesWithinBudgets(rules, await latestBudgets(id));
    await models.ContributionProduct.updateOne({ _id: id }, { $set: { rules } });
    return models.ContributionProduct.findById(id).lean();
  }

  /** A product as its details form shows it (the centre's admin). */
  async function productDetails(actor: Actor, id: string) {
    return ownProduct(actor, id, 'changeProduct');
  }

  /**
   * New details of a product. The VAT category and the advance frequency stay once a step is
   * recorded (productChangeRefusal); a step recorded at this very moment may still see the old
   * ones, which are then the product's terms of that step.
   */
  async function updateProduct(actor: Actor, id: string, raw: unknown) {
    const product = await ownProduct(actor, id, 'changeProduct');
    const input = parseInput(productDetailsSchema, raw);
    await validateServices(product.provider, input.serviceIds);
    const refusal = productChangeRefusal(
      { _id: id, vatCategory: product.vatCategory ?? 'O', advanceFrequency: product.advanceFrequency ?? 'quarterly' },
      input,
      Boolean(await models.ContributionStep.exists({ product: id })),
    );
    if (refusal) throw refusal;
    await models.ContributionProduct.updateOne({ _id: id }, { $set: input });
    return models.ContributionProduct.findById(id).lean();
  }

  /** The centre sees its products; a municipality the products it participates in. */
  async function listProducts(actor: Actor) {
    const joined = (await models.Participation.find({ participant: actor.org }).select({ product: 1 }).lean()).map((p) => p.product);
    return models.ContributionProduct.find({ $or: [{ provider: actor.org }, { _id: { $in: joined } }] })
      .sort({ _id: 1 })
      .lean();
  }

  async function addParticipation(actor: Actor, productId: string, raw: unknown) {
    const product = await ownProduct(actor, productId, 'manageParticipation');
    const input = parseInput(participationSchema, raw);
    const org = await models.Organisation.findById(input.participant).lean();
    if (!org || org.kind !== 'municipality') throw refuse('not_a_municipality', { codes: [input.participant] }, 'participant');
    if (input.to !== null && input.to < input.from) throw refuse('end_before_start', { start: input.from }, 'to');
    const _id = `${productId}:${input.participant}:${input.from}`;
    // Check and insert under the lock: two overlapping joins at the same moment get one 201 and one 409.
    await withParticipationLock(productId, input.participant, async () => {
      const existing = await models.Participation.find({ product: productId, participant: input.participant }).lean();
      const overlap = overlappingPeriod(
        existing.map((e) => ({ ...e, to: e.to ?? null })),
        { participant: input.participant, from: input.from, to: input.to },
      );
      if (overlap)
        throw refuse(
          'participation_overlap',
          { participant: input.participant, product: productId, from: overlap.from, to: overlap.to ?? null },
          'from',
        );
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
  async function endParticipation(actor: Actor, id: string, raw: unknown) {
    const p = await models.Participation.findById(id).lean();
    if (!p) throw notFound('participation');
    await ownProduct(actor, p.product, 'manageParticipation');
    const { to } = parseInput(endParticipationSchema, raw);
    if (to < p.from) throw refuse('end_before_start', { start: p.from }, 'to');
    if (p.to && to > p.to) throw refuse('participation_already_ends', { to: p.to }, 'to');
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
    throw refuse('concurrent_change', none());
  }

  async function assertMunicipalities(codes: string[], field = 'figures') {
    const known = new Set(
      (
        await models.Organisation.find({ _id: { $in: codes }, kind: 'municipality' })
          .select({ _id: 1 })
          .lean()
      ).map((o) => o._id),
    );
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) throw refuse('not_a_municipality', { codes: unknown }, field);
  }

  async function addKeyFigures(actor: Actor, raw: unknown) {
    await assertOwnCentre(actor, 'manageKeyFigures');
    const input = parseInput(keyFiguresSchema, raw);
    await assertMunicipalities(Object.keys(input.figures));
    return insertVersion(actor, { ...input, source: 'api' });
  }

  /** A CBS open-data CSV: all rows are checked first; one bad row and nothing is written. */
  async function importKeyFigures(actor: Actor, raw: unknown) {
    await assertOwnCentre(actor, 'manageKeyFigures');
    const input = parseInput(keyFigureImportSchema, raw);
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
      throw refuse('csv_rows_invalid', { count: parsed.errors.length, rows: parsed.errors }, 'csv');
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

  async function listKeyFigures(actor: Actor, raw: unknown = {}) {
    await assertOwnCentre(actor, 'readKeyFigures');
    const { name } = parseInput(keyFigureListSchema, raw);
    return models.KeyFigureVersion.find({ provider: actor.org, ...(name ? { name } : {}) })
      .sort({ name: 1, version: 1 })
      .lean();
  }

  // ---- budgets and actuals -----------------------------------------------------------------

  async function setBudget(actor: Actor, productId: string, raw: unknown) {
    const product = await ownProduct(actor, productId, 'manageBudget');
    const input = parseInput(budgetSchema, raw);
    if (await models.ContributionStep.exists({ product: productId, year: input.year, kind: 'settlement' }))
      throw refuse('year_settled', { product: productId, year: input.year }, 'year');
    // The rules must fit the budget (fixed shares and base within it); other gaps show in the preview.
    await allocateProduct(models, product, input.year, input.budgetCents).catch((err) => {
      if (err instanceof Refusal && String(err.field).startsWith('rules.')) throw new Refusal(err.code, err.params, 'budgetCents');
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
      if (isDuplicateKey(err)) throw refuse('concurrent_change', none());
      throw err;
    }
    return models.ContributionBudget.findById(_id).lean();
  }

  async function budgets(actor: Actor, productId: string) {
    await ownProduct(actor, productId, 'viewProduct');
    return models.ContributionBudget.find({ product: productId }).sort({ year: 1, version: 1 }).lean();
  }

  /** Actual costs: entered, or from the approved hours of the product's services × their rates. */
  async function recordActuals(actor: Actor, productId: string, raw: unknown) {
    const product = await ownProduct(actor, productId, 'recordActuals');
    const input = parseInput(actualsSchema, raw);
    if (await models.ContributionStep.exists({ product: productId, year: input.year, kind: 'settlement' }))
      throw refuse('year_settled', { product: productId, year: input.year }, 'year');
    let mode: 'entered' | 'hours' = 'entered';
    let actualCents = input.actualCents;
    let detail: unknown = null;
    if (actualCents === undefined) {
      if (!(product.serviceIds ?? []).length) throw refuse('actuals_need_amount', none(), 'actualCents');
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

  /** The latest budget of every year of a product. */
  async function latestBudgets(productId: string) {
    const latest = new Map<number, number>();
    for (const b of await models.ContributionBudget.find({ product: productId }).sort({ year: 1, version: 1 }).lean())
      latest.set(b.year, b.budgetCents);
    return [...latest].map(([year, budgetCents]) => ({ year, budgetCents }));
  }

  /** Things about the rules the centre should know, shown with the preview. */
  async function ruleWarnings(product: { _id: string; rules: unknown }): Promise<RefusalInfo[]> {
    const participants = (await models.Participation.find({ product: product._id }).select({ participant: 1 }).lean()).map(
      (p) => p.participant,
    );
    const strangers = fixedShareNonParticipants(product.rules as ContributionRules, participants);
    return strangers.length ? [{ code: 'fixed_share_non_participant', params: { participants: strangers }, field: 'rules.fixed' }] : [];
  }

  /** Every participant's share and how it was computed, and what the next step would invoice. Writes nothing. */
  async function preview(actor: Actor, productId: string, raw: unknown) {
    const product = await ownProduct(actor, productId, 'viewProduct');
    const input = parseInput(previewSchema, raw);
    const warnings = await ruleWarnings(product);
    if (input.basis === 'actuals') {
      // The settlement as it would be, also before the year has ended.
      return { ...(await planStep(models, { product: productId, year: input.year, kind: 'settlement', today: '9999-12-31' })), warnings };
    }
    const k = await nextInstalment(productId, input.year);
    if (k <= instalmentsOf(product))
      return {
        ...(await planStep(models, { product: productId, year: input.year, kind: 'advance', instalment: k, today: today() })),
        warnings,
      };
    const budget = await latestBudget(models, productId, input.year);
    if (!budget) throw refuse('no_budget', { product: productId, year: input.year });
    return {
      product: productId,
      year: input.year,
      basis: { budgetId: budget._id, totalCents: budget.budgetCents },
      allocation: await allocateProduct(models, product, input.year, budget.budgetCents),
      lines: [],
      warnings,
    };
  }

  /**
   * Starts an advance or the settlement of a product's year (or finds the one started before).
   * Checked first with the same planning the worker uses, so bad input changes nothing.
   */
  async function startStep(actor: Actor, productId: string, kind: ContributionStepKind, raw: unknown) {
    const product = await ownProduct(actor, productId, 'invoiceStep');
    const body = kind === 'advance' ? parseInput(advanceSchema, raw) : { ...parseInput(settlementSchema, raw), instalment: undefined };
    const input = { kind, ...body };
    const n = instalmentsOf(product);
    const instalment = input.kind === 'advance' ? (input.instalment ?? (await nextInstalment(productId, input.year))) : null;
    if (instalment !== null && input.instalment === undefined && instalment > n)
      throw refuse('all_advances_invoiced', { instalments: n, year: input.year });
    if (instalment !== null && (instalment < 1 || instalment > n)) throw refuse('instalment_out_of_range', { max: n }, 'instalment');
    const issueDate = today();
    if (!(await models.ContributionStep.exists({ _id: contributionStepId(productId, input.year, input.kind, instalment) }))) {
      await planStep(models, { product: productId, year: input.year, kind: input.kind, instalment, today: issueDate });
    }
    const workflowId = contributionStepWorkflowId(productId, input.year, input.kind, instalment);
    try {
      await startWorkflow(client, 'contributionStepWorkflow', {
        workflowId,
        taskQueue,
        workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
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
  async function steps(actor: Actor, productId: string, raw: unknown = {}) {
    await ownProduct(actor, productId, 'viewProduct');
    const { year: y, kind } = parseInput(stepListSchema, raw);
    return models.ContributionStep.find({ product: productId, ...(y ? { year: y } : {}), ...(kind ? { kind } : {}) })
      .sort({ year: 1, kind: 1, instalment: 1 })
      .lean();
  }

  // ---- merger ------------------------------------------------------------------------------

  /**
   * Municipalities merge into one (new or existing) from a date: their participations in the
   * centre's products end the day before and the merged municipality participates from the
   * date; every key figure gets a version on that date with the sum moved to it.
   */
  async function merge(actor: Actor, raw: unknown) {
    await assertOwnCentre(actor, 'recordMerger');
    const input = parseInput(mergerSchema, raw);
    if (input.merged.includes(input.into)) throw refuse('merge_into_itself', none(), 'merged');
    await assertMunicipalities([input.into, ...input.merged]);
    const dayBefore = addDays(input.date, -1);
    const participations = await models.Participation.find({ provider: actor.org, participant: { $in: input.merged } }).lean();
    const active = participations.filter((p) => p.from < input.date && (p.to === null || p.to === undefined || p.to >= input.date));
    if (participations.some((p) => p.from >= input.date)) throw refuse('merge_after_participation', none(), 'date');
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
  async function report(actor: Actor, raw: unknown) {
    const { year } = parseInput(reportSchema, raw);
    const joined = (await models.Participation.find({ participant: actor.org }).select({ product: 1 }).lean()).map((p) => p.product);
    const candidates = await models.ContributionProduct.find({ $or: [{ provider: actor.org }, { _id: { $in: joined } }] })
      .sort({ _id: 1 })
      .lean();
    // Products whose report the caller may see: the centre's own (admin, finance) and those it participates in.
    const products = candidates.filter((p) =>
      contributionActions({ centre: p.provider, centreIsShared: true, participant: joined.includes(p._id) ? actor.org : null }, actor, [
        'viewReport',
      ]).some((a) => a.allowed),
    );
    const centre = products.some((p) => p.provider === actor.org);
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
          settlementCents: line ? signedSettlementCents(line) : null,
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

  // ---- reads for the pages -------------------------------------------------------------------

  /** Municipalities to pick from (participation, rules, mergers). */
  async function municipalities() {
    return (await models.Organisation.find({ kind: 'municipality' }).sort({ name: 1 }).lean()).map((m) => ({ code: m._id, name: m.name }));
  }

  /**
   * The contributions overview: the centre's products when the caller works for the centre,
   * and the products the caller's municipality participates in, with its own share.
   */
  async function overview(actor: Actor, raw: unknown) {
    const { year } = parseInput(reportSchema, raw);
    const centre = await ownCentre(actor);
    const products = await listProducts(actor);
    const ownActions = contributionActions(centre, actor, ['viewProduct', 'createProduct', 'recordMerger', 'readKeyFigures']);
    const may = (a: ContributionAction) => ownActions.some((x) => x.action === a && x.allowed);
    const own = may('viewProduct') ? products.filter((p) => p.provider === actor.org) : [];
    const joined = products.filter((p) => p.provider !== actor.org);
    const name = await directory.namer();
    let participant = null;
    if (joined.length) {
      const participations = (await listParticipations(actor)).filter((p) => p.participant === actor.org);
      const rows = (await report(actor, { year })).rows.filter((r) => r.participant === actor.org);
      participant = {
        products: joined.map((p) => ({
          id: p._id,
          name: p.name,
          providerName: name(p.provider),
          shareCents: rows.find((r) => r.product === p._id)?.budgetCents ?? null,
          participations: participations.filter((x) => x.product === p._id),
        })),
        rows: rows.map((r) => ({ ...r, productName: joined.find((p) => p._id === r.product)?.name ?? r.product })),
        // Its contribution invoices, for those who may read invoices (the same rule as the invoice list).
        invoices: readableSides(actor).includes('buyer')
          ? (
              await models.Invoice.find({ buyer: actor.org, status: { $ne: 'draft' } })
                .sort({ issueDate: -1, number: -1 })
                .lean()
            )
              .filter((i) => isContributionStepKey(i.runKey) && joined.some((p) => i._id.startsWith(`${p._id}-`)))
              .map((i) => ({
                id: i._id,
                number: i.number,
                kind: i.kind,
                issueDate: i.issueDate,
                grossCents: i.grossCents,
                outstandingCents: i.kind === 'credit_note' ? null : i.outstandingCents,
                displayStatus: invoiceDisplayStatus(i),
              }))
          : null,
      };
    }
    return {
      year,
      centre: own.length || may('createProduct') ? own : null,
      actions: ownActions,
      participant,
    };
  }

  /** A product's page for the centre: rules, participation and budgets, with what the caller may do. */
  async function productOverview(actor: Actor, id: string) {
    const product = await ownProduct(actor, id, 'viewProduct');
    const { subject } = await productFor(actor, id);
    const participations = await models.Participation.find({ product: id }).sort({ participant: 1, from: 1 }).lean();
    const name = await directory.namer();
    return {
      product,
      actions: contributionActions(subject, actor, ['changeRules', 'changeProduct', 'manageParticipation', 'manageBudget', 'invoiceStep']),
      participations: participations.map((p) => ({ ...p, name: name(p.participant) })),
      budgets: (await models.ContributionBudget.find({ product: id }).lean()).sort((a, b) => b.year - a.year || b.version - a.version),
      warnings: await ruleWarnings(product),
    };
  }

  /**
   * The allocation preview's page: the plan when it can be made, else the refusal as data (so
   * the page can say why), the steps of the year, and what the caller may start.
   */
  async function allocationOverview(actor: Actor, id: string, raw: unknown) {
    const product = await ownProduct(actor, id, 'viewProduct');
    const { subject } = await productFor(actor, id);
    const input = parseInput(previewSchema, raw);
    let plan: Awaited<ReturnType<typeof preview>> | null = null;
    let problem: RefusalInfo | null = null;
    try {
      plan = await preview(actor, id, input);
    } catch (err) {
      if (!(err instanceof Refusal)) throw err;
      problem = err.info();
    }
    const name = await directory.namer();
    const yearSteps = (await steps(actor, id)).filter((st) => st.year === input.year);
    const invoiceIds = yearSteps.flatMap((st) => (st.lines as StepLine[]).map((l) => l.invoiceId).filter((x): x is string => Boolean(x)));
    const invoices = new Map(
      (
        await models.Invoice.find({ _id: { $in: invoiceIds }, status: { $ne: 'draft' } })
          .select({ number: 1 })
          .lean()
      ).map((i) => [i._id, i]),
    );
    const settled = yearSteps.some((st) => st.kind === 'settlement');
    return {
      product: { id: product._id, name: product.name, instalments: instalmentsOf(product) },
      year: input.year,
      basis: input.basis,
      plan,
      problem,
      warnings: plan?.warnings ?? (await ruleWarnings(product)),
      names: Object.fromEntries((plan?.allocation.shares ?? []).map((sh) => [sh.participant, name(sh.participant)])),
      steps: yearSteps.map((st) => ({
        kind: st.kind,
        instalment: st.instalment ?? null,
        instalments: st.instalments ?? null,
        periodLabel: st.periodLabel,
        issueDate: st.issueDate,
        totalCents: (st.basis as { totalCents: number }).totalCents,
        lines: (st.lines as StepLine[]).map((l) => ({
          name: name(l.participant),
          kind: l.kind,
          amountCents: l.amountCents,
          invoiceId: l.invoiceId && invoices.has(l.invoiceId) ? l.invoiceId : null,
          number: l.invoiceId ? (invoices.get(l.invoiceId)?.number ?? null) : null,
          pending: Boolean(l.invoiceId && !invoices.has(l.invoiceId)),
        })),
      })),
      settled,
      advancesDone: yearSteps.filter((st) => st.kind === 'advance').length,
      actions: contributionActions(subject, actor, ['invoiceStep', 'recordActuals']),
    };
  }

  /** The key figures page: every version with readable names, and whether the caller may import. */
  async function keyFiguresOverview(actor: Actor, raw: unknown = {}) {
    const { q } = parseInput(keyFigureListSchema, raw);
    const all = await listKeyFigures(actor);
    const versions = await listKeyFigures(actor, raw);
    const name = await directory.namer();
    // A municipality by the start of a word of its name, or its code.
    const wanted = (code: string) => {
      if (!q) return true;
      const needle = q.toLocaleLowerCase('nl');
      return (
        code.toLowerCase() === needle ||
        name(code)
          .toLocaleLowerCase('nl')
          .split(/[\s-]+/)
          .some((w) => w.startsWith(needle))
      );
    };
    return {
      names: [...new Set(all.map((v) => v.name))].sort(),
      versions: versions
        .slice()
        .reverse()
        .map((v) => ({
          id: v._id,
          name: v.name,
          version: v.version,
          referenceDate: v.referenceDate,
          source: v.source,
          note: v.note ?? null,
          createdAt: v.createdAt,
          figures: Object.entries(v.figures as Record<string, number>)
            .filter(([c]) => wanted(c))
            .map(([c, value]) => ({ code: c, name: name(c), value })),
        })),
      actions: contributionActions(await ownCentre(actor), actor, ['manageKeyFigures']),
    };
  }

  /** The filtered key figures as CSV: one row per version and municipality. */
  async function keyFiguresCsv(actor: Actor, raw: unknown = {}) {
    const o = await keyFiguresOverview(actor, raw);
    const rows = o.versions.flatMap((v) =>
      v.figures.map((f) => [v.name, v.version, v.referenceDate, v.source ?? '', f.code, f.name, f.value]),
    );
    return toCsv(['kengetal', 'versie', 'peildatum', 'bron', 'gemeentecode', 'gemeente', 'waarde'], rows);
  }

  /**
   * A participant's own share of a product's year, and how it was computed: the budget it is
   * divided from, the fixed shares of others, the days it took part, the key-figure versions
   * with their source and every participant's figure (population is public), and what the
   * next advance would invoice it. The same allocation the centre invoices; nothing is written.
   */
  async function ownShare(actor: Actor, productId: string, raw: unknown) {
    const product = await ownProduct(actor, productId, 'viewOwnShare');
    const { year: y } = parseInput(previewSchema, raw);
    const name = await directory.namer();
    const budget = await latestBudget(models, productId, y);
    if (!budget) throw refuse('no_budget', { product: productId, year: y });
    const allocation = await allocateProduct(models, product, y, budget.budgetCents);
    const mine = allocation.shares.find((s) => s.participant === actor.org) ?? null;
    const versions = await models.KeyFigureVersion.find({ _id: { $in: allocation.keyFigureVersions } }).lean();
    const participants = allocation.shares.map((s) => s.participant);
    const rules = product.rules as ContributionRules;
    // The next advance, as the centre would plan it now (null when every advance of the year is done, or one is open).
    const k = await nextInstalment(productId, y);
    let nextAdvance: { instalment: number; instalments: number; periodLabel: string; amountCents: number } | null = null;
    if (k <= instalmentsOf(product)) {
      const plan = await planStep(models, { product: productId, year: y, kind: 'advance', instalment: k, today: today() }).catch(
        (err: unknown) => {
          if (err instanceof Refusal) return null;
          throw err;
        },
      );
      const line = plan?.lines.find((l) => l.participant === actor.org);
      if (plan && line)
        nextAdvance = { instalment: k, instalments: instalmentsOf(product), periodLabel: plan.periodLabel, amountCents: line.amountCents };
    }
    return {
      product: { id: product._id, name: product.name, provider: product.provider, providerName: name(product.provider) },
      year: y,
      budget: { totalCents: budget.budgetCents, at: budget.at, reason: (budget as { reason?: string | null }).reason ?? null },
      yearDays: allocation.yearDays,
      restCents: allocation.restCents,
      parts: allocation.parts,
      share: mine,
      others: {
        fixed: Object.entries(rules.fixed ?? {})
          .filter(([p]) => p !== actor.org)
          .map(([p, cents]) => ({ participant: p, name: name(p), cents })),
        basePerParticipant: rules.basePerParticipant ?? 0,
        participants: participants.length,
      },
      keyFigures: versions.map((v) => ({
        id: v._id,
        name: v.name,
        version: v.version,
        referenceDate: v.referenceDate,
        source: v.source ?? null,
        figures: participants.map((p) => ({
          participant: p,
          name: name(p),
          value: (v.figures as Record<string, number>)[p] ?? null,
          own: p === actor.org,
        })),
      })),
      nextAdvance,
    };
  }

  /** The report for its page: rows with names. */
  async function reportOverview(actor: Actor, raw: unknown) {
    const r = await report(actor, raw);
    const name = await directory.namer();
    const productNames = Object.fromEntries((await listProducts(actor)).map((p) => [p._id, p.name]));
    return {
      year: r.year,
      rows: r.rows.map((x) => ({ ...x, name: name(x.participant!), productName: productNames[x.product] ?? x.product })),
      totals: r.products.map((x) => ({ ...x, productName: productNames[x.product] ?? x.product })),
    };
  }

  /** The report as CSV (the API and the pages send the same). */
  async function reportCsv(actor: Actor, raw: unknown) {
    const r = await report(actor, raw);
    const money = (c: number | null) => (c === null ? '' : centsToDecimal(c));
    return {
      year: r.year,
      csv: toCsv(
        ['jaar', 'product', 'deelnemer', 'begroting', 'voorschotten', 'werkelijk', 'afrekening', 'betaald', 'openstaand'],
        [...r.rows, ...r.products].map((row) => [
          row.year,
          row.product,
          row.participant ?? 'totaal',
          money(row.budgetCents),
          money(row.advancesCents),
          money(row.actualCents),
          money(row.settlementCents),
          money(row.paidCents),
          money(row.outstandingCents),
        ]),
      ),
    };
  }

  /** The participation of one product that a centre admin may end. */
  async function participation(actor: Actor, id: string) {
    const p = await models.Participation.findById(id).lean();
    if (!p) throw notFound('participation');
    await ownProduct(actor, p.product, 'manageParticipation');
    return p;
  }

  /** The rules of a product for its edit form. */
  async function productRules(actor: Actor, id: string) {
    const product = await ownProduct(actor, id, 'changeRules');
    return { id: product._id, name: product.name, rules: product.rules as ContributionRules };
  }

  /** Whether the caller may add products, record mergers (for the forms' pages). */
  async function assertCentreAction(actor: Actor, action: ContributionAction) {
    await assertOwnCentre(actor, action);
  }

  return {
    createProduct,
    updateRules,
    updateProduct,
    productDetails,
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
    municipalities,
    overview,
    productOverview,
    allocationOverview,
    keyFiguresOverview,
    keyFiguresCsv,
    ownShare,
    reportOverview,
    reportCsv,
    participation,
    productRules,
    assertCentreAction,
  };
}
export type ContributionFeature = ReturnType<typeof contributionFeature>;

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
