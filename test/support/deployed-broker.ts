import { provisionCredentials } from '@ilot/mqtt';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { giveToMosquitto, MosquittoProcess } from './mosquitto-process';
import { testPort } from './services';
import { makeTestPki, TestPki } from '@ilot/mqtt/testing/test-pki';

export interface DeployedBroker {
  broker: MosquittoProcess;
  pki: TestPki;
  /** The folder `ilot devices provision` wrote. */
  credentials: string;
  /** The device listener (TLS, passwords). */
  tlsUrl: string;
  /** The client-certificate listener. */
  mtlsUrl: string;
  /** The services' listener (plain, passwords). */
  servicesUrl: string;
}

/**
 * deploy/mosquitto/mosquitto.conf run as it is on the real Mosquitto, only its paths and ports the test's, with the
 * credentials of `ilot devices provision` for the sites given (and client certificates by a CA made for the test).
 */
export async function startDeployedBroker(
  sites: { id: string; deviceIds: readonly string[] }[],
): Promise<DeployedBroker> {
  const pki = makeTestPki();
  const credentials = mkdtempSync(join(tmpdir(), 'ilot-credentials-'));
  provisionCredentials({ dir: credentials, sites, ca: { certFile: pki.caCert, keyFile: pki.caKey } });
  giveToMosquitto(credentials);
  giveToMosquitto(pki.dir);
  const ports = { mtls: testPort(), services: testPort() };
  const deployed = readFileSync(join(process.cwd(), 'deploy/mosquitto/mosquitto.conf'), 'utf8');
  const broker = new MosquittoProcess({
    config: ({ port, stateDir }) =>
      deployed
        .replaceAll('/mosquitto/credentials/', `${credentials}/`)
        .replaceAll('/mosquitto/certs/ca.crt', pki.caCert)
        .replaceAll('/mosquitto/certs/server.crt', pki.serverCert)
        .replaceAll('/mosquitto/certs/server.key', pki.serverKey)
        .replaceAll('/mosquitto/data/', `${stateDir}/`)
        .replaceAll('/mosquitto/config/conf.d', join(process.cwd(), 'deploy/mosquitto/conf.d'))
        .replace('log_dest stdout', 'log_dest stderr')
        .replace(/^listener 8883$/m, `listener ${port} 127.0.0.1`)
        .replace(/^listener 8884$/m, `listener ${ports.mtls} 127.0.0.1`)
        .replace(/^listener 1883 0\.0\.0\.0$/m, `listener ${ports.services} 127.0.0.1`)
        .split('\n'),
  });
  await broker.start();
  return {
    broker,
    pki,
    credentials,
    tlsUrl: `mqtts://127.0.0.1:${broker.port}`,
    mtlsUrl: `mqtts://127.0.0.1:${ports.mtls}`,
    servicesUrl: `mqtt://127.0.0.1:${ports.services}`,
  };
}
