import type { PlanBattery, PlanInput, StoredEnergySegment } from './plan-input';

/**
 * What the energy left stored at the end of the horizon is worth, EUR per kWh, as a concave piecewise function of the
 * energy above the floor: what putting it back would cost. The horizon's forecast PV surplus (pro rata of the
 * battery's share of the fleet's capacity) refills the top of the battery at the feed-in price; the rest only the
 * grid refills, at its cheapest import price; both through the charging efficiency and wear. So energy the next
 * surplus will refill is spent for any saving, while energy only the grid can replace is kept unless spending it saves
 * more than refilling costs (the winter case, where the battery's charge is best kept to hold the contract).
 * Never below nothing: stored energy can be held. Segments from the most valuable down.
 */
export function storedEnergySegments(
  input: Pick<PlanInput, 'slots' | 'pvs' | 'cyclingCostEurPerKWh' | 'slotMinutes' | 'batteries' | 'endValue'>,
  battery: Pick<PlanBattery, 'id' | 'chargeEfficiency' | 'capacityWh' | 'minSocPct' | 'maxSocPct'>,
): StoredEnergySegment[] {
  // A closed period's end: the segments given.
  if (input.endValue) return [...(input.endValue.storedSegments[battery.id] ?? [])];
  const hours = input.slotMinutes / 60;
  let surplusKWh = 0;
  let surplusPrice = Infinity;
  let gridPrice = Infinity;
  input.slots.forEach((slot, t) => {
    const surplusW = input.pvs.reduce((sum, pv) => sum + Math.max(pv.forecastW[t], 0), 0) - slot.consumptionW;
    gridPrice = Math.min(gridPrice, slot.importEurPerKWh);
    if (surplusW <= 0) return;
    surplusKWh += (surplusW * hours) / 1000;
    surplusPrice = Math.min(surplusPrice, slot.exportEurPerKWh, slot.importEurPerKWh);
  });
  const fleetWh = input.batteries.reduce((sum, b) => sum + b.capacityWh, 0) || battery.capacityWh;
  const usableKWh = (((battery.maxSocPct - battery.minSocPct) / 100) * battery.capacityWh) / 1000;
  const refilledBySurplusKWh = Math.min(
    usableKWh,
    surplusKWh * (battery.capacityWh / fleetWh) * battery.chargeEfficiency,
  );
  const value = (priceEurPerKWh: number) =>
    Math.max((priceEurPerKWh + input.cyclingCostEurPerKWh) / battery.chargeEfficiency, 0);
  const segments = [
    { kWh: usableKWh - refilledBySurplusKWh, eurPerKWh: value(gridPrice) },
    { kWh: refilledBySurplusKWh, eurPerKWh: value(Math.min(surplusPrice, gridPrice)) },
  ];
  return segments.filter((s) => s.kWh > 1e-9);
}

/** The value of `storedKWh` above the floor under the segments (the most valuable first), EUR. */
export function storedEnergyValueEur(segments: readonly StoredEnergySegment[], storedKWh: number): number {
  let left = Math.max(storedKWh, 0);
  let eur = 0;
  for (const segment of segments) {
    const kWh = Math.min(left, segment.kWh);
    eur += kWh * segment.eurPerKWh;
    left -= kWh;
  }
  return eur;
}
