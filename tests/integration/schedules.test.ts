// A provider's monthly schedules come with its first service or contribution product, without
// a worker restart; the daily clean-up creates the ones that are missing.
import { ScheduleNotFoundError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { contributionScheduleId, contributionStepWorkflowId, invoiceScheduleId } from '../../contracts';
import { demoOrganisations } from '../../models/demo-data';
import { seedContributions } from '../support/contributions';
import { createTestEnv, todayInNL, type TestEnv } from '../support/env';
import { recordHistory } from '../support/histories';

let env: TestEnv;
// A centre of its own per run: the schedules live in the namespace that other test files share.
const NC = `NC-${Date.now().toString(36).toUpperCase()}`;

/** Where the schedule starts its workflow, or null when there is none. */
async function scheduled(id: string): Promise<{ workflowType: string; taskQueue: string; args: unknown[] } | null> {
  try {
    const d = await env.client.schedule.getHandle(id).describe();
    if (d.action.type !== 'startWorkflow') throw new Error(`unexpected action ${d.action.type}`);
    return { workflowType: d.action.workflowType, taskQueue: d.action.taskQueue, args: [...(d.action.args ?? [])] };
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

beforeAll(async () => {
  env = await createTestEnv({ config: { INVOICE_SCHEDULES: 'true' } });
  const dbc = demoOrganisations().find((o) => o._id === 'DBC')!;
  await env.models.Organisation.create({ ...dbc, _id: NC, name: 'Nieuw Beleidscentrum', oin: '00000001000000008888' });
  await env.models.User.create({
    _id: 'nc-admin',
    name: 'Beheer Nieuw Beleidscentrum',
    email: 'nc-admin@demo.eenvoud.nl',
    memberships: [{ org: NC, roles: ['admin'] }],
    skills: [],
  });
});

afterAll(async () => {
  // Every schedule this test's system made (they start work on its task queue only).
  const ids: string[] = [];
  for await (const s of env.client.schedule.list()) ids.push(s.scheduleId);
  for (const id of ids) if ((await scheduled(id))?.taskQueue === env.taskQueue) await env.client.schedule.getHandle(id).delete();
  await env.close();
});

test("a provider's first service brings its monthly invoice run, on the system's task queue", async () => {
  expect(await scheduled(invoiceScheduleId(NC))).toBeNull();
  const res = await env.api('POST', '/api/admin/services', {
    token: await env.token('region-admin'),
    body: { _id: `${NC}-JEUGD`, provider: NC, name: 'Jeugdbeleid', policyArea: 'jeugd' },
  });
  expect(res.status).toBe(201);
  expect(await scheduled(invoiceScheduleId(NC))).toEqual({
    workflowType: 'scheduledInvoiceRunWorkflow',
    taskQueue: env.taskQueue,
    args: [{ provider: NC }],
  });
});

test("a shared centre's first contribution product brings its monthly advances", async () => {
  expect(await scheduled(contributionScheduleId(NC))).toBeNull();
  const res = await env.api('POST', '/api/contributions/products', {
    token: await env.token('nc-admin'),
    body: { _id: `${NC}-PRODUCT`, name: 'Regionaal jeugdbeleid', rules: { rest: [{ by: 'keyFigure', name: 'inwoners' }] } },
  });
  expect(res.status).toBe(201);
  expect(await scheduled(contributionScheduleId(NC))).toEqual({
    workflowType: 'scheduledContributionAdvancesWorkflow',
    taskQueue: env.taskQueue,
    args: [{ provider: NC }],
  });
});

test('the daily clean-up creates the schedules that are missing, and leaves existing ones alone', async () => {
  await env.client.schedule.getHandle(invoiceScheduleId(NC)).delete();
  await env.client.schedule.getHandle(contributionScheduleId(NC)).delete();
  const run = (id: string) =>
    env.client.workflow.execute('housekeepingWorkflow', { workflowId: id, taskQueue: env.taskQueue, args: [{}] }) as Promise<{
      schedulesCreated?: string[];
    }>;
  const workflowId = `housekeeping-schedules-${Date.now()}`;
  const first = await run(workflowId);
  expect(first.schedulesCreated).toEqual(expect.arrayContaining([`invoices:${NC}`, `contributions:${NC}`]));
  expect(await scheduled(invoiceScheduleId(NC))).toMatchObject({ taskQueue: env.taskQueue, args: [{ provider: NC }] });
  expect(await scheduled(contributionScheduleId(NC))).toMatchObject({ taskQueue: env.taskQueue, args: [{ provider: NC }] });
  await recordHistory(env, workflowId, 'housekeeping-ensures-schedules');
  const second = await run(`housekeeping-schedules-again-${Date.now()}`);
  expect(second.schedulesCreated).toEqual([]);
});

test("one product whose advance fails does not stop the centre's other products; the run names it and fails", async () => {
  const year = Number(todayInNL().slice(0, 4));
  const tag = Date.now().toString(36).toUpperCase();
  await seedContributions(env, [year], { tag });
  // Sorted before the good products; its participant has no key figure (a set-up mistake).
  const broken = `DBC-AA-${tag}`;
  await env.models.ContributionProduct.create({
    _id: broken,
    provider: 'DBC',
    name: 'Kapot product',
    serviceLevel: null,
    serviceIds: [],
    rules: { rest: [{ by: 'keyFigure', name: 'inwoners', weight: 1 }] },
    advanceFrequency: 'yearly',
    vatCategory: 'O',
    paymentTermDays: 30,
    createdAt: new Date().toISOString(),
  });
  await env.models.Participation.create({
    _id: `${broken}:GHOST:${year}-01-01`,
    product: broken,
    provider: 'DBC',
    participant: 'GHOST',
    from: `${year}-01-01`,
    to: null,
    orderReference: 'GHOST-1',
    origin: null,
    createdAt: new Date().toISOString(),
  });
  await env.models.ContributionBudget.create({
    _id: `${broken}:${year}:v1`,
    product: broken,
    year,
    version: 1,
    budgetCents: 1_000_000,
    reason: 'begroting',
    by: 'test',
    at: new Date().toISOString(),
  });
  const workflowId = `scheduled-contributions-${tag}`;
  const run = env.client.workflow.execute('scheduledContributionAdvancesWorkflow', {
    workflowId,
    taskQueue: env.taskQueue,
    args: [{ provider: 'DBC' }],
  });
  const err = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const failure = (err as WorkflowFailedError).cause as ApplicationFailure;
  expect(failure.type).toBe('AdvancesFailed');
  const { failed, done } = failure.details![0] as { failed: string[]; done: string[] };
  expect(failed).toEqual([contributionStepWorkflowId(broken, year, 'advance', 1)]);
  const why = await env.client.workflow
    .getHandle(failed[0]!)
    .result()
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(why).toBeInstanceOf(WorkflowFailedError);
  expect(String((why as WorkflowFailedError).cause?.cause)).toMatch(/key figure "inwoners" is missing for GHOST/);
  // Every started quarter of both good products was invoiced after the broken one failed.
  const quarters = Math.floor((Number(todayInNL().slice(5, 7)) - 1) / 3) + 1;
  const good = [`DBC-LP-${tag}-BASIS`, `DBC-LP-${tag}-CASUS`];
  expect(done).toEqual(
    good.flatMap((p) => Array.from({ length: quarters }, (_, i) => contributionStepWorkflowId(p, year, 'advance', i + 1))),
  );
  const steps = await env.models.ContributionStep.find({ product: { $in: good }, kind: 'advance' }).lean();
  expect(steps).toHaveLength(2 * quarters);
  expect(await env.models.Invoice.countDocuments({ buyer: 'GHOST' })).toBe(0);
  await recordHistory(env, workflowId, 'contribution-advances-one-product-fails');
}, 120_000);
