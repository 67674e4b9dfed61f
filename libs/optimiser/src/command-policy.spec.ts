import type { CommandPayload } from '@ilot/protocol';
import { commandsToSend, LOAD_LIMIT_TOLERANCE_W } from './command-policy';
import type { PlanBattery, PlanFlexibleLoad } from './plan-input';
import type { Schedule } from './schedule';

const SLOT_MS = 15 * 60_000;
const T0 = Date.parse('2026-01-15T17:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);

/** A plan made at `minute`: its first slot is the quarter-hour it lies in, with these setpoints. */
function planAt(minute: number, batteryW: number, shedW: number, gridW = 40_000): Schedule {
  return {
    siteId: 'demo',
    generatedAt: at(minute).toISOString(),
    status: 'optimal',
    solver: 'test',
    objectiveEur: 0,
    slotMinutes: 15,
    violations: [],
    slots: [
      {
        start: new Date(Math.floor(at(minute).getTime() / SLOT_MS) * SLOT_MS).toISOString(),
        gridW,
        consumptionW: 90_000,
        pvW: 0,
        devices: { 'bat-1': { setpointW: batteryW, socPct: 50 }, 'hp-a': { setpointW: shedW, recoveryW: 0 } },
      },
    ],
  };
}

const battery = { id: 'bat-1', capacityWh: 200_000, maxChargeW: 100_000, maxDischargeW: 100_000 } as PlanBattery;
const load = { id: 'hp-a', baselineW: [7000], maxShedW: 8000, ratedW: 12_000 } as PlanFlexibleLoad;
const input = { batteries: [battery], flexibleLoads: [load] };

/**
 * The policy as a cycle table on a fake clock: each row plans at a minute (time leaps between rows), the commands
 * that go out become the devices' current ones, as the dispatcher keeps them.
 */
describe('commandsToSend: the one command policy, cycle by cycle', () => {
  const rows: Array<{ minute: number; batteryW: number; shedW: number; gridW?: number; out: string[]; why: string }> = [
    { minute: 0, batteryW: 50_000, shedW: 3000, out: ['bat-1', 'hp-a'], why: 'no command yet: both go out' },
    { minute: 1, batteryW: 50_300, shedW: 3100, out: [], why: 'within tolerance, early in validity: kept' },
    { minute: 2, batteryW: 60_000, shedW: 3100, out: ['bat-1'], why: 'setpoint moved 10 kW (> 5 % of 100 kW)' },
    {
      minute: 3,
      batteryW: 60_000,
      shedW: 3000 + LOAD_LIMIT_TOLERANCE_W + 300,
      out: ['hp-a'],
      why: 'limit moved 500 W',
    },
    { minute: 4, batteryW: 60_000, shedW: 3500, gridW: 48_000, out: ['bat-1'], why: 'planned grid power moved 8 kW' },
    {
      minute: 15,
      batteryW: 60_000,
      shedW: 3500,
      gridW: 48_000,
      out: ['bat-1', 'hp-a'],
      why: 'under a third of validity left: renewed',
    },
    {
      minute: 16,
      batteryW: 60_000,
      shedW: 0,
      gridW: 48_000,
      out: [],
      why: 'new slot, nothing shed: no limit; battery kept',
    },
  ];

  it('sends exactly the commands each cycle needs', () => {
    const current = new Map<string, CommandPayload>();
    let ids = 0;
    for (const row of rows) {
      const sent = commandsToSend(
        planAt(row.minute, row.batteryW, row.shedW, row.gridW),
        input,
        (id) => current.get(id),
        {
          now: at(row.minute),
          graceMs: 5 * 60_000,
          importLimitW: 160_000,
          newId: () => `cmd-${++ids}`,
        },
      );
      expect({ minute: row.minute, why: row.why, out: sent.map((c) => c.deviceId) }).toEqual({
        minute: row.minute,
        why: row.why,
        out: row.out,
      });
      for (const { deviceId, command } of sent) current.set(deviceId, command);
    }
    // The last battery command is the renewal at minute 15: valid to the end of its slot plus the grace.
    expect(current.get('bat-1')).toMatchObject({ issuedAt: at(15).toISOString(), validUntil: at(35).toISOString() });
  });

  it('a command of another type is replaced, whatever its level', () => {
    const plan = planAt(0, 0, 3000);
    const limit = commandsToSend(plan, input, () => undefined, {
      now: at(0),
      graceMs: 0,
      importLimitW: 160_000,
      newId: () => 'x',
    }).find((c) => c.deviceId === 'hp-a')!.command;
    const sent = commandsToSend(plan, input, (id) => (id === 'bat-1' ? limit : undefined), {
      now: at(0),
      graceMs: 0,
      importLimitW: 160_000,
      newId: () => 'y',
    });
    expect(sent.map((c) => [c.deviceId, c.command.type])).toEqual([
      ['bat-1', 'battery.setpoint'],
      ['hp-a', 'load.limit'],
    ]);
  });
});

describe('which plans have the batteries absorb the deviation from the planned grid power', () => {
  const send = (batteryW: number) =>
    commandsToSend(planAt(0, batteryW, 0), input, () => undefined, {
      now: at(0),
      graceMs: 0,
      importLimitW: 160_000,
      newId: () => 'id',
    }).find((c) => c.deviceId === 'bat-1')!.command;

  it.each([
    [50_000, 40_000],
    [-30_000, 40_000],
  ])('a battery the plan has working (%d W) tracks the planned grid power (%d W)', (batteryW, gridTargetW) => {
    expect(send(batteryW)).toMatchObject({ setpointW: batteryW, gridTargetW, gridLimitW: 160_000 });
  });

  it('regression (Jan 2026 replay): a battery the plan holds idle keeps its charge, with the contract as its only ceiling', () => {
    // Tracking the plan's grid power while idle let the controller absorb every forecast error: over five days it
    // drifted from 50 % to its floor and stood empty under a 196 kW peak on a 160 kW contract.
    const command = send(0);
    expect(command).toMatchObject({ setpointW: 0, gridLimitW: 160_000 });
    expect(command).not.toHaveProperty('gridTargetW');
  });
});
