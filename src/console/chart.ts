import type { WeekCounts } from './figures.js'

/** One series of the chart: a type key, its label and its colour. */
export interface Series {
  readonly key: string
  readonly label: string
}

// Colours told apart by people with the common colour-vision deficiencies (Okabe–Ito).
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#999999', '#6A3D9A', '#B15928']

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The chart and its legend: the legend is HTML beside the SVG, so it stays readable on a narrow phone. */
export interface Chart {
  readonly svg: string
  readonly legend: ReadonlyArray<{ readonly label: string; readonly colour: string }>
}

/**
 * Requests per week as stacked bars, an SVG drawn on the server: no script, no style attribute (the
 * CSP allows neither), nothing fetched. Only series with at least one request get a legend entry.
 */
export function weeklyChart(weeks: readonly WeekCounts[], series: readonly Series[], title: string): Chart {
  const shown = series.filter((s) => weeks.some((w) => (w.counts[s.key] ?? 0) > 0))
  const colour = new Map(series.map((s, i) => [s.key, COLOURS[i % COLOURS.length]!]))
  const totals = weeks.map((w) => shown.reduce((n, s) => n + (w.counts[s.key] ?? 0), 0))
  const max = Math.max(1, ...totals)
  const step = max <= 5 ? 1 : Math.ceil(max / 5)
  const top = Math.ceil(max / step) * step
  const W = 640
  const left = 40
  const plotTop = 12
  const plotH = 180
  const barGap = 6
  const barW = (W - left - 8) / weeks.length - barGap
  const y = (v: number): number => plotTop + plotH - (v / top) * plotH
  const parts: string[] = []
  for (let v = 0; v <= top; v += step) {
    parts.push(`<line x1="${left}" x2="${W - 4}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#ddd" stroke-width="1"/>`)
    parts.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="15" fill="#555">${v}</text>`)
  }
  weeks.forEach((w, i) => {
    const x = left + 4 + i * (barW + barGap)
    let base = 0
    for (const s of shown) {
      const n = w.counts[s.key] ?? 0
      if (n === 0) continue
      const y1 = y(base + n)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(base) - y1).toFixed(1)}" fill="${colour.get(s.key)}"><title>${esc(`${w.week} ${s.label}: ${n}`)}</title></rect>`,
      )
      base += n
    }
    // Every other week is labelled, counting back from this one.
    if ((weeks.length - 1 - i) % 2 === 0 || weeks.length <= 6) {
      parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${plotTop + plotH + 20}" text-anchor="middle" font-size="15" fill="#555">${esc(w.week.slice(5))}</text>`)
    }
  })
  if (shown.length === 0) parts.push(`<text x="${W / 2}" y="${plotTop + plotH / 2}" text-anchor="middle" font-size="16" fill="#555">—</text>`)
  const height = plotTop + plotH + 26
  return {
    svg: `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="chart-title" class="chart"><title id="chart-title">${esc(title)}</title>${parts.join('')}</svg>`,
    legend: shown.map((s) => ({ label: s.label, colour: colour.get(s.key)! })),
  }
}
