import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePdfReport } from '../../../src/main/reports';
import { faultyRows } from '../../../src/main/reports/format';
import { pdfSafe } from '../../../src/main/reports/pdf-text';
import { useTempDir } from '../../helpers/tmp';
import { makeReportData } from './fixture';

const hasPoppler = ['/usr/bin/pdftotext', '/usr/bin/pdfinfo'].every((p) => existsSync(p));
const tmp = useTempDir('wfs-reports-');

function pdftotext(path: string, page?: number): string {
  const range = page === undefined ? [] : ['-f', String(page), '-l', String(page)];
  return execFileSync('pdftotext', [...range, path, '-'], { encoding: 'utf8' });
}

describe('writePdfReport', () => {
  it('writes a multi-page PDF with metadata from the data, the same bytes every time', async () => {
    const data = makeReportData();
    const dir = tmp();
    const a = await writePdfReport(data, join(dir, 'a.pdf'));
    const b = await writePdfReport(data, join(dir, 'b.pdf'));
    const bytes = readFileSync(join(dir, 'a.pdf'));
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.subarray(-6).toString('latin1')).toContain('%%EOF');
    expect(a.bytes).toBe(statSync(join(dir, 'a.pdf')).size);
    expect(a.pages).toBeGreaterThan(1);
    expect(b).toEqual(a);
    expect(readFileSync(join(dir, 'b.pdf')).equals(bytes)).toBe(true);
  });

  it.skipIf(!hasPoppler)(
    'has the sections, the wafers, page numbers and metadata (pdftotext, pdfinfo)',
    async () => {
      const data = makeReportData();
      const path = join(tmp(), 'r.pdf');
      const { pages } = await writePdfReport(data, path);
      const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
      expect(info).toMatch(new RegExp(`^Pages:\\s+${pages}$`, 'm'));
      expect(info).toMatch(/^Title:\s+Prediction report: batch 12$/m);
      expect(info).toMatch(/^Author:\s+Wafer Fault Studio$/m);
      expect(info).toMatch(/^CreationDate:\s+Tue Mar\s+4 10:20:30 2025 UTC$/m);
      const text = pdftotext(path);
      for (const title of [
        'Prediction report: batch 12',
        'Summary',
        'Predictions at a glance',
        'Probability of faulty',
        'Faulty by regime',
        'Faulty per file',
        'Batch files',
        'Model version v3',
        'Held-out metrics',
        'Confusion matrix (held-out rows)',
        'Quality gates',
        'ROC curve',
        'Predicted faulty wafers',
        'Unfamiliar-regime wafers',
        'Sensor drift',
        '2 of 590 sensors drifted, 3 moving.',
      ]) {
        expect(text).toContain(title);
      }
      expect(text).toContain(faultyRows(data)[0]!.wafer);
      expect(text).toContain('threshold 0.420');
      expect(text).toContain('0.786 >= 0.850');
      expect(text).toContain('31022020 is not a real date');
      expect(text).toContain('non_numeric_value');
      expect(text).toContain(`Page 1 of ${pages}`);
      expect(text).toContain(`Page ${pages} of ${pages}`);
      // The faulty table continues over pages with its header row repeated.
      let headers = 0;
      for (let p = 1; p <= pages; p++)
        if (pdftotext(path, p).includes('TOP SENSORS TOWARDS FAULTY')) headers++;
      expect(headers).toBeGreaterThan(1);
    },
  );

  it.skipIf(!hasPoppler)('writes text Helvetica cannot encode in a readable form', async () => {
    const data = makeReportData({ rows: 20 });
    data.rows[0]!.wafer = 'Wafer-Δ≥5 😀';
    data.rows[0]!.faulty = true;
    const path = join(tmp(), 'u.pdf');
    await writePdfReport(data, path);
    expect(pdftotext(path)).toContain('Wafer-?>=5 ?');
  });

  it('renders an empty batch without metrics', async () => {
    const data = makeReportData({ rows: 0 });
    data.model.metrics = null;
    data.model.gates = [];
    const path = join(tmp(), 'e.pdf');
    const { pages } = await writePdfReport(data, path);
    expect(pages).toBeGreaterThanOrEqual(1);
    if (hasPoppler) {
      const text = pdftotext(path);
      expect(text).toContain('No wafer is predicted faulty.');
      expect(text).not.toContain('ROC curve');
    }
  });
});

describe('pdfSafe', () => {
  it('keeps WinAnsi, spells common symbols, replaces the rest', () => {
    expect(pdfSafe('Sensor - 59 – 5th–95th … €')).toBe('Sensor - 59 – 5th–95th … €');
    expect(pdfSafe('a ≥ b ≤ c − d → e')).toBe('a >= b <= c - d -> e');
    expect(pdfSafe('x\u0007y\tz\n')).toBe('x y z ');
    expect(pdfSafe('漢字 😀')).toBe('?? ?');
    expect(pdfSafe('Müller café')).toBe('Müller café');
  });
});
