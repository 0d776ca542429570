// The shared centre's demo products, participations from 1 January of the first year, the key
// figures, and a budget for each of the given years.
import { demoContributionBudgets, demoContributionProducts, demoKeyFigures, demoParticipations } from '../../models/demo-data';
import type { TestEnv } from './env';

export async function seedContributions(env: TestEnv, years: number[], opts: { tag?: string } = {}): Promise<void> {
  // Workflow ids (a product's advance of a year) are unique per Temporal namespace, which the
  // test files of one Jest worker share: a tag gives the products ids of their own.
  const tagged = <T>(docs: T[]): T[] => (opts.tag ? JSON.parse(JSON.stringify(docs).replaceAll('DBC-LP-', `DBC-LP-${opts.tag}-`)) : docs);
  await env.models.ContributionProduct.insertMany(tagged(demoContributionProducts()));
  await env.models.Participation.insertMany(tagged(demoParticipations(`${years[0]}-01-01`)));
  await env.models.KeyFigureVersion.insertMany(demoKeyFigures());
  await env.models.ContributionBudget.insertMany(tagged(years.flatMap((y) => demoContributionBudgets(y))));
}
