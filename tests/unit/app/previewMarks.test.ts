import { describe, expect, it } from 'vitest';
import {
  asViews,
  countMarks,
  describeMark,
  tokenDescription,
} from '../../../src/app/panels/previewMarks.ts';
import { isModelFile, splitPicked } from '../../../src/app/panels/upload.ts';
import type { ViewPreview } from '../../../src/engine/augment/preview.ts';
import { preview } from '../../../src/engine/augment/preview.ts';

describe('preview marks', () => {
  it('describes each mark in words', () => {
    expect(describeMark({ kind: 'replaced', original: 'big' })).toBe('replaced “big”');
    expect(describeMark({ kind: 'swapped', originalPosition: 0 })).toBe('swapped (was word 1)');
    expect(tokenDescription({ text: 'x', marks: [{ kind: 'kept' }] })).toBe('');
  });

  it('counts the marks of a real preview of the Chinese example (deletion and swap only)', () => {
    const views = preview('我不会再爱你', {
      seed: 3,
      eda: {
        synonymReplacement: 0,
        randomInsertion: 0,
        randomSwap: 0.3,
        randomDeletion: 0.3,
        combine: 'all',
      },
    });
    const checked = asViews(views);
    expect(checked).not.toBeNull();
    const counts = countMarks(checked as [ViewPreview, ViewPreview]);
    const kinds = Object.keys(counts);
    expect(kinds.every((k) => k === 'deleted' || k === 'swapped')).toBe(true);
    expect(kinds.length).toBeGreaterThan(0);
  });

  it('asViews refuses other shapes', () => {
    expect(asViews(null)).toBeNull();
    expect(asViews([{ text: 'a', tokens: [] }])).toBeNull();
    expect(asViews([{ text: 'a' }, { text: 'b', tokens: [] }])).toBeNull();
  });
});

describe('uploads', () => {
  it('keeps the files a model folder needs and skips the rest', () => {
    expect(isModelFile('config.json')).toBe(true);
    expect(isModelFile('1_Pooling/config.json')).toBe(true);
    expect(isModelFile('model.safetensors')).toBe(true);
    expect(isModelFile('onnx/model.onnx')).toBe(false);
    expect(isModelFile('.git/HEAD')).toBe(false);
    expect(isModelFile('flax_model.msgpack')).toBe(false);
  });

  it('splits a picked path into folder and inner path', () => {
    expect(splitPicked('bert-tiny/1_Pooling/config.json')).toEqual({
      folder: 'bert-tiny',
      rel: '1_Pooling/config.json',
    });
    expect(splitPicked('x.txt')).toEqual({ folder: '', rel: 'x.txt' });
  });
});
