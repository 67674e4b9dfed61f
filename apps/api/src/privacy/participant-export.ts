import { DAY_MS } from '@ilot/domain';
import type { ResidentReport } from '@ilot/reports';
import type { Site } from '@ilot/site';
import {
  consentInForce,
  PrivacyRepository,
  ReadingRepository,
  type ConsentRecord,
  type Viewer,
  type AccessRecord,
} from '@ilot/timeseries';
import type { ResidentReportService } from '@ilot/residents';

/** How far back an export reaches in the meter's readings (the raw rows are kept 400 days at most). */
const EXPORT_DAYS = 400;

export interface ParticipantExport {
  siteId: string;
  participantId: string;
  meter: string;
  exportedAt: string;
  /** The step of `meterReadings`: 15 minutes with the resident's consent to the detailed curve, a day otherwise. */
  readingsStep: '15m' | '1d';
  consents: Array<Omit<ConsentRecord, 'at'> & { at: string }>;
  months: ResidentReport[];
  meterReadings: Array<{ ts: string; powerW: number }>;
  accessLog: Array<Omit<AccessRecord, 'at'> & { at: string }>;
}

/**
 * Everything Îlot holds about one participant (issue 15, the right of access): their consents, their months (the
 * report of each, ledger and effacements included), their meter's readings at the step they consented to, and the
 * access log's entries about them.
 */
export async function participantExport(
  deps: { site: Site; reports: ResidentReportService; readings: ReadingRepository; privacy: PrivacyRepository },
  viewer: Viewer,
  participantId: string,
  now: Date,
): Promise<ParticipantExport> {
  const { site } = deps;
  const participant = site.participants.find((p) => p.id === participantId)!;
  const consents = await deps.privacy.consentHistory(site.id, participantId);
  const detailed = consentInForce(consents, 'detailed_curve').granted;
  const months: ResidentReport[] = [];
  for (const month of await deps.reports.months(viewer, participantId)) {
    const report = await deps.reports.report(viewer, participantId, month);
    if (report) months.push(report);
  }
  const readings = await deps.readings.forDevice(
    site.id,
    participant.meter,
    new Date(now.getTime() - EXPORT_DAYS * DAY_MS),
    now,
    detailed ? 15 : 1440,
  );
  return {
    siteId: site.id,
    participantId,
    meter: participant.meter,
    exportedAt: now.toISOString(),
    readingsStep: detailed ? '15m' : '1d',
    consents: consents.map((c) => ({
      ...c,
      at: c.at.toISOString(),
    })),
    months,
    meterReadings: readings.map((r) => ({ ts: r.ts.toISOString(), powerW: r.powerW })),
    accessLog: (await deps.privacy.accessLog(site.id, participantId, 10_000)).map((a) => ({
      ...a,
      at: a.at.toISOString(),
    })),
  };
}

/** The export's meter readings as CSV (`ts,power_w`), the bulk of it; the JSON has the rest. */
export function participantExportCsv(data: ParticipantExport): string {
  return ['ts,power_w', ...data.meterReadings.map((r) => `${r.ts},${r.powerW}`)].join('\n') + '\n';
}
