import { describe, expect, it } from 'vitest';
import { parseExperiment } from '../../../src/engine/config/validate.ts';
import { chapterById, chapterConfig } from '../../../src/engine/lab/chapters.ts';
import { configChanges, describeChange } from '../../../src/engine/lab/diff.ts';

const cfg = (id: string) => parseExperiment(chapterConfig(chapterById(id), 'quick'));

describe("the fields two configs differ in (the run list's Changes column)", () => {
  it('names only the changed leaves, as dotted paths', () => {
    const changes = configChanges(cfg('dropout-0'), cfg('simcse-unsup'));
    expect(changes.map(describeChange)).toEqual([
      'encoder.hiddenDropout 0 (vs 0.1)',
      'encoder.attentionDropout 0 (vs 0.1)',
    ]);
    expect(configChanges(cfg('simcse-unsup'), cfg('simcse-unsup'))).toEqual([]);
  });

  it('treats an object against null (or absent) as one change, arrays as a whole', () => {
    const gc = configChanges(cfg('gradcache'), cfg('simcse-unsup'));
    expect(gc.map((c) => c.path)).toEqual(['batchSize', 'gradCache']);
    expect(describeChange(gc[1]!)).toBe('gradCache {"chunkSize":64} (vs null)');
    expect(configChanges({ a: [1, 2] }, { a: [1, 3] })).toEqual([
      { path: 'a', value: [1, 2], base: [1, 3] },
    ]);
    expect(configChanges({ a: 1 }, {}).map(describeChange)).toEqual(['a 1 (vs (none))']);
  });
});
