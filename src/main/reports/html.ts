/**
 * The batch report as ONE self-contained HTML file: inline CSS, charts as inline SVG, no scripts and no
 * external resources (a strict Content-Security-Policy says so), so it opens from a folder on a machine
 * with no network and prints cleanly. Hand-written string templates rather than a templating library:
 * the page is static, and every piece of user data (wafer ids, file names, reason messages) goes
 * through escapeHtml on the way in.
 */
import { PREDICTION_SOURCE_LABEL, type BatchReportData } from '../../shared/contract/predict';
import type { IngestFileResult } from '../../shared/contract/data';
import { reportCharts, rocChart, type Chart } from './charts';
import {
  APP_TITLE,
  cappedNote,
  driftSummary,
  faultyRows,
  fileStatusText,
  fmtInt,
  fmtPct,
  fmtProb,
  fmtTime,
  fmtValue,
  fmtEffect,
  gateComparison,
  maxRows,
  metricLines,
  modelFacts,
  outOfRange,
  reasonLocation,
  reportTitle,
  summarize,
  topTowardsFaulty,
  unfamiliarRows,
  type ReportOptions,
  type ReportRow,
} from './format';
import { escapeHtml as e } from './html-escape';
import { chartToSvg } from './svg';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Reasons listed per quarantined file before "and N more". */
const MAX_REASONS = 50;

const CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --soft: #f8fafc; --accent: #1d4ed8;
  --faulty: #c2410c; --faulty-bg: #fff1e8; --good: #15803d; --good-bg: #ecfdf3; --warn: #a16207; --warn-bg: #fefce8; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #f1f5f9; font: 14px/1.45 "Segoe UI", Helvetica, Arial, sans-serif; }
