import { allocateStep } from './allocation';
import { MAX_CUSTOM_SHARE_STEPS, parseCustomShares, parseProducerShares } from './custom-shares';

const PARTICIPANTS = new Set(['flat-1', 'flat-2', 'shop-1']);
const STEP_MS = 15 * 60_000;
const step = (start: string, shares: Record<string, unknown>) => ({ start, shares });

describe('custom shares given by the operator (dynamic-custom key)', () => {
  it('reads each step’s shares, the unshared rest left as surplus by the allocation', () => {
    const parsed = parseCustomShares(
      {
        steps: [
          step('2026-01-10T12:00:00Z', { 'flat-1': 0.5, 'shop-1': 0.25 }),
          step('2026-01-10T13:15:00+01:00', { 'flat-2': 1 }),
        ],
      },
      PARTICIPANTS,
      STEP_MS,
    );
    expect(parsed).toEqual({
      ok: true,
      value: [
        {
          start: new Date('2026-01-10T12:00:00Z'),
          shares: new Map([
            ['flat-1', 0.5],
            ['shop-1', 0.25],
          ]),
        },
        { start: new Date('2026-01-10T12:15:00Z'), shares: new Map([['flat-2', 1]]) },
      ],
    });
    if (!parsed.ok) return;
    const first = parsed.value[0];
    const allocation = allocateStep(
      {
        start: first.start,
        productionWh: 1000,
        consumptionWh: new Map([
          ['flat-1', 300],
          ['flat-2', 200],
          ['shop-1', 400],
        ]),
      },
      { kind: 'dynamic-custom', sharesAt: () => first.shares },
    );
    // flat-1 may take 500 Wh but used 300; flat-2 has no share; the shop takes its 250: 450 Wh surplus.
    expect(allocation.ok && [...allocation.value.allocatedWh]).toEqual([
      ['flat-1', 300],
      ['flat-2', 0],
      ['shop-1', 250],
    ]);
    expect(allocation.ok && allocation.value.surplusWh).toBe(450);
  });

  it.each([
    ['no steps', {}, ['steps: must be a non-empty array of {start, shares}']],
    ['an empty list', { steps: [] }, ['steps: must be a non-empty array of {start, shares}']],
    [
      'a start without offset',
      { steps: [step('2026-01-10T12:00:00', { 'flat-1': 1 })] },
      ['steps[0].start: must be an ISO 8601 instant with its offset'],
    ],
    [
      'a start off the grid',
      { steps: [step('2026-01-10T12:05:00Z', { 'flat-1': 1 })] },
      ['steps[0].start: 2026-01-10T12:05:00Z is not the start of a 15-min step'],
    ],
    [
      'a step given twice',
      { steps: [step('2026-01-10T12:00:00Z', { 'flat-1': 0 }), step('2026-01-10T13:00:00+01:00', { 'flat-1': 0 })] },
      ['steps[1].start: 2026-01-10T13:00:00+01:00 given twice'],
    ],
    [
      'a start in year 9999',
      { steps: [step('9999-12-31T00:00:00Z', { 'flat-1': 1 })] },
      ['steps[0].start: must lie in the years 2000 to 2099'],
    ],
    // Regression (probe of the running îlot): steps over decades made a 33-s recompute, then a 500.
    [
      'steps decades apart',
      { steps: [step('2001-01-01T00:00:00Z', { 'flat-1': 1 }), step('2090-01-01T00:00:00Z', { 'flat-1': 1 })] },
      ['steps: spread over more than 3000 steps; send them a month at a time'],
    ],
    [
      'no share at all',
      { steps: [step('2026-01-10T12:00:00Z', {})] },
      ['steps[0].shares: empty (a step where nothing is shared gives a participant 0)'],
    ],
    [
      'an unknown participant',
      { steps: [step('2026-01-10T12:00:00Z', { 'flat-9': 0.1 })] },
      ['steps[0].shares.flat-9: no such participant'],
    ],
    [
      'a share out of range, and one that is not a number',
      { steps: [step('2026-01-10T12:00:00Z', { 'flat-1': 1.5, 'flat-2': '0.2' })] },
      ['steps[0].shares.flat-1: must be a number from 0 to 1', 'steps[0].shares.flat-2: must be a number from 0 to 1'],
    ],
    [
      'a negative share',
      { steps: [step('2026-01-10T12:00:00Z', { 'flat-1': -0.1 })] },
      ['steps[0].shares: share of flat-1 is -0.1: must be a number >= 0'],
    ],
    [
      'shares above the whole production',
      { steps: [step('2026-01-10T12:00:00Z', { 'flat-1': 0.6, 'flat-2': 0.5 })] },
      ['steps[0].shares: shares sum to 1.1: must be at most 1'],
    ],
    [
      'shares that are a list',
      { steps: [step('2026-01-10T12:00:00Z', [0.5] as never)] },
      ['steps[0].shares: must be an object {participantId: share}'],
    ],
  ])('refuses %s, with the path and the reason', (_case, body, problems) => {
    expect(parseCustomShares(body, PARTICIPANTS, STEP_MS)).toEqual({ ok: false, reason: 'invalid', problems });
  });

  it('reports every bad step at once, and refuses more steps than a request may carry', () => {
    const result = parseCustomShares(
      { steps: [step('x', {}), step('2026-01-10T12:00:00Z', { nobody: 1 })] },
      PARTICIPANTS,
      STEP_MS,
    );
    expect(result.ok || result.problems).toHaveLength(2);
    const many = Array.from({ length: MAX_CUSTOM_SHARE_STEPS + 1 }, (_, k) =>
      step(new Date(Date.UTC(2026, 0, 1) + k * STEP_MS).toISOString(), {}),
    );
    expect(parseCustomShares({ steps: many }, PARTICIPANTS, STEP_MS)).toEqual({
      ok: false,
      reason: 'invalid',
      problems: [`steps: 3001 steps, at most 3000 at once`],
    });
  });
});

