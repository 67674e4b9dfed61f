/**
 * Linky's TIC (télé-information client), as Enedis specifies it (Enedis-NOI-CPT_54E, "Sorties de télé-information
 * client des appareils de comptage Linky", §5.3 and §6.2): a frame between STX (0x02) and ETX (0x03), each group
 * between LF (0x0A) and CR (0x0D). Historic mode (1200 baud): `LABEL SP DATA SP C`, the checksum over the label, the
 * separator and the data. Standard mode (9600 baud): `LABEL HT [HORODATE HT] DATA HT C`, the checksum over everything
 * up to and including the last HT. Either way C = (sum of those bytes & 0x3F) + 0x20. Pure.
 */

export type TicMode = 'historic' | 'standard';

export interface TicGroup {
  label: string;
  data: string;
  /** Standard mode: the group's own date (SAISON letter + YYMMDDhhmmss), where it has one. */
  horodate?: string;
}

export type TicFrame = { ok: true; mode: TicMode; groups: TicGroup[] } | { ok: false; problem: string };

const STX = 0x02;
const ETX = 0x03;

export function ticChecksum(bytes: string): string {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes.charCodeAt(i);
  return String.fromCharCode((sum & 0x3f) + 0x20);
}

/** One group (without LF and CR), its checksum checked: the group, or why it is refused. */
export function parseTicGroup(text: string, mode: TicMode): TicGroup | string {
  if (text.length < 3) return `group "${text}" is too short`;
  const checksum = text.at(-1)!;
  if (mode === 'standard') {
    const covered = text.slice(0, -1);
    if (!covered.endsWith('\t')) return `group "${text}": no HT before its checksum`;
    const fields = covered.slice(0, -1).split('\t');
    if (fields.length < 2 || fields.length > 3) return `group "${text}": ${fields.length} fields`;
    if (ticChecksum(covered) !== checksum)
      return `group ${fields[0]}: checksum "${checksum}", expected "${ticChecksum(covered)}"`;
    return fields.length === 3
      ? { label: fields[0], horodate: fields[1], data: fields[2] }
      : { label: fields[0], data: fields[1] };
  }
  const separator = text.at(-2);
  if (separator !== ' ' && separator !== '\t') return `group "${text}": no separator before its checksum`;
  const covered = text.slice(0, -2);
  const space = covered.search(/[ \t]/);
  if (space <= 0) return `group "${text}": no label`;
  if (ticChecksum(covered) !== checksum)
    return `group ${covered.slice(0, space)}: checksum "${checksum}", expected "${ticChecksum(covered)}"`;
  return { label: covered.slice(0, space), data: covered.slice(space + 1) };
}

/**
 * A whole frame (STX ... ETX) made into groups; a frame with any bad group is refused whole, naming it (never sent
 * half). The mode is told by the separators (HT in standard mode, SP in historic).
 */
export function parseTicFrame(frame: string): TicFrame {
  const start = frame.indexOf(String.fromCharCode(STX));
  const end = frame.lastIndexOf(String.fromCharCode(ETX));
  if (start < 0 || end < start) return { ok: false, problem: 'not a frame: no STX ... ETX' };
  const body = frame.slice(start + 1, end);
  const raw = body
    .split('\r')
    .map((g) => g.replace(/^\n/, ''))
    .filter((g) => g.length > 0);
  if (raw.length === 0) return { ok: false, problem: 'an empty frame' };
  if (raw.some((g) => g.includes('\n'))) return { ok: false, problem: 'a group without its CR' };
  const mode: TicMode = raw[0].includes('\t') ? 'standard' : 'historic';
  const groups: TicGroup[] = [];
  for (const text of raw) {
    const group = parseTicGroup(text, mode);
    if (typeof group === 'string') return { ok: false, problem: group };
    groups.push(group);
  }
  return { ok: true, mode, groups };
}

/** A group as the meter sends it (LF ... CR): what tests and simulated meters write. */
export function ticGroup(mode: TicMode, label: string, data: string, horodate?: string): string {
  if (mode === 'standard') {
    const covered = `${label}\t${horodate === undefined ? '' : `${horodate}\t`}${data}\t`;
    return `\n${covered}${ticChecksum(covered)}\r`;
  }
  const covered = `${label} ${data}`;
  return `\n${covered} ${ticChecksum(covered)}\r`;
}

/** What a meter's frame says as îlot telemetry: power (W, > 0 drawn from the grid), energy index, tariff period. */
export interface TicReading {
  powerW: number;
  energyWh?: number;
  /** The supplier's tariff period now (standard LTARF, historic PTEC), e.g. "HEURE PLEINE", "HP..". */
  tariffPeriod?: string;
}

const number = (groups: Map<string, string>, label: string): number | undefined => {
  const text = groups.get(label);
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
};

/**
 * The reading of a frame. Standard mode: SINSTS (apparent power drawn, VA) minus SINSTI (injected, a producer's), the
 * index EAST (Wh), LTARF. Historic mode: PAPP (VA), the sum of the indexes present (BASE, HCHC + HCHP, EJP, Tempo),
 * PTEC. The TIC gives no active power: the apparent power stands for it (a power factor near 1 in homes). Undefined
 * when the frame has no power.
 */
export function ticReading(frame: Extract<TicFrame, { ok: true }>): TicReading | undefined {
  const groups = new Map(frame.groups.map((g) => [g.label, g.data]));
  if (frame.mode === 'standard') {
    const drawn = number(groups, 'SINSTS');
    if (drawn === undefined) return undefined;
    const energyWh = number(groups, 'EAST');
    const tariffPeriod = groups.get('LTARF')?.trim();
    return {
      powerW: drawn - (number(groups, 'SINSTI') ?? 0),
      ...(energyWh !== undefined ? { energyWh } : {}),
      ...(tariffPeriod ? { tariffPeriod } : {}),
    };
  }
  const powerW = number(groups, 'PAPP');
  if (powerW === undefined) return undefined;
  const indexes = [
    'BASE',
    'HCHC',
    'HCHP',
    'EJPHN',
    'EJPHPM',
    'BBRHCJB',
    'BBRHPJB',
    'BBRHCJW',
    'BBRHPJW',
    'BBRHCJR',
    'BBRHPJR',
  ]
    .map((label) => number(groups, label))
    .filter((v): v is number => v !== undefined);
  const tariffPeriod = groups.get('PTEC')?.trim();
  return {
    powerW,
    ...(indexes.length ? { energyWh: indexes.reduce((a, b) => a + b, 0) } : {}),
    ...(tariffPeriod ? { tariffPeriod } : {}),
  };
}

/**
 * Cuts a byte stream into frames: what arrived since the last ETX is kept for the next call. A frame without its STX
 * (the stream joined mid-frame) is dropped, counted by the caller as bad.
 */
export class TicFramer {
  private buffer = '';

  push(chunk: string): string[] {
    this.buffer += chunk;
    const frames: string[] = [];
    for (;;) {
      const end = this.buffer.indexOf(String.fromCharCode(ETX));
      if (end < 0) break;
      frames.push(this.buffer.slice(0, end + 1));
      this.buffer = this.buffer.slice(end + 1);
    }
    // A meter's frame is under 2 kB; more without an ETX is noise.
    if (this.buffer.length > 8192) this.buffer = '';
    return frames;
  }
}
