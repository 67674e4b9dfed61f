import { type CurvePoint, loadCurveWindows, parseLoadCurve } from '@ilot/acc';
import { type Checked, refused } from '@ilot/domain';

/** Where Data Connect answers and who we are to it (ILOT_DATACONNECT_*: docs/acc.md). */
export interface DataConnectConfig {
  /** The OAuth token endpoint, e.g. https://gw.ext.prod.api.enedis.fr/oauth2/v3/token. */
  tokenUrl: string;
  /** The API's base, e.g. https://gw.ext.prod.api.enedis.fr. */
  apiBase: string;
  clientId: string;
  clientSecret: string;
}

export type DataConnectRefusal = 'no-consent' | 'unavailable' | 'invalid';

const RETRIES = 3;

/**
 * The HTTP client of Enedis Data Connect (issue 29 §3): a client-credentials token (kept until a minute before it
 * expires, asked again once on a 401), then a participant's consumption load curve, 7 days a request; a 429 waits
 * its Retry-After (1 s when none) and asks again, at most 3 times. 403 (no consent for this delivery point) and
 * other failures are refusals with the service's own reason, never exceptions.
 */
export class DataConnectClient {
  private token?: { value: string; expiresAtMs: number };

  constructor(
    private readonly config: DataConnectConfig,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** The load curve of the local days [fromDate, toDate) (YYYY-MM-DD), in order. */
  async loadCurve(
    usagePointId: string,
    fromDate: string,
    toDate: string,
    timeZone: string,
  ): Promise<Checked<CurvePoint[], DataConnectRefusal>> {
    const points: CurvePoint[] = [];
    for (const window of loadCurveWindows(fromDate, toDate)) {
      const url = new URL(`${this.config.apiBase.replace(/\/$/, '')}/metering_data_clc/v5/consumption_load_curve`);
      url.searchParams.set('usage_point_id', usagePointId);
      url.searchParams.set('start', window.start);
      url.searchParams.set('end', window.end);
      const answer = await this.get(url);
      if (!answer.ok) return answer;
      if (answer.value === undefined) continue; // 404: no data over the window
      const curve = parseLoadCurve(answer.value, usagePointId, timeZone);
      if (!curve.ok) return curve;
      points.push(...curve.value);
    }
    return { ok: true, value: points };
  }

  private async get(url: URL): Promise<Checked<unknown, DataConnectRefusal>> {
    let renewed = false;
    for (let attempt = 0; ; attempt++) {
      const token = await this.accessToken();
      if (!token.ok) return token;
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${token.value}`, accept: 'application/json' },
      });
      if (response.status === 200) return { ok: true, value: await response.json() };
      if (response.status === 404) return { ok: true, value: undefined };
      const reason = await describe(response);
      if (response.status === 401 && !renewed) {
        renewed = true;
        this.token = undefined;
        continue;
      }
      if (response.status === 403) return refused('no-consent', `${url.searchParams.get('usage_point_id')}: ${reason}`);
      if (response.status === 429 && attempt < RETRIES) {
        await this.sleep(Math.min(Number(response.headers.get('retry-after') ?? 1), 60) * 1000);
        continue;
      }
      return refused('unavailable', `Data Connect answered ${response.status}: ${reason}`);
    }
  }

  private async accessToken(): Promise<Checked<string, DataConnectRefusal>> {
    if (this.token && this.token.expiresAtMs > this.nowMs()) return { ok: true, value: this.token.value };
    const response = await fetch(this.config.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.config.clientId,
        client_secret: this.config.clientSecret,
      }),
    });
    if (response.status !== 200) return refused('unavailable', `token: ${response.status} ${await describe(response)}`);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string') return refused('invalid', 'token: no access_token in the answer');
    const lifetimeS = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.token = { value: body.access_token, expiresAtMs: this.nowMs() + (lifetimeS - 60) * 1000 };
    return { ok: true, value: body.access_token };
  }
}

/** An error answer's own words (`error_description`, `error`, or its text), short. */
async function describe(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: string; error_description?: string };
    return (body.error_description ?? body.error ?? text).slice(0, 300);
  } catch {
    return text.slice(0, 300) || response.statusText;
  }
}
