import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { csvCell, fileStem, metricsCsv, metricsJson } from '../../../src/app/export/metrics.ts';
import { metadataTsv, tsvCell, vectorsTsv } from '../../../src/app/export/projector.ts';
import { zipFolder } from '../../../src/app/export/zip.ts';
import { evalPoint, run, stepPoint } from './helpers.ts';

describe('metrics export', () => {
  it('CSV has one row per step with eval columns at eval steps', () => {
    const r = run({
      steps: [stepPoint(1, 2.5), stepPoint(2, 2.25)],
      evals: [evalPoint(2, { spearman: 61.5 })],
    });
    const lines = metricsCsv(r).trimEnd().split('\n');
    const header = lines[0]!.split(',');
    expect(header.slice(0, 3)).toEqual(['step', 'epoch', 'loss']);
    expect(lines).toHaveLength(3);
    const row2 = Object.fromEntries(header.map((h, i) => [h, lines[2]!.split(',')[i]]));
    expect(row2).toMatchObject({
      step: '2',
      loss: '2.25',
      alignment: '0.5',
      uniformity: '-2',
      spearman: '61.5',
      protocol: 'held-out-views',
    });
    const row1 = Object.fromEntries(header.map((h, i) => [h, lines[1]!.split(',')[i]]));
    expect(row1.alignment).toBe('');
  });

  it('CSV quotes text cells that need it', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell(Number.NaN)).toBe('NaN');
    expect(csvCell(undefined)).toBe('');
  });

  it('JSON carries config, steps and evals', () => {
    const j = JSON.parse(metricsJson(run({ steps: [stepPoint(1)], evals: [evalPoint(1)] })));
    expect(j.config).toEqual({ seed: 0 });
    expect(j.steps).toHaveLength(1);
    expect(j.evals[0].alignment).toBe(0.5);
  });

  it('file stems are safe', () => {
    expect(fileStem('SupCon + CE #2')).toBe('SupCon-CE-2');
    expect(fileStem('../..')).toBe('..-..');
    expect(fileStem('我')).toBe('run');
  });
});

describe('Embedding Projector files', () => {
  it('vectors.tsv has N rows of D tab-separated numbers', () => {
    const t = vectorsTsv(new Float32Array([1, 2, 3, 4.5, -5, 6]), 3);
    expect(t).toBe('1\t2\t3\n4.5\t-5\t6\n');
    expect(() => vectorsTsv([1, 2, 3], 2)).toThrow();
  });

  it('metadata.tsv has a header and no tabs or newlines inside cells', () => {
    const t = metadataTsv(['a\tb', 'line\nbreak'], ['g1', 'g2']);
    expect(t).toBe('text\tgroup\na b\tg1\nline break\tg2\n');
    expect(tsvCell('x\r\ny')).toBe('x y');
  });
});

describe('model zip', () => {
  it('puts the files at the root and refuses paths that climb out', () => {
    const files = {
      'config.json': new TextEncoder().encode('{}'),
      '1_Pooling/config.json': new TextEncoder().encode('{"x":1}'),
      'model.safetensors': new Uint8Array([1, 2, 3]),
      '../evil': new Uint8Array([0]),
    };
    const back = unzipSync(zipFolder(files));
    expect(Object.keys(back).sort()).toEqual([
      '1_Pooling/config.json',
      'config.json',
      'model.safetensors',
    ]);
    expect([...back['model.safetensors']!]).toEqual([1, 2, 3]);
  });
});
