import type { RunData } from '../state/runRecord.ts';
import { latestWith } from '../state/runRecord.ts';
import { ChartBox } from './ChartBox.tsx';
import { cosineColor } from './colors.ts';
import { diagonalContrast, fmtNum } from './series.ts';

const CELL = 14;

/**
 * cos(z1_i, z2_j) for two views of a batch at the last evaluation: positives on the diagonal.
 * Drawn for the active run (an SVG grid, each cell with its value as a tooltip).
 */
export function CosineHeatmap({ run }: { run: RunData | undefined }) {
  const ev = run ? latestWith(run, 'cosine') : undefined;
  const m = ev?.cosine ?? [];
  const n = m.length;
  const c = n ? diagonalContrast(m) : null;
  return (
    <ChartBox
      title="Batch cosine similarity (positives on the diagonal)"
      testId="cosine-heatmap"
      note={ev ? `step ${ev.step}, rows: view 1, columns: view 2` : undefined}
      attrs={{ 'data-size': n }}
      empty={n === 0 ? 'The similarity of two views of a batch appears at each evaluation.' : null}
    >
      <div className="heatmap-wrap">
        <svg
          viewBox={`0 0 ${n * CELL} ${n * CELL}`}
          className="heatmap"
          role="img"
          aria-label={`Cosine similarity matrix, ${n} by ${n}`}
        >
          {m.map((row, i) =>
            row.map((v, j) => (
              <rect
                // biome-ignore lint/suspicious/noArrayIndexKey: fixed grid position
                key={`${i}-${j}`}
                x={j * CELL}
                y={i * CELL}
                width={CELL}
                height={CELL}
                fill={cosineColor(v)}
                stroke={i === j ? '#1d2430' : 'none'}
                strokeWidth={i === j ? 1 : 0}
              >
                <title>{`view 1 #${i + 1} · view 2 #${j + 1}: ${fmtNum(v, 3)}${i === j ? ' (positive)' : ''}`}</title>
              </rect>
            )),
          )}
        </svg>
        <div className="heat-scale" aria-hidden="true">
          <span>+1</span>
          <span className="bar" />
          <span>−1</span>
        </div>
      </div>
      {c && (
        <p className="small muted">
          Mean of the diagonal (positives) {fmtNum(c.positives, 3)}, off the diagonal (in-batch
          negatives) {fmtNum(c.negatives, 3)}.
        </p>
      )}
    </ChartBox>
  );
}
