/**
 * Derives the compact profile file the simulators ship with, from the measured data named in
 * simulators/profiles/README.md (a folder holding `profiles/vdi4657/` and `weather/`).
 * Run: npm run derive-profiles -- DATA_DIR [simulators/profiles]
 *
 * Output: one row per 15-minute slot of 2019 in UTC interval starts, on the 2019 calendar
 * (profiles of other years are shifted by whole days so weekdays line up), columns:
 * flat/office/school/shop load in W per MWh of annual consumption (VDI 4657-3), PV AC power in
 * W per kWp (NSRDB Paris 2019 through a plane-of-array model, 30° south) and air temperature.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ROOFTOP, pvPowerWPerKWp } from '../libs/forecasting/src/solar-geometry';

const SLOTS = 35040;
const SLOT_MS = 15 * 60_000;
const YEAR_START_UTC = Date.UTC(2019, 0, 1);
const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: derive-profiles DATA_DIR [OUT_DIR] (DATA_DIR holds profiles/vdi4657 and weather)\n');
  process.exit(2);
}
const outDir = process.argv[3] ?? 'simulators/profiles';

/** VDI rows are fixed +01:00 local starts; returns values indexed by 2019 UTC slot. */
function readVdi(file: string): number[] {
  const lines = readFileSync(join(dataDir, 'profiles/vdi4657', file), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  if (lines.length !== SLOTS) throw new Error(`${file}: ${lines.length} rows, expected ${SLOTS}`);
  const firstLocal = lines[0].split(',')[0]; // e.g. 2015-01-01 00:00:00+01:00
  const year = Number(firstLocal.slice(0, 4));
  const values = lines.map((line) => Number(line.split(',')[1]));
  // Align weekdays with 2019: shift by the smallest number of days that maps weekday to weekday.
  const weekdayShift =
    (new Date(Date.UTC(2019, 0, 1)).getUTCDay() - new Date(Date.UTC(year, 0, 1)).getUTCDay() + 7) % 7;
  const dayShift = weekdayShift > 3 ? weekdayShift - 7 : weekdayShift;
  const out = new Array<number>(SLOTS);
  for (let slot = 0; slot < SLOTS; slot++) {
    // UTC slot -> +01:00 local slot is 4 quarter-hours later; then the weekday shift.
    const source = (((slot + 4 - dayShift * 96) % SLOTS) + SLOTS) % SLOTS;
    out[slot] = values[source];
  }
  return out;
}

function readNsrdb(): Array<{ ghi: number; dni: number; dhi: number; temp: number }> {
  const lines = readFileSync(join(dataDir, 'weather/nsrdb-paris-2019-15min.csv'), 'utf8').trim().split('\n');
  const header = lines[2].split(',');
  const col = (name: string) => header.indexOf(name);
  const [iGhi, iDni, iDhi, iTemp] = [col('GHI'), col('DNI'), col('DHI'), col('Temperature')];
  const rows = lines.slice(3).map((l) => l.split(',').map(Number));
  if (rows.length !== SLOTS) throw new Error(`NSRDB: ${rows.length} rows, expected ${SLOTS}`);
  return rows.map((r) => ({ ghi: r[iGhi], dni: r[iDni], dhi: r[iDhi], temp: r[iTemp] }));
}

const flat = readVdi('LP_W_W.csv');
const office = readVdi('LP_O_Buero_m.csv');
const school = readVdi('LP_O_Schule_m.csv');
const shop = readVdi('LP_G0.csv');
const weather = readNsrdb();
const array = { latitudeDeg: 48.85, longitudeDeg: 2.34, ...DEFAULT_ROOFTOP };

const rows = ['slotStartUtc,flatWPerMWh,officeWPerMWh,schoolWPerMWh,shopWPerMWh,pvWPerKWp,airTempC'];
let pvKWhPerKWp = 0;
for (let slot = 0; slot < SLOTS; slot++) {
  // NSRDB stamps are instants; take the irradiance at the middle of the slot by averaging both ends.
  const at = new Date(YEAR_START_UTC + slot * SLOT_MS + SLOT_MS / 2);
  const a = weather[slot];
  const b = weather[(slot + 1) % SLOTS];
  const irradiance = {
    ghiWPerM2: (a.ghi + b.ghi) / 2,
    dniWPerM2: (a.dni + b.dni) / 2,
    dhiWPerM2: (a.dhi + b.dhi) / 2,
    airTempC: (a.temp + b.temp) / 2,
  };
  const pvW = pvPowerWPerKWp(at, irradiance, array);
  pvKWhPerKWp += pvW / 4 / 1000;
  const iso = new Date(YEAR_START_UTC + slot * SLOT_MS).toISOString().slice(0, 16) + 'Z';
  rows.push(
    [iso, flat[slot], office[slot], school[slot], shop[slot], pvW.toFixed(1), irradiance.airTempC.toFixed(1)].join(','),
  );
}
writeFileSync(join(outDir, 'ilot-profiles-2019-15min.csv'), rows.join('\n') + '\n');
console.log(`wrote ${SLOTS} slots; PV yield ${pvKWhPerKWp.toFixed(0)} kWh/kWp/year`);
