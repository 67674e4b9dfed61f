import { withoutPassword } from './config';

describe('withoutPassword', () => {
  it.each([
    ['postgres://ilot_api:s3cr%40t@db:5432/ilot', 'postgres://ilot_api:***@db:5432/ilot'],
    ['postgres://postgres@127.0.0.1:5432/ilot', 'postgres://postgres@127.0.0.1:5432/ilot'],
    ['mqtt://127.0.0.1:1883', 'mqtt://127.0.0.1:1883'],
  ])('shows %s as %s', (url, shown) => {
    expect(withoutPassword(url)).toBe(shown);
  });
});
