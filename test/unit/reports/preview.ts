/**
 * Renders the fixture report to test-results/report-preview/ (CSV, HTML, PDF) for looking at by hand:
 * `npx tsx test/unit/reports/preview.ts [rows]`, then pdftoppm / headless Chromium on the outputs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderHtmlReport, writePdfReport, writePredictionsCsv } from '../../../src/main/reports';
import { makeReportData } from './fixture';

async function main(): Promise<void> {
  const out = join(__dirname, '../../../test-results/report-preview');
  mkdirSync(out, { recursive: true });
  const data = makeReportData({ rows: Number(process.argv[2] ?? 300) });
  writeFileSync(join(out, 'report.html'), renderHtmlReport(data));
  const pdf = await writePdfReport(data, join(out, 'report.pdf'));
  const csv = await writePredictionsCsv(data, join(out, 'predictions.csv'));
  console.log(JSON.stringify({ out, pdf, csv }));
}

void main();
