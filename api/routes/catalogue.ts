import { z } from 'zod';
// Catalogue and agreement routes (region admin), and the growth model's service transfers.
import type { Application } from '../../app';
import { agreementSchema, newAgreementSchema, processSchema, rateSchema, serviceSchema, transferSchema } from '../../app/catalogue';
import type { RouteRegistry } from '../registry';
import * as R from '../responses';

export function catalogueRoutes(r: RouteRegistry, app: Application): void {
  const uc = app.catalogue;
  const tag = 'catalogue';
  r.add({
    method: 'get',
    path: '/api/services',
    response: z.array(R.service),
    tag,
    summary: 'The service catalogue (dienstencatalogus)',
    handler: () => uc.listServices(),
  });
  r.add({
    method: 'post',
    path: '/api/admin/services',
    response: R.service,
    tag,
    status: 201,
    summary: 'Add a service to the catalogue',
    body: serviceSchema,
    handler: ({ actor, body }) => uc.createService(actor, body),
  });
  r.add({
    method: 'put',
    path: '/api/admin/services/:id',
    response: R.service,
    tag,
    summary: "Change a service's process options",
    body: processSchema,
    handler: ({ actor, params, body }) => uc.updateService(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/admin/services/:id/rates',
    response: R.service,
    tag,
    summary: 'Add or change a rate version (never once hours at it are invoiced)',
    body: rateSchema,
    handler: ({ actor, params, body }) => uc.setRate(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/agreements',
    response: z.array(R.agreement),
    tag,
    summary: 'Agreements (DVO) of the caller',
    handler: ({ actor }) => uc.listAgreements(actor),
  });
  r.add({
    method: 'post',
    path: '/api/admin/agreements',
    response: R.agreement,
    tag,
    status: 201,
    summary: 'Add an agreement (DVO)',
    body: newAgreementSchema,
    handler: ({ actor, body }) => uc.createAgreement(actor, body),
  });
  r.add({
    method: 'put',
    path: '/api/admin/agreements/:id',
    response: R.agreement,
    tag,
    summary: 'Change an agreement (DVO)',
    body: agreementSchema,
    handler: ({ actor, params, body }) => uc.updateAgreement(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/service-transfers',
    response: R.transfer,
    tag: 'contributions',
    status: 201,
    summary: "Region admin at the shared centre moves a centre municipality's service to the centre from a date (growth model)",
    body: transferSchema,
    handler: ({ actor, body }) => uc.transfer(actor, body),
  });
  r.add({
    method: 'get',
    path: '/api/service-transfers',
    response: z.array(R.transfer),
    tag: 'contributions',
    summary: 'Services that moved to a shared centre, with their dates and moved agreements',
    handler: () => uc.listTransfers(),
  });
}
