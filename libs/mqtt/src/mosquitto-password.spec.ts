import {
  hashMosquittoPassword,
  parsePasswordFile,
  renderPasswordFile,
  verifyMosquittoPassword,
} from './mosquitto-password';

describe("Mosquitto's password file", () => {
  it('hashes in $7$ (PBKDF2-SHA512, 101 rounds, 12-byte salt, 64-byte hash) and verifies only the right password', () => {
    const hash = hashMosquittoPassword('s3cret', Buffer.alloc(12, 1));
    expect(hash).toMatch(/^\$7\$101\$AQEBAQEBAQEBAQEB\$[A-Za-z0-9+/]{86}==$/);
    expect(verifyMosquittoPassword(hash, 's3cret')).toBe(true);
    expect(verifyMosquittoPassword(hash, 's3cret ')).toBe(false);
    expect(verifyMosquittoPassword('$6$abc$def', 's3cret')).toBe(false);
    expect(verifyMosquittoPassword('plain', 'plain')).toBe(false);
  });

  it('a salt of its own each time: the same password never gives the same entry', () => {
    expect(hashMosquittoPassword('x')).not.toBe(hashMosquittoPassword('x'));
  });

  it('reads and writes entries (user names with "/"), skipping comments and blank lines', () => {
    const entries = parsePasswordFile('# made by ilot\n\ndemo/bat-1:$7$101$a$b\nilot-optimiser:$7$101$c$d\n');
    expect([...entries]).toEqual([
      ['demo/bat-1', '$7$101$a$b'],
      ['ilot-optimiser', '$7$101$c$d'],
    ]);
    expect(renderPasswordFile(entries)).toBe('demo/bat-1:$7$101$a$b\nilot-optimiser:$7$101$c$d\n');
  });
});
