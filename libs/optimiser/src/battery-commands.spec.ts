import { needsNewCommand } from './battery-commands';

describe('needsNewCommand', () => {
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 15, 12, minute));
  // Valid 12:00 to 12:30: renewal once less than 10 minutes are left.
  const current = {
    setpointW: -20_000,
    gridTargetW: 1_000,
    validFrom: at(0).toISOString(),
    validUntil: at(30).toISOString(),
  };

  it.each([
    { name: 'no command yet', current: undefined, next: { setpointW: 0, gridTargetW: 0 }, now: at(0), expected: true },
    {
      name: 'the same plan, early in its validity',
      current,
      next: { setpointW: -20_400, gridTargetW: 1_300 },
      now: at(5),
      expected: false,
    },
    {
      name: 'the setpoint moves beyond the tolerance',
      current,
      next: { setpointW: -21_000, gridTargetW: 1_000 },
      now: at(5),
      expected: true,
    },
    {
      name: 'the planned grid power moves beyond the tolerance',
      current,
      next: { setpointW: -20_000, gridTargetW: 2_000 },
      now: at(5),
      expected: true,
    },
    {
      name: 'the same plan with a third of the validity left: renewal',
      current,
      next: { setpointW: -20_000, gridTargetW: 1_000 },
      now: at(21),
      expected: true,
    },
    {
      name: 'the same plan, just before a third is left',
      current,
      next: { setpointW: -20_000, gridTargetW: 1_000 },
      now: at(19),
      expected: false,
    },
  ])('$name: $expected', ({ current, next, now, expected }) => {
    expect(needsNewCommand(current, next, now, 500)).toBe(expected);
  });
});
