// The chaos run's report: one self-contained HTML file (inline CSS and SVG, no scripts, no
// external resources). A lane per node with its write outcomes per second (green acknowledged,
// amber unacknowledged, red failed) and markers for faults, heals and role changes; the summary
// and the event list below it. Runs of the same scenario against different servers (cinnabar,
// redis-server) go on one page, with a table of their figures side by side first.

import { failoverStats } from './roles.js';
import type { ChaosResult } from './run.js';

const LANE_HEIGHT = 36;
const LABEL_WIDTH = 170;
const PX_PER_SECOND = 8;

const NETWORK_TEXT: Record<ChaosResult['network'], string> = {
  netns: 'each node in its own network namespace',
  relay: 'each server behind loopback relays (partitions without namespaces)',
  loopback: 'loopback',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** "median 3.1 s (2.4 s - 5.0 s, 4 failovers)" or "none measured". */
export function failoverSummary(result: ChaosResult): string {
  const stats = failoverStats(result.failoverTimes);
  if (stats === null) return 'none measured';
  return `median ${secondsText(stats.medianMs)} (${secondsText(stats.minMs)} - ${secondsText(stats.maxMs)}, ${result.failoverTimes.length} measured)`;
}

function faultsText(result: ChaosResult): string {
  const kinds = Object.entries(result.faultsByKind).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  return `${result.faultsInjected}${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}`;
}

function comparison(results: readonly ChaosResult[]): string {
  const row = (name: string, cell: (r: ChaosResult) => string): string =>
    `<tr><th>${escapeHtml(name)}</th>${results.map((r) => `<td>${escapeHtml(cell(r))}</td>`).join('')}</tr>`;
  return `<h2>Side by side</h2>
<table class="compare"><tr><th></th>${results.map((r) => `<th>${escapeHtml(r.label)}</th>`).join('')}</tr>
${row('faults injected', faultsText)}
${row('failovers seen', (r) => String(r.failoversSeen))}
${row('failover time', failoverSummary)}
${row('writes acknowledged', (r) => String(r.writesAcknowledged))}
${row('settled before the check', (r) => (r.settled ? 'yes' : 'no'))}
${row('acknowledged writes lost', (r) => String(r.lost.length))}
</table>`;
}

export function renderReport(results: readonly ChaosResult[]): string {
  const first = results[0];
  const title = `cinnabar chaos: ${first.topology}, seed ${first.seed}${results.length > 1 ? `, ${results.map((r) => r.label).join(' vs ')}` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
.verdict { font-size: 22px; font-weight: 600; padding: 8px 12px; display: inline-block; border-radius: 6px; }
.verdict.ok { background: #d9f2d9; } .verdict.bad { background: #f8d0d0; }
dl { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
dt { color: #666; } dd { margin: 0; }
svg { border: 1px solid #ddd; background: #fcfcfc; }
.label { font: 12px monospace; } .tick { font: 11px sans-serif; fill: #888; } .axis { stroke: #ccc; }
rect.acked { fill: #3a3; } rect.unacked { fill: #e9a400; } rect.failed { fill: #d33; }
g.fault line, g.fault circle { stroke: #c00; fill: #c00; stroke-width: 2; }
g.heal line, g.heal circle { stroke: #06c; fill: #06c; stroke-dasharray: 3 2; }
g.role line, g.role circle { stroke: #808; fill: #808; stroke-width: 2; }
g.note line, g.note circle, g.check line, g.check circle { stroke: #888; fill: #888; }
table { border-collapse: collapse; margin-top: 12px; } td, th { padding: 2px 10px; border-bottom: 1px solid #eee; text-align: left; } td:first-child { white-space: nowrap; }
table.compare th, table.compare td { border: 1px solid #ddd; padding: 4px 12px; }
tr.fault td { color: #c00; } tr.role td { color: #808; } tr.heal td { color: #06c; }
.legend span { margin-right: 14px; } .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
section { margin-bottom: 40px; }
</style></head><body>
<h1>${escapeHtml(title)}</h1>
${results.length > 1 ? comparison(results) : ''}
${results.map((r) => section(r, results.length > 1)).join('\n')}
</body></html>
`;
}

function section(result: ChaosResult, titled: boolean): string {
  const t = result.timeline;
  // Every server has a lane, also one that nothing happened to (that is worth seeing too).
  const lanes = [...new Set([...result.servers, ...t.writes.keys(), ...t.events.filter((e) => e.node !== '-').map((e) => e.node)])].sort();
  const seconds = Math.max(1, Math.ceil(Math.max(t.now(), ...t.events.map((e) => e.atMs)) / 1000));
  const width = LABEL_WIDTH + seconds * PX_PER_SECOND + 20;
  const height = lanes.length * LANE_HEIGHT + 30;
  const parts: string[] = [];
  lanes.forEach((node, i) => {
    const y = i * LANE_HEIGHT + 10;
    parts.push(`<text x="4" y="${y + 20}" class="label">${escapeHtml(node)}</text>`);
    parts.push(`<line x1="${LABEL_WIDTH}" y1="${y + LANE_HEIGHT - 4}" x2="${width - 10}" y2="${y + LANE_HEIGHT - 4}" class="axis"/>`);
    const perSecond = t.writes.get(node);
    if (perSecond !== undefined) {
      const max = Math.max(1, ...[...perSecond.values()].map((b) => b.acked + b.unacked + b.failed));
      for (const [second, b] of perSecond) {
        const x = LABEL_WIDTH + second * PX_PER_SECOND;
        let top = y + LANE_HEIGHT - 4;
        for (const [count, cls] of [[b.acked, 'acked'], [b.unacked, 'unacked'], [b.failed, 'failed']] as const) {
          const h = (count / max) * (LANE_HEIGHT - 10);
          if (h <= 0) continue;
          top -= h;
          parts.push(`<rect x="${x}" y="${top.toFixed(1)}" width="${PX_PER_SECOND - 1}" height="${h.toFixed(1)}" class="${cls}"><title>${second} s: ${b.acked} acknowledged, ${b.unacked} not acknowledged, ${b.failed} failed</title></rect>`);
        }
      }
    }
    for (const e of t.events.filter((ev) => ev.node === node)) {
      const x = LABEL_WIDTH + (e.atMs / 1000) * PX_PER_SECOND;
      parts.push(`<g class="${e.kind}"><line x1="${x.toFixed(1)}" y1="${y}" x2="${x.toFixed(1)}" y2="${y + LANE_HEIGHT - 4}"/><circle cx="${x.toFixed(1)}" cy="${y + 4}" r="4"/><title>${(e.atMs / 1000).toFixed(1)} s ${escapeHtml(e.kind)}: ${escapeHtml(e.text)}</title></g>`);
    }
  });
  for (let s = 0; s <= seconds; s += 10) {
    parts.push(`<text x="${LABEL_WIDTH + s * PX_PER_SECOND}" y="${height - 4}" class="tick">${s}s</text>`);
  }
  const verdict = result.lost.length === 0 ? 'ok' : 'bad';
  const rows = t.events.map((e) => `<tr class="${e.kind}"><td>${(e.atMs / 1000).toFixed(1)} s</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.node)}</td><td>${escapeHtml(e.text)}</td></tr>`).join('\n');
  const lostRows = result.lost.slice(0, 100).map((l) => `<tr><td>${escapeHtml(l.key)}</td><td>${l.acknowledged}</td><td>${escapeHtml(l.found ?? '(missing)')}</td></tr>`).join('\n');
  return `<section>
${titled ? `<h2>${escapeHtml(result.label)}</h2>` : ''}
<div class="verdict ${verdict}">acknowledged writes lost: ${result.lost.length}</div>
<dl>
<dt>servers</dt><dd>${escapeHtml(result.label)}</dd>
<dt>network</dt><dd>${NETWORK_TEXT[result.network]}</dd>
<dt>seed</dt><dd>${result.seed}</dd>
<dt>faults injected</dt><dd>${escapeHtml(faultsText(result))}</dd>
<dt>failovers seen</dt><dd>${result.failoversSeen}</dd>
<dt>failover time (fault to promotion)</dt><dd>${escapeHtml(failoverSummary(result))}</dd>
<dt>writes attempted</dt><dd>${result.writesAttempted}</dd>
<dt>writes acknowledged (WAIT &gt;= 1)</dt><dd>${result.writesAcknowledged}</dd>
<dt>keys checked</dt><dd>${result.keysChecked}</dd>
<dt>settled before the check</dt><dd>${result.settled ? 'yes' : 'no'}</dd>
</dl>
<p class="legend"><span><i style="background:#3a3"></i>acknowledged</span><span><i style="background:#e9a400"></i>not acknowledged</span><span><i style="background:#d33"></i>failed</span><span><i style="background:#c00"></i>fault</span><span><i style="background:#06c"></i>heal</span><span><i style="background:#808"></i>role change</span></p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
${parts.join('\n')}
</svg>
${result.lost.length > 0 ? `<h3>Lost writes (first 100)</h3><table><tr><th>key</th><th>acknowledged value</th><th>found</th></tr>${lostRows}</table>` : ''}
<h3>Events</h3>
<table><tr><th>time</th><th>kind</th><th>node</th><th>what</th></tr>
${rows}
</table>
${t.droppedEvents > 0 ? `<p>${t.droppedEvents} later events were not kept (bound reached).</p>` : ''}
</section>`;
}
