import { readFileSync } from 'node:fs';
import { readPassword } from './broker-credentials';
import type { BrokerIdentity } from './mqtt-connection';

/** Where a process finds its broker credentials (ILOT_MQTT_* variables, README "Environment variables"). */
export interface BrokerIdentitySources {
  /** A folder `ilot devices provision` wrote (or a mount of the files this process needs). */
  credentialsDir?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * The identity `username` connects with: its password from the credentials folder, the TLS files read. Without a
 * folder, no credentials (a broker that allows anonymous clients: the shared test broker). Throws a precise reason
 * for a missing file, at start.
 */
export function brokerIdentity(sources: BrokerIdentitySources, username: string): BrokerIdentity {
  const read = (what: string, path: string | undefined) => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(`${what} ${path}: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    ...(sources.credentialsDir ? { username, password: readPassword(sources.credentialsDir, username) } : {}),
    ca: read('ILOT_MQTT_CA_FILE', sources.caFile),
    cert: read('ILOT_MQTT_CERT_FILE', sources.certFile),
    key: read('ILOT_MQTT_KEY_FILE', sources.keyFile),
  };
}
