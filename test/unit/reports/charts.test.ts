import { describe, expect, it } from 'vitest';
import {
  fileChart,
  fitText,
  niceTicks,
  probabilityHistogram,
  regimeChart,
  rocChart,
  textWidth,
} from '../../../src/main/reports/charts';
import { chartToSvg } from '../../../src/main/reports/svg';
import { fmtEffect, fmtValue, reasonLocation, topSensorsText } from '../../../src/main/reports/format';
import { makeReportData } from './fixture';

describe('chart geometry', () => {
  it('picks round ticks covering the maximum', () => {
    expect(niceTicks(125)).toEqual([0, 25, 50, 75, 100, 125]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(3)).toEqual([0, 1, 2, 3]);
    for (const m of [1, 9, 99, 1234, 98765]) expect(niceTicks(m).at(-1)).toBeGreaterThanOrEqual(m);
  });

  it('fits labels with an ellipsis', () => {
    const long = 'wafer_07012020_120000_with_a_very_long_suffix.csv';
    const fitted = fitText(long, 9, 100);
    expect(fitted.endsWith('…')).toBe(true);
    expect(textWidth(fitted, 9)).toBeLessThanOrEqual(100);
    expect(fitText('short.csv', 9, 100)).toBe('short.csv');
  });

  it('keeps every shape inside the chart', () => {
    const data = makeReportData();
    const charts = [
      probabilityHistogram(data),
      regimeChart(data),
      fileChart(data),
      rocChart(data.model.metrics, 0.42)!,
    ];
    for (const c of charts) {
      for (const p of c.prims) {
        if (p.t === 'rect') {
          expect(p.x).toBeGreaterThanOrEqual(0);
          expect(p.y).toBeGreaterThanOrEqual(0);
          expect(p.x + p.w).toBeLessThanOrEqual(c.width + 0.01);
          expect(p.y + p.h).toBeLessThanOrEqual(c.height + 0.01);
        }
        if (p.t === 'text' && !p.vertical) {
          expect(p.y).toBeLessThanOrEqual(c.height);
          expect(p.y).toBeGreaterThan(0);
        }
      }
    }
  });

  it('stacks faulty under good in the histogram and marks the threshold', () => {
    const data = makeReportData();
    const hist = probabilityHistogram(data);
    const faultyBars = hist.prims.filter((p) => p.t === 'rect' && p.fill === '#c2410c');
    expect(faultyBars.length).toBeGreaterThan(5);
    expect(hist.prims.some((p) => p.t === 'line' && p.dash !== undefined)).toBe(true);
    expect(chartToSvg(hist)).toContain('threshold 0.420');
  });

  it('switches the histogram to a square-root axis when one bin dwarfs the rest', () => {
    const data = makeReportData();
    data.histogram[0]!.count = 50_000;
    const svg = chartToSvg(probabilityHistogram(data));
    expect(svg).toContain('Wafers (square-root scale)');
  });

  it('shows at most 15 files and says how many there are', () => {
    const data = makeReportData();
    data.byFile = Array.from({ length: 40 }, (_, i) => ({
      fileName: `wafer_${i}.csv`,
      rows: 100,
      faulty: i,
    }));
    const svg = chartToSvg(fileChart(data));
    expect(svg.match(/>wafer_\d+\.csv<\/text>/g)).toHaveLength(15);
    expect(svg).toContain('The 15 files with the most faulty wafers, of 40.');
    expect(svg).toContain('>wafer_39.csv</text>');
  });

  it('has no ROC chart without a curve', () => {
    expect(rocChart(null, 0.5)).toBeNull();
  });
});

describe('report wording', () => {
  it('formats effects, values and top sensors', () => {
    expect(fmtEffect(0.8234)).toBe('+0.82');
    expect(fmtEffect(-0.4)).toBe('-0.40');
    expect(fmtEffect(0.0031)).toBe('+0.0031');
    expect(fmtValue(-6273.75)).toBe('-6273.8');
    expect(fmtValue(null)).toBe('missing');
    expect(fmtValue(2.5e-7)).toBe('2.50e-7');
    expect(
      topSensorsText({
        towardsFaulty: [
          { sensor: 'Sensor - 103', value: 1, effect: 0.4, low: 0, high: 1 },
          { sensor: 'Sensor - 59', value: 1, effect: 0.82, low: 0, high: 1 },
          { sensor: 'Sensor - 1', value: 1, effect: 0.1, low: 0, high: 1 },
          { sensor: 'Sensor - 2', value: 1, effect: 0.05, low: 0, high: 1 },
        ],
        towardsGood: [],
      }),
    ).toBe('Sensor - 59 (+0.82); Sensor - 103 (+0.40); Sensor - 1 (+0.10)');
    expect(topSensorsText(null)).toBe('');
  });

  it('says where a reason points', () => {
    expect(reasonLocation({ code: 'ragged_row', message: 'x', row: 1200, count: 3 })).toBe(
      'row 1,200, 3 more not listed',
    );
    expect(reasonLocation({ code: 'empty_file', message: 'x' })).toBe('');
  });
});
