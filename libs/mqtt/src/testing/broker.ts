/** The machine's real broker, configured like production (see .ci/run). */
export const TEST_MQTT_URL = process.env.ILOT_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** Polls `probe` until it gives a value, or fails after `timeoutMs` saying what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
