/**
 * The data sets the papers use, with where they live on the Hugging Face Hub. Load one with the
 * source `catalogue:<id>` (its default split) or `catalogue:<id>@<split>`; an `hf:` source that
 * names the same Hub id also picks up the entry's score range and class names.
 *
 * Each fact was checked against the Hub (dataset cards, file trees of the `refs/convert/parquet`
 * branch, viewer pages) through the project's search tool; the comment above each entry says
 * where. Row counts are the cards' `num_examples`.
 */
import type { ColumnMap, DataKind } from './types.ts';

export interface CatalogueEntry {
  id: string;
  title: string;
  hub: { id: string; config?: string; split: string; splits: string[] };
  kind: DataKind;
  columns: ColumnMap;
  /** Raw score range (scores are rescaled to [0, 1] with it). */
  scoreRange?: [number, number];
  labelNames?: string[];
  language: 'en' | 'zh';
  /** What the papers use it for. */
  use: string;
  licence: string;
}

export const CATALOGUE: readonly CatalogueEntry[] = [
  // hf.co/datasets/mteb/stsbenchmark-sts: refs/convert/parquet has default/train/0000.parquet;
  // columns sentence1/sentence2/score as in every mteb STS set (the same columns appear on the
  // sentence-transformers/stsb card). Original 0–5 gold scores; splits 5,749/1,500/1,379.
  {
    id: 'stsb',
    title: 'STS Benchmark (English)',
    hub: { id: 'mteb/stsbenchmark-sts', split: 'test', splits: ['train', 'validation', 'test'] },
    kind: 'sts',
    columns: { text: 'sentence1', text2: 'sentence2', score: 'score' },
    scoreRange: [0, 5],
    language: 'en',
    use: 'STS evaluation (SimCSE, ConSERT, SentEval STS-B): Spearman x 100 of cosine similarity.',
    licence: 'Scores CC BY-SA 4.0; each text source keeps its own licence (stsbenchmark readme).',
  },
  // hf.co/datasets/sentence-transformers/stsb card: columns "sentence1", "sentence2", "score";
  // "dividing the score by 5", so the range is 0–1; train 5,749 / validation 1,500 / test 1,379.
  {
    id: 'stsb-st',
    title: 'STS Benchmark, sentence-transformers copy (scores 0–1)',
    hub: {
      id: 'sentence-transformers/stsb',
      split: 'test',
      splits: ['train', 'validation', 'test'],
    },
    kind: 'sts',
    columns: { text: 'sentence1', text2: 'sentence2', score: 'score' },
    scoreRange: [0, 1],
    language: 'en',
    use: 'STS evaluation or CoSENT-style training with scores already in [0, 1].',
    licence: 'As STS Benchmark (scores CC BY-SA 4.0).',
  },
  // hf.co/datasets/mteb/sickr-sts: files test/train/validation .jsonl.gz and a
  // refs/convert/parquet default/test/0000.parquet; columns sentence1/sentence2/score.
  // SICK relatedness scores run 1–5 (SICK readme). MTEB's test split holds all 9,927 pairs
  // (SentEval's SICK-R test split is the 4,927 of them in SICK_test_annotated).
  {
    id: 'sickr',
    title: 'SICK-R (relatedness)',
    hub: { id: 'mteb/sickr-sts', split: 'test', splits: ['test'] },
    kind: 'sts',
    columns: { text: 'sentence1', text2: 'sentence2', score: 'score' },
    scoreRange: [1, 5],
    language: 'en',
    use: 'STS evaluation (SimCSE table 1, SICK-R column).',
    licence: 'CC BY-NC-SA 3.0 (non-commercial), per the SICK readme.',
  },
  // hf.co/datasets/mteb/sts12-sts … sts16-sts: test.jsonl.gz (sts12 also train.jsonl.gz), commit
  // "string->float for scores"; viewer: sts12 train 2.23k / test 3.11k rows. Gold scores 0–5.
  ...(
    [
      ['sts12', 'STS12', ['train', 'test']],
      ['sts13', 'STS13', ['test']],
      ['sts14', 'STS14', ['test']],
      ['sts15', 'STS15', ['test']],
      ['sts16', 'STS16', ['test']],
    ] as const
  ).map(
    ([id, title, splits]): CatalogueEntry => ({
      id,
      title: `${title} (SemEval, English)`,
      hub: { id: `mteb/${id}-sts`, split: 'test', splits: [...splits] },
      kind: 'sts',
      columns: { text: 'sentence1', text2: 'sentence2', score: 'score' },
      scoreRange: [0, 5],
      language: 'en',
      use: 'STS evaluation (SimCSE table 1).',
      licence:
        'Per-source research licences in the SemEval task readmes (MSR data: Microsoft terms).',
    }),
  ),
  // hf.co/datasets/princeton-nlp/datasets-for-simcse: files wiki1m_for_simcse.txt (120 MB),
  // nli_for_simcse.csv, senteval.tar; the viewer shows one config "default", split "train",
  // 1M rows, and refs/convert/parquet/default/train/0000.parquet (75.7 MB). A text-file data set
  // gets the single column "text" (datasets' text builder).
  {
    id: 'wiki1m',
    title: 'Wikipedia 1M sentences (SimCSE)',
    hub: {
      id: 'princeton-nlp/datasets-for-simcse',
      config: 'default',
      split: 'train',
      splits: ['train'],
    },
    kind: 'sentences',
    columns: { text: 'text' },
    language: 'en',
    use: 'Unsupervised SimCSE training data (1,000,000 sentences).',
    licence: 'Wikipedia text, CC BY-SA.',
  },
  // hf.co/datasets/SeanLee97/nli_for_simcse card: features text, positive, negative; train
  // 275,601 rows (the row count of SimCSE's nli_for_simcse.csv, sent0/sent1/hard_neg renamed).
  // Alternative: sentence-transformers/nli-for-simcse, config "triplet" (anchor/positive/negative).
  {
    id: 'nli-simcse',
    title: 'SNLI + MNLI triplets (supervised SimCSE)',
    hub: { id: 'SeanLee97/nli_for_simcse', split: 'train', splits: ['train'] },
    kind: 'triplets',
    columns: { text: 'text', text2: 'positive', text3: 'negative' },
    language: 'en',
    use: 'Supervised SimCSE: (premise, entailment, contradiction as hard negative).',
    licence: 'SNLI CC BY-SA 4.0; MultiNLI mostly OANC/CC BY-SA (see their cards).',
  },
  // hf.co/datasets/sentence-transformers/all-nli card: config "pair-class", features premise,
  // hypothesis, label (ClassLabel entailment/neutral/contradiction); train 942,069 / dev 19,657 /
  // test 19,656.
  {
    id: 'allnli',
    title: 'SNLI + MultiNLI pairs with labels',
    hub: {
      id: 'sentence-transformers/all-nli',
      config: 'pair-class',
      split: 'dev',
      splits: ['train', 'dev', 'test'],
    },
    kind: 'labeled-pairs',
    columns: { text: 'premise', text2: 'hypothesis', label: 'label' },
    labelNames: ['entailment', 'neutral', 'contradiction'],
    language: 'en',
    use: 'NLI classification (R-Drop, CE) and the source of SimCSE triplets.',
    licence: 'SNLI CC BY-SA 4.0; MultiNLI mostly OANC/CC BY-SA.',
  },
  // hf.co/datasets/stanfordnlp/sst2 card: features idx, sentence, label (ClassLabel negative,
  // positive); train 67,349 / validation 872 / test 1,821 (GLUE test labels are -1, so unusable).
  {
    id: 'sst2',
    title: 'SST-2 (GLUE)',
    hub: { id: 'stanfordnlp/sst2', split: 'validation', splits: ['train', 'validation'] },
    kind: 'labeled',
    columns: { text: 'sentence', label: 'label' },
    labelNames: ['negative', 'positive'],
    language: 'en',
    use: 'Sentiment classification (SentEval transfer task; SCL / R-Drop fine-tuning).',
    licence: 'Card says "unknown"; Stanford Sentiment Treebank (Socher et al., 2013).',
  },
  // hf.co/datasets/CogComp/trec card (commit 2c7efd8 "add dataset_info"): features text,
  // coarse_label (ABBR, ENTY, DESC, HUM, LOC, NUM), fine_label; 5,452 train / 500 test.
  // The repo is script-based (trec.py); its refs/convert/parquet branch was not confirmed.
  {
    id: 'trec',
    title: 'TREC question classification (6 coarse classes)',
    hub: { id: 'CogComp/trec', split: 'test', splits: ['train', 'test'] },
    kind: 'labeled',
    columns: { text: 'text', label: 'coarse_label' },
    labelNames: ['ABBR', 'ENTY', 'DESC', 'HUM', 'LOC', 'NUM'],
    language: 'en',
    use: 'Question-type classification (SentEval transfer task).',
    licence: 'Card says "unknown"; Li & Roth (2002).',
  },
  // hf.co/datasets/cornell-movie-review-data/rotten_tomatoes: train.parquet / validation.parquet /
  // test.parquet; features text, label (ClassLabel neg, pos); 8,530 / 1,066 / 1,066.
  {
    id: 'mr',
    title: 'MR / Rotten Tomatoes movie reviews',
    hub: {
      id: 'cornell-movie-review-data/rotten_tomatoes',
      split: 'test',
      splits: ['train', 'validation', 'test'],
    },
    kind: 'labeled',
    columns: { text: 'text', label: 'label' },
    labelNames: ['neg', 'pos'],
    language: 'en',
    use: 'Sentiment classification (SentEval MR transfer task).',
    licence: 'No known licence (card); Pang & Lee (2005).',
  },
  // hf.co/datasets/C-MTEB/STSB card: sentence1, sentence2, score (int32);
  // train 5,231 / validation 1,458 / test 1,361 — the counts of ../shared/data/zh-stsb.
  {
    id: 'zh-stsb',
    title: 'Chinese STS-B (CNSD translation)',
    hub: { id: 'C-MTEB/STSB', split: 'test', splits: ['train', 'validation', 'test'] },
    kind: 'sts',
    columns: { text: 'sentence1', text2: 'sentence2', score: 'score' },
    scoreRange: [0, 5],
    language: 'zh',
    use: 'Chinese STS evaluation (Chinese SimCSE / CoSENT / text2vec).',
    licence: 'CNSD terms unstated; the card states no licence.',
  },
  // hf.co/datasets/C-MTEB/LCQMC: data/{train,validation,test}-*.parquet and a
  // refs/convert/parquet default/{train,validation,test}; columns sentence1/sentence2/score (0/1)
  // as on the sibling C-MTEB cards (ATEC, PAWSX, STSB, QBQTC) from the same uploader.
  {
    id: 'lcqmc',
    title: 'LCQMC (Chinese question matching)',
    hub: { id: 'C-MTEB/LCQMC', split: 'test', splits: ['train', 'validation', 'test'] },
    kind: 'labeled-pairs',
    columns: { text: 'sentence1', text2: 'sentence2', label: 'score' },
    language: 'zh',
    use: 'Chinese text matching (Chinese SimCSE / CoSENT: Spearman of cosine against 0/1).',
    licence: 'HIT-Shenzhen, research use.',
  },
  // hf.co/datasets/C-MTEB/ATEC card: sentence1, sentence2, score (int32);
  // train 62,477 / validation 20,000 / test 20,000.
  {
    id: 'atec',
    title: 'ATEC (Ant Financial question matching)',
    hub: { id: 'C-MTEB/ATEC', split: 'test', splits: ['train', 'validation', 'test'] },
    kind: 'labeled-pairs',
    columns: { text: 'sentence1', text2: 'sentence2', label: 'score' },
    language: 'zh',
    use: 'Chinese text matching (Chinese SimCSE / CoSENT).',
    licence: 'Competition data with no explicit licence.',
  },
  // hf.co/datasets/C-MTEB/BQ: data/{train,validation,test}-*.parquet; columns as the sibling
  // C-MTEB cards (sentence1/sentence2/score). The card text itself was not retrieved.
  {
    id: 'bq',
    title: 'BQ corpus (bank question matching)',
    hub: { id: 'C-MTEB/BQ', split: 'test', splits: ['train', 'validation', 'test'] },
    kind: 'labeled-pairs',
    columns: { text: 'sentence1', text2: 'sentence2', label: 'score' },
    language: 'zh',
    use: 'Chinese text matching (Chinese SimCSE / CoSENT).',
    licence: 'HIT-Shenzhen, research use.',
  },
  // hf.co/datasets/C-MTEB/PAWSX card: sentence1, sentence2, score (int32);
  // train 49,401 / validation 2,000 / test 2,000.
  {
    id: 'pawsx',
    title: 'PAWS-X (Chinese part)',
    hub: { id: 'C-MTEB/PAWSX', split: 'test', splits: ['train', 'validation', 'test'] },
    kind: 'labeled-pairs',
    columns: { text: 'sentence1', text2: 'sentence2', label: 'score' },
    language: 'zh',
    use: 'Chinese paraphrase identification (Chinese SimCSE / CoSENT).',
    licence: 'Google: free for any purpose, acknowledgement appreciated (PAWS-X card).',
  },
];

export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return CATALOGUE.find((e) => e.id === id);
}

/** The entry for a Hub id (and config, when the entry names one), if the catalogue has it. */
export function catalogueByHub(hubId: string, config?: string): CatalogueEntry | undefined {
  return CATALOGUE.find(
    (e) =>
      e.hub.id.toLowerCase() === hubId.toLowerCase() &&
      (config === undefined || e.hub.config === undefined || e.hub.config === config),
  );
}