describe('coefficients per producer given by the operator (dynamic-full key)', () => {
  const PRODUCERS = new Set(['pv-roof', 'pv-school']);
  const full = (start: string, byProducer: unknown) => ({ start, byProducer });

  it('reads each step’s coefficients by producer', () => {
    expect(
      parseProducerShares(
        {
          steps: [
            full('2026-11-10T11:00:00Z', { 'pv-roof': { 'flat-1': 0.7, 'shop-1': 0.3 }, 'pv-school': { 'flat-2': 1 } }),
          ],
        },
        PARTICIPANTS,
        PRODUCERS,
        STEP_MS,
      ),
    ).toEqual({
      ok: true,
      value: [
        {
          start: new Date('2026-11-10T11:00:00Z'),
          byProducer: new Map([
            [
              'pv-roof',
              new Map([
                ['flat-1', 0.7],
                ['shop-1', 0.3],
              ]),
            ],
            ['pv-school', new Map([['flat-2', 1]])],
          ]),
        },
      ],
    });
  });

  it.each([
    ['no steps', {}, ['steps: must be a non-empty array of {start, byProducer}']],
    [
      'an unknown producer',
      { steps: [full('2026-11-10T11:00:00Z', { 'pv-moon': { 'flat-1': 1 } })] },
      ['steps[0].byProducer.pv-moon: no such producer (a PV array)'],
    ],
    [
      'a producer whose shares pass its production',
      { steps: [full('2026-11-10T11:00:00Z', { 'pv-roof': { 'flat-1': 0.7, 'flat-2': 0.4 } })] },
      ['steps[0].byProducer.pv-roof: shares sum to 1.1: must be at most 1'],
    ],
    [
      'an unknown participant under a producer',
      { steps: [full('2026-11-10T11:00:00Z', { 'pv-roof': { nobody: 0.5 } })] },
      ['steps[0].byProducer.pv-roof.nobody: no such participant'],
    ],
    [
      'no producer in a step',
      { steps: [full('2026-11-10T11:00:00Z', {})] },
      ['steps[0].byProducer: empty (give at least one producer’s shares)'.replace('’', "'")],
    ],
    [
      'shares of the whole production instead',
      { steps: [step('2026-11-10T11:00:00Z', { 'flat-1': 1 })] },
      ['steps[0].byProducer: must be an object {producerId: {participantId: share}}'],
    ],
  ])('refuses %s, with the path and the reason', (_case, body, problems) => {
    expect(parseProducerShares(body, PARTICIPANTS, PRODUCERS, STEP_MS)).toEqual({
      ok: false,
      reason: 'invalid',
      problems,
    });
  });
});
