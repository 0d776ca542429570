// Regional steering routes: the region's figures per quarter, and each table as CSV.
import type { Application } from '../../app';
import { steeringCsvSchema, steeringQuerySchema } from '../../app/steering';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

export function steeringRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.steering;
  const tag = 'steering';
  r.add({
    method: 'get',
    path: '/api/steering',
    response: R.steering,
    tag,
    summary:
      "Regional steering (a shared centre's steering role): one quarter (default the current) per municipality and service — requests, hours, euros by hours and by contribution, SLA compliance — agreements and contribution products against budget, and the trend over eight quarters. Figures only, never a request's content",
    query: steeringQuerySchema,
    handler: ({ actor, query }) => uc.overview(actor, query),
  });
  r.add({
    method: 'get',
    path: '/api/steering/export.csv',
    tag,
    raw: true,
    produces: 'text/csv',
    summary: 'One table of the steering overview as CSV (table = municipalities, services, agreements, products or trend)',
    query: steeringCsvSchema,
    handler: async ({ actor, query, res }) => {
      const { fileName, body } = await uc.csv(actor, query);
      res.set('cache-control', 'private, no-store').type('text/csv').attachment(fileName).send(body);
    },
  });
}
