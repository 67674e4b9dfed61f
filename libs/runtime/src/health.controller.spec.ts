import { metricsAllowed } from './health.controller';

// Issue 26: /metrics needed no token and showed every site id and each resident meter's last-reading age.
describe('metricsAllowed: /metrics with ILOT_METRICS_TOKEN', () => {
  const token = 'prometheus-scrape-token-0123456789';
  it.each([
    ['no token configured, no header', undefined, undefined, true],
    ['the token', token, `Bearer ${token}`, true],
    ['no header', token, undefined, false],
    ['another token', token, 'Bearer prometheus-scrape-token-0123456780', false],
    ['a prefix of it', token, `Bearer ${token.slice(0, 10)}`, false],
    ['not a bearer', token, `Basic ${token}`, false],
  ])('%s: %s', (_, configured, header, expected) => expect(metricsAllowed(configured, header)).toBe(expected));
});
