// Input schemas of the shared centre's contributions.
import { z } from 'zod';
import { VAT_CATEGORIES } from '../../domain/money';
import { cents, code, isoDate, text, year } from '../core/input';

export const rulesSchema = z.object({
  fixed: z.record(code, cents).optional(),
  basePerParticipant: cents.optional(),
  rest: z
    .array(
      z.discriminatedUnion('by', [
        z.object({ by: z.literal('keyFigure'), name: z.string().trim().min(1).max(60), weight: z.number().int().min(1).default(1) }),
        z.object({ by: z.literal('hours'), weight: z.number().int().min(1).default(1) }),
      ]),
    )
    .default([]),
});

export const figureName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9 _-]{0,59}$/i, 'invalid_format');

export const productSchema = z.object({
  _id: code,
  name: text(200),
  serviceLevel: z.string().trim().max(100).nullable().default(null),
  serviceIds: z.array(code).default([]),
  rules: rulesSchema,
  advanceFrequency: z.enum(['yearly', 'quarterly', 'monthly']).default('quarterly'),
  vatCategory: z.enum(VAT_CATEGORIES).default('O'),
  paymentTermDays: z.number().int().min(0).max(365).default(30),
});
export type ProductInput = z.input<typeof productSchema>;
/** A product's details, all of them (a PUT): everything but its code and its rules (their own form). */
export const productDetailsSchema = productSchema.omit({ _id: true, rules: true }).required();

export const participationSchema = z.object({
  participant: code,
  from: isoDate,
  to: isoDate.nullable().default(null),
  orderReference: z.string().trim().min(1).max(100).optional(),
});
export const endParticipationSchema = z.object({ to: isoDate });
export const keyFiguresSchema = z.object({ name: figureName, referenceDate: isoDate, figures: z.record(code, z.number().int().min(0)) });
export const keyFigureImportSchema = z.object({
  name: figureName,
  referenceDate: isoDate,
  csv: z.string().min(1).max(900_000),
  column: z.string().trim().min(1).max(200).optional(),
});
export const budgetSchema = z.object({ year, budgetCents: cents, reason: z.string().trim().min(1).max(500).optional() });
export const actualsSchema = z.object({ year, actualCents: cents.optional() });
export const previewSchema = z.object({ year, basis: z.enum(['budget', 'actuals']).default('budget') });
export const advanceSchema = z.object({ year, instalment: z.number().int().min(1).max(12).optional() });
export const settlementSchema = z.object({ year });
export const mergerSchema = z.object({ into: code, merged: z.array(code).min(1), date: isoDate });
export const reportSchema = z.object({ year });

/** The key-figure list's filter: one named figure, and a municipality by (the start of) its name or code. */
export const keyFigureListSchema = z.object({
  name: z.string().trim().max(100).optional(),
  q: z.string().trim().max(100).optional(),
});
/** The steps' filter: one year, advances or the settlement. */
export const stepListSchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional(),
  kind: z.enum(['advance', 'settlement']).optional(),
});
