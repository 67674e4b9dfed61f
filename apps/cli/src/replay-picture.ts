import type { ReplayKpis } from '@ilot/simulators';

const WIDTH = 1100;
const PANEL_HEIGHT = 170;
const MARGIN = { left: 56, right: 56, top: 26, bottom: 22 };

/** One strategy's panel input: its name, per-slot grid power and stored energy, and the headline figures. */
type Replayed = Pick<ReplayKpis, 'strategy' | 'trace' | 'peakImportKW' | 'importAboveLimitKWh' | 'costNetOfStorageEur'>;

/**
 * The replay as a self-contained HTML page (inline SVG, no script, no network): one panel per strategy with the grid
 * power (kW, left axis), the contracted power it must stay under, and the energy stored (kWh, right axis), on the
 * same time and power scales so the panels compare at a glance. Where the grid line crosses the contract line the
 * plan lost; the stored-energy line shows whether the battery had anything left then.
 */
export function replayPicture(
  title: string,
  results: readonly Replayed[],
  contractW: (startMs: number) => number,
  capacityKWh: number,
): string {
  const slots = results[0]?.trace ?? [];
  if (slots.length === 0) return page(title, '<p>No slot was replayed.</p>');
  const t0 = slots[0].startMs;
  const t1 = slots.at(-1)!.startMs;
  const maxKW = Math.max(
    ...results.flatMap((r) => r.trace.map((s) => s.gridW / 1000)),
    ...slots.map((s) => contractW(s.startMs) / 1000),
  );
  const minKW = Math.min(0, ...results.flatMap((r) => r.trace.map((s) => s.gridW / 1000)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number) => MARGIN.left + ((ms - t0) / Math.max(t1 - t0, 1)) * plotW;
  const yKW = (kW: number) => MARGIN.top + (1 - (kW - minKW) / Math.max(maxKW * 1.05 - minKW, 1)) * plotH;
  const yKWh = (kWh: number) => MARGIN.top + (1 - kWh / Math.max(capacityKWh, 1)) * plotH;
  const line = (points: Array<[number, number]>) =>
    points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  const panels = results.map((r) => {
    const grid = line(r.trace.map((s) => [x(s.startMs), yKW(s.gridW / 1000)]));
    const stored = line(r.trace.map((s) => [x(s.startMs), yKWh(s.storedKWh)]));
    const contract = line(slots.map((s) => [x(s.startMs), yKW(contractW(s.startMs) / 1000)]));
    const days = dayTicks(t0, t1).map(
      (ms) =>
        `<line x1="${x(ms)}" x2="${x(ms)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" class="day"/><text x="${x(ms) + 3}" y="${PANEL_HEIGHT - 6}">${new Date(ms).toISOString().slice(5, 10)}</text>`,
    );
    const caption = `${r.strategy}: peak ${r.peakImportKW.toFixed(1)} kW, ${r.importAboveLimitKWh.toFixed(1)} kWh above the contract, ${r.costNetOfStorageEur.toFixed(2)} EUR net of storage`;
    return `<figure><svg viewBox="0 0 ${WIDTH} ${PANEL_HEIGHT}" role="img" aria-label="${caption}">
<text x="${MARGIN.left}" y="16" class="title">${caption}</text>
${days.join('\n')}
<text x="4" y="${yKW(maxKW)}">${maxKW.toFixed(0)} kW</text><text x="4" y="${yKW(0)}">0 kW</text>
<text x="${WIDTH - MARGIN.right + 4}" y="${yKWh(capacityKWh) + 10}">${capacityKWh.toFixed(0)} kWh</text>
<polyline points="${contract}" class="contract"/>
<polyline points="${stored}" class="stored"/>
<polyline points="${grid}" class="grid"/>
</svg></figure>`;
  });
  const legend = `<p><span class="k grid">grid power, kW</span> <span class="k contract">contracted power</span> <span class="k stored">energy stored, kWh (right axis)</span></p>`;
  return page(title, legend + panels.join('\n'));
}

function dayTicks(t0: number, t1: number): number[] {
  const dayMs = 86_400_000;
  const ticks: number[] = [];
  for (let ms = Math.ceil(t0 / dayMs) * dayMs; ms <= t1; ms += dayMs) ticks.push(ms);
  return ticks;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
figure{margin:0 0 8px}svg{width:100%;height:auto;background:#fafafa}
svg text{font-size:11px;fill:#444}svg .title{font-size:13px;fill:#111}
polyline{fill:none;stroke-width:1.2}.grid{stroke:#1f5fbf}.contract{stroke:#c0392b;stroke-dasharray:6 4}.stored{stroke:#2e8b57}
.day{stroke:#ddd}.k{padding:0 6px;border-left:14px solid}.k.grid{border-color:#1f5fbf}.k.contract{border-color:#c0392b}.k.stored{border-color:#2e8b57}
</style></head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
