import { RunningIlot, startIlot } from '../../apps/ilot/src/ilot.app';
import { TEST_MQTT_URL } from './services';

export const TEST_OPERATOR_TOKEN = 'e2e-operator-token-0123456789';
export const TEST_TOKEN_SECRET = 'e2e-token-secret-0123456789abcdef0123';

/** The whole îlot in this process on the test broker (MQTT 5) and a test database, at `speedup` from `simStart`. */
export function startTestIlot(
  databaseUrl: string,
  siteFile: string,
  clock: { speedup: number; simStart: string },
  env: Record<string, string> = {},
): Promise<RunningIlot> {
  return startIlot({
    ILOT_MQTT_URL: TEST_MQTT_URL,
    ILOT_MQTT_PROTOCOL_VERSION: '5',
    ILOT_DATABASE_URL: databaseUrl,
    ILOT_SITE_FILE: siteFile,
    ILOT_HTTP_PORT: '0',
    ILOT_SPEEDUP: String(clock.speedup),
    ILOT_SIM_START: clock.simStart,
    ILOT_SIM_START_REAL: new Date().toISOString(),
    ILOT_LOG_LEVEL: 'warn',
    ILOT_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
    ILOT_TOKEN_SECRET: TEST_TOKEN_SECRET,
    // The resident ledger catches up every 2 s of wall time (a minute in production): reports follow the loop at 300x.
    ILOT_LEDGER_INTERVAL_S: '2',
    // The live pages look for changes every second (5 s in production): at 120x, 5 s is 10 simulated minutes.
    ILOT_LIVE_PUSH_S: '1',
    ...env,
  });
}
