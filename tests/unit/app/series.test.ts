import { describe, expect, it } from 'vitest';
import { cosineColor, shade } from '../../../src/app/charts/colors.ts';
import { lossSeries, MAX_POINTS, planeSeries } from '../../../src/app/charts/runSeries.ts';
import {
  diagonalContrast,
  downsample,
  fmtNum,
  niceAxis,
  paddedExtent,
  smooth,
} from '../../../src/app/charts/series.ts';
import { formatDuration, progressOf } from '../../../src/app/panels/progress.ts';
import { run, stepPoint } from './helpers.ts';

describe('chart series', () => {
  it('smooth is a debiased EMA (the first value is kept as is)', () => {
    const s = smooth([1, 1, 1], 0.9);
    expect(s[0]).toBeCloseTo(1);
    expect(s[2]).toBeCloseTo(1);
    const t = smooth([0, 10], 0.5);
    // (0.5·0 + 0.5·10·… ) debiased: last = 0.25·0… → 5 / 0.75
    expect(t[1]).toBeCloseTo(5 / 0.75);
    expect(smooth([1, Number.NaN, 1], 0.9)[1]).toBeNaN();
  });

  it('downsample keeps 10k points readable: at most max (+1), first and last kept', () => {
    const pts = Array.from({ length: 10_000 }, (_, i) => i);
    const d = downsample(pts, 600);
    expect(d.length).toBeLessThanOrEqual(601);
    expect(d[0]).toBe(0);
    expect(d[d.length - 1]).toBe(9999);
    expect(downsample([1, 2], 600)).toEqual([1, 2]);
  });

  it('paddedExtent ignores non-finite values', () => {
    expect(paddedExtent([1, 3, Number.NaN], 0)).toEqual([1, 3]);
    expect(paddedExtent([])).toBeNull();
    expect(paddedExtent([2, 2], 0.5)).toEqual([1, 3]);
  });

  it('diagonalContrast separates positives from in-batch negatives', () => {
    const c = diagonalContrast([
      [1, 0.2],
      [0, 0.8],
    ]);
    expect(c.positives).toBeCloseTo(0.9);
    expect(c.negatives).toBeCloseTo(0.1);
  });

  it('fmtNum is compact', () => {
    expect(fmtNum(0.0005, 2)).toBe('5e-4');
    expect(fmtNum(0.00061, 2)).toBe('6.1e-4');
    expect(fmtNum(2.3456, 3)).toBe('2.35');
    expect(fmtNum(0)).toBe('0');
  });

  it('colours: cosine scale is white at 0, and shade goes pale → full', () => {
    expect(cosineColor(0)).toBe('rgb(255, 255, 255)');
    expect(cosineColor(1)).toBe('rgb(178, 24, 43)');
    expect(cosineColor(-1)).toBe('rgb(33, 102, 172)');
    expect(shade('#000000', 1)).toBe('rgb(0, 0, 0)');
    expect(shade('#000000', 0)).not.toBe('rgb(0, 0, 0)');
  });
});

describe('progress', () => {
  it('gives step, speed and time left from recent steps', () => {
    const r = run({
      steps: [1, 2, 3, 4].map((s) => stepPoint(s)),
      ready: {
        backend: 'cpu',
        reasons: [],
        parameters: 1,
        trainExamples: 1,
        evalExamples: 1,
        totalSteps: 104,
        startStep: 0,
        dataReport: '',
        setupMs: 0,
      },
    });
    const p = progressOf(r);
    expect(p.step).toBe(4);
    expect(p.total).toBe(104);
    expect(p.sentencesPerSec).toBe(100);
    expect(p.secondsLeft).toBeCloseTo(8); // 100 steps × 80 ms
  });

  it('formats durations', () => {
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
});

describe('niceAxis', () => {
  it('gives round, distinct tick labels that cover the data', () => {
    const a = niceAxis([2.13, 2.66, 2.4])!;
    expect(a.domain[0]).toBeLessThanOrEqual(2.13);
    expect(a.domain[1]).toBeGreaterThanOrEqual(2.66);
    const labels = a.ticks.map(a.format);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels).toEqual(['2.0', '2.2', '2.4', '2.6', '2.8']);
  });

  it('handles tiny ranges, constants, negatives and learning rates', () => {
    const u = niceAxis([-0.3531, -0.3502])!;
    expect(new Set(u.ticks.map(u.format)).size).toBe(u.ticks.length);
    expect(u.ticks.length).toBeGreaterThanOrEqual(2);
    const c = niceAxis([5, 5])!;
    expect(c.domain[0]).toBeLessThan(5);
    expect(c.domain[1]).toBeGreaterThan(5);
    const lr = niceAxis([0, 0.0004])!;
    expect(lr.ticks.map(lr.format)).toEqual(['0', '1e-4', '2e-4', '3e-4', '4e-4']);
    expect(niceAxis([Number.NaN])).toBeNull();
  });
});

describe('niceAxis on a decaying learning rate', () => {
  it('keeps neighbouring labels apart', () => {
    const a = niceAxis([0.001, 0.00099, 0.000978])!;
    const labels = a.ticks.map(a.format);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.every((l) => l.includes('e-'))).toBe(true);
  });
});

describe('run series', () => {
  it('a 10k-step run draws at most MAX_POINTS (+1) points, ending at the last step', () => {
    const r = run({
      steps: Array.from({ length: 10_000 }, (_, i) => stepPoint(i + 1, 5 - i / 5000)),
    });
    const s = lossSeries(r);
    expect(s.length).toBeLessThanOrEqual(MAX_POINTS + 1);
    expect(s[s.length - 1]!.step).toBe(10_000);
    // The smoothed value is computed over all steps, before downsampling.
    expect(s[s.length - 1]!.smooth).toBeCloseTo(3, 1);
  });

  it('the plane has one point per eval with both metrics', () => {
    const r = run({
      evals: [
        { step: 5, alignment: 0.4, uniformity: -1 },
        { step: 10, spearman: 50 },
        { step: 15, alignment: 0.3, uniformity: -2 },
      ],
    });
    expect(planeSeries(r)).toEqual([
      { x: -1, y: 0.4, step: 5, run: 'test run' },
      { x: -2, y: 0.3, step: 15, run: 'test run' },
    ]);
  });
});

describe('step axis', () => {
  it('uses whole-number ticks', () => {
    const a = niceAxis([1, 2, 3], 6, true)!;
    expect(a.ticks.every(Number.isInteger)).toBe(true);
    const b = niceAxis([1, 14], 6, true)!;
    expect(b.ticks).toEqual([0, 5, 10, 15]);
  });
});
