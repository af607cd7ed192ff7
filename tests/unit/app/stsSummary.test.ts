/**
 * The status line and the score chart's reference lines, from a run's recorded events. The
 * numbers in the inputs are made up; the expected strings follow from them by the rules under
 * test (one decimal, the change taken between the shown scores).
 */
import { describe, expect, it } from 'vitest';
import {
  baselinesText,
  referenceLines,
  runBaselines,
  scoreSummary,
  summaryText,
} from '../../../src/app/charts/stsSummary.ts';
import { fromRecord, toRecord } from '../../../src/app/state/runRecord.ts';
import type { RunData } from '../../../src/app/state/runStore.ts';
import { evalPoint, run } from './helpers.ts';

const READY: NonNullable<RunData['ready']> = {
  backend: 'cpu',
  reasons: [],
  parameters: 1000,
  trainExamples: 100,
  evalExamples: 64,
  totalSteps: 4,
  startStep: 0,
  dataReport: '',
  setupMs: 1,
  evalName: 'STS-B dev',
};

/** An STS run: step 0 (with the lexical baselines), then steps 2 and 4. */
function stsRun(): RunData {
  return run({
    ready: READY,
    evals: [
      evalPoint(0, {
        spearman: 61.24,
        protocol: 'sts-pairs',
        baselines: { bagOfWords: 56.48, tfidf: 76.01 },
      }),
      evalPoint(2, { spearman: 63.9, protocol: 'sts-pairs' }),
      evalPoint(4, { spearman: 66.16, protocol: 'sts-pairs' }),
    ],
  });
}

describe('score summary (status line)', () => {
  it('reads start → latest with the eval set name and the change between the shown scores', () => {
    const s = scoreSummary(stsRun());
    expect(s).not.toBeNull();
    // 61.24 → "61.2", 66.16 → "66.2": the change shown is 66.2 - 61.2 = 5.0, not 4.92 → 4.9.
    expect(summaryText(s!)).toBe('STS-B dev 61.2 → 66.2 (+5.0)');
    expect(baselinesText(s!.baselines!)).toBe('bag of words 56.5 · TF-IDF 76.0');
  });

  it('a score that fell shows a minus sign', () => {
    const r = stsRun();
    r.evals.push(evalPoint(6, { spearman: 58.0 }));
    expect(summaryText(scoreSummary(r)!)).toBe('STS-B dev 61.2 → 58.0 (−3.2)');
  });

  it('before step 1 it shows the step-0 score alone', () => {
    const r = stsRun();
    r.evals = r.evals.slice(0, 1);
    expect(summaryText(scoreSummary(r)!)).toBe('STS-B dev 61.2 at step 0');
  });

  it('classification runs read accuracy, named after the set when the worker names it', () => {
    const evals = [evalPoint(0, { accuracy: 40.12 }), evalPoint(25, { accuracy: 55.3 })];
    expect(summaryText(scoreSummary(run({ evals }))!)).toBe('accuracy 40.1 → 55.3 (+15.2)');
    const named = run({ evals, ready: { ...READY, evalName: 'Brown genres test' } });
    expect(summaryText(scoreSummary(named)!)).toBe(
      'Brown genres test accuracy 40.1 → 55.3 (+15.2)',
    );
    expect(scoreSummary(named)!.baselines).toBeUndefined();
  });

  it('a run without a step-0 evaluation (recorded before it existed) shows the latest only', () => {
    const r = run({
      evals: [evalPoint(25, { spearman: 30.04 }), evalPoint(50, { spearman: 33.3 })],
    });
    expect(summaryText(scoreSummary(r)!)).toBe('STS Spearman 33.3');
    expect(referenceLines(r, 'spearman')).toEqual([]);
  });

  it('nothing to say before the first score, or with held-out views only', () => {
    expect(scoreSummary(run())).toBeNull();
    expect(scoreSummary(run({ evals: [evalPoint(0)] }))).toBeNull();
  });
});

describe('score chart reference lines', () => {
  it('start and both baselines, at their values, labelled as shown', () => {
    expect(referenceLines(stsRun(), 'spearman')).toEqual([
      { id: 'start', y: 61.24, label: 'start 61.2' },
      { id: 'bag-of-words', y: 56.48, label: 'bag of words 56.5' },
      { id: 'tfidf', y: 76.01, label: 'TF-IDF 76.0' },
    ]);
  });

  it('a run with no STS score draws none on an STS chart (overlaid with an STS run)', () => {
    const cls = run({ evals: [evalPoint(0, { accuracy: 40 })] });
    expect(referenceLines(cls, 'spearman')).toEqual([]);
    expect(referenceLines(undefined, 'spearman')).toEqual([]);
    expect(referenceLines(cls, 'accuracy')).toEqual([{ id: 'start', y: 40, label: 'start 40.0' }]);
  });
});

describe('the run record keeps the new fields', () => {
  it('baselines and evalName survive a save and a reload', () => {
    const back = fromRecord(structuredClone(toRecord(stsRun())));
    expect(back?.ready?.evalName).toBe('STS-B dev');
    expect(runBaselines(back!)).toEqual({ bagOfWords: 56.48, tfidf: 76.01 });
    expect(summaryText(scoreSummary(back!)!)).toBe('STS-B dev 61.2 → 66.2 (+5.0)');
  });
});
