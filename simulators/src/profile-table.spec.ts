import { ProfileTable } from './profile-table';

// Issue 27 §2: bench:value replays the îlot on a transmission operator's measured PV of 2019, the profiles' own year.
describe('ProfileTable.withColumn', () => {
  const table = ProfileTable.load();

  it('replaces one column slot for slot (2019, UTC) and leaves the others and the original', () => {
    const pv = new Float32Array(35_040).map((_, k) => k % 96);
    const measured = table.withColumn('pvWPerKWp', pv);
    const at = new Date('2019-07-08T12:00:00Z'); // slot 48 of its day
    expect(measured.value('pvWPerKWp', at)).toBe(48);
    expect(measured.value('flatWPerMWh', at)).toBe(table.value('flatWPerMWh', at));
    expect(table.value('pvWPerKWp', at)).not.toBe(48);
  });

  it('refuses a column of another length', () => {
    expect(() => table.withColumn('pvWPerKWp', new Float32Array(96))).toThrow('pvWPerKWp: 96 slots, expected 35040');
  });
});
