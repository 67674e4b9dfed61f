import {
  type AccKey,
  distributorRows,
  type KeyMonth,
  type MeasuredStep,
  parseKeyFile,
  writeDistributorFile,
} from '@ilot/acc';
import {
  addMs,
  type Checked,
  localMonthRange,
  MINUTE_MS,
  type Reading,
  SETTLEMENT_STEP_MS,
  slotStart,
} from '@ilot/domain';
import { devicesOfKind, isMemberAt, type Site } from '@ilot/site';
import { IlotWorld } from './ilot-world';
import type { ProfileTable } from './profile-table';

/** A stretch where a meter's readings never reached the îlot (its controller was offline): the distributor measured it. */
export interface MeterGap {
  meterId: string;
  from: Date;
  to: Date;
}

export interface AccMonthWorld {
  /** What the îlot's controllers publish over the month (less the planted gaps). */
  readings: Reading[];
  /** What the distributor's meters measured, per 15-min step and PRM: every consumer's and producer's point. */
  measured: MeasuredStep[];
}

/**
 * A month of a collective self-consumption operation on the public grid (issue 29), from the simulated world: the
 * readings the îlot's meters send every `sampleMinutes`, and the energies the distributor's Linky meters measure per
 * step, from the same powers (each sample's power held until the next one). Planted gaps remove readings from the
 * îlot's side only. Pure but for the world it steps.
 */
export function simulateAccMonth(
  site: Site,
  profiles: ProfileTable,
  month: string,
  options: { sampleMinutes?: number; gaps?: readonly MeterGap[] } = {},
): AccMonthWorld {
  const sampleMs = (options.sampleMinutes ?? 5) * MINUTE_MS;
  const sampleH = sampleMs / 3_600_000;
  const world = new IlotWorld(site, profiles);
  const prmOfMeter = new Map(site.participants.filter((p) => p.prm).map((p) => [p.meter, p.prm!]));
  const prmOfPv = new Map(
    devicesOfKind(site, 'pv')
      .filter((pv) => pv.injectionPrm)
      .map((pv) => [pv.id, pv.injectionPrm!]),
  );
  const participantOfMeter = new Map(site.participants.map((p) => [p.meter, p]));
  // The distributor shares a step among the operation's members of the day only (issue 29 §5).
  const memberPrm = (meterId: string, at: Date) => {
    const participant = participantOfMeter.get(meterId);
    return participant && isMemberAt(participant, at, site.timezone) ? prmOfMeter.get(meterId) : undefined;
  };
  const gapped = (r: Reading) =>
    (options.gaps ?? []).some((g) => g.meterId === r.deviceId && r.ts >= g.from && r.ts < g.to);
  const { from, to } = localMonthRange(month, site.timezone);
  const readings: Reading[] = [];
  const steps = new Map<number, MeasuredStep>();
  for (let at = from; at < to; at = addMs(at, sampleMs)) {
    const stepMs = slotStart(at, SETTLEMENT_STEP_MS).getTime();
    let step = steps.get(stepMs);
    if (!step)
      steps.set(stepMs, (step = { start: new Date(stepMs), productionWh: new Map(), consumptionWh: new Map() }));
    for (const reading of world.step(at)) {
      if (!gapped(reading)) readings.push(reading);
      const consumer = memberPrm(reading.deviceId, at);
      const producer = prmOfPv.get(reading.deviceId);
      const energies = (consumer ? step.consumptionWh : step.productionWh) as Map<string, number>;
      const prm = consumer ?? producer;
      if (prm) energies.set(prm, (energies.get(prm) ?? 0) + Math.max(reading.powerW, 0) * sampleH);
    }
  }
  return { readings, measured: [...steps.values()] };
}

/** A key file as the PMO sent it; a full dynamic key's names the producer (its injection point) whose production it shares. */
export interface SentKeyFile {
  text: string;
  producer?: { prm: string };
}

/**
 * The simulated distributor's monthly file (issue 29 §3): the operation's key as the PMO sent it (its key file, or one
 * per producer for a full dynamic key; none for a default key), applied to what its meters measured, rounded and
 * written as the distributor publishes it.
 */
export function simulatedDistributorFile(
  site: Site,
  month: string,
  measured: readonly MeasuredStep[],
  keyFiles: readonly SentKeyFile[] = [],
): Checked<string, 'invalid'> {
  const timezone = site.timezone;
  const key = sentKey(keyFiles, { month, timezone });
  if (!key.ok) return key;
  const prms = {
    consumers: site.participants.flatMap((p) => (p.prm ? [p.prm] : [])),
    producers: devicesOfKind(site, 'pv').flatMap((pv) => (pv.injectionPrm ? [pv.injectionPrm] : [])),
  };
  const byPrm = new Map(site.participants.filter((p) => p.prm).map((p) => [p.prm!, p]));
  const rows = distributorRows(measured, key.value, prms, (prm, start) => isMemberAt(byPrm.get(prm)!, start, timezone));
  return rows.ok ? { ok: true, value: writeDistributorFile(rows.value, { month, timezone }) } : rows;
}

/** The key the distributor applies from the files it received, by PRM. */
function sentKey(keyFiles: readonly SentKeyFile[], month: KeyMonth): Checked<AccKey, 'invalid'> {
  if (keyFiles.length === 0) return { ok: true, value: { kind: 'dynamic-default' } };
  const tables = new Map<string, Map<number, ReadonlyMap<string, number>>>();
  for (const file of keyFiles) {
    const table = parseKeyFile(file.text, month);
    if (!table.ok) return table;
    tables.set(file.producer?.prm ?? '', new Map(table.value.steps.map((s) => [s.start.getTime(), s.shares])));
  }
  const whole = tables.get('');
  if (whole) return { ok: true, value: { kind: 'dynamic-custom', sharesAt: (start) => whole.get(start.getTime()) } };
  return {
    ok: true,
    value: {
      kind: 'dynamic-full',
      coefficientsAt: (start) =>
        new Map([...tables].map(([producerPrm, steps]) => [producerPrm, steps.get(start.getTime()) ?? new Map()])),
    },
  };
}
