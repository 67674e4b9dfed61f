import { decodeCommandAck } from './command';

const now = new Date('2026-01-15T12:00:00Z');
const limits = { maxPayloadBytes: 256, maxFutureMs: 300_000, latenessMs: 3_600_000 };
const ack = (ts: string, reason = '') =>
  JSON.stringify({
    cmdId: '0b5c5e0e-4b8a-4f0e-9a51-3f1c0d8f2a11',
    status: 'applied',
    ts,
    ...(reason ? { reason } : {}),
  });

describe('an ack on the command/ack topic (decodeCommandAck)', () => {
  it('takes a plausible ack with its instant', () => {
    const decoded = decodeCommandAck(ack('2026-01-15T11:59:58Z'), now, limits);
    expect(decoded).toEqual({
      ok: true,
      value: expect.objectContaining({ status: 'applied', ackedAt: new Date('2026-01-15T11:59:58Z') }),
    });
  });

  // Regression (issue 25): the acks' byte limit was hard-coded (64 KiB), ILOT_INGEST_MAX_PAYLOAD_BYTES did not reach it.
  it.each([
    [
      'larger than the deployment allows',
      ack('2026-01-15T11:59:58Z', 'x'.repeat(300)),
      'oversized',
      /^\d+ bytes > 256$/,
    ],
    ['stamped ahead of now', ack('2026-01-15T12:10:00Z'), 'future', /^ts: 2026-01-15T12:10:00\.000Z is after now/],
    ['not JSON', '{"cmdId":', 'malformed_json', /JSON/],
    ['of an unknown status', ack('2026-01-15T11:59:58Z').replace('applied', 'done'), 'schema', /^status: /],
  ])('refuses one %s, with its reason', (_what, payload, reason, problem) => {
    const decoded = decodeCommandAck(payload, now, limits);
    expect(decoded.ok ? undefined : [decoded.reason, decoded.problems[0]]).toEqual([
      reason,
      expect.stringMatching(problem),
    ]);
  });

  it('takes an old ack: a controller answers once it is back (the dispatcher checks it follows its command)', () => {
    expect(decodeCommandAck(ack('2026-01-14T12:00:00Z'), now, limits).ok).toBe(true);
  });
});
