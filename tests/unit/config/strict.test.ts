/**
 * Unknown keys anywhere in an experiment are errors that name the key's path and, when one is
 * close, the valid key meant; old saved runs still load, with a note naming what was left out.
 */
import { describe, expect, it } from 'vitest';
import { useConfigStore } from '../../../src/app/state/configStore.ts';
import { validateDraft } from '../../../src/app/state/draft.ts';
import { applyPreset } from '../../../src/app/state/presets.ts';
import { fromRecord, toRecord } from '../../../src/app/state/runRecord.ts';
import { DEFAULT_CONFIG, hashToConfig, hashToDraft } from '../../../src/app/state/urlState.ts';
import {
  mergeConfig,
  PAPER_SETTINGS,
  PLAYGROUND_DEFAULT,
  PRESETS,
  presetConfig,
} from '../../../src/engine/config/presets.ts';
import { ExperimentSchema } from '../../../src/engine/config/schema.ts';
import { closestKeys, editDistance, keysAt } from '../../../src/engine/config/suggest.ts';
import {
  describeIssues,
  dropUnknownKeys,
  parseExperiment,
  parseExperimentJson,
} from '../../../src/engine/config/validate.ts';
import { UserError } from '../../../src/engine/errors.ts';
import { run } from '../app/helpers.ts';

/** The sentences parseExperiment throws for `input` (after "Invalid experiment config: "). */
function problems(input: unknown): string[] {
  try {
    parseExperiment(input);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message.replace(/^Invalid experiment config: /, '').split('; ');
  }
  throw new Error('the config was accepted');
}

