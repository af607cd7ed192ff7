import { describe, expect, it } from 'vitest';
import { chapterById, chapterConfig } from '../../../src/engine/lab/chapters.ts';
import {
  getDotted,
  parseSweepFields,
  parseSweepValues,
  sweepConfigs,
  sweepLabel,
} from '../../../src/engine/lab/sweep.ts';

const unsup = chapterConfig(chapterById('simcse-unsup'), 'quick');

describe('sweeps over a numeric config field', () => {
  it("reproduces SimCSE's dropout ablation: p on both dropouts, everything else as the base", () => {
    const fields = parseSweepFields('encoder.hiddenDropout, encoder.attentionDropout');
    const points = sweepConfigs(unsup, { fields, values: parseSweepValues('0 0.1, 0.5') });
    expect(points.map((p) => p.value)).toEqual([0, 0.1, 0.5]);
    for (const p of points) {
      expect(p.config.encoder.hiddenDropout).toBe(p.value);
      expect(p.config.encoder.attentionDropout).toBe(p.value);
      expect(p.config.objective).toEqual(points[0]!.config.objective);
    }
    expect(sweepLabel(fields, 0.5)).toBe('encoder.hiddenDropout = encoder.attentionDropout = 0.5');
  });

  it('the temperature ablation, with repeated values once', () => {
    const points = sweepConfigs(unsup, {
      fields: ['objective.temperature'],
      values: [0.01, 0.05, 0.05, 1],
    });
    expect(points.map((p) => p.config.objective.temperature)).toEqual([0.01, 0.05, 1]);
  });

  it('sweeps nullable numbers and integer fields too', () => {
    const points = sweepConfigs(unsup, { fields: ['data.train.limit'], values: [100, 200] });
    expect(points.map((p) => p.config.data.train.limit)).toEqual([100, 200]);
    expect(sweepConfigs(unsup, { fields: ['batchSize'], values: [16] })[0]!.config.batchSize).toBe(
      16,
    );
  });

  it('refuses a field that holds no number, an unknown field and a value the schema refuses', () => {
    expect(() => sweepConfigs(unsup, { fields: ['encoder.pooling'], values: [1] })).toThrow(
      'sweep: encoder.pooling is not a numeric config field (it holds "mean").',
    );
    expect(() => sweepConfigs(unsup, { fields: ['objective.temprature'], values: [1] })).toThrow(
      /objective\.temprature is not a numeric config field \(there is no such field\)/,
    );
    expect(() => sweepConfigs(unsup, { fields: ['objective.temperature'], values: [0] })).toThrow(
      /^sweep: objective\.temperature = 0 is not accepted: .*objective\.temperature/,
    );
    expect(() => sweepConfigs(unsup, { fields: ['batchSize'], values: [2.5] })).toThrow(
      /batchSize = 2.5/,
    );
  });

  it('parses value and field lists, naming what is not a number', () => {
    expect(parseSweepValues('1e-4; 3e-4 ,1e-3')).toEqual([1e-4, 3e-4, 1e-3]);
    expect(() => parseSweepValues('0.1, x')).toThrow('sweep values: "x" is not a number.');
    expect(() => parseSweepValues(' ')).toThrow(/give at least one number/);
    expect(() => parseSweepFields(' , ')).toThrow(/name a numeric config field/);
    expect(getDotted({ a: { b: 2 } }, 'a.b')).toBe(2);
    expect(getDotted({ a: null }, 'a.b')).toBeUndefined();
  });
});
