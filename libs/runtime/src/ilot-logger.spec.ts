import { IlotLogger } from './ilot-logger';

/** What the logger writes to stdout and stderr, line by line. */
function capture(run: () => void): string[] {
  const lines: string[] = [];
  const write = (chunk: string | Uint8Array) => (lines.push(...String(chunk).split('\n').filter(Boolean)), true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(write);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(write);
  try {
    run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

const alert = {
  alert: 'command_unacknowledged',
  site: 'demo',
  device: 'bat-1',
  cmdId: '6f1c1f3e-3a51-4c3e-9a55-0d3f5e0c1a01',
  reason: 'never acknowledged (3 retries)',
};

describe('IlotLogger: logs an operator can ship', () => {
  it('json: one JSON object per line, an alert with site, device and reason as fields', () => {
    const logger = new IlotLogger('json', ['log', 'warn', 'error']);
    const lines = capture(() => {
      logger.log('plan optimal', 'PlanningLoop');
      logger.warn(alert, 'CommandDispatcher');
    });
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries[0]).toMatchObject({ level: 'log', context: 'PlanningLoop', message: 'plan optimal' });
    expect(entries[1]).toMatchObject({
      level: 'warn',
      context: 'CommandDispatcher',
      alert: 'command_unacknowledged',
      site: 'demo',
      device: 'bat-1',
      reason: 'never acknowledged (3 retries)',
      message: 'ALERT command_unacknowledged bat-1 (site demo): never acknowledged (3 retries)',
    });
  });

  it('text: an alert is one readable ALERT line', () => {
    const lines = capture(() => new IlotLogger('text', ['warn']).warn(alert, 'CommandDispatcher'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ALERT command_unacknowledged bat-1 (site demo): never acknowledged (3 retries)');
  });
});
