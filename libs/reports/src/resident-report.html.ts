import { commoditySectionHtml } from './commodity-section.html';
import { escapeHtml } from './html-escape';
import type { ResidentReport } from './resident-report';

export type ReportLanguage = 'fr' | 'en';

const TEXT = {
  fr: {
    title: 'Votre énergie',
    month: 'Mois',
    consumption: 'Consommation',
    local: 'Solaire de l’îlot',
    grid: 'Réseau',
    share: 'part couverte par le solaire de l’îlot',
    byDay: 'Par jour',
    date: 'Date',
    byPeriod: 'Par période tarifaire',
    period: 'Période',
    cost: 'Coût',
    withCollective: 'avec l’autoconsommation collective',
    withoutCollective: 'sans',
    saving: 'économie',
    effacements: 'Effacements',
    delivered: 'réduction apportée',
    none: 'aucun ce mois-ci',
    comparison: 'Comparaison',
    previous: 'mois précédent',
    change: 'évolution',
    peers: 'logements comparables',
    median: 'médiane',
    below: 'consomment moins que vous',
    notes: 'À noter',
    dataUntil: 'relevés jusqu’au',
    periods: { HP: 'heures pleines', HC: 'heures creuses', all: 'toutes heures' } as Record<string, string>,
    yourData: 'Vos données',
    curveOn:
      'Vous avez accepté que votre courbe de consommation détaillée (par quart d’heure) soit affichée, exportée et conservée au-delà du fonctionnement de l’îlot.',
    curveOff:
      'Seules vos consommations par jour et par mois sont affichées. Votre courbe détaillée (par quart d’heure) ne l’est, et n’est conservée au-delà de 8 jours, qu’avec votre accord.',
    grant: 'Autoriser ma courbe détaillée',
    withdraw: 'Retirer mon consentement',
    since: 'depuis le',
    download: 'Télécharger toutes mes données',
    invoices: 'Vos factures',
    invoice: 'Facture',
    creditNote: 'Avoir',
    noInvoice: 'Aucune facture pour le moment.',
    /** The report's notes, in French (they come in English from residentReport). */
    note: (text: string) =>
      text
        .replace(/^no consumption recorded for (.*)$/, 'aucune consommation enregistrée pour $1')
        .replace(/^no previous month to compare with$/, 'pas de mois précédent pour comparer')
        .replace(/^no similar home in the îlot to compare with$/, 'aucun logement comparable dans l’îlot'),
  },
  en: {
    title: 'Your energy',
    month: 'Month',
    consumption: 'Consumption',
    local: 'The block’s solar',
    grid: 'Grid',
    share: 'share covered by the block’s solar',
    byDay: 'By day',
    date: 'Date',
    byPeriod: 'By tariff period',
    period: 'Period',
    cost: 'Cost',
    withCollective: 'with collective self-consumption',
    withoutCollective: 'without',
    saving: 'saving',
    effacements: 'Demand response events',
    delivered: 'reduction given',
    none: 'none this month',
    comparison: 'Comparison',
    previous: 'previous month',
    change: 'change',
    peers: 'similar homes',
    median: 'median',
    below: 'use less than you',
    notes: 'Notes',
    dataUntil: 'readings up to',
    periods: { HP: 'peak hours', HC: 'off-peak hours', all: 'all hours' } as Record<string, string>,
    yourData: 'Your data',
    curveOn:
      'You agreed that your detailed consumption curve (every quarter hour) be shown, exported and kept beyond what the block needs to run.',
    curveOff:
      'Only your daily and monthly consumption is shown. Your detailed curve (every quarter hour) is shown, and kept beyond 8 days, only with your consent.',
    grant: 'Allow my detailed curve',
    withdraw: 'Withdraw my consent',
    since: 'since',
    download: 'Download all my data',
    invoices: 'Your invoices',
    invoice: 'Invoice',
    creditNote: 'Credit note',
    noInvoice: 'No invoice yet.',
    note: (text: string) => text,
  },
};

const escape = escapeHtml;

