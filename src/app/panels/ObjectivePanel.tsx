import { OBJECTIVES } from '../../engine/config/schema.ts';
import { useConfigStore } from '../state/configStore.ts';
import { getIn } from '../state/draft.ts';
import { CheckField, NumberField, RunErrorAt, SelectField } from './fields.tsx';
import { Section } from './Section.tsx';

const LABELS: Record<(typeof OBJECTIVES)[number], string> = {
  'simcse-unsup': 'Unsupervised SimCSE (InfoNCE over views)',
  'simcse-sup': 'Supervised SimCSE (hard negatives)',
  supcon: 'SupCon + CE (same label = positive)',
  rdrop: 'R-Drop (CE + symmetric KL)',
  ce: 'Cross-entropy only',
  'logit-contrast': 'CE + InfoNCE on encoder outputs',
};

export const NEEDS: Record<(typeof OBJECTIVES)[number], string> = {
  'simcse-unsup': 'sentences, pairs or triplets',
  'simcse-sup': 'triplets',
  supcon: 'labelled sentences or pairs',
  rdrop: 'labelled data or STS scores',
  ce: 'labelled data or STS scores',
  'logit-contrast': 'labelled sentences or pairs',
};

export function ObjectivePanel() {
  const kind = useConfigStore((s) => getIn(s.draft, 'objective.kind')) as string;
  const queue = useConfigStore((s) => getIn(s.draft, 'objective.queue'));
  const set = useConfigStore((s) => s.set);
  const usesTau = ['simcse-unsup', 'simcse-sup', 'supcon', 'logit-contrast'].includes(kind);
  return (
    <Section id="objective" title="Objective">
      <SelectField
        path="objective.kind"
        label="Loss"
        options={OBJECTIVES.map((k) => ({ value: k, label: LABELS[k] }))}
        hint={kind in NEEDS ? `Trains on ${NEEDS[kind as keyof typeof NEEDS]}.` : undefined}
      />
      <div className="grid2">
        {usesTau && (
          <NumberField
            path="objective.temperature"
            label="Temperature τ"
            min={0.001}
            max={10}
            step={0.01}
          />
        )}
        {kind === 'simcse-sup' && (
          <NumberField
            path="objective.hardNegativeWeight"
            label="Hard-negative weight (log α)"
            min={-20}
            max={20}
            step={0.1}
          />
        )}
        {(kind === 'rdrop' || kind === 'logit-contrast') && (
          <NumberField
            path="objective.alpha"
            label={kind === 'rdrop' ? 'KL weight α' : 'InfoNCE weight α'}
            min={0}
            max={100}
            step={0.1}
          />
        )}
        {kind === 'supcon' && (
          <NumberField path="objective.lambda" label="SCL weight λ" min={0} max={1} step={0.05} />
        )}
      </div>
      {kind === 'simcse-unsup' && (
        <>
          <CheckField path="objective.symmetric" label="Symmetric (also z2 → z1)" />
          <div className="check">
            <label>
              <input
                type="checkbox"
                data-testid="queue-on"
                checked={!!queue}
                onChange={(e) =>
                  set('objective.queue', e.target.checked ? { size: 1, momentum: 0.995 } : null)
                }
              />{' '}
              Momentum queue of past batches (ESimCSE)
            </label>
          </div>
          {!!queue && (
            <div className="grid2">
              <NumberField
                path="objective.queue.size"
                label="Queue size (batches)"
                min={1}
                max={64}
                step={1}
              />
              <NumberField
                path="objective.queue.momentum"
                label="Momentum"
                min={0}
                max={1}
                step={0.001}
              />
            </div>
          )}
        </>
      )}
      <RunErrorAt place="objective" />
    </Section>
  );
}
