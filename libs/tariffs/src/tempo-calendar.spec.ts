import { drawTempoColours, parseTempoCalendar, TEMPO_RULES } from './tempo-calendar';

const csv = (...rows: string[]) => ['date,colour', ...rows].join('\n');

describe('a Tempo calendar file', () => {
  it('reads each date with its colour', () => {
    const parsed = parseTempoCalendar(csv('2019-01-21,red', '2019-01-22,white', '', '2019-01-23,blue'));
    expect(parsed.ok && [...parsed.colours]).toEqual([
      ['2019-01-21', 'red'],
      ['2019-01-22', 'white'],
      ['2019-01-23', 'blue'],
    ]);
  });

  it.each([
    ['a wrong header', 'day;couleur\n2019-01-21;ROUGE', 'line 1: the header must be date,colour'],
    ['a date that is not one', csv('2019-02-30,red'), 'line 2: date "2019-02-30" is not a YYYY-MM-DD date'],
    ['a colour in French', csv('2019-01-21,rouge'), 'line 2: colour "rouge" must be blue, white or red'],
    ['a date twice', csv('2019-01-21,red', '2019-01-21,blue'), 'line 3: date 2019-01-21 is given twice'],
    ['a third field', csv('2019-01-21,red,x'), 'line 2: 3 fields or more'],
  ])('refuses %s with its line', (_, text, problem) => {
    const parsed = parseTempoCalendar(text);
    expect(!parsed.ok && parsed.problems.join('\n')).toContain(problem);
  });
});

describe('a Tempo year drawn by the published rules', () => {
  const dates = Array.from({ length: 365 }, (_, k) =>
    new Date(Date.UTC(2025, 8, 1) + k * 86_400_000).toISOString().slice(0, 10),
  );
  const drawn = drawTempoColours(dates, 7);
  const of = (colour: string) => dates.filter((d) => drawn.get(d) === colour);
  const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
  const month = (d: string) => Number(d.slice(5, 7));

  it('has 22 red days, on weekdays from November to March, and 43 white ones, never on a Sunday', () => {
    expect(of('red')).toHaveLength(TEMPO_RULES.redDays);
    expect(of('white')).toHaveLength(TEMPO_RULES.whiteDays);
    expect(of('red').every((d) => weekday(d) >= 1 && weekday(d) <= 5 && [11, 12, 1, 2, 3].includes(month(d)))).toBe(
      true,
    );
    expect(of('white').every((d) => weekday(d) !== 0)).toBe(true);
  });

  it('puts the colours in winter, and the same seed gives the same year', () => {
    expect(of('red').filter((d) => [12, 1, 2].includes(month(d))).length).toBeGreaterThan(TEMPO_RULES.redDays / 2);
    expect(of('white').filter((d) => [6, 7, 8].includes(month(d)))).toHaveLength(0);
    expect(drawTempoColours(dates, 7)).toEqual(drawn);
    expect(drawTempoColours(dates, 8)).not.toEqual(drawn);
  });
});
