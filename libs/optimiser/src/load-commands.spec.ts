import { batteryCommands } from './battery-commands';
import { evCommands, loadCommands } from './load-commands';
import type { Schedule } from './schedule';

/** A plan whose first slot (17:00-17:15) sheds 3 kW of hp-a and 40 W of hp-b (noise), the battery discharging 50 kW to 38 kW of import. */
function schedule(effacements?: Schedule['effacements']): Schedule {
  return {
    siteId: 'demo',
    generatedAt: '2026-01-15T17:00:00.000Z',
    status: 'optimal',
    solver: 'test',
    objectiveEur: 0,
    slotMinutes: 15,
    violations: [],
    ...(effacements ? { effacements } : {}),
    slots: [
      {
        start: '2026-01-15T17:00:00.000Z',
        gridW: 38_000,
        consumptionW: 91_000,
        pvW: 0,
        devices: {
          'bat-1': { setpointW: 50_000, socPct: 40 },
          'hp-a': { setpointW: 3000, recoveryW: 0 },
          'hp-b': { setpointW: 40, recoveryW: 0 },
        },
      },
    ],
  };
}
const loads = [
  { id: 'hp-a', baselineW: [7000], maxShedW: 8000, ratedW: 12_000, maxShedMinutes: 60, recoveryRatio: 1 },
  { id: 'hp-b', baselineW: [5000], maxShedW: 6000, ratedW: 10_000, maxShedMinutes: 60, recoveryRatio: 1 },
];
const options = {
  now: new Date('2026-01-15T17:00:00Z'),
  graceMs: 60_000,
  newId: () => 'id-1',
  importLimitW: 160_000,
  capacityWh: () => 200_000,
};
const order = { id: 'order-7', start: '2026-01-15T16:00:00.000Z', end: '2026-01-15T18:00:00.000Z', importCapW: 44_000 };

describe('commands of a plan in an effacement window', () => {
  it('caps each shed load at its baseline less the shed, to the end of the slot plus grace, with the order as reason; noise is no command', () => {
    expect(loadCommands(schedule([order]), loads, options)).toEqual([
      {
        deviceId: 'hp-a',
        command: {
          cmdId: 'id-1',
          type: 'load.limit',
          issuedAt: '2026-01-15T17:00:00.000Z',
          validFrom: '2026-01-15T17:00:00.000Z',
          validUntil: '2026-01-15T17:16:00.000Z',
          maxW: 4000,
          reason: 'effacement:order-7',
        },
      },
    ]);
  });

  it.each([
    ['an order', [order], 'effacement:order-7', 44_000],
    ['an EcoWatt alert', [{ ...order, id: 'ecowatt-3-2026-01-15T16:00:00.000Z' }], 'ecowatt', 44_000],
    ['no window', undefined, 'self-consumption', 38_000],
  ])(
    'in %s, the battery holds the connection at the cap (the plan keeps its reserve below it) and says why',
    (_name, windows, reason, gridTargetW) => {
      const [battery] = batteryCommands(schedule(windows), ['bat-1'], options);
      expect(battery.command).toMatchObject({ setpointW: 50_000, gridTargetW, reason });
      expect(loadCommands(schedule(windows), loads, options)[0].command.reason).toBe(
        reason === 'self-consumption' ? 'tariff' : reason,
      );
    },
  );
});

describe('the rebound of a load that owes energy (issue 27)', () => {
  // hp-b: baseline 5 kW, rated 10 kW; not shed in the first slot (40 W is noise).
  const withRecovery = (recoveryW: number): Schedule => {
    const plan = schedule();
    plan.slots[0].devices['hp-b'] = { setpointW: 0, recoveryW };
    return plan;
  };
  const owing = (owedWh: number) => [loads[0], { ...loads[1], owedWh }];
  it.each([
    ['owes nothing: runs freely (no command)', 0, 0, undefined],
    ['owes 2 kWh, the plan recovers none now: held at its baseline', 2000, 0, 5000],
    ['owes 2 kWh, the plan recovers 1.5 kW now: held at baseline + 1.5 kW', 2000, 1500, 6500],
    ['owes 2 kWh, the plan recovers as fast as it would (5 kW): no command', 2000, 5000, undefined],
    ['owes 10 Wh, less than noise to hold back over the slot: no command', 10, 0, undefined],
  ])('%s', (_name, owedWh, recoveryW, maxW) => {
    const commands = loadCommands(withRecovery(recoveryW), owing(owedWh), options).filter((c) => c.deviceId === 'hp-b');
    expect(commands.map((c) => c.command.maxW)).toEqual(maxW === undefined ? [] : [maxW]);
  });
});

describe('charging limits of a plan', () => {
  const car = { id: 'ev-b-1', maxW: 7400, energyNeededWh: 10_000, departure: new Date('2026-01-16T06:30:00Z') };
  const withCar = (setpointW?: number): Schedule => {
    const plan = schedule();
    if (setpointW !== undefined) plan.slots[0].devices['ev-b-1'] = { setpointW };
    return plan;
  };

  it("caps each car the plan decides at its first slot's charging power, to the end of the slot plus grace", () => {
    expect(evCommands(withCar(3700), [car], options)).toEqual([
      {
        deviceId: 'ev-b-1',
        command: expect.objectContaining({ type: 'ev.limit', maxW: 3700, validUntil: '2026-01-15T17:16:00.000Z' }),
      },
    ]);
    expect(evCommands(withCar(0), [car], options)[0].command.maxW).toBe(0);
  });

  // Regression: a plan kept while the solver gave none, made before the car came, held the new car at 0 W.
  it('leaves a car the plan does not know to its charger (no limit)', () => {
    expect(evCommands(withCar(), [car], options)).toEqual([]);
  });
});
