import { batteryFollowsCommand } from './command-verification';
import { battery } from './testing/plan-input.factory';

describe('batteryFollowsCommand', () => {
  const spec = battery(); // 100 kW both ways, SoC 10-95 %, tolerance 5 kW
  it.each([
    {
      name: 'at its setpoint, no grid target',
      command: { setpointW: -20_000 },
      measured: { batteryW: -19_000, gridW: 5_000, socPct: 50 },
      followed: true,
    },
    {
      name: 'idle instead of charging',
      command: { setpointW: -20_000 },
      measured: { batteryW: 0, gridW: 5_000, socPct: 50 },
      followed: false,
    },
    {
      name: 'absorbing the deviation from the planned grid power (share 1)',
      // Planned -20 kW with the grid at 0; the load is 8 kW higher than forecast, so it charges 12 kW and the grid stays at 0.
      command: { setpointW: -20_000, gridTargetW: 0, deviationShare: 1 },
      measured: { batteryW: -12_000, gridW: 0, socPct: 50 },
      followed: true,
    },
    {
      name: 'at its setpoint but ignoring the deviation it was asked to absorb',
      command: { setpointW: -20_000, gridTargetW: 0, deviationShare: 1 },
      measured: { batteryW: -20_000, gridW: 8_000, socPct: 50 },
      followed: false,
    },
    {
      name: 'full, so not charging',
      command: { setpointW: -20_000 },
      measured: { batteryW: 0, gridW: -20_000, socPct: 95 },
      followed: true,
    },
    {
      name: 'asked beyond its rating, at its rating',
      command: { setpointW: 150_000 },
      measured: { batteryW: 100_000, gridW: 0, socPct: 60 },
      followed: true,
    },
  ])('$name: followed = $followed', ({ command, measured, followed }) => {
    expect(batteryFollowsCommand(command, measured, spec).followed).toBe(followed);
  });
});