/** The resident's data section: their consent in force (and since when), the button to change it, the export. */
export interface ReportPrivacy {
  detailedCurve: boolean;
  /** When the consent in force was given or withdrawn (ISO 8601), none if never. */
  since?: string;
  /** On an operation that bills its members (issue 29 §6): their invoices and credit notes, newest first. */
  invoices?: Array<{ number: string; kind: 'invoice' | 'credit-note'; issueDate: string; grossCents: number }>;
}

/**
 * The printable page of a resident's month, French by default: one column that fits a phone (no horizontal
 * scroll: tables wrap, nothing has a fixed width), printable as is. Pure: the report and the language in, HTML out.
 * With `privacy`, a "your data" section: the consent to the detailed curve, given or withdrawn by a button (the
 * page's script, `/api/v1/assets/resident-page.js`), and the export links.
 */
// eslint-disable-next-line max-lines-per-function -- one HTML template, read top to bottom as the page it renders
export function residentReportHtml(
  report: ResidentReport,
  language: ReportLanguage = 'fr',
  timeZone = 'UTC',
  privacy?: ReportPrivacy,
): string {
  const t = TEXT[language];
  const n = new Intl.NumberFormat(language === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 });
  const money = new Intl.NumberFormat(language === 'fr' ? 'fr-FR' : 'en-GB', { style: 'currency', currency: 'EUR' });
  const pct = new Intl.NumberFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
    style: 'percent',
    maximumFractionDigits: 0,
  });
  // Rounded first, so a small negative shows as 0, not -0.
  const kwh = (x: number) => `${n.format(Math.round(x * 10) / 10 || 0)} kWh`;
  // The month is in the title: a day is its weekday and number, which keeps the column narrow on a phone.
  const day = new Intl.DateTimeFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
    weekday: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  });
  const instant = new Intl.DateTimeFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  });
  const until = report.dataUntil ? ` · ${t.dataUntil} ${escape(instant.format(new Date(report.dataUntil)))}` : '';
  const maxDay = Math.max(...report.days.map((d) => d.consumptionKWh), 0.001);
  const days = report.days
    .map(
      (d) =>
        `<tr><td>${escape(day.format(new Date(`${d.date}T12:00:00Z`)))}</td><td>${kwh(d.consumptionKWh)}</td><td>${kwh(d.localKWh)}</td>` +
        `<td class="bar"><span class="local" style="width:${((d.localKWh / maxDay) * 100).toFixed(1)}%"></span><span class="grid" style="width:${((d.gridKWh / maxDay) * 100).toFixed(1)}%"></span></td></tr>`,
    )
    .join('\n');
  const periods = report.byPeriod
    .map(
      (p) =>
        `<tr><td>${escape(t.periods[p.period] ?? p.period)}</td><td>${kwh(p.consumptionKWh)}</td><td>${kwh(p.localKWh)}</td></tr>`,
    )
    .join('\n');
  const effacements = report.effacements.length
    ? `<ul>${report.effacements.map((e) => `<li>${escape(e.id)} (${escape(instant.format(new Date(e.start)))}): ${t.delivered} ${kwh(e.deliveredKWh)}</li>`).join('')}</ul>`
    : `<p>${t.none}</p>`;
  const c = report.comparison;
  const comparison = [
    c.previousMonthKWh !== null
      ? `<li>${t.previous}: ${kwh(c.previousMonthKWh)} (${t.change} ${c.changePct !== null ? `${n.format(c.changePct)} %` : '–'})</li>`
      : '',
    c.peers.count > 0 && c.peers.medianKWh !== null
      ? `<li>${c.peers.count} ${t.peers}: ${t.median} ${kwh(c.peers.medianKWh)}; ${pct.format(c.peers.belowShare ?? 0)} ${t.below}</li>`
      : '',
  ].join('');
  const yourData = privacy ? privacySection(report, privacy, t, instant) : '';
  const notes = report.notes.length
    ? `<section><h2>${t.notes}</h2><ul>${report.notes.map((note) => `<li>${escape(t.note(note))}</li>`).join('')}</ul></section>`
    : '';
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t.title} · ${escape(report.participantId)} · ${escape(report.month)}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 48rem; color: #1b1b1b; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
  .figures { display: flex; flex-wrap: wrap; gap: .5rem; }
  .figure { flex: 1 1 9rem; border: 1px solid #ddd; border-radius: .5rem; padding: .5rem .75rem; }
  .figure b { display: block; font-size: 1.3rem; }
  table { width: 100%; border-collapse: collapse; font-size: .9rem; }
  td, th { padding: .2rem .3rem; border-bottom: 1px solid #eee; text-align: left; overflow-wrap: break-word; }
  /* A heading wraps between words, never inside one (headless Chromium has no French hyphenation dictionary). */
  th { overflow-wrap: normal; } td { white-space: nowrap; } td.bar { width: 30%; }
  td.bar span { display: inline-block; height: .7rem; } .local { background: #f2b705; } .grid { background: #7a8ca3; }
  button { font: inherit; padding: .4rem .8rem; border-radius: .4rem; border: 1px solid #1b1b1b; background: #fff; }
  @media print { body { max-width: none; } button, script { display: none; } }
</style>
</head>
<body>
<h1>${t.title}</h1>
<p>${escape(report.participantId)} · ${t.month} ${escape(report.month)}${until}</p>
<div class="figures">
  <div class="figure">${t.consumption}<b>${kwh(report.totals.consumptionKWh)}</b></div>
  <div class="figure">${t.local}<b>${kwh(report.totals.localKWh)}</b>${pct.format(report.totals.localShare)} ${t.share}</div>
  <div class="figure">${t.cost}<b>${money.format(report.cost.withCollectiveEur)}</b>${t.withCollective}; ${t.withoutCollective} ${money.format(report.cost.withoutCollectiveEur)}, ${t.saving} ${money.format(report.cost.savingEur)}</div>
</div>
${commoditySectionHtml(report.commodities, language)}
<section><h2>${t.byDay}</h2>
<table><thead><tr><th>${t.date}</th><th>${t.consumption}</th><th>${t.local}</th><th></th></tr></thead><tbody>
${days}
</tbody></table></section>
<section><h2>${t.byPeriod}</h2>
<table><thead><tr><th>${t.period}</th><th>${t.consumption}</th><th>${t.local}</th></tr></thead><tbody>
${periods}
</tbody></table></section>
<section><h2>${t.effacements}</h2>${effacements}</section>
<section><h2>${t.comparison}</h2><ul>${comparison}</ul></section>
${notes}
${yourData}
</body>
</html>
`;
}

function privacySection(
  report: ResidentReport,
  privacy: ReportPrivacy,
  t: (typeof TEXT)[ReportLanguage],
  instant: Intl.DateTimeFormat,
): string {
  const since = privacy.since ? ` (${t.since} ${escape(instant.format(new Date(privacy.since)))})` : '';
  // Relative to the page (.../participants/{id}/report): the export route beside it.
  const exportPath = 'export';
  return `<section id="your-data"><h2>${t.yourData}</h2>
<p id="consent-state">${privacy.detailedCurve ? t.curveOn : t.curveOff}${since}</p>
<p><button id="consent" type="button" data-grant="${!privacy.detailedCurve}">${privacy.detailedCurve ? t.withdraw : t.grant}</button></p>
<p>${t.download}: <a class="export" href="${exportPath}?format=json">JSON</a> · <a class="export" href="${exportPath}?format=csv">CSV</a></p>
${privacy.invoices ? invoicesBlock(privacy.invoices, t) : ''}</section>
<script src="/api/v1/assets/resident-page.js"></script>`;
}

/** The participant's invoices, each a link to its PDF beside the page (`invoices/{number}`; the page's script adds the token). */
function invoicesBlock(invoices: NonNullable<ReportPrivacy['invoices']>, t: (typeof TEXT)[ReportLanguage]): string {
  const euros = (cents: number) => `${(cents / 100).toFixed(2).replace('.', ',')} €`;
  const items = invoices.map(
    (i) =>
      `<li><a class="export" href="invoices/${encodeURIComponent(i.number)}">${i.kind === 'credit-note' ? t.creditNote : t.invoice} ${escape(i.number)}</a> (${escape(i.issueDate)}): ${euros(i.grossCents)}</li>`,
  );
  return `<h3>${t.invoices}</h3>${items.length ? `<ul id="invoices">${items.join('')}</ul>` : `<p>${t.noInvoice}</p>`}
`;
}
