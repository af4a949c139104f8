// Inline SVG charts for the shadow report and the console: no script, no CDN, readable without
// colour (every bar has a text label and a <title>), sized in viewBox units so they scale.
import { escapeHtml } from "./html-escape.ts";
import type { Bin } from "./stats.ts";

export interface Bar {
  readonly label: string;
  readonly value: number;
}

function compact(n: number): string {
  if (!Number.isFinite(n)) return "-";
  if (Math.abs(n) >= 1_000_000) return `${Math.round(n / 100_000) / 10}M`;
  if (Math.abs(n) >= 10_000) return `${Math.round(n / 100) / 10}k`;
  return String(Math.round(n * 100) / 100);
}

/** Horizontal bars, one per label. */
export function barChart(title: string, bars: readonly Bar[]): string {
  const rowH = 22;
  const labelW = 220;
  const plotW = 360;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * rowH + 8;
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(1, (b.value / max) * plotW);
    return `<g><title>${escapeHtml(`${b.label}: ${b.value}`)}</title>` +
      `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end" font-size="12">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="#3b6ea5"></rect>` +
      `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 15}" font-size="12">${escapeHtml(compact(b.value))}</text></g>`;
  }).join("");
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${labelW + plotW + 60} ${height}" width="${labelW + plotW + 60}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(title)}</title>${rows}</svg>`;
}

/** Vertical histogram bars with the bin edges under them; an optional marker line (a threshold). */
export function histogramChart(title: string, bins: readonly Bin[], marker?: { value: number; label: string }): string {
  const w = 480;
  const h = 160;
  const pad = 24;
  const max = Math.max(1, ...bins.map((b) => b.count));
  const barW = bins.length === 0 ? 0 : (w - 2 * pad) / bins.length;
  const lo = bins[0]?.from ?? 0;
  const hi = bins[bins.length - 1]?.to ?? 1;
  const bars = bins.map((b, i) => {
    const bh = (b.count / max) * (h - 2 * pad);
    const x = pad + i * barW;
    return `<g><title>${escapeHtml(`${compact(b.from)}–${compact(b.to)}: ${b.count}`)}</title>` +
      `<rect x="${x.toFixed(1)}" y="${(h - pad - bh).toFixed(1)}" width="${Math.max(1, barW - 2).toFixed(1)}" height="${bh.toFixed(1)}" fill="#3b6ea5"></rect></g>`;
  }).join("");
  let line = "";
  if (marker !== undefined && hi > lo && marker.value >= lo && marker.value <= hi) {
    const x = pad + ((marker.value - lo) / (hi - lo)) * (w - 2 * pad);
    line = `<line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="${pad / 2}" y2="${h - pad}" stroke="#b3261e" stroke-dasharray="4 3"></line>` +
      `<text x="${(x + 4).toFixed(1)}" y="${pad}" font-size="11" fill="#b3261e">${escapeHtml(marker.label)}</text>`;
  }
  const axis = `<text x="${pad}" y="${h - 6}" font-size="11">${escapeHtml(compact(lo))}</text><text x="${w - pad}" y="${h - 6}" font-size="11" text-anchor="end">${escapeHtml(compact(hi))}</text>`;
  return `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" xmlns="http://www.w3.org/2000/svg"><title>${escapeHtml(title)}</title>${bars}${line}${axis}</svg>`;
}
