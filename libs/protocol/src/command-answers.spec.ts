import { AnswerMemory, readCommand } from './command-answers';

describe('AnswerMemory.answerAsync (a decision that takes time: registers written and read back)', () => {
  it('decides a cmdId once: the same cmdId arriving meanwhile, and again later, gets the same answer', async () => {
    const memory = new AnswerMemory();
    let calls = 0;
    let release!: () => void;
    const decide = () =>
      new Promise<{ status: 'applied' }>((resolve) => {
        calls++;
        release = () => resolve({ status: 'applied' });
      });
    const first = memory.answerAsync({ cmdId: 'c1' }, decide);
    const retry = memory.answerAsync({ cmdId: 'c1' }, decide);
    release();
    expect(await first).toEqual({ status: 'applied' });
    expect(await retry).toEqual({ status: 'applied' });
    expect(await memory.answerAsync({ cmdId: 'c1' }, decide)).toEqual({ status: 'applied' });
    expect(calls).toBe(1);
  });

  it('a decision that fails is a rejection naming why, remembered as such', async () => {
    const memory = new AnswerMemory();
    const answer = await memory.answerAsync({ cmdId: 'c2' }, () => Promise.reject(new Error('Modbus exception 4')));
    expect(answer).toEqual({ status: 'rejected', reason: 'Modbus exception 4' });
    expect(memory.answer({ cmdId: 'c2' }, () => ({ status: 'applied' }))).toEqual(answer);
  });

  it('refuses a command under a lease token older than one applied, without deciding it', async () => {
    const memory = new AnswerMemory();
    await memory.answerAsync({ cmdId: 'a', leaseToken: 7 }, () => Promise.resolve({ status: 'applied' }));
    const decide = jest.fn(() => Promise.resolve({ status: 'applied' as const }));
    expect(await memory.answerAsync({ cmdId: 'b', leaseToken: 6 }, decide)).toEqual({
      status: 'rejected',
      reason: 'leaseToken 6 is older than 7: the planner lost the site',
    });
    expect(decide).not.toHaveBeenCalled();
  });
});

describe('readCommand (a controller reading its command topic)', () => {
  const command = {
    cmdId: '1b4e28ba-2fa1-41d2-883f-0016d3cca427',
    type: 'battery.setpoint',
    setpointW: -2000,
    issuedAt: '2026-06-17T09:00:00Z',
    reason: 'plan',
    validFrom: '2026-06-17T09:00:00Z',
    validUntil: '2026-06-17T09:05:00Z',
  };
  it('reads a valid command', () => {
    expect(readCommand(Buffer.from(JSON.stringify(command)))).toEqual({ ok: true, command });
  });
  it('refuses a malformed one with its cmdId to answer and the field named', () => {
    const read = readCommand(Buffer.from(JSON.stringify({ ...command, setpointW: 'lots' })));
    expect(read).toEqual({ ok: false, cmdId: command.cmdId, reason: expect.stringContaining('setpointW') });
  });
  it('has no cmdId to answer for a message that is not JSON', () => {
    expect(readCommand(Buffer.from('{nope'))).toEqual({ ok: false, reason: 'not JSON' });
  });
});