.page { max-width: 1120px; margin: 0 auto; background: #fff; min-height: 100vh; }
header.masthead { background: #0f172a; color: #e2e8f0; padding: 28px 40px 22px; }
.brand { font-size: 12px; letter-spacing: .12em; text-transform: uppercase; color: #93c5fd; font-weight: 600; }
header h1 { margin: 4px 0 14px; font-size: 26px; font-weight: 600; color: #fff; }
dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 6px 24px; margin: 0; }
dl.meta div { min-width: 0; }
dl.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: #94a3b8; }
dl.meta dd { margin: 0; font-size: 13px; overflow-wrap: anywhere; }
nav.toc { padding: 10px 40px; border-bottom: 1px solid var(--line); font-size: 13px; background: var(--soft); }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 18px; }
main { padding: 8px 40px 40px; }
section { margin-top: 28px; }
h2 { font-size: 19px; font-weight: 600; margin: 0 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 15px; font-weight: 600; margin: 20px 0 8px; }
p { margin: 6px 0; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-size: 12px; margin-top: 6px; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--soft); }
.tile .label { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.tile .value { font-size: 26px; font-weight: 600; margin-top: 2px; }
.tile .sub { font-size: 12px; color: var(--muted); }
.tile.faulty { background: var(--faulty-bg); border-color: #fed7aa; } .tile.faulty .value { color: var(--faulty); }
.tile.warn { background: var(--warn-bg); border-color: #fde68a; } .tile.warn .value { color: var(--warn); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px; break-inside: avoid; page-break-inside: avoid; }
figure.wide { grid-column: 1 / -1; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 6px; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 0 auto; }
table { width: 100%; border-collapse: collapse; font-size: 12.5px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600;
  background: var(--soft); border-bottom: 1px solid #cbd5e1; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
tbody tr:nth-child(even) td { background: #fcfdfe; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.id { font-family: "Cascadia Mono", Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 11px; font-weight: 600; white-space: nowrap; }
.badge.good, .badge.pass { background: var(--good-bg); color: var(--good); }
.badge.bad, .badge.fail { background: var(--faulty-bg); color: var(--faulty); }
.badge.duplicate, .badge.warn { background: var(--warn-bg); color: var(--warn); }
ul.reasons { margin: 0; padding-left: 16px; }
ul.reasons li { margin: 2px 0; }
code { font-family: "Cascadia Mono", Consolas, "DejaVu Sans Mono", monospace; font-size: 11.5px; background: #f1f5f9; padding: 0 4px; border-radius: 3px; }
.loc { color: var(--muted); font-size: 12px; }
.cols2 { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 500; }
table.confusion { width: auto; margin-top: 4px; }
table.confusion td, table.confusion th { text-align: center; padding: 6px 14px; }
table.confusion td.hit { background: var(--good-bg); font-weight: 600; }
table.confusion td.miss { background: var(--faulty-bg); font-weight: 600; }
.sensor { display: block; margin: 0 0 2px; white-space: nowrap; }
.sensor .eff { color: var(--faulty); font-weight: 600; font-variant-numeric: tabular-nums; }
.sensor .rng { color: var(--muted); font-size: 11.5px; }
.sensor .v { color: var(--ink); font-variant-numeric: tabular-nums; }
.sensor.oor .v { color: var(--faulty); font-weight: 600; }
table.wafers td:nth-child(1) { width: 17%; }
table.wafers td:nth-child(2) { width: 25%; }
.rowno { display: block; color: var(--muted); font-size: 11px; }
.empty { color: var(--muted); font-style: italic; padding: 8px 0; }
footer { padding: 16px 40px 28px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
@media (max-width: 900px) { .tiles, .charts, .cols2 { grid-template-columns: 1fr 1fr; } }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  .page { max-width: none; min-height: 0; }
  header.masthead { padding: 14px 18px; }
  nav.toc { display: none; }
  main { padding: 0 2px; }
  footer { padding: 12px 2px; }
  section { break-before: auto; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .tiles { grid-template-columns: repeat(4, 1fr); gap: 8px; }
  .tile .value { font-size: 20px; }
  .charts, .cols2 { grid-template-columns: 1fr; }
  .sensor { white-space: normal; }
  table.wafers td:nth-child(1) { width: 14%; }
  table.wafers td:nth-child(2) { width: 21%; }
  table.wafers th:nth-child(6) { width: 42%; }
  th { letter-spacing: 0; }
  figure, .tile { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 9pt; }
}
`;

function figure(chart: Chart, wide = false): string {
  return `<figure${wide ? ' class="wide"' : ''}><figcaption>${e(chart.title)}</figcaption>${chartToSvg(chart)}</figure>`;
}

function tile(label: string, value: string, sub: string, kind = ''): string {
  return `<div class="tile${kind ? ` ${kind}` : ''}"><div class="label">${e(label)}</div><div class="value">${e(value)}</div><div class="sub">${e(sub)}</div></div>`;
}

function header(data: BatchReportData): string {
  const b = data.batch;
  const meta: [string, string][] = [
    ['Batch', `#${b.id} (${b.status}, source: ${PREDICTION_SOURCE_LABEL[b.source]})`],
    ['Predicted', `${fmtTime(b.createdAt)}`],
    [
      'Model',
      `v${data.model.version}${data.model.stages.length ? ` (${data.model.stages.join(', ')})` : ''}`,
    ],
    ['Report generated', fmtTime(data.generatedAt)],
    ['App version', `${APP_TITLE} ${data.appVersion}`],
    ['Workspace', data.workspace],
  ];
  return `<header class="masthead">
<div class="brand">${e(APP_TITLE)}</div>
<h1>${e(reportTitle(data))}</h1>
<dl class="meta">${meta.map(([k, v]) => `<div><dt>${e(k)}</dt><dd>${e(v)}</dd></div>`).join('')}</dl>
</header>`;
}

function summarySection(data: BatchReportData): string {
  const s = summarize(data);
  const files = s.filesGood + s.filesQuarantined + s.filesDuplicate;
  const fileSub = [
    `${fmtInt(s.filesQuarantined)} quarantined`,
    s.filesDuplicate ? `${fmtInt(s.filesDuplicate)} already imported` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const sentence =
    s.rows === 0
      ? 'No wafer was predicted in this batch.'
      : `${fmtInt(s.faulty)} of ${fmtInt(s.rows)} wafers are predicted faulty (${fmtPct(s.failRate)}) by model v${data.model.version} at threshold ${fmtProb(data.batch.threshold)}.` +
        (s.unfamiliar > 0
          ? ` ${fmtInt(s.unfamiliar)} wafers lie outside the regimes the model was trained on; treat their predictions with care.`
          : '');
  return `<section id="summary"><h2>Summary</h2>
<div class="tiles">
${tile('Files good', `${fmtInt(s.filesGood)} / ${fmtInt(files)}`, fileSub, s.filesQuarantined > 0 ? 'warn' : '')}
${tile('Wafers predicted', fmtInt(s.rows), `from ${fmtInt(data.byFile.length)} files`)}
${tile('Predicted faulty', fmtInt(s.faulty), `fail rate ${fmtPct(s.failRate)}`, s.faulty > 0 ? 'faulty' : '')}
${tile('Unfamiliar regime', fmtInt(s.unfamiliar), `${fmtPct(s.rows ? s.unfamiliar / s.rows : null)} of wafers`, s.unfamiliar > 0 ? 'warn' : '')}
</div>
<p style="margin-top:12px">${e(sentence)}</p>
</section>`;
}

function chartsSection(data: BatchReportData): string {
  const charts = reportCharts(data).filter((c) => c.id !== 'chart-roc');
  const [hist, regimes, files] = charts;
  const regimeRows = [...data.byCluster]
    .sort((a, b) => a.cluster - b.cluster)
    .map(
      (g) =>
        `<tr><td>${g.cluster}</td><td class="num">${fmtInt(g.rows)}</td><td class="num">${fmtInt(g.faulty)}</td><td class="num">${fmtPct(
          g.rows ? g.faulty / g.rows : null,
        )}</td><td class="num">${fmtInt(g.unfamiliar)}</td></tr>`,
    )
    .join('');
  return `<section id="charts"><h2>Predictions at a glance</h2>
<div class="charts">
${hist ? figure(hist) : ''}
${regimes ? figure(regimes) : ''}
${files ? figure(files) : ''}
<figure><figcaption>By regime</figcaption>
${
  regimeRows
    ? `<table><thead><tr><th>Regime</th><th class="num">Wafers</th><th class="num">Faulty</th><th class="num">Fail rate</th><th class="num">Unfamiliar</th></tr></thead><tbody>${regimeRows}</tbody></table>`
    : '<p class="empty">No predictions.</p>'
}
</figure>
</div>
</section>`;
}

function reasonsList(f: IngestFileResult): string {
  if (f.reasons.length === 0) return '<span class="muted">-</span>';
  const shown = f.reasons.slice(0, MAX_REASONS);
  const items = shown.map((r) => {
    const loc = reasonLocation(r);
    return `<li><code>${e(r.code)}</code> ${e(r.message)}${loc ? ` <span class="loc">(${e(loc)})</span>` : ''}</li>`;
  });
  if (f.reasons.length > shown.length)
    items.push(`<li class="muted">and ${fmtInt(f.reasons.length - shown.length)} more reasons</li>`);
  return `<ul class="reasons">${items.join('')}</ul>`;
}

function filesSection(data: BatchReportData, limit: number): string {
  const order: Record<string, number> = { bad: 0, duplicate: 1, good: 2 };
  const files = [...data.batch.fileResults].sort(
    (a, b) => (order[a.status] ?? 3) - (order[b.status] ?? 3) || a.name.localeCompare(b.name),
  );
  const shown = files.slice(0, Math.max(limit, files.filter((f) => f.status !== 'good').length));
  const rows = shown
    .map(
      (f) =>
        `<tr><td class="id">${e(f.name)}</td><td><span class="badge ${e(f.status)}">${e(fileStatusText(f.status))}</span></td><td class="num">${fmtInt(
          f.rows,
        )}</td><td>${reasonsList(f)}</td></tr>`,
    )
    .join('\n');
  const note = cappedNote(shown.length, files.length, 'files');
  const s = summarize(data);
  return `<section id="files"><h2>Batch files</h2>
<p>${fmtInt(files.length)} files: ${fmtInt(s.filesGood)} good, ${fmtInt(s.filesQuarantined)} quarantined${
    s.filesDuplicate ? `, ${fmtInt(s.filesDuplicate)} already imported` : ''
  }. Quarantined files are kept whole in the workspace and can be exported, fixed and imported again.</p>
${
  files.length
    ? `<table><thead><tr><th>File</th><th>Status</th><th class="num">Rows</th><th>Reasons</th></tr></thead><tbody>
${rows}
</tbody></table>`
    : '<p class="empty">No files.</p>'
}
${note ? `<p class="note">${e(note)}</p>` : ''}
</section>`;
}

function modelSection(data: BatchReportData): string {
  const m = data.model;
  const facts = modelFacts(data)
    .map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`)
    .join('');
  const metrics = metricLines(data);
  const metricsHtml = metrics.length
    ? `<table><thead><tr><th>Metric</th><th class="num">Value</th><th></th></tr></thead><tbody>${metrics
        .map(
          (l) =>
            `<tr><td>${e(l.label)}</td><td class="num">${e(l.value)}</td><td class="muted">${e(l.note ?? '')}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="empty">This model version has no held-out metrics.</p>';
  const c = m.metrics?.confusion;
  const confusion = c
    ? `<h3>Confusion matrix (held-out rows)</h3>
<table class="confusion"><thead><tr><th></th><th>Predicted faulty</th><th>Predicted good</th></tr></thead><tbody>
<tr><th>Actually faulty</th><td class="hit">${fmtInt(c.tp)}</td><td class="miss">${fmtInt(c.fn)}</td></tr>
<tr><th>Actually good</th><td class="miss">${fmtInt(c.fp)}</td><td class="hit">${fmtInt(c.tn)}</td></tr>
</tbody></table>`
    : '';
  const gates = m.gates.length
    ? `<table><thead><tr><th>Gate</th><th>Result</th><th class="num">Value vs threshold</th></tr></thead><tbody>${m.gates
        .map(
          (g) =>
            `<tr><td>${e(g.name)}</td><td><span class="badge ${g.passed ? 'pass' : 'fail'}">${g.passed ? 'pass' : 'fail'}</span></td><td class="num">${e(
              gateComparison(g),
            )}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="empty">No quality gates were set for this version.</p>';
  const roc = rocChart(m.metrics, m.threshold);
  return `<section id="model"><h2>Model version v${m.version}</h2>
<div class="cols2">
<div><h3>Version</h3><dl class="facts">${facts}</dl>${confusion}</div>
<div><h3>Held-out metrics</h3>${metricsHtml}</div>
</div>
<div class="cols2">
<div><h3>Quality gates</h3>${gates}</div>
<div>${roc ? `<h3>ROC curve</h3>${figure(roc)}` : ''}</div>
</div>
</section>`;
}

function sensorsCell(row: ReportRow): string {
  const top = topTowardsFaulty(row.explanation);
  if (top.length === 0) return '<span class="muted">no explanation</span>';
  return top
    .map((s) => {
      const oor = outOfRange(s);
      return `<span class="sensor${oor ? ' oor' : ''}">${e(s.sensor)} <span class="eff">${e(fmtEffect(s.effect))}</span> <span class="rng">value <span class="v">${e(
        fmtValue(s.value),
      )}</span>, range ${e(fmtValue(s.low))} – ${e(fmtValue(s.high))}${oor ? ' <span class="v">outside</span>' : ''}</span></span>`;
    })
    .join('');
}

function fileCell(row: ReportRow): string {
  if (!row.fileName) return '<span class="muted">-</span>';
  return `${e(row.fileName)}${row.rowNo !== null ? `<span class="rowno">row ${fmtInt(row.rowNo)}</span>` : ''}`;
}

function faultySection(data: BatchReportData, limit: number): string {
  const all = faultyRows(data);
  const shown = all.slice(0, limit);
  const note = cappedNote(shown.length, all.length, 'faulty wafers');
  const body = shown
    .map(
      (r) =>
        `<tr><td class="id">${e(r.wafer)}</td><td class="id">${fileCell(r)}</td><td class="num">${fmtProb(r.probability)}</td><td class="num">${r.cluster}</td><td>${
          r.unfamiliar ? '<span class="badge warn">unfamiliar</span>' : '<span class="muted">no</span>'
        }</td><td>${sensorsCell(r)}</td></tr>`,
    )
    .join('\n');
  return `<section id="faulty"><h2>Predicted faulty wafers</h2>
<p>${fmtInt(all.length)} wafers at or above the threshold ${fmtProb(data.batch.threshold)}, most likely first. Top sensors are those that pushed the prediction most towards faulty, with the wafer's value and the 5th–95th percentile of the sensor among the regime's training rows.</p>
${
  shown.length
    ? `<table class="wafers"><thead><tr><th>Wafer</th><th>File</th><th class="num">Probability</th><th class="num">Regime</th><th>Unfamiliar</th><th>Top sensors towards faulty</th></tr></thead><tbody>
${body}
</tbody></table>`
    : '<p class="empty">No wafer is predicted faulty.</p>'
}
${note ? `<p class="note">${e(note)}</p>` : ''}
</section>`;
}

function unfamiliarSection(data: BatchReportData, limit: number): string {
  const all = unfamiliarRows(data);
  const shown = all.slice(0, limit);
  const note = cappedNote(shown.length, all.length, 'unfamiliar wafers');
  const body = shown
    .map(
      (r) =>
        `<tr><td class="id">${e(r.wafer)}</td><td class="id">${fileCell(r)}</td><td class="num">${r.cluster}</td><td class="num">${e(
          fmtValue(r.distance),
        )}</td><td class="num">${fmtProb(r.probability)}</td><td><span class="badge ${r.faulty ? 'fail' : 'pass'}">${e(
          `${String(r.label)} ${r.faulty ? 'faulty' : 'good'}`,
        )}</span></td></tr>`,
    )
    .join('\n');
  return `<section id="unfamiliar"><h2>Unfamiliar-regime wafers</h2>
<p>Wafers far from every operating regime seen in training. Their predictions extrapolate: check them by hand.</p>
${
  shown.length
    ? `<table class="wafers"><thead><tr><th>Wafer</th><th>File</th><th class="num">Nearest regime</th><th class="num">Distance</th><th class="num">Probability</th><th>Prediction</th></tr></thead><tbody>
${body}
</tbody></table>`
    : '<p class="empty">No wafer is outside the known regimes.</p>'
}
${note ? `<p class="note">${e(note)}</p>` : ''}
</section>`;
}

function driftSection(data: BatchReportData): string {
  const d = driftSummary(data);
  const badge = { drifted: 'fail', moving: 'warn', stable: 'pass' } as const;
  const body = d.rows
    .map(
      (r) =>
        `<tr><td class="id sensor">${e(r.sensor)}</td><td class="num"><span class="badge ${badge[r.level]}">${e(r.psi)}</span></td><td class="num">${e(
          r.median,
        )}</td><td class="num">${e(r.missing)}</td></tr>`,
    )
    .join('\n');
  return `<section id="drift"><h2>Sensor drift</h2>
<p>${e(d.lede)}</p>
${d.note ? `<p class="note">${e(d.note)}</p>` : ''}
${
  d.rows.length
    ? `<table class="wafers"><thead><tr><th>Sensor</th><th class="num">PSI</th><th class="num">Median: training -&gt; batch</th><th class="num">Missing: training -&gt; batch</th></tr></thead><tbody>
${body}
</tbody></table>`
    : ''
}
</section>`;
}

export function renderHtmlReport(data: BatchReportData, options?: ReportOptions): string {
  const limit = maxRows(options);
  const title = `${reportTitle(data)} - ${APP_TITLE}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${e(`${APP_TITLE} ${data.appVersion}`)}">
<title>${e(title)}</title>
<style>${CSS}</style>
</head>
<body>
<div class="page">
${header(data)}
<nav class="toc"><a href="#summary">Summary</a><a href="#charts">Charts</a><a href="#files">Files</a><a href="#model">Model</a><a href="#faulty">Faulty wafers</a><a href="#unfamiliar">Unfamiliar wafers</a><a href="#drift">Sensor drift</a></nav>
<main>
${summarySection(data)}
${chartsSection(data)}
${filesSection(data, limit)}
${modelSection(data)}
${faultySection(data, limit)}
${unfamiliarSection(data, limit)}
${driftSection(data)}
</main>
<footer>${e(`${APP_TITLE} ${data.appVersion} - batch ${data.batch.id} - generated ${fmtTime(data.generatedAt)} - workspace ${data.workspace}`)}</footer>
</div>
</body>
</html>
`;
}
