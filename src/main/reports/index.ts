/**
 * Batch reports: the predictions CSV (reference Predictions.csv shape plus our columns), one
 * self-contained HTML file and a PDF, all from the same BatchReportData the predict service gathers.
 */
import type { BatchReportData } from '../../shared/contract/predict';

export { writePredictionsCsv, PREDICTIONS_CSV_HEADER } from './csv';
export { renderHtmlReport, REPORT_CSP } from './html';
export { writePdfReport } from './pdf';
export type { ReportOptions } from './format';

export type ReportFormat = 'csv' | 'html' | 'pdf';

/**
 * A file name for a batch's report: "wafer-batch-12-2025-03-04-predictions.csv",
 * "wafer-batch-12-2025-03-04-report.html" / ".pdf" (the date is the batch's, so it is stable).
 */
export function reportFileName(data: BatchReportData, format: ReportFormat): string {
  const d = new Date(data.batch.createdAt);
  const date = Number.isNaN(d.getTime()) ? '' : `-${d.toISOString().slice(0, 10)}`;
  const id = String(data.batch.id).replace(/[^0-9A-Za-z_-]/g, '');
  return format === 'csv'
    ? `wafer-batch-${id}${date}-predictions.csv`
    : `wafer-batch-${id}${date}-report.${format}`;
}
