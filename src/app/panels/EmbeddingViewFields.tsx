import type { EmbeddingViewConfig } from '../../engine/config/schema.ts';
import { useField } from '../state/useExperiment.ts';
import { NumberField, SelectField } from './fields.tsx';

type Kind = EmbeddingViewConfig['kind'];

/** Each view kind with ConSERT's default parameter. */
export const VIEW_DEFAULTS: Record<Kind, EmbeddingViewConfig> = {
  shuffle: { kind: 'shuffle' },
  'token-cutoff': { kind: 'token-cutoff', rate: 0.15 },
  'feature-cutoff': { kind: 'feature-cutoff', rate: 0.2 },
  'span-cutoff': { kind: 'span-cutoff', rate: 0.15 },
  dropout: { kind: 'dropout', rate: 0.2 },
  noise: { kind: 'noise', sigma: 0.01 },
  adversarial: { kind: 'adversarial', epsilon: 1, norm: 'token' },
};

const LABELS: Record<Kind, string> = {
  shuffle: 'token shuffle (position ids)',
  'token-cutoff': 'token cutoff',
  'feature-cutoff': 'feature cutoff (columns)',
  'span-cutoff': 'span cutoff',
  dropout: 'embedding dropout',
  noise: 'Gaussian noise',
  adversarial: 'adversarial (FGV, needs labels)',
};

/** One embedding-level view at `path`; `nullable` offers "none" (for view 1 / view 2). */
export function EmbeddingViewFields({
  path,
  label,
  nullable,
}: {
  path: string;
  label: string;
  nullable?: boolean;
}) {
  const [view, setView] = useField<EmbeddingViewConfig | null>(path);
  const kind = view && typeof view === 'object' ? view.kind : 'none';
  return (
    <div className="view-fields">
      <label className="field">
        <span>{label}</span>
        <select
          data-testid={`cfg-${path}.kind`}
          value={kind}
          onChange={(e) => {
            const k = e.target.value as Kind | 'none';
            setView(k === 'none' ? null : structuredClone(VIEW_DEFAULTS[k]));
          }}
        >
          {nullable && <option value="none">none (dropout only)</option>}
          {(Object.keys(LABELS) as Kind[]).map((k) => (
            <option key={k} value={k}>
              {LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      {view && 'rate' in view && (
        <NumberField path={`${path}.rate`} label="Rate" min={0} max={1} step={0.05} />
      )}
      {view && view.kind === 'noise' && (
        <NumberField path={`${path}.sigma`} label="σ" min={0} max={10} step={0.01} />
      )}
      {view && view.kind === 'adversarial' && (
        <>
          <NumberField path={`${path}.epsilon`} label="ε" min={0} max={10} step={0.1} />
          <SelectField
            path={`${path}.norm`}
            label="‖g‖ over"
            options={[
              { value: 'token', label: 'each token (ConSERT)' },
              { value: 'example', label: 'each example' },
            ]}
          />
        </>
      )}
    </div>
  );
}
