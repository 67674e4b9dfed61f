import { escapeHtml } from './html-escape';
import type { Lobby } from './lobby';
import { livePageHtml, outlookHtml, updatedHtml } from './resident-live.html';

const TEXT = {
  fr: {
    title: (site: string) => `L’îlot en direct · ${site}`,
    now: 'En ce moment',
    consumption: 'Consommation de l’îlot',
    grid: { import: 'Pris au réseau', export: 'Donné au réseau' },
    today: 'Aujourd’hui',
    solar: 'Produit par le solaire',
    selfSufficiency: 'Autosuffisance',
    selfSufficiencyWhat: 'de la consommation couverte par le solaire',
    selfConsumption: 'Autoconsommation',
    selfConsumptionWhat: 'du solaire consommé dans l’îlot',
    hidden: 'non affiché : trop peu de compteurs pour qu’aucun foyer ne soit reconnaissable',
  },
  en: {
    title: (site: string) => `The block live · ${site}`,
    now: 'Right now',
    consumption: 'The block’s consumption',
    grid: { import: 'From the grid', export: 'To the grid' },
    today: 'Today',
    solar: 'Made by the solar',
    selfSufficiency: 'Self-sufficiency',
    selfSufficiencyWhat: 'of the consumption covered by the solar',
    selfConsumption: 'Self-consumption',
    selfConsumptionWhat: 'of the solar used in the block',
    hidden: 'not shown: too few meters for every home to stay unrecognisable',
  },
} as const;

/** The lobby's main part (sent again with each update): the îlot's figures now and today, then its outlook. Pure. */
export function lobbyMain(lobby: Lobby, language: 'fr' | 'en', timeZone: string): string {
  const t = TEXT[language];
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const figure = (name: string, label: string, value: number | null, text: (v: number) => string) =>
    `<div class="figure" data-figure="${name}" data-value="${value ?? ''}">${label}<b>${value === null ? '–' : text(value)}</b>${value === null ? `<span class="hint">${t.hidden}</span>` : ''}</div>`;
  const grid = lobby.now.gridKW;
  const outlook = outlookHtml(lobby, language, timeZone);
  return `${updatedHtml(lobby.generatedAt, language, timeZone)}
${outlook.effacement}
<section><h2>${t.now}</h2><div class="figures">
${figure('consumption-now', t.consumption, lobby.now.consumptionKW, (v) => `${n.format(v)} kW`)}
${figure('grid-now', grid !== null && grid < 0 ? t.grid.export : t.grid.import, grid === null ? null : Math.abs(grid), (v) => `${n.format(v)} kW`)}
</div></section>
<section><h2>${t.today}</h2><div class="figures">
${figure('solar-today', t.solar, lobby.today.solarKWh, (v) => `${n.format(v)} kWh`)}
${figure('consumption-today', t.consumption, lobby.today.consumptionKWh, (v) => `${n.format(v)} kWh`)}
${figure('self-sufficiency', t.selfSufficiency, lobby.today.selfSufficiency, (v) => `${pct.format(v)} <small>${t.selfSufficiencyWhat}</small>`)}
${figure('self-consumption', t.selfConsumption, lobby.today.selfConsumption, (v) => `${pct.format(v)} <small>${t.selfConsumptionWhat}</small>`)}
</div></section>
${outlook.solar}
${outlook.hours}`;
}

/** The lobby's page: for a screen in the hall or the town hall, readable on a phone too; updated over Server-Sent Events. */
export function lobbyHtml(lobby: Lobby, language: 'fr' | 'en', timeZone: string): string {
  return livePageHtml(language, TEXT[language].title(escapeHtml(lobby.siteName)), lobbyMain(lobby, language, timeZone));
}
