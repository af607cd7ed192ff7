import { METRIC_LABEL } from '../../engine/lab/chapters.ts';
import {
  formatSeconds,
  memoryCell,
  orderingVerdicts,
  paperValue,
  type ResultRow,
  resultsCsv,
  resultsMarkdown,
  scoreCell,
} from '../../engine/lab/results.ts';
import { download } from '../export/download.ts';

const n3 = (x: number | null) => (x === null ? '—' : x.toFixed(3));
const signed = (x: number | null) =>
  x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)}`;

/** The journey's table, like the papers' tables, with the papers' orderings beside ours. */
export function ResultsTable({ rows, setting }: { rows: ResultRow[]; setting: string }) {
  const verdicts = orderingVerdicts(rows);
  // Memory is measured by `cplay lab` (Node); the page's runs do not measure it: no empty column.
  const hasMemory = rows.some((r) => r.optimizerBytes !== null || r.peakBytes !== null);
  if (rows.length === 0)
    return (
      <p className="muted small" data-testid="lab-results-empty">
        Run a chapter (or Run all) and its row appears here as its run finishes.
      </p>
    );
  return (
    <div className="lab-results">
      <div className="row buttons">
        <button
          type="button"
          className="small-btn"
          data-testid="lab-export-md"
          onClick={() =>
            download('journey-results.md', resultsMarkdown(rows, { setting }), 'text/markdown')
          }
        >
          Export Markdown
        </button>
        <button
          type="button"
          className="small-btn"
          data-testid="lab-export-csv"
          onClick={() => download('journey-results.csv', resultsCsv(rows), 'text/csv')}
        >
          Export CSV
        </button>
      </div>
      <div className="lab-scroll">
        <table className="lab-table" data-testid="lab-results">
          <caption className="small muted">
            The paper column is BERT-base on the papers' full data (table and split named); ours is
            a small BERT on the offline sets. Compare which recipe wins, not the values.
          </caption>
          <thead>
            <tr>
              <th scope="col">Chapter</th>
              <th scope="col">Recipe</th>
              <th scope="col">Paper</th>
              <th scope="col">Ours: start → end</th>
              <th scope="col">Δ</th>
              <th scope="col" title="Wang & Isola, lower is better">
                Alignment
              </th>
              <th scope="col" title="Wang & Isola, lower is better">
                Uniformity
              </th>
              <th scope="col">Loss</th>
              <th scope="col">Steps</th>
              <th scope="col">Time</th>
              {hasMemory && (
                <th
                  scope="col"
                  title="The optimiser's state (its slots, exact) · the most tensor bytes during one training step; — where the host did not measure them"
                >
                  Memory: optimiser · step peak
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.chapter} data-testid={`lab-row-${r.chapter}`} data-status={r.status}>
                <th scope="row">
                  {r.title}
                  <span className="muted small"> {METRIC_LABEL[r.metric]}</span>
                </th>
                <td className="small">{r.recipe}</td>
                <td
                  className="small"
                  title={r.paper ? `${r.paper.citation}; ${r.paper.measure}` : undefined}
                >
                  {r.paper ? paperValue(r.paper.value) : '—'}
                </td>
                <td data-testid="lab-score">{scoreCell(r)}</td>
                <td>{signed(r.delta)}</td>
                <td>{n3(r.alignment)}</td>
                <td>{n3(r.uniformity)}</td>
                <td>{n3(r.loss)}</td>
                <td>{r.steps}</td>
                <td>{formatSeconds(r.seconds)}</td>
                {hasMemory && <td data-testid="lab-memory">{memoryCell(r)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {verdicts.length > 0 && (
        <table className="lab-table" data-testid="lab-orderings">
          <thead>
            <tr>
              <th scope="col">The paper's ordering</th>
              <th scope="col">Where</th>
              <th scope="col">Ours</th>
              <th scope="col">Agrees?</th>
            </tr>
          </thead>
          <tbody>
            {verdicts.map((v) => (
              <tr key={`${v.ordering.better}-${v.ordering.worse}`}>
                <td>
                  {v.ordering.better} {v.ordering.relation} {v.ordering.worse}
                </td>
                <td className="small">{v.ordering.source}</td>
                <td>
                  {v.better === null ? '—' : v.better.toFixed(2)} vs{' '}
                  {v.worse === null ? '—' : v.worse.toFixed(2)}
                </td>
                <td data-testid="lab-agrees">
                  {v.agrees === null ? 'pending' : v.agrees ? 'yes' : 'no'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
