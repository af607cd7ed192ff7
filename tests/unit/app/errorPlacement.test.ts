import { describe, expect, it } from 'vitest';
import { errorAdvice, errorPlace, shorten } from '../../../src/app/state/errorPlacement.ts';

describe('where an error is shown', () => {
  it('uses the event field when the worker names one', () => {
    expect(errorPlace({ kind: 'user', message: 'bad column', field: 'data.train' })).toBe(
      'data.train',
    );
    expect(errorPlace({ kind: 'user', message: 'x', field: 'data.eval.columns' })).toBe(
      'data.eval',
    );
    expect(errorPlace({ kind: 'user', message: 'x', field: 'encoder.source' })).toBe(
      'encoder.source',
    );
    expect(errorPlace({ kind: 'user', message: 'x', field: 'gradCache.chunkSize' })).toBe(
      'optimizer',
    );
  });

  it('falls back to the message prefix the trainer adds', () => {
    expect(
      errorPlace({ kind: 'user', message: 'data.train: my.tsv has no column "sentence"' }),
    ).toBe('data.train');
    expect(
      errorPlace({ kind: 'user', message: 'encoder.source: "hf:x y" is not a Hub model id' }),
    ).toBe('encoder.source');
  });

  it('puts a model that does not load by the encoder', () => {
    expect(
      errorPlace({
        kind: 'user',
        message: 'the uploaded folder x has pytorch_model.bin only; pickle is refused',
      }),
    ).toBe('encoder.source');
    expect(
      errorPlace({ kind: 'user', message: 'config.json is missing from the Hub model a/b@main' }),
    ).toBe('encoder.source');
  });

  it('puts divergence by the optimiser and lost devices / OOM by the backend', () => {
    expect(errorPlace({ kind: 'divergence', message: 'Training diverged at step 3' })).toBe(
      'optimizer',
    );
    expect(errorPlace({ kind: 'internal', message: 'WebGPU device was lost' })).toBe('backend');
    expect(errorPlace({ kind: 'internal', message: 'Out of memory allocating 1GB' })).toBe(
      'backend',
    );
    expect(errorPlace({ kind: 'internal', message: 'something else' })).toBe('run');
  });

  it('gives advice in plain words', () => {
    expect(errorAdvice({ kind: 'divergence', message: '' })).toMatch(/learning rate/);
    expect(errorAdvice({ kind: 'internal', message: 'out of memory' })).toMatch(/batch size/);
    expect(errorAdvice({ kind: 'user', message: 'bad file' })).toBe('');
  });

  it('shortens a long message to its first sentence', () => {
    expect(shorten('data.train: my.tsv has no column "x". Its columns are "a".')).toBe(
      'data.train: my.tsv has no column "x".',
    );
    expect(shorten('a'.repeat(300), 20)).toHaveLength(20);
  });
});