describe('strict experiment config', () => {
  it('a config file with misspelt keys fails, naming each path and the key meant', () => {
    const text = JSON.stringify({
      objective: { temprature: 0.5 },
      optimizer: { lrr: 1e-3 },
      augment: { eda: { sr: 0.5 } },
    });
    expect(() => parseExperimentJson(text, 'exp.json')).toThrow(UserError);
    let message = '';
    try {
      parseExperimentJson(text, 'exp.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(
      'objective.temprature: unknown key — did you mean objective.temperature?',
    );
    expect(message).toContain('optimizer.lrr: unknown key — did you mean optimizer.lr?');
    // "sr" is synonymReplacement's camelCase initials.
    expect(message).toContain(
      'augment.eda.sr: unknown key — did you mean augment.eda.synonymReplacement?',
    );
  });

  it('every object is strict: root, encoder, builtin, data specs, columns, queue, gradCache', () => {
    expect(problems({ seeed: 1 })).toEqual(['seeed: unknown key — did you mean seed?']);
    expect(problems({ batchsize: 8 })).toEqual([
      'batchsize: unknown key — did you mean batchSize?',
    ]);
    expect(problems({ encoder: { builtin: { layer: 1 } } })).toEqual([
      'encoder.builtin.layer: unknown key — did you mean encoder.builtin.layers?',
    ]);
    expect(problems({ encoder: { max_length: 16 } })).toEqual([
      'encoder.max_length: unknown key — did you mean encoder.maxLength?',
    ]);
    expect(problems({ data: { train: { limt: 10 } } })).toEqual([
      'data.train.limt: unknown key — did you mean data.train.limit?',
    ]);
    expect(problems({ data: { eval: { source: 'builtin:stsb-dev', sorce: 'x' } } })).toEqual([
      'data.eval.sorce: unknown key — did you mean data.eval.source?',
    ]);
    expect(problems({ data: { trian: {} } })).toEqual([
      'data.trian: unknown key — did you mean data.train?',
    ]);
    expect(problems({ data: { train: { columns: { txt: 'a' } } } })).toEqual([
      'data.train.columns.txt: unknown key — did you mean data.train.columns.text?',
    ]);
    expect(problems({ objective: { queue: { sise: 2 } } })).toEqual([
      'objective.queue.sise: unknown key — did you mean objective.queue.size?',
    ]);
    expect(problems({ gradCache: { chunkSize: 8, chunk: 4 }, batchSize: 8 })).toEqual([
      'gradCache.chunk: unknown key — did you mean gradCache.chunkSize?',
    ]);
    expect(problems({ augment: { dropuot: false } })).toEqual([
      'augment.dropuot: unknown key — did you mean augment.dropout?',
    ]);
  });

  it('embedding views: both union forms, with the member the value is meant for', () => {
    // The token-cutoff view has a rate; "rat" is one letter off.
    expect(problems({ augment: { embedding: { kind: 'token-cutoff', rat: 0.1 } } })).toEqual([
      'augment.embedding.rat: unknown key — did you mean augment.embedding.rate?',
    ]);
    // The shuffle view has no rate at all: nothing close among its keys (kind).
    expect(problems({ augment: { embedding: { kind: 'shuffle', rate: 0.1 } } })).toEqual([
      'augment.embedding.rate: unknown key',
    ]);
    expect(
      problems({
        augment: { embedding: { view1: { kind: 'noise', sigm: 0.1 }, view2: null } },
      }),
    ).toEqual([
      'augment.embedding.view1.sigm: unknown key — did you mean augment.embedding.view1.sigma?',
    ]);
    // One edit from both view keys: both are offered.
    expect(problems({ augment: { embedding: { view1: null, view2: null, view3: null } } })).toEqual(
      [
        'augment.embedding.view3: unknown key — did you mean augment.embedding.view1 or augment.embedding.view2?',
      ],
    );
    expect(
      problems({
        augment: {
          embedding: { view1: { kind: 'adversarial', epsilon: 1, nrom: 'token' }, view2: null },
        },
        objective: { kind: 'supcon' },
        data: { train: { source: 'builtin:brown-genres', kind: 'labeled' } },
      }),
    ).toEqual([
      'augment.embedding.view1.nrom: unknown key — did you mean augment.embedding.view1.norm?',
    ]);
  });

  it('says no more than "unknown key" when no valid key is close', () => {
    expect(problems({ objective: { colour: 'red' } })).toEqual(['objective.colour: unknown key']);
    expect(problems({ augment: { eda: { zz: 1 } } })).toEqual(['augment.eda.zz: unknown key']);
  });

  it('reports unknown keys alongside the other problems, one sentence each', () => {
    const p = problems({ batchSize: 1, objective: { kind: 'simclr', temprature: 1, xyz: 2 } });
    expect(p).toContain('objective.temprature: unknown key — did you mean objective.temperature?');
    expect(p).toContain('objective.xyz: unknown key');
    expect(p.some((s) => s.startsWith('objective.kind: "simclr" is not allowed'))).toBe(true);
    expect(p.some((s) => s.startsWith('batchSize: Too small'))).toBe(true);
  });

  it('suggestions: case and separators, initials, prefixes, a few edits, ties', () => {
    // Optimal string alignment: a swap of neighbours is one edit.
    expect(editDistance('lamdba', 'lambda')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestKeys('Temperature', ['kind', 'temperature'])).toEqual(['temperature']);
    expect(closestKeys('warmup_steps', ['warmupSteps', 'weightDecay'])).toEqual(['warmupSteps']);
    expect(closestKeys('wd', ['warmupSteps', 'weightDecay'])).toEqual(['weightDecay']);
    expect(closestKeys('temp', ['temperature', 'kind'])).toEqual(['temperature']);
    expect(closestKeys('random', ['randomSwap', 'randomDeletion', 'combine'])).toEqual([
      'randomSwap',
      'randomDeletion',
    ]);
    // Short names allow one edit only; "lr" is two from "kind".
    expect(closestKeys('lr', ['kind'])).toEqual([]);
    expect(closestKeys('', ['kind'])).toEqual([]);
  });

  it('keysAt walks wrappers and unions, picking the member the value is meant for', () => {
    expect(keysAt(ExperimentSchema, ['objective', 'queue'])).toEqual(['size', 'momentum']);
    expect(keysAt(ExperimentSchema, ['augment', 'embedding'], { kind: 'shuffle' })).toEqual([
      'kind',
    ]);
    expect(keysAt(ExperimentSchema, ['augment', 'embedding'], { view1: null })).toEqual([
      'view1',
      'view2',
    ]);
    expect(keysAt(ExperimentSchema, ['batchSize'])).toBeNull();
    expect(keysAt(ExperimentSchema, ['nope'])).toBeNull();
  });
});

describe('strict URL hash', () => {
  it('hashToConfig throws on a misspelt key, with the suggestion', () => {
    expect(() => hashToConfig('#seed=0&objective.temprature=0.5')).toThrow(
      /objective\.temprature: unknown key — did you mean objective\.temperature\?/,
    );
  });

  it('the draft keeps the misspelt key (nothing dropped) and the page gets the issue', () => {
    const { draft, problems: repaired } = hashToDraft('#seed=0&optimizer.lrr=0.001');
    expect(repaired).toEqual([]);
    expect((draft.optimizer as Record<string, unknown>).lrr).toBe(0.001);
    expect(validateDraft(draft)).toEqual({
      config: null,
      issues: [{ path: 'optimizer.lrr', message: 'unknown key — did you mean optimizer.lr?' }],
    });
    // The config store (what the page renders as "Fix the highlighted settings to start").
    useConfigStore.getState().loadHash('#seed=0&augment.eda.sr=0.5');
    const s = useConfigStore.getState();
    expect(s.config).toBeNull();
    expect(s.issues).toContainEqual({
      path: 'augment.eda.sr',
      message: 'unknown key — did you mean augment.eda.synonymReplacement?',
    });
    useConfigStore.getState().loadHash('');
    expect(useConfigStore.getState().config).toEqual(DEFAULT_CONFIG);
  });

  it('an unknown key inside a union value in the hash is reported at its path', () => {
    const { draft } = hashToDraft(
      '#seed=0&augment.embedding.kind=token-cutoff&augment.embedding.rat=0.1',
    );
    expect(validateDraft(draft).issues).toEqual([
      {
        path: 'augment.embedding.rat',
        message: 'unknown key — did you mean augment.embedding.rate?',
      },
    ]);
  });
});

describe('presets parse strictly', () => {
  it('every preset (engine and page) and every paper setting', () => {
    for (const p of PRESETS) {
      const merged = presetConfig(p.id);
      expect(ExperimentSchema.safeParse(merged).success, p.id).toBe(true);
      expect(validateDraft(applyPreset(p, DEFAULT_CONFIG)).issues, p.id).toEqual([]);
    }
    for (const [id, s] of Object.entries(PAPER_SETTINGS)) {
      expect(() => parseExperiment(mergeConfig(PLAYGROUND_DEFAULT, s)), id).not.toThrow();
    }
  });
});

describe('old saved runs', () => {
  const old = {
    ...structuredClone(DEFAULT_CONFIG),
    telemetry: true,
    objective: { ...DEFAULT_CONFIG.objective, futureKnob: 3 },
    augment: { ...DEFAULT_CONFIG.augment, embedding: { kind: 'shuffle', strength: 2 } },
  };

  it('dropUnknownKeys leaves only what this version knows, and lists what went', () => {
    const { config, dropped } = dropUnknownKeys(old);
    expect(dropped.sort()).toEqual([
      'augment.embedding.strength',
      'objective.futureKnob',
      'telemetry',
    ]);
    expect(parseExperiment(config)).toEqual({
      ...DEFAULT_CONFIG,
      augment: { ...DEFAULT_CONFIG.augment, embedding: { kind: 'shuffle' } },
    });
    expect(old.telemetry).toBe(true); // the input is not changed
    expect(dropUnknownKeys(DEFAULT_CONFIG)).toEqual({ config: DEFAULT_CONFIG, dropped: [] });
  });

  it('a stored run with unknown config keys loads, resumable, with a note naming them', () => {
    const stored = toRecord(run({ status: 'running', config: old, logs: ['Started.'] }));
    const back = fromRecord(structuredClone(stored));
    expect(back).not.toBeNull();
    expect(back!.status).toBe('interrupted');
    // Resume sends this config to the worker, which parses it strictly.
    expect(() => parseExperiment(back!.config)).not.toThrow();
    expect(back!.logs[0]).toBe('Started.');
    const note = back!.logs.at(-1)!;
    expect(note).toMatch(/this version does not know/);
    for (const k of ['telemetry', 'objective.futureKnob', 'augment.embedding.strength']) {
      expect(note).toContain(k);
    }
    // A run whose config is all known gets no note.
    expect(fromRecord(toRecord(run({ config: DEFAULT_CONFIG })))!.logs).toEqual([]);
  });

  it('describeIssues keeps its one-sentence-per-problem form for other schemas', () => {
    const r = ExperimentSchema.shape.objective.safeParse({ tempreture: 1 });
    expect(r.success).toBe(false);
    expect(describeIssues(r.error!.issues, ExperimentSchema.shape.objective)).toEqual([
      'tempreture: unknown key — did you mean temperature?',
    ]);
  });
});
