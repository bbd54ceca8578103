import { describe, expect, it } from 'vitest';
import { REPORT_CSP, renderHtmlReport, reportFileName } from '../../../src/main/reports';
import { EVIL_FORMULA_WAFER, makeReportData } from './fixture';

describe('renderHtmlReport', () => {
  const data = makeReportData();
  const html = renderHtmlReport(data);

  it('is one self-contained document with a strict CSP', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(REPORT_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|@import|url\(/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\ssrc=/i);
    for (const m of html.matchAll(/\shref="([^"]*)"/g)) expect(m[1]).toMatch(/^#[a-z]+$/);
    expect(html).toContain('<style>');
    expect(html).toContain('@media print');
  });

  it('has every section', () => {
    for (const [id, title] of [
      ['summary', 'Summary'],
      ['charts', 'Predictions at a glance'],
      ['files', 'Batch files'],
      ['model', 'Model version v3'],
      ['faulty', 'Predicted faulty wafers'],
      ['unfamiliar', 'Unfamiliar-regime wafers'],
      ['drift', 'Sensor drift'],
    ]) {
      expect(html).toContain(`<section id="${id}"><h2>${title}</h2>`);
    }
    expect(html).toContain('Prediction report: batch 12');
    // Drift: the counts in words, the drifted sensors flagged, the medians training -> batch.
    expect(html).toContain('2 of 590 sensors drifted, 3 moving.');
    expect(html).toContain('<td class="id sensor">Sensor - 100</td><td class="num"><span class="badge fail">2.410</span></td>');
    expect(html).toContain('<span class="badge warn">0.240</span>');
    expect(html).toContain('<span class="badge pass">0.060</span>');
    expect(html).toContain('Predictions on inputs the model was not trained on are less reliable.');
    expect(html).toContain('2025-03-04 10:20:30 UTC');
    expect(html).toContain('Wafer Fault Studio 0.1.0');
    expect(html).toContain('/home/eng/fab7/workspace.sqlite');
  });

  it('summarises files, rows, faulty with the fail rate, and unfamiliar wafers', () => {
    const faulty = data.rows.filter((r) => r.faulty).length;
    const unfamiliar = data.rows.filter((r) => r.unfamiliar).length;
    expect(html).toContain(
      '<div class="value">3 / 6</div><div class="sub">2 quarantined, 1 already imported</div>',
    );
    expect(html).toContain(
      `<div class="value">${faulty}</div><div class="sub">fail rate ${((faulty / 300) * 100).toFixed(1)}%</div>`,
    );
    expect(html).toContain(`<div class="value">${unfamiliar}</div>`);
    expect(html).toContain(`${faulty} of 300 wafers are predicted faulty`);
  });

  it('escapes user data: wafer ids, file names, reason values', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('=HYPERLINK(&quot;evil.example&quot;,&quot;open&quot;)');
    expect(html).not.toContain(EVIL_FORMULA_WAFER);
    expect(html).toContain('wafer_&lt;b&gt;07012020&lt;/b&gt;_&amp;_120000.csv');
    expect(html).not.toContain('<b>07012020</b>');
    expect(html).toContain('value &quot;n/a&lt;x&gt;&quot;');
  });

  it('lists every file with every reason, code, message and location', () => {
    for (const f of data.batch.fileResults) {
      expect(html).toContain(f.name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      for (const r of f.reasons) {
        expect(html).toContain(`<code>${r.code}</code>`);
        expect(html).toContain(r.message.replace(/"/g, '&quot;'));
      }
    }
    expect(html).toContain('row 12, column 5 (Sensor - 4)');
    expect(html).toContain('column 8 (Sensor - 7), column 9 (Sensor - 8)');
    expect(html).toContain('row 40, 3 more not listed');
    expect(html).toContain('<span class="badge bad">quarantined</span>');
    expect(html).toContain('<span class="badge duplicate">already imported</span>');
  });

  it('shows the model: facts, metrics with the fail rate by accuracy, confusion matrix and every gate', () => {
    expect(html).toContain('<dt>Regimes (k)</dt><dd>4</dd>');
    expect(html).toContain('<dt>Decision threshold</dt><dd>0.420</dd>');
    expect(html).toContain('<dt>Strategy</dt><dd>per-cluster</dd>');
    expect(html).toContain('<dt>Stages</dt><dd>production</dd>');
    expect(html).toMatch(
      /Accuracy<\/td><td class="num">96\.8%<\/td><td class="muted">actual fail rate 6\.4%/,
    );
    for (const label of ['Balanced accuracy', 'Precision', 'Recall', 'F1', 'ROC AUC', 'PR AUC'])
      expect(html).toContain(`<td>${label}</td>`);
    expect(html).toContain('<td class="hit">11</td><td class="miss">3</td>');
    expect(html).toContain('<td class="miss">4</td><td class="hit">200</td>');
    expect(html).toContain(
      '<td>Minimum recall</td><td><span class="badge fail">fail</span></td><td class="num">0.786 &gt;= 0.850</td>',
    );
    expect(html.match(/class="badge pass">pass/g)).toHaveLength(3);
  });

  it('tables the faulty wafers with their top sensors, values and training ranges', () => {
    const faulty = data.rows.filter((r) => r.faulty);
    const section = html.slice(
      html.indexOf('<section id="faulty">'),
      html.indexOf('<section id="unfamiliar">'),
    );
    expect(section.match(/<tr><td class="id">/g)).toHaveLength(faulty.length);
    expect(section).toContain('Sensor - 59 <span class="eff">+0.');
    expect(section).toMatch(/range -1 – 2 <span class="v">outside<\/span>/);
    expect(section).toContain('value <span class="v">missing</span>');
    const unfamiliar = html.slice(html.indexOf('<section id="unfamiliar">'));
    expect(unfamiliar.match(/<tr><td class="id">/g)).toHaveLength(
      data.rows.filter((r) => r.unfamiliar).length,
    );
  });

  it('draws the charts as inline SVG: histogram with the threshold, regimes, files, ROC', () => {
    expect(html.match(/<svg /g)).toHaveLength(4);
    for (const id of ['chart-probability', 'chart-regimes', 'chart-files', 'chart-roc']) {
      expect(html).toContain(`aria-labelledby="${id}-t ${id}-d"`);
    }
    expect(html).toContain('>threshold 0.420</text>');
    expect(html).toContain('stroke-dasharray="4 3"');
    expect(html).toContain('>ROC AUC 0.957</text>');
    expect(html).toContain('<polyline points=');
    expect(html).toContain('>wafer_&lt;b&gt;07012020&lt;/b&gt;_&amp;_120000.csv</text>');
  });

  it('caps long tables and says so', () => {
    const capped = renderHtmlReport(data, { maxTableRows: 10 });
    const faulty = data.rows.filter((r) => r.faulty).length;
    expect(capped).toContain(`Showing 10 of ${faulty} faulty wafers; the predictions CSV lists every row.`);
  });

  it('renders an empty batch without metrics or curves', () => {
    const empty = makeReportData({ rows: 0 });
    empty.model.metrics = null;
    empty.model.gates = [];
    const out = renderHtmlReport(empty);
    expect(out).toContain('No wafer is predicted faulty.');
    expect(out).toContain('No wafer is outside the known regimes.');
    expect(out).toContain('This model version has no held-out metrics.');
    expect(out).toContain('No quality gates were set for this version.');
    expect(out).not.toContain('chart-roc');
    expect(out).toContain('No predictions in this batch.');
  });
});

describe('reportFileName', () => {
  it('names the files by batch and date', () => {
    const data = makeReportData({ rows: 3 });
    expect(reportFileName(data, 'csv')).toBe('wafer-batch-12-2025-03-04-predictions.csv');
    expect(reportFileName(data, 'html')).toBe('wafer-batch-12-2025-03-04-report.html');
    expect(reportFileName(data, 'pdf')).toBe('wafer-batch-12-2025-03-04-report.pdf');
  });
});
