import { z } from 'zod';

const id = z.string().regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+');
const eur = z.number().finite().nonnegative();
const window = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM-HH:MM');

/** Who a party to an invoice is: the names and numbers a French invoice must carry (issue 29 §4). */
export const partySchema = z.strictObject({
  name: z.string().min(1),
  /** Postal address, one line each, the last one with the postcode and town. */
  address: z.array(z.string().min(1)).min(1).max(5),
  postcode: z.string().regex(/^\d{5}$/, 'a French postcode is 5 digits'),
  city: z.string().min(1),
  countryCode: z
    .string()
    .regex(/^[A-Z]{2}$/, 'an ISO 3166 alpha-2 code')
    .default('FR'),
  /** A company's SIREN (9 digits): required of a business buyer and of the seller. */
  siren: z
    .string()
    .regex(/^\d{9}$/, 'a SIREN is 9 digits')
    .optional(),
  /** Its intra-community VAT number (FR + 11 characters), when it has one. */
  vatNumber: z
    .string()
    .regex(/^FR[0-9A-Z]{2}\d{9}$/, 'a French VAT number is FR, 2 characters and the SIREN')
    .optional(),
  email: z.string().email().optional(),
});
export type Party = z.infer<typeof partySchema>;

/** What a producer is paid per kWh it sells in the operation: one price, or one per tariff period (HP/HC). */
const producerPrice = z.union([
  z.strictObject({ eurPerKWh: eur }),
  z.strictObject({ hpEurPerKWh: eur, hcEurPerKWh: eur, hcWindows: z.array(window).min(1) }),
]);
export type ProducerPrice = z.infer<typeof producerPrice>;

/**
 * How the PMO bills the operation (issue 29 §4; every rate here, none in the code): the seller (the PMO, invoicing
 * under its members' mandate), the price agreed with each producer from an effective date, the PMO's fixed fees, VAT
 * by the buyer's kind and the excise on electricity where the seller collects it.
 */
export const accBillingSchema = z.strictObject({
  seller: partySchema,
  /** Invoice numbers are PREFIX-YYYY-NNNNNN, one unbroken sequence per site. */
  invoicePrefix: z
    .string()
    .regex(/^[A-Z0-9-]{2,12}$/, 'capitals, digits and dashes, 2 to 12')
    .default('ACC'),
  paymentTermDays: z.number().int().min(0).max(60).default(30),
  /** VAT rate by the buyer's kind, % (electricity's in France is 20 %). */
  vatPct: z.strictObject({ resident: eur.max(100), business: eur.max(100), public: eur.max(100) }),
  /** The excise on electricity (accise), €/kWh, and whether the seller must collect it on its invoices. */
  excise: z.strictObject({ eurPerKWh: eur, collectedBySeller: z.boolean() }),
  /** The PMO's fixed fees per consumer and month, before tax, pro rata of the days a member belongs. */
  fees: z.array(z.strictObject({ label: z.string().min(1), eurPerMonth: eur })).default([]),
  /**
   * Per producer (a pv's id): who owns it (its statement's addressee, named on the invoices) and the prices agreed
   * with it, each from its effective date (YYYY-MM-DD), kept as history.
   */
  producers: z.record(
    id,
    z.strictObject({
      owner: partySchema,
      prices: z.array(producerPrice.and(z.object({ from: z.string().regex(/^\d{4}-\d\d-\d\d$/) }))).min(1),
    }),
  ),
});
export type AccBilling = z.infer<typeof accBillingSchema>;
