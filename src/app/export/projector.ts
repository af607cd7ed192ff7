/**
 * Embeddings for the TensorFlow Embedding Projector (projector.tensorflow.org → Load):
 * vectors.tsv (one row of tab-separated numbers per point, no header) and metadata.tsv
 * (a header row, then one row per point; with two or more columns the header is required).
 */

/** Text made safe for one TSV cell: tabs and line breaks become spaces. */
export function tsvCell(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

/** vectors: [N·D] row-major. */
export function vectorsTsv(vectors: ArrayLike<number>, dim: number): string {
  if (dim <= 0 || vectors.length % dim !== 0) {
    throw new Error(`vectorsTsv: ${vectors.length} values do not split into rows of ${dim}`);
  }
  const lines: string[] = [];
  for (let i = 0; i < vectors.length; i += dim) {
    const row: string[] = [];
    for (let j = 0; j < dim; j++) row.push(String(Math.fround(vectors[i + j]!)));
    lines.push(row.join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function metadataTsv(texts: readonly string[], groups: readonly string[]): string {
  const lines = ['text\tgroup'];
  texts.forEach((t, i) => {
    lines.push(`${tsvCell(t)}\t${tsvCell(groups[i] ?? '')}`);
  });
  return `${lines.join('\n')}\n`;
}
