import { BACKEND_PREFS, OPTIMIZERS, SCHEDULES } from '../../engine/config/schema.ts';
import { useConfigStore } from '../state/configStore.ts';
import { getIn } from '../state/draft.ts';
import { NumberField, RunErrorAt, SelectField } from './fields.tsx';
import { Section } from './Section.tsx';

function Toggle({
  label,
  on,
  onChange,
  testId,
}: {
  label: string;
  on: boolean;
  onChange(v: boolean): void;
  testId: string;
}) {
  return (
    <div className="check">
      <label>
        <input
          type="checkbox"
          data-testid={testId}
          checked={on}
          onChange={(e) => onChange(e.target.checked)}
        />{' '}
        {label}
      </label>
    </div>
  );
}

export function OptimizerPanel() {
  const kind = useConfigStore((s) => getIn(s.draft, 'optimizer.kind'));
  const lr = useConfigStore((s) => getIn(s.draft, 'optimizer.lr'));
  const clip = useConfigStore((s) => getIn(s.draft, 'optimizer.clipNorm'));
  const gradCache = useConfigStore((s) => getIn(s.draft, 'gradCache'));
  const batch = useConfigStore((s) => getIn(s.draft, 'batchSize'));
  const set = useConfigStore((s) => s.set);
  return (
    <Section id="optimizer" title="Optimiser and budget">
      <div className="grid2">
        <SelectField path="optimizer.kind" label="Optimiser" options={OPTIMIZERS} />
        <SelectField path="optimizer.schedule" label="Schedule" options={SCHEDULES} />
        {kind === 'adafactor' && (
          <Toggle
            label="Relative step size (no lr)"
            testId="adafactor-relative"
            on={lr === null}
            onChange={(v) => set('optimizer.lr', v ? null : 1e-3)}
          />
        )}
        {lr !== null && (
          <NumberField path="optimizer.lr" label="Learning rate" min={0} max={10} step={0.0001} />
        )}
        <NumberField path="optimizer.warmupSteps" label="Warm-up steps" min={0} step={1} />
        <NumberField
          path="optimizer.weightDecay"
          label="Weight decay"
          min={0}
          max={1}
          step={0.01}
        />
        <Toggle
          label="Clip gradient norm"
          testId="clip-on"
          on={clip !== null && clip !== undefined}
          onChange={(v) => set('optimizer.clipNorm', v ? 1 : null)}
        />
        {clip !== null && clip !== undefined && (
          <NumberField path="optimizer.clipNorm" label="Max norm" min={0} step={0.1} />
        )}
      </div>
      <RunErrorAt place="optimizer" />
      <div className="grid2">
        <NumberField path="batchSize" label="Batch size" min={2} max={4096} step={1} />
        <Toggle
          label="GradCache (big batch, small memory)"
          testId="gradcache-on"
          on={!!gradCache}
          onChange={(v) =>
            set(
              'gradCache',
              v ? { chunkSize: Math.max(2, Math.floor(Number(batch) / 4) || 2) } : null,
            )
          }
        />
        {!!gradCache && (
          <NumberField path="gradCache.chunkSize" label="Chunk size" min={1} step={1} />
        )}
        <small className="hint span2" data-testid="gradcache-note">
          Plain gradient accumulation is not offered: with in-batch negatives it changes the loss
          (each chunk would only see its own negatives). GradCache gives the exact large-batch
          gradient by replaying each chunk with the same dropout masks.
        </small>
        <NumberField path="maxSteps" label="Steps" min={1} step={1} nullable />
        <NumberField
          path="epochs"
          label="Epochs"
          min={1}
          step={1}
          nullable
          hint="The run ends at whichever comes first."
        />
        <NumberField path="evalEvery" label="Evaluate every (steps)" min={1} step={1} />
        <NumberField path="checkpointEvery" label="Checkpoint every (steps)" min={1} step={1} />
        <div>
          <NumberField path="seed" label="Seed" min={0} step={1} hint="Same seed, same run." />
          <button
            type="button"
            className="small-btn"
            data-testid="new-seed"
            onClick={() => set('seed', Math.floor(Math.random() * 2 ** 31))}
          >
            New random seed
          </button>
        </div>
        <SelectField
          path="backend"
          label="Backend"
          testId="backend-select"
          options={BACKEND_PREFS.map((b) => ({
            value: b,
            label: b === 'auto' ? 'auto (the fastest, measured)' : b,
          }))}
        />
      </div>
      <RunErrorAt place="backend" />
    </Section>
  );
}
