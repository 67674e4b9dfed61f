import { escapeHtml } from './html-escape';
import type { IlotOutlook, LiveCommodity, ResidentLive } from './resident-live';

const TEXT = {
  fr: {
    title: 'En direct',
    today: 'Aujourd’hui',
    total: 'depuis minuit',
    hour: 'Heure',
    byHourHidden: 'Le détail heure par heure s’affiche avec votre accord (page « Vos données » de votre rapport).',
    solar: 'Le solaire de l’îlot',
    now: 'maintenant',
    nextHours: 'Dans les prochaines heures',
    noSolar: 'pas de mesure récente',
    goodHours: 'Quand consommer',
    green: 'Heure verte : le solaire couvre l’îlot, le bon moment pour une machine',
    red: {
      effacement: 'Effacement demandé : décalez ce qui peut attendre',
      tempo: 'Jour rouge Tempo : électricité chère',
    },
    noHours: 'Rien de particulier dans les 24 prochaines heures.',
    effacement: 'Prochain effacement',
    effacementWhat: (kw: string) =>
      `L’îlot doit consommer ${kw} kW de moins. Décalez lave-linge, lave-vaisselle et recharge après cette plage ; baissez le chauffage d’un degré.`,
    names: { electricity: 'Électricité', gas: 'Gaz', water: 'Eau', heat: 'Chaleur' },
    updated: 'mis à jour à',
  },
  en: {
    title: 'Live',
    today: 'Today',
    total: 'since midnight',
    hour: 'Hour',
    byHourHidden: 'The hour-by-hour detail shows with your consent (the "your data" section of your report).',
    solar: 'The block’s solar',
    now: 'now',
    nextHours: 'In the next hours',
    noSolar: 'no recent reading',
    goodHours: 'When to use energy',
    green: 'Green hour: the solar covers the block, a good time for a machine',
    red: { effacement: 'Demand response: move what can wait', tempo: 'Tempo red day: expensive electricity' },
    noHours: 'Nothing special in the next 24 hours.',
    effacement: 'Next demand response',
    effacementWhat: (kw: string) =>
      `The block must use ${kw} kW less. Move washing, dishwashing and charging after this window; turn the heating down a degree.`,
    names: { electricity: 'Electricity', gas: 'Gas', water: 'Water', heat: 'Heat' },
    updated: 'updated at',
  },
} as const;

const UNIT_LABEL = { kWh: 'kWh', m3: 'm³', L: 'L' } as const;

/**
 * The live part of a resident's page: what the server renders at first and sends again with each update (the same
 * function, so the page and its updates never disagree). Each figure carries its raw value (`data-value`). Pure.
 */
export function residentLiveMain(live: ResidentLive, language: 'fr' | 'en', timeZone: string): string {
  const t = TEXT[language];
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const commodity = (c: ResidentLive['today'][number]) => {
    const unit = UNIT_LABEL[c.unit];
    // Gas to the litre (a meter's last digit), the others to the tenth or hundredth.
    const n = new Intl.NumberFormat(locale, { maximumFractionDigits: c.unit === 'm3' ? 3 : 2 });
    const max = Math.max(...(c.hours ?? []).map((h) => h.value), 1e-9);
    const rows = (c.hours ?? [])
      .map(
        (h) =>
          `<tr><td>${String(h.hour).padStart(2, '0')} h</td><td data-value="${h.value}">${n.format(h.value)} ${unit}</td><td class="bar" aria-hidden="true"><span style="width:${((h.value / max) * 100).toFixed(0)}%"></span></td></tr>`,
      )
      .join('');
    const detail = c.hours
      ? `<table><thead><tr><th scope="col">${t.hour}</th><th scope="col">${t.names[c.commodity]}</th><th scope="col"><span class="visually-hidden">%</span></th></tr></thead><tbody>${rows}</tbody></table>`
      : `<p class="hint">${t.byHourHidden}</p>`;
    return `<section class="commodity" data-commodity="${c.commodity}"><h3>${t.names[c.commodity as LiveCommodity]}</h3>
<p class="figure"><b data-total="${c.commodity}" data-value="${c.total}">${n.format(c.total)} ${unit}</b> ${t.total}</p>${detail}</section>`;
  };
  const outlook = outlookHtml(live, language, timeZone);
  return `${updatedHtml(live.generatedAt, language, timeZone)}
${outlook.effacement}
<section><h2>${t.today}</h2>${live.today.map(commodity).join('\n')}</section>
${outlook.solar}
${outlook.hours}`;
}

/** "Updated at" with the instant of the figures. */
export function updatedHtml(generatedAt: string, language: 'fr' | 'en', timeZone: string): string {
  const time = new Intl.DateTimeFormat(language === 'fr' ? 'fr-FR' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  });
  return `<p class="updated">${TEXT[language].updated} <time datetime="${generatedAt}">${time.format(new Date(generatedAt))}</time></p>`;
}

