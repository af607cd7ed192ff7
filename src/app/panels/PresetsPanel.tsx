import { useMemo } from 'react';
import { PRESETS } from '../../engine/config/presets.ts';
import { useConfigStore } from '../state/configStore.ts';
import { activePreset, applyPreset } from '../state/presets.ts';
import { DEFAULT_CONFIG } from '../state/urlState.ts';

/** One click per step of the journey; the active preset says what to watch for. */
export function PresetsPanel() {
  const draft = useConfigStore((s) => s.draft);
  const replace = useConfigStore((s) => s.replace);
  const active = useMemo(() => activePreset(draft), [draft]);
  return (
    <section className="panel presets" aria-labelledby="presets-h">
      <h2 id="presets-h">Presets</h2>
      <div className="preset-list">
        {PRESETS.map((p, i) => (
          <button
            key={p.id}
            type="button"
            className="preset"
            data-testid={`preset-${p.id}`}
            aria-pressed={active?.id === p.id}
            title={p.watch}
            onClick={() => replace(applyPreset(p, draft))}
          >
            <span className="preset-n">{i + 1}</span> {p.title}
            {!p.offline && <span className="badge">needs network</span>}
          </button>
        ))}
      </div>
      <p className="watch" data-testid="preset-watch" aria-live="polite">
        {active ? (
          <>
            <strong>Watch for: </strong>
            {active.watch}
          </>
        ) : (
          'Custom settings. A preset sets the views, objective and data, and keeps your model size, optimiser, batch size and budget.'
        )}
      </p>
      <div className="row small">
        <button type="button" data-testid="reset-config" onClick={() => replace(DEFAULT_CONFIG)}>
          Default settings
        </button>
      </div>
    </section>
  );
}
