import { type ConsentRecord, consentInForce } from './privacy.repository';

const record = (granted: boolean, at: string): ConsentRecord => ({
  scope: 'detailed_curve',
  granted,
  at: new Date(at),
  givenBy: 'resident',
  how: 'page',
});

describe('consentInForce: the newest record decides', () => {
  it.each([
    ['none recorded: not granted', [], { granted: false, since: undefined }],
    ['given', [record(true, '2026-01-02T00:00:00Z')], { granted: true, since: new Date('2026-01-02T00:00:00Z') }],
    [
      'given, then withdrawn (newest first)',
      [record(false, '2026-01-05T00:00:00Z'), record(true, '2026-01-02T00:00:00Z')],
      { granted: false, since: new Date('2026-01-05T00:00:00Z') },
    ],
  ])('%s', (_case, history, expected) => {
    expect(consentInForce(history, 'detailed_curve')).toEqual(expected);
  });
});
