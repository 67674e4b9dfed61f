import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (path: string) => readFileSync(join(process.cwd(), path), 'utf8');

/**
 * Issue 26: the production Mosquitto reads one password file per listener; compose and Kubernetes must hand it every
 * credentials file its configuration names (compose mounted only `passwd`, which the broker no longer reads).
 */
describe('the broker files deploy/mosquitto/mosquitto.conf reads are the ones compose and Kubernetes provide', () => {
  const named = [...read('deploy/mosquitto/mosquitto.conf').matchAll(/\/mosquitto\/credentials\/(\S+)/g)].map(
    (m) => m[1],
  );
  const unique = [...new Set(named)].sort();

  it('names the two password files and the ACL', () => {
    expect(unique).toEqual(['acl', 'passwd-devices', 'passwd-services']);
  });

  it.each(unique)('%s is mounted by compose and put in the Kubernetes secret', (file) => {
    expect(read('deploy/docker-compose.yml')).toContain(`./mqtt-credentials/${file}:/mosquitto/credentials/${file}:ro`);
    expect(read('deploy/kubernetes/mosquitto.yaml')).toContain(`--from-file=mqtt-credentials/${file}`);
  });
});
