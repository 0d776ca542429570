// The shared centre's demo products, participations from 1 January of the first year, the key
// figures, and a budget for each of the given years.
import { demoContributionBudgets, demoContributionProducts, demoKeyFigures, demoParticipations } from '../../models/demo-data';
import type { TestEnv } from './env';

export async function seedContributions(env: TestEnv, years: number[]): Promise<void> {
  await env.models.ContributionProduct.insertMany(demoContributionProducts());
  await env.models.Participation.insertMany(demoParticipations(`${years[0]}-01-01`));
  await env.models.KeyFigureVersion.insertMany(demoKeyFigures());
  await env.models.ContributionBudget.insertMany(years.flatMap((y) => demoContributionBudgets(y)));
}
