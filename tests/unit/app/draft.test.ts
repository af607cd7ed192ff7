import { describe, expect, it } from 'vitest';
import { deepEqual, getIn, issuesAt, setIn, validateDraft } from '../../../src/app/state/draft.ts';
import { DEFAULT_CONFIG } from '../../../src/app/state/urlState.ts';

describe('draft helpers', () => {
  it('setIn copies along the path and leaves the original alone', () => {
    const a = { x: { y: 1, z: { w: 2 } }, k: 3 };
    const b = setIn(a, 'x.z.w', 5);
    expect(b).toEqual({ x: { y: 1, z: { w: 5 } }, k: 3 });
    expect(a.x.z.w).toBe(2);
    expect(b.x.y).toBe(1);
    expect(setIn(a, 'x.y', undefined)).toEqual({ x: { z: { w: 2 } }, k: 3 });
    expect(setIn({ a: null }, 'a.b', 1)).toEqual({ a: { b: 1 } });
  });

  it('getIn answers undefined past a missing step', () => {
    expect(getIn({ a: { b: 2 } }, 'a.b')).toBe(2);
    expect(getIn({ a: null }, 'a.b')).toBeUndefined();
    expect(getIn({ a: 1 }, '')).toEqual({ a: 1 });
  });

  it('deepEqual ignores undefined keys', () => {
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual([1, { a: 2 }], [1, { a: 2 }])).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 2 })).toBe(false);
  });

  it('validateDraft names the field and the problem', () => {
    const ok = validateDraft(DEFAULT_CONFIG);
    expect(ok.issues).toEqual([]);
    expect(ok.config).not.toBeNull();
    const bad = validateDraft(setIn(DEFAULT_CONFIG, 'encoder.builtin.heads', 3));
    expect(bad.config).toBeNull();
    expect(bad.issues).toEqual([
      { path: 'encoder.builtin.hidden', message: 'hidden must be a multiple of heads' },
    ]);
  });

  it('validateDraft reports the objective/data mismatch at data.train.kind', () => {
    const v = validateDraft(setIn(DEFAULT_CONFIG, 'objective.kind', 'supcon'));
    expect(issuesAt(v.issues, 'data.train').map((i) => i.path)).toEqual(['data.train.kind']);
    expect(v.issues[0]!.message).toMatch(/supcon needs training data of kind labeled/);
  });

  it('validateDraft says which values an enum allows', () => {
    const v = validateDraft(setIn(DEFAULT_CONFIG, 'optimizer.kind', 'lion'));
    expect(v.issues[0]!.path).toBe('optimizer.kind');
    expect(v.issues[0]!.message).toMatch(/"adamw"/);
  });
});
