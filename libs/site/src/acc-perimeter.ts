import { accBillingProblems } from './acc-billing';
import type { DeviceSpec, Site, SiteFile } from './site.schema';

/**
 * The rules of an extended collective self-consumption operation on the French public grid (arrêté du 21 novembre 2019
 * fixant le critère de proximité géographique de l'autoconsommation collective étendue): the two participants farthest
 * apart within 2 km (measured from the consumers' delivery points and the producers' injection points; a derogation
 * may grant up to 20 km), the producers' cumulated capacity under 3 MW in mainland France and 0.5 MW in the
 * non-interconnected zones (peak power for PV). Figures of the regulation, not of this code: a site may only narrow
 * the distance by what its derogation states.
 */
export const ACC_RULES = {
  maxDistanceKm: 2,
  maxDerogationKm: 20,
  capacityLimitW: { metropolitan: 3_000_000, zni: 500_000 },
} as const;

/** A participant or producer of the operation, where its meter is. */
interface Member {
  name: string;
  prm: string;
  latitudeDeg: number;
  longitudeDeg: number;
}

/** Great-circle distance between two points, km (haversine, mean Earth radius 6371 km). */
export function distanceKm(
  a: { latitudeDeg: number; longitudeDeg: number },
  b: { latitudeDeg: number; longitudeDeg: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitudeDeg - a.latitudeDeg) * rad;
  const dLon = (b.longitudeDeg - a.longitudeDeg) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.latitudeDeg * rad) * Math.cos(b.latitudeDeg * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(Math.sqrt(h), 1));
}

/** The two members farthest apart and their distance, km (undefined under two members). */
export function farthestPair(members: readonly Member[]): { a: Member; b: Member; km: number } | undefined {
  let best: { a: Member; b: Member; km: number } | undefined;
  for (let i = 0; i < members.length; i++)
    for (let j = i + 1; j < members.length; j++) {
      const km = distanceKm(members[i], members[j]);
      if (!best || km > best.km) best = { a: members[i], b: members[j], km };
    }
  return best;
}

/**
 * What keeps a site from being the collective self-consumption operation it says it is, each named by participant or
 * producer: a missing delivery or injection point or position, a PRM held twice, the perimeter, the capacity. A site
 * behind one connection may not carry the operation's fields (they would be silently unused).
 */
export function accProblems(file: SiteFile, devices: ReadonlyMap<string, DeviceSpec>): string[] {
  const pvs = pvsOf(devices);
  if (file.topology !== 'public-grid-acc') {
    const fullKey = [file.allocation.key, ...file.allocation.history.map((h) => h.key)].includes('dynamic-full');
    const stray = [
      ...(file.acc ? ['acc'] : []),
      ...(fullKey ? ['allocation key "dynamic-full"'] : []),
      ...file.participants
        .filter((p) => p.prm || p.position || p.billing || p.membership)
        .map((p) => `participant ${p.id}`),
      ...pvs.filter((pv) => pv.injectionPrm || pv.position).map((pv) => `pv ${pv.id}`),
    ];
    return stray.length
      ? [
          `${stray.join(', ')}: delivery points, positions, billing, memberships and the per-producer key are for topology "public-grid-acc" (this site is behind one connection)`,
        ]
      : [];
  }
  const problems: string[] = [];
  const members: Member[] = [];
  file.participants.forEach((p, i) => {
    const missing = [...(p.prm ? [] : ['prm']), ...(p.position ? [] : ['position'])];
    if (missing.length)
      problems.push(`participants[${i}] (${p.id}): ${missing.join(' and ')} required on the public grid (its Linky)`);
    else members.push({ name: `participant ${p.id}`, prm: p.prm!, ...p.position! });
  });
  for (const pv of pvs) {
    const missing = [...(pv.injectionPrm ? [] : ['injectionPrm']), ...(pv.position ? [] : ['position'])];
    if (missing.length)
      problems.push(`pv ${pv.id}: ${missing.join(' and ')} required on the public grid (its injection point)`);
    else members.push({ name: `pv ${pv.id}`, prm: pv.injectionPrm!, ...pv.position! });
  }
  const holders = new Map<string, string>();
  for (const member of members) {
    const first = holders.get(member.prm);
    if (first)
      problems.push(`${member.name}: PRM ${member.prm} is already ${first}'s (one delivery point, one member)`);
    else holders.set(member.prm, member.name);
  }
  const { limitKm, limitW, peakW, zone } = accLimits(file, pvs);
  const derogation = file.acc?.derogation;
  const farthest = farthestPair(members);
  if (farthest && farthest.km > limitKm)
    problems.push(
      `participants: ${farthest.a.name} and ${farthest.b.name} are ${farthest.km.toFixed(2)} km apart, beyond the ${limitKm} km of ${derogation ? `the derogation (${derogation.reference})` : `an extended operation (a derogation may grant up to ${ACC_RULES.maxDerogationKm} km: acc.derogation)`}`,
    );
  if (peakW >= limitW)
    problems.push(
      `buildings: the producers' peak power adds up to ${(peakW / 1e6).toFixed(2)} MW, not under the ${limitW / 1e6} MW of an operation ${zone === 'zni' ? 'in a non-interconnected zone' : 'in mainland France'}`,
    );
  return [...problems, ...accBillingProblems(file, devices)];
}

/** An operation's distance and capacity limits (its derogation's, its zone's) and its producers' peak power. */
function accLimits(file: Pick<SiteFile, 'acc'>, pvs: ReadonlyArray<{ peakW: number }>) {
  const zone = file.acc?.zone ?? 'metropolitan';
  return {
    zone,
    limitKm: file.acc?.derogation?.maxDistanceKm ?? ACC_RULES.maxDistanceKm,
    limitW: ACC_RULES.capacityLimitW[zone],
    peakW: pvs.reduce((sum, pv) => sum + pv.peakW, 0),
  };
}

/**
 * What a valid operation on the public grid spans, for `ilot validate`: its consumers' and producers' points, the two
 * farthest apart, its producers' peak power, and the limits that hold them.
 */
export function accSpan(site: Site): {
  consumers: number;
  producers: number;
  farthest?: { a: string; b: string; km: number };
  limitKm: number;
  peakW: number;
  limitW: number;
} {
  const pvs = pvsOf(site.devices);
  const members: Member[] = [
    ...site.participants.map((p) => ({ name: p.id, prm: p.prm!, ...p.position! })),
    ...pvs.map((pv) => ({ name: pv.id, prm: pv.injectionPrm!, ...pv.position! })),
  ];
  const pair = farthestPair(members);
  return {
    consumers: site.participants.length,
    producers: pvs.length,
    ...(pair ? { farthest: { a: pair.a.name, b: pair.b.name, km: pair.km } } : {}),
    ...accLimits(site, pvs),
  };
}

function pvsOf(devices: ReadonlyMap<string, DeviceSpec>): Array<Extract<DeviceSpec, { kind: 'pv' }>> {
  return [...devices.values()].filter((d): d is Extract<DeviceSpec, { kind: 'pv' }> => d.kind === 'pv');
}
