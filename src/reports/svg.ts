import { htmlText } from './format.js';

/** Inline SVG charts for the HTML report: drawn on the server, no script needed to view them. */

export interface Bar {
  label: string;
  value: number;
}

const WIDTH = 640;
const ROW = 22;
const LABEL = 200;

/** Horizontal bars, one per item, labelled with the name and the formatted value. */
export function barChart(title: string, bars: Bar[], show: (n: number) => string): string {
  if (bars.length === 0) return '';
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const height = bars.length * ROW + 28;
  const rows = bars
    .map((bar, i) => {
      const y = 24 + i * ROW;
      const w = Math.max(1, Math.round(((WIDTH - LABEL - 90) * bar.value) / max));
      return (
        `<text x="${LABEL - 6}" y="${y + 14}" text-anchor="end">${htmlText(clip(bar.label))}</text>` +
        `<rect class="bar" x="${LABEL}" y="${y + 3}" width="${w}" height="${ROW - 6}" rx="2"/>` +
        `<text x="${LABEL + w + 6}" y="${y + 14}">${htmlText(show(bar.value))}</text>`
      );
    })
    .join('');
  return svg(title, height, `<text class="title" x="0" y="14">${htmlText(title)}</text>${rows}`);
}

/** Columns per day, two series side by side (e.g. spans and errors). */
export function dailyChart(
  title: string,
  days: string[],
  series: { name: string; values: number[]; cls: string }[],
): string {
  if (days.length === 0) return '';
  const height = 200;
  const plot = height - 50;
  const max = Math.max(...series.flatMap((s) => s.values), 0) || 1;
  const slot = (WIDTH - 40) / days.length;
  const barWidth = Math.max(2, (slot - 4) / series.length);
  const parts: string[] = [`<text class="title" x="0" y="14">${htmlText(title)}</text>`];
  days.forEach((day, i) => {
    const x0 = 40 + i * slot;
    series.forEach((s, k) => {
      const h = Math.round((plot * (s.values[i] ?? 0)) / max);
      parts.push(
        `<rect class="${s.cls}" x="${(x0 + k * barWidth).toFixed(1)}" y="${24 + plot - h}" width="${(barWidth - 1).toFixed(1)}" height="${h}"><title>${htmlText(`${day} ${s.name}: ${s.values[i] ?? 0}`)}</title></rect>`,
      );
    });
    if (days.length <= 14 || i % Math.ceil(days.length / 14) === 0) {
      parts.push(`<text class="axis" x="${x0}" y="${height - 10}">${day.slice(5)}</text>`);
    }
  });
  parts.push(
    `<text class="axis" x="0" y="32">${max}</text><text class="axis" x="0" y="${24 + plot}">0</text>`,
  );
  const legend = series
    .map(
      (s, k) =>
        `<rect class="${s.cls}" x="${WIDTH - 160 + k * 80}" y="4" width="10" height="10"/><text x="${WIDTH - 146 + k * 80}" y="14">${htmlText(s.name)}</text>`,
    )
    .join('');
  return svg(title, height, parts.join('') + legend);
}

const svg = (title: string, height: number, body: string): string =>
  `<svg class="chart" role="img" aria-label="${htmlText(title)}" xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">${body}</svg>`;

const clip = (text: string): string => (text.length > 30 ? `${text.slice(0, 29)}…` : text);
