import type { CommodityLine } from './commodity-lines';

const TEXT = {
  fr: {
    title: 'Toutes vos énergies',
    commodity: 'Énergie',
    used: 'Consommé',
    cost: 'Coût',
    co2: 'CO₂',
    previous: 'Mois précédent',
    peers: 'Logements comparables (médiane)',
    names: { electricity: 'Électricité', gas: 'Gaz', water: 'Eau', heat: 'Chaleur' },
  },
  en: {
    title: 'All your energies',
    commodity: 'Energy',
    used: 'Used',
    cost: 'Cost',
    co2: 'CO₂',
    previous: 'Previous month',
    peers: 'Similar homes (median)',
    names: { electricity: 'Electricity', gas: 'Gas', water: 'Water', heat: 'Heat' },
  },
} as const;

/**
 * The report's lines across commodities as a table (issue 16): each commodity in the unit of its meter (gas also in
 * kWh, as the bill says), its cost, its CO2, the month before and similar homes. Nothing when the participant meters
 * electricity alone.
 */
export function commoditySectionHtml(lines: readonly CommodityLine[], language: 'fr' | 'en'): string {
  if (lines.length < 2) return '';
  const t = TEXT[language];
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' });
  const unit = (line: CommodityLine) => (line.unit === 'm3' ? 'm³' : 'kWh');
  const amount = (value: number | null, line: CommodityLine) =>
    value === null ? '–' : `${n.format(value)} ${unit(line)}`;
  const rows = lines
    .map((line) => {
      const kWh = line.commodity === 'gas' && line.energyKWh !== null ? ` (${n.format(line.energyKWh)} kWh)` : '';
      return `<tr data-commodity="${line.commodity}"><td>${t.names[line.commodity]}</td><td>${amount(line.quantity, line)}${kWh}</td><td>${money.format(line.costEur)}</td><td>${line.kgCo2 === null ? '–' : `${n.format(line.kgCo2)} kg`}</td><td>${amount(line.previousMonth, line)}</td><td>${amount(line.peers.median, line)}</td></tr>`;
    })
    .join('\n');
  return `<section id="commodities"><h2>${t.title}</h2>
<table><thead><tr><th>${t.commodity}</th><th>${t.used}</th><th>${t.cost}</th><th>${t.co2}</th><th>${t.previous}</th><th>${t.peers}</th></tr></thead><tbody>
${rows}
</tbody></table></section>`;
}
