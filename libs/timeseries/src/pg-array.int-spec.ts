import { Client } from 'pg';
import { booleanArrayLiteral, instantArrayLiteral, numberArrayLiteral, textArrayLiteral } from './pg-array';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('array literals, read back by the real PostgreSQL', () => {
  let database: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    database = await createTestDatabase();
    client = new Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
  });

  it.each([
    [['m-a-101', 'pv-b']],
    [['', ' ', 'NULL', 'null', 'a,b', '{x}', 'say "hi"', 'back\\slash', '\\"', 'é ✓', "it's"]],
    [[]],
  ])('keeps text elements as they are: %j', async (values) => {
    const { rows } = await client.query('SELECT $1::text[] AS v', [textArrayLiteral(values)]);
    expect(rows[0].v).toEqual(values);
  });

  it.each([[[0, -1.5, 1e-7, 123456789.123, 1e21, -0, null, undefined, 42]], [[]]])(
    'keeps numbers and nulls: %j',
    async (values) => {
      const { rows } = await client.query('SELECT $1::float8[] AS v', [numberArrayLiteral(values)]);
      expect(rows[0].v).toEqual(values.map((v) => (v === undefined || v === null ? null : v === 0 ? 0 : v)));
    },
  );

  it('keeps ISO timestamps to the millisecond', async () => {
    const ts = ['2026-10-25T00:59:59.999Z', '2026-10-25T01:00:00.000Z'];
    const { rows } = await client.query('SELECT $1::timestamptz[] AS v', [textArrayLiteral(ts)]);
    expect(rows[0].v.map((d: Date) => d.toISOString())).toEqual(ts);
  });

  it('keeps booleans, and instants with their nulls', async () => {
    const at = new Date('2026-10-25T00:59:59.999Z');
    const { rows } = await client.query('SELECT $1::boolean[] AS b, $2::timestamptz[] AS t', [
      booleanArrayLiteral([true, false]),
      instantArrayLiteral([at, undefined]),
    ]);
    expect(rows[0]).toEqual({ b: [true, false], t: [at, null] });
  });
});
