import type { CommodityLine } from './commodity-lines';

const TEXT = {
  fr: {
    title: 'Toutes vos énergies',
    co2: 'CO₂',
    previous: 'mois précédent',
    peers: 'logements comparables (médiane)',
    names: { electricity: 'Électricité', gas: 'Gaz', water: 'Eau', heat: 'Chaleur' },
  },
  en: {
    title: 'All your energies',
    co2: 'CO₂',
    previous: 'previous month',
    peers: 'similar homes (median)',
    names: { electricity: 'Electricity', gas: 'Gas', water: 'Water', heat: 'Heat' },
  },
} as const;

/**
 * The report's lines across commodities as figure cards (issue 16): each commodity in the unit of its meter (gas also in
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
  // m³ to the litre (a meter's last digit), kWh to the tenth.
  const m3 = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
  const amount = (value: number | null, line: CommodityLine) =>
    value === null ? '–' : `${(line.unit === 'm3' ? m3 : n).format(value)} ${unit(line)}`;
  // One card per commodity (the report's figure cards): six columns would not fit a phone.
  const cards = lines
    .map((line) => {
      const kWh = line.commodity === 'gas' && line.energyKWh !== null ? ` (${n.format(line.energyKWh)} kWh)` : '';
      const co2 = line.kgCo2 === null ? '' : ` · ${n.format(line.kgCo2)} kg ${t.co2}`;
      return `<div class="figure" data-commodity="${line.commodity}">${t.names[line.commodity]}<b>${amount(line.quantity, line)}${kWh}</b>${money.format(line.costEur)}${co2}<br>${t.previous} : ${amount(line.previousMonth, line)} · ${t.peers} : ${amount(line.peers.median, line)}</div>`;
    })
    .join('\n');
  return `<section id="commodities"><h2>${t.title}</h2><div class="figures">
${cards}
</div></section>`;
}
