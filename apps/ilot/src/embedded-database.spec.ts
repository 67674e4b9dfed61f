import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upgradeToScram } from './embedded-database';

// Issue 26: the embedded PostgreSQL authenticated with cleartext passwords (`--auth=password`).
describe('upgradeToScram: an older embedded cluster asks SCRAM from now on', () => {
  it('turns every `password` rule into scram-sha-256 and leaves the rest', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'ilot-hba-')), 'pg_hba.conf');
    writeFileSync(
      path,
      [
        '# "local" is for Unix domain socket connections only; password in a comment stays',
        'local   all             all                                     password',
        'host    all             all             127.0.0.1/32            password',
        'host    replication     all             ::1/128                 trust',
        '',
      ].join('\n'),
    );
    upgradeToScram(path);
    expect(readFileSync(path, 'utf8').split('\n')).toEqual([
      '# "local" is for Unix domain socket connections only; password in a comment stays',
      'local   all             all                                     scram-sha-256',
      'host    all             all             127.0.0.1/32            scram-sha-256',
      'host    replication     all             ::1/128                 trust',
      '',
    ]);
  });
});
