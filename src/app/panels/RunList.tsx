import { useState } from 'react';
import { configChanges, describeChange } from '../../engine/lab/diff.ts';
import { colorOf } from '../charts/colors.ts';
import { useClient } from '../clientContext.ts';
import { useConfigStore } from '../state/configStore.ts';
import type { Json } from '../state/draft.ts';
import { deleteStoredRun } from '../state/persistence.ts';
import { canResumeFromCheckpoint, isLive, lastStep, type RunData } from '../state/runRecord.ts';
import { MAX_OVERLAY, useRunStore } from '../state/runStore.ts';
import { useShownRuns } from '../state/useShownRuns.ts';
import { resumeFromCheckpoint } from './runActions.ts';

/** Changes shown in full before "+N more" (all of them are in the cell's title). */
const CHANGES_SHOWN = 3;

/**
 * The "Changes" cell: the config fields where this run differs from the run it is compared with
 * (the active one, drawn first on every chart), so overlaid curves explain themselves.
 */
function Changes({ run, base }: { run: RunData; base: RunData | undefined }) {
  if (!base) return null;
  if (base.id === run.id)
    return (
      <span className="muted small run-changes" data-testid="run-changes" data-count={0}>
        Changes: (the compared run)
      </span>
    );
  const all = configChanges(run.config, base.config).map(describeChange);
  const text =
    all.length === 0
      ? 'same settings'
      : `${all.slice(0, CHANGES_SHOWN).join('; ')}${all.length > CHANGES_SHOWN ? `; +${all.length - CHANGES_SHOWN} more` : ''}`;
  return (
    <span
      className="small run-changes"
      data-testid="run-changes"
      data-count={all.length}
      title={all.length ? `Differs from ${base.name} in: ${all.join('; ')}` : undefined}
    >
      Changes: {text}
    </span>
  );
}

function RunRow({ run, index }: { run: RunData; index: number }) {
  const client = useClient();
  const activeId = useRunStore((s) => s.activeId);
  const overlay = useRunStore((s) => s.overlay);
  const shown = useShownRuns();
  const { setActive, rename, remove, toggleOverlay } = useRunStore.getState();
  const replace = useConfigStore((s) => s.replace);
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(run.name);
  const [confirming, setConfirming] = useState(false);
  const active = activeId === run.id;
  const compared = useRunStore((s) => (s.activeId ? s.runs[s.activeId] : undefined));
  const overlaid = overlay.includes(run.id);
  const colorIndex = shown.findIndex((r) => r.id === run.id);
  const live = isLive(run.status);

  return (
    <li
      className={`run-row${active ? ' active' : ''}`}
      data-testid={`run-${index}`}
      data-run-id={run.id}
    >
      <span
        className="swatch"
        aria-hidden="true"
        style={{ background: colorIndex >= 0 ? colorOf(colorIndex) : 'transparent' }}
      />
      {editing ? (
        <form
          className="rename"
          onSubmit={(e) => {
            e.preventDefault();
            rename(run.id, name.trim() || run.name);
            setEditing(false);
          }}
        >
          <input
            aria-label="Run name"
            data-testid="rename-input"
            value={name}
            // biome-ignore lint/a11y/noAutofocus: the field the user just asked to edit
            autoFocus
            onChange={(e) => setName(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') setEditing(false);
            }}
          />
          <button type="submit">Save</button>
        </form>
      ) : (
        <button
          type="button"
          className="run-name link"
          aria-pressed={active}
          data-testid="run-show"
          title="Show this run"
          onClick={() => setActive(run.id)}
        >
          {run.name}
        </button>
      )}
      <span className="muted small">
        {run.status} · step {lastStep(run)}
      </span>
      <Changes run={run} base={compared} />
      <span className="run-actions">
        <label className="small" title={`Draw on every chart (up to ${MAX_OVERLAY})`}>
          <input
            type="checkbox"
            data-testid="run-overlay"
            checked={overlaid || active}
            disabled={active || (!overlaid && overlay.length >= MAX_OVERLAY)}
            onChange={() => toggleOverlay(run.id)}
          />{' '}
          compare
        </label>
        {!editing && (
          <button
            type="button"
            className="small-btn"
            data-testid="run-rename"
            onClick={() => setEditing(true)}
          >
            Rename
          </button>
        )}
        <button
          type="button"
          className="small-btn"
          title="Put this run's settings in the controls"
          onClick={() => replace(run.config as Json)}
        >
          Settings
        </button>
        {client && canResumeFromCheckpoint(run) && (
          <button
            type="button"
            className="small-btn"
            data-testid="run-resume"
            onClick={() => resumeFromCheckpoint(client, run.id)}
          >
            Resume
          </button>
        )}
        {confirming ? (
          <>
            <button
              type="button"
              className="small-btn danger"
              data-testid="run-delete-confirm"
              onClick={() => {
                remove(run.id);
                void deleteStoredRun(run.id);
              }}
            >
              Delete for good
            </button>
            <button type="button" className="small-btn" onClick={() => setConfirming(false)}>
              Keep
            </button>
          </>
        ) : (
          <button
            type="button"
            className="small-btn"
            data-testid="run-delete"
            disabled={live && active}
            title={live && active ? 'Stop the run first' : 'Delete the run and its checkpoint'}
            onClick={() => setConfirming(true)}
          >
            Delete
          </button>
        )}
      </span>
    </li>
  );
}

/** Every run saved in this browser: show, compare (overlay), rename, delete, resume. */
export function RunList() {
  const order = useRunStore((s) => s.order);
  const runs = useRunStore((s) => s.runs);
  const list = [...order]
    .reverse()
    .map((id) => runs[id])
    .filter((r): r is RunData => !!r);
  return (
    <section className="panel" aria-labelledby="runs-h">
      <h2 id="runs-h">Runs</h2>
      {list.length === 0 ? (
        <p className="muted small">Runs are saved in this browser and listed here.</p>
      ) : (
        <ul className="run-list" data-testid="run-list">
          {list.map((r, i) => (
            <RunRow key={r.id} run={r} index={i} />
          ))}
        </ul>
      )}
    </section>
  );
}
