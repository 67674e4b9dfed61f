import { residentReport } from './resident-report';
import { residentReportHtml } from './resident-report.html';

const report = residentReport({
  participantId: 'flat-a-101',
  month: '2026-10',
  timeZone: 'Europe/Paris',
  localEurPerKWh: 0.1,
  steps: [
    {
      start: new Date('2026-10-01T10:00:00Z'),
      consumptionWh: 2000,
      allocatedWh: 500,
      importEurPerKWh: 0.27,
      period: 'HP',
    },
    {
      start: new Date('2026-10-02T01:00:00Z'),
      consumptionWh: 1000,
      allocatedWh: 0,
      importEurPerKWh: 0.2068,
      period: 'HC',
    },
  ],
  previousMonthKWh: 4,
  dataUntil: new Date('2026-10-02T01:15:00Z'),
  peersKWh: [2, 5],
  effacements: [
    {
      id: 'order-<1>',
      start: new Date('2026-10-15T16:00:00Z'),
      end: new Date('2026-10-15T18:00:00Z'),
      deliveredWh: 250,
    },
  ],
});

describe('residentReportHtml', () => {
  it('is French by default: the month’s figures with French words and number formats', () => {
    // Intl puts a no-break space before % in French (U+00A0 or U+202F by ICU version): read as a space here.
    const html = residentReportHtml(report, 'fr', 'Europe/Paris').replace(/[\u00a0\u202f]/g, ' ');
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('Consommation<b>3 kWh</b>');
    expect(html).toContain('Solaire de l’îlot<b>0,5 kWh</b>17 % part couverte par le solaire de l’îlot');
    expect(html).toContain('heures pleines');
    expect(html).toContain('heures creuses');
    expect(html).toContain('2 logements comparables');
    expect(html).toContain('<td>jeu. 1</td>'); // the month is in the title
    expect(html).toContain('Mois 2026-10 · relevés jusqu’au 2 octobre à 03:15'); // local time
    expect(html).toContain('order-&lt;1&gt; (15 octobre à 18:00): réduction apportée 0,3 kWh'); // the order's local start
  });

  it('says its notes in French, and a reduction rounding to nothing as 0, never -0', () => {
    const quiet = residentReport({
      participantId: 'flat-a-101',
      month: '2026-10',
      timeZone: 'Europe/Paris',
      localEurPerKWh: 0.1,
      steps: [],
      peersKWh: [],
      effacements: [
        {
          id: 'order-1',
          start: new Date('2026-10-15T16:00:00Z'),
          end: new Date('2026-10-15T18:00:00Z'),
          deliveredWh: -40,
        },
      ],
    });
    const html = residentReportHtml(quiet);
    expect(html).toContain('<li>pas de mois précédent pour comparer</li>');
    expect(html).toContain('<li>aucun logement comparable dans l’îlot</li>');
    expect(html).toContain('réduction apportée 0 kWh');
    expect(html).not.toContain('-0 kWh');
  });

  it('is in English when asked', () => {
    const html = residentReportHtml(report, 'en');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Consumption<b>3 kWh</b>');
    expect(html).toContain('peak hours');
    expect(html).toContain('2 similar homes: median 3.5 kWh; 50% use less than you');
  });

  it('escapes what it prints, fits a phone (viewport, no fixed width) and leaves no placeholder unfilled', () => {
    const html = residentReportHtml(report);
    expect(html).toContain('order-&lt;1&gt;');
    expect(html).not.toContain('order-<1>');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).not.toMatch(/undefined|NaN|null|\$\{/);
  });

  it('carries the resident’s data section only when asked: their consent in force, the button to change it, the export', () => {
    expect(residentReportHtml(report)).not.toContain('id="your-data"');
    const off = residentReportHtml(report, 'fr', 'Europe/Paris', { detailedCurve: false });
    expect(off).toContain('Seules vos consommations par jour et par mois sont affichées');
    expect(off).toContain(
      '<button id="consent" type="button" data-grant="true">Autoriser ma courbe détaillée</button>',
    );
    expect(off).toContain('<a class="export" href="export?format=json">JSON</a>');
    expect(off).toContain('<script src="/api/v1/assets/resident-page.js"></script>');
    expect(off).not.toMatch(/<script>/); // no inline script: the page's CSP allows none
    const on = residentReportHtml(report, 'en', 'Europe/Paris', { detailedCurve: true, since: '2026-11-20T09:00:00Z' });
    expect(on).toContain('You agreed that your detailed consumption curve');
    expect(on).toContain('data-grant="false">Withdraw my consent</button>');
    expect(on).toContain('(since 20 November at 10:00)');
  });
});
