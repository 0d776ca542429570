import { z } from 'zod';
import { isIsoDate } from '../../domain/time';
import { ROUNDING_RULES, VAT_CATEGORIES } from '../../domain/money';
import type { catalogueUseCases } from '../use-cases/catalogue';
import type { RouteRegistry } from './registry';

const code = z.string().regex(/^[A-Z0-9-]{2,40}$/, 'use capitals, digits and dashes');
const isoDate = z.string().refine(isIsoDate, 'must be a real date, YYYY-MM-DD');
const rate = z.object({ validFrom: isoDate, rateCentsPerHour: z.number().int().min(0).max(10_000_000) });
const processOptions = z.object({
  name: z.string().trim().min(1).max(200),
  policyArea: z.string().trim().min(1).max(100),
  quoteRequired: z.boolean().default(true),
  intakeSlaDays: z.number().int().min(0).max(250).default(5),
  deliverySlaDays: z.number().int().min(0).max(500).default(20),
  silentAcceptanceDays: z.number().int().min(1).max(250).nullable().default(null),
  reviewRequired: z.boolean().default(true),
});
const agreementBody = z.object({
  buyer: code,
  provider: code,
  serviceIds: z.array(code).min(1),
  validFrom: isoDate,
  validTo: isoDate,
  rateCentsPerHour: z.number().int().min(0).max(10_000_000).nullable().default(null),
  hourBudget: z.number().int().min(1).max(1_000_000).nullable().default(null),
  roundingRule: z.enum(ROUNDING_RULES).default('none'),
  vatCategory: z.enum(VAT_CATEGORIES).default('O'),
  paymentTermDays: z.number().int().min(0).max(365).default(30),
  orderReference: z.string().trim().min(1).max(100),
  invoiceFrequency: z.enum(['monthly', 'quarterly']).default('monthly'),
  /** false: financed by contribution only (scenario 2); the hour runs leave its hours. */
  hourBilling: z.boolean().default(true),
});

export function catalogueRoutes(r: RouteRegistry, uc: ReturnType<typeof catalogueUseCases>): void {
  const tag = 'catalogue';
  r.add({
    method: 'get',
    path: '/api/services',
    tag,
    summary: 'The service catalogue (dienstencatalogus)',
    handler: () => uc.listServices(),
  });
  r.add({
    method: 'post',
    path: '/api/admin/services',
    tag,
    status: 201,
    summary: 'Add a service to the catalogue',
    body: processOptions.extend({ _id: code, provider: code, rates: z.array(rate).default([]) }),
    handler: ({ actor, body }) => uc.createService(actor, body),
  });
  r.add({
    method: 'put',
    path: '/api/admin/services/:id',
    tag,
    summary: "Change a service's process options",
    body: processOptions,
    handler: ({ actor, params, body }) => uc.updateService(actor, params.id!, body),
  });
  r.add({
    method: 'post',
    path: '/api/admin/services/:id/rates',
    tag,
    summary: 'Add or change a rate version (never once hours at it are invoiced)',
    body: rate,
    handler: ({ actor, params, body }) => uc.setRate(actor, params.id!, body),
  });
  r.add({
    method: 'get',
    path: '/api/agreements',
    tag,
    summary: 'Agreements (DVO) of the caller',
    handler: ({ actor }) => uc.listAgreements(actor),
  });
  r.add({
    method: 'post',
    path: '/api/admin/agreements',
    tag,
    status: 201,
    summary: 'Add an agreement (DVO)',
    body: agreementBody.extend({ _id: code }),
    handler: ({ actor, body }) => uc.createAgreement(actor, body),
  });
  r.add({
    method: 'put',
    path: '/api/admin/agreements/:id',
    tag,
    summary: 'Change an agreement (DVO)',
    body: agreementBody,
    handler: ({ actor, params, body }) => uc.updateAgreement(actor, params.id!, body),
  });
}