/** The îlot's outlook as page parts (the resident's live page and the lobby's): the next order, the solar, the hours. */
export function outlookHtml(
  outlook: IlotOutlook,
  language: 'fr' | 'en',
  timeZone: string,
): { effacement: string; solar: string; hours: string } {
  const t = TEXT[language];
  const locale = language === 'fr' ? 'fr-FR' : 'en-GB';
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone });
  const span = (start: string, end: string) => `${time.format(new Date(start))}–${time.format(new Date(end))}`;
  const live = outlook;
  const solarNow =
    live.solar.nowKW === null
      ? t.noSolar
      : `<b data-solar-now data-value="${live.solar.nowKW}">${n.format(live.solar.nowKW)} kW</b>`;
  const next = live.solar.nextHours
    .map((h) => `<li>${time.format(new Date(h.start))} : <span data-value="${h.kW}">${n.format(h.kW)} kW</span></li>`)
    .join('');
  const hours = live.hours.length
    ? `<ul class="hours">${live.hours
        .map(
          (h) =>
            `<li class="${h.kind}"><b>${span(h.start, h.end)}</b> ${h.kind === 'green' ? t.green : t.red[h.reason as 'effacement' | 'tempo']}</li>`,
        )
        .join('')}</ul>`
    : `<p>${t.noHours}</p>`;
  const effacement = live.effacement
    ? `<section class="effacement"><h2>${t.effacement}</h2><p><b>${span(live.effacement.start, live.effacement.end)}</b> (${escapeHtml(live.effacement.id)})</p><p>${t.effacementWhat(n.format(live.effacement.reductionKW))}</p></section>`
    : '';
  return {
    effacement,
    solar: `<section><h2>${t.solar}</h2><p>${t.now} : ${solarNow}</p><h3>${t.nextHours}</h3><ul>${next}</ul></section>`,
    hours: `<section><h2>${t.goodHours}</h2>${hours}</section>`,
  };
}

/** The whole live page, phone first: the first figures rendered, then updates over Server-Sent Events (the page's script). */
export function residentLiveHtml(live: ResidentLive, language: 'fr' | 'en', timeZone: string): string {
  return livePageHtml(
    language,
    `${TEXT[language].title} · ${escapeHtml(live.participantId)}`,
    residentLiveMain(live, language, timeZone),
  );
}

/** A live page (the resident's, the lobby's): its title, then its main part, which the page's script keeps up to date. */
export function livePageHtml(language: 'fr' | 'en', title: string, main: string): string {
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1rem; max-width: 40rem; color: #1b1b1b; background: #fff; }
  h1 { font-size: 1.4rem; margin: 0; } h2 { font-size: 1.15rem; margin: 1.25rem 0 .5rem; } h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
  .figure b { font-size: 1.3rem; } .hint, .updated { color: #4a4a4a; font-size: .9rem; }
  .figures { display: flex; flex-wrap: wrap; gap: .5rem; } .figures .figure { flex: 1 1 9rem; border: 1px solid #ddd; border-radius: .5rem; padding: .5rem .75rem; }
  .figures .figure b { display: block; } .figures .hint { display: block; }
  .figure small { display: block; font-weight: normal; font-size: .85rem; }
  table { width: 100%; border-collapse: collapse; font-size: .9rem; } td, th { padding: .15rem .3rem; border-bottom: 1px solid #eee; text-align: left; }
  td.bar { width: 45%; } td.bar span { display: inline-block; height: .7rem; background: #7a5c00; }
  .hours { list-style: none; padding: 0; } .hours li { padding: .4rem .5rem; margin: .25rem 0; border-radius: .4rem; }
  .hours li.green { background: #e3f4e1; border-left: .4rem solid #1e6b1a; } .hours li.red { background: #fbe4e4; border-left: .4rem solid #a31515; }
  .effacement { border: 2px solid #a31515; border-radius: .5rem; padding: 0 .75rem; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
</style>
</head>
<body>
<header><h1>${title}</h1></header>
<main id="live" aria-live="polite">
${main}
</main>
<script src="/api/v1/assets/live-page.js"></script>
</body>
</html>
`;
}

/**
 * The live pages' only script (served at /api/v1/assets/live-page.js; the CSP allows none inline): it listens to the
 * page's events, at its own path + /events with the link's own query (its token included), and puts each update in
 * place.
 */
export const LIVE_PAGE_SCRIPT = `(function () {
  var main = document.getElementById('live');
  if (!main || !window.EventSource) return;
  var source = new EventSource(location.pathname.replace(/\\/$/, '') + '/events' + location.search);
  source.addEventListener('live', function (event) {
    main.innerHTML = JSON.parse(event.data).html;
    main.setAttribute('data-updates', String(Number(main.getAttribute('data-updates') || 0) + 1));
  });
})();
`;
