// The application layer: one feature per folder, each owning its input schemas, its access
// rules (tables in domain/), its multi-step actions and its refusals. The JSON API (api/) and
// the web pages (web/) call these features and nothing else.
import { attachmentFeature } from './attachments';
import { bankingFeature } from './banking';
import { userFeature } from './users';
import { catalogueFeature } from './catalogue';
import { contributionFeature } from './contributions';
import type { AppDeps } from './core/deps';
import { createDirectory } from './core/directory';
import { idempotencyStore } from './core/idempotency';
import { dashboardFeature } from './dashboard';
import { identityFeature } from './identity';
import { invoicingFeature } from './invoicing';
import { requestFeature } from './requests';
import { nettingFeature } from './netting';
import { notificationFeature } from './notifications';
import { steeringFeature } from './steering';
import { worklistFeature } from './worklist';

export function createApplication(deps: AppDeps) {
  const directory = createDirectory(deps.models);
  const invoicing = invoicingFeature(deps, directory);
  const requests = requestFeature(deps, directory);
  return {
    identity: identityFeature(deps, directory),
    requests,
    attachments: attachmentFeature(deps, directory, requests),
    banking: bankingFeature(deps, directory, invoicing),
    users: userFeature(deps, directory),
    invoicing,
    contributions: contributionFeature(deps, directory),
    catalogue: catalogueFeature(deps),
    dashboard: dashboardFeature(deps, directory, invoicing),
    steering: steeringFeature(deps, directory),
    netting: nettingFeature(deps, directory),
    worklist: worklistFeature(deps, directory),
    notifications: notificationFeature(deps),
    idempotency: idempotencyStore(deps.models),
    /** Whether the database and Temporal answer. */
    async health() {
      return {
        mongodb: deps.models.Request.db.readyState === 1,
        temporal: await deps.client.workflowService
          .getSystemInfo({})
          .then(() => true)
          .catch(() => false),
      };
    },
  };
}
export type Application = ReturnType<typeof createApplication>;
export type { AppDeps };
