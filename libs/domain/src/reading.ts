/** One telemetry reading of one device, validated, in the sign convention of `sign-convention.ts`. */
export interface Reading {
  siteId: string;
  deviceId: string;
  ts: Date;
  seq: number;
  powerW: number;
  energyWh?: number;
  socPct?: number;
}
