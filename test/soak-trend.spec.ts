import { ProcessTrend, sampleProcess, slopePerDay } from './support/soak/resource-samples';

const DAY_MS = 86_400_000;

describe('slopePerDay (the soak’s memory trend)', () => {
  it.each([
    ['flat', [100, 100, 100, 100], 0],
    ['2 MB a day', [100, 102, 104, 106], 2],
    ['falling half a MB a day', [50, 49.5, 49, 48.5], -0.5],
  ])('%s', (_, values, slope) => {
    expect(slopePerDay(values.map((value, k) => ({ atMs: k * DAY_MS, value })))).toBeCloseTo(slope, 9);
  });

  it('is the trend under noise, not the last minus the first', () => {
    const values = [100, 130, 95, 128, 97, 131, 99, 129];
    const slope = slopePerDay(values.map((value, k) => ({ atMs: (k * DAY_MS) / 4, value })))!;
    expect(Math.abs(slope)).toBeLessThan(15);
    expect(values.at(-1)! - values[0]).toBe(29);
  });

  it('says nothing on fewer than 3 points or none apart', () => {
    expect(
      slopePerDay([
        { atMs: 0, value: 1 },
        { atMs: DAY_MS, value: 2 },
      ]),
    ).toBeUndefined();
    expect(slopePerDay([0, 0, 0].map((atMs) => ({ atMs, value: atMs })))).toBeUndefined();
  });
});

describe('ProcessTrend: the heap in use beside the RSS', () => {
  it('gives the heap’s trend over the second half of a life, on the floor of each eighth (the collector’s swings left out)', () => {
    const trend = new ProcessTrend('this process');
    // 4 days, a sample an hour: a heap growing 2 MB a day under a sawtooth of up to 30 MB of garbage.
    for (let hour = 0; hour <= 96; hour++)
      trend.add(process.pid, hour * 3_600_000, { heapMb: 100 + (2 * hour) / 24 + (hour % 6) * 6 });
    const summary = trend.summary(2);
    expect(summary.days).toBeCloseTo(4, 9);
    expect(summary.heap!.firstMb).toBe(100);
    expect(summary.heap!.slopeMbPerDay).toBeCloseTo(2, 0);
    expect(summary.rssSlopeMbPerDay).toBeDefined();
    expect(summary.parts).toBeUndefined(); // no heap reserved nor external scraped
  });

  it('splits the RSS into the heap reserved, the external memory and the rest, each with its trend', () => {
    const trend = new ProcessTrend('this process');
    // The page says a flat 80 MB heap and 5 MB external memory, whatever the RSS: the RSS's growth is the rest's.
    for (let hour = 0; hour <= 96; hour++)
      trend.add(process.pid, hour * 3_600_000, { heapMb: 60, heapTotalMb: 80, externalMb: 5 });
    const { parts } = trend.summary(2);
    expect(parts!.heapTotal).toEqual({ firstMb: 80, lastMb: 80, slopeMbPerDay: 0 });
    expect(parts!.external.slopeMbPerDay).toBe(0);
    const rss = sampleProcess(process.pid)!.rssMb;
    expect(parts!.rest.lastMb).toBeGreaterThan(rss - 85 - 50);
    expect(parts!.rest.lastMb).toBeLessThan(rss - 85 + 50);
  });

  it('says nothing of the heap where none was scraped', () => {
    const trend = new ProcessTrend('mosquitto-like');
    for (let hour = 0; hour <= 48; hour++) trend.add(process.pid, hour * 3_600_000);
    expect(trend.summary(2).heap).toBeUndefined();
  });
});
