import { LOBBY_MIN_METERS, lobbyView, type LobbyInput } from './lobby';

const input: LobbyInput = {
  siteName: 'Îlot test',
  now: new Date('2026-07-06T10:00:00Z'),
  timeZone: 'Europe/Paris',
  solarNowW: 31_000,
  slots: [],
  effacements: [],
  tempoRedDays: [],
  current: { metersReporting: 6, consumptionW: 23_456, gridW: -7_600 },
  steps: [
    { pvWh: 5_000, consumptionWh: 4_000, metersReporting: 6 },
    { pvWh: 3_000, consumptionWh: 6_000, metersReporting: 6 },
    // A step where only 4 meters reported: its consumption is left out, its solar counts.
    { pvWh: 2_000, consumptionWh: 1_000, metersReporting: 4 },
  ],
};

describe('lobbyView: the îlot as a whole, aggregates only', () => {
  it('gives the consumption now in whole kW, today over the steps with enough meters, and the solar always', () => {
    expect(LOBBY_MIN_METERS).toBe(5);
    const lobby = lobbyView(input);
    expect(lobby.now).toEqual({ consumptionKW: 23, gridKW: -8 });
    expect(lobby.today).toEqual({ solarKWh: 10, consumptionKWh: 10, selfSufficiency: 0.7, selfConsumption: 0.88 });
    expect(lobby.solar.nowKW).toBe(31);
  });

  it.each([
    [
      '4 meters now',
      { ...input, current: { ...input.current, metersReporting: 4 } },
      { consumptionKW: null, gridKW: null },
    ],
    ['no grid reading', { ...input, current: { ...input.current, gridW: null } }, { consumptionKW: 23, gridKW: null }],
  ])('hides what would come close to a home: %s', (_case, lobbyInput, now) => {
    expect(lobbyView(lobbyInput).now).toEqual(now);
  });

  it('says nothing of the consumption today when no step had enough meters', () => {
    const few = { ...input, steps: input.steps.map((s) => ({ ...s, metersReporting: 3 })) };
    expect(lobbyView(few).today).toEqual({
      solarKWh: 10,
      consumptionKWh: null,
      selfSufficiency: null,
      selfConsumption: null,
    });
  });
});
