import { type CommodityReading, refused } from '@ilot/domain';
import { COMMODITY_METERS, commodityOf, type CommodityMeterSpec, type Site } from '@ilot/site';
import { decode } from './decode';
import { checkInstant, type InboundLimits } from './inbound-limits';
import { COMMODITY_READING_FIELDS, commodityPayloadSchema } from './telemetry';
import type { Validation } from './telemetry-validation';

/**
 * Telemetry of a gas, water or heat meter -> its readings (index or quantity, in the meter's unit), or the reason it
 * is refused, naming the field: a field of another unit (litres from a gas meter) is refused, not converted. Pure;
 * the quantities are found when they are stored, against the meter's last reading (meterSteps).
 */
export function validateCommodityTelemetry(
  site: Site,
  device: CommodityMeterSpec,
  payload: Buffer,
  now: Date,
  limits: InboundLimits,
): Validation<CommodityReading[]> {
  const decoded = decode(payload, commodityPayloadSchema, limits);
  if (!decoded.ok) return decoded;
  const raw = 'values' in decoded.value ? decoded.value.values : [decoded.value];
  const unit = COMMODITY_METERS[commodityOf(device)].unit;
  const fields = COMMODITY_READING_FIELDS[unit];
  const readings: CommodityReading[] = [];
  for (const [i, r] of raw.entries()) {
    const where = 'values' in decoded.value ? `values.${i}.` : '';
    const time = checkInstant(new Date(r.ts), now, limits, `${where}ts`);
    if (!time.ok) return time;
    const indexValue = r[fields.index];
    const quantity = r[fields.quantity];
    if (indexValue === undefined && quantity === undefined) {
      const sent = Object.keys(r).find((key) => key !== 'ts' && key !== 'seq');
      return refused(
        'schema',
        `${where}${sent}: a ${device.kind} counts in ${unit}: send ${fields.index} or ${fields.quantity}`,
      );
    }
    readings.push({ siteId: site.id, deviceId: device.id, ts: time.value, seq: r.seq, indexValue, quantity });
  }
  return { ok: true, value: readings };
}
