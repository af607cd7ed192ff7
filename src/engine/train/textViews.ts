/**
 * Text-level views: EDA edits (Wei & Zou) applied independently to each view of a sentence.
 * Synonyms come from WordNet (English) or from the synonym list named in the config.
 */
import { eda } from '../augment/eda.ts';
import { englishSynonyms, parseSynonymList } from '../augment/synonyms.ts';
import type { EdaOptions, SynonymSource } from '../augment/types.ts';
import type { ExperimentConfig } from '../config/schema.ts';
import type { DataIO } from '../data/index.ts';
import { UserError } from '../errors.ts';
import type { Rng } from '../rng.ts';

export class TextViews {
  private constructor(
    private readonly options: EdaOptions | null,
    private readonly synonyms: SynonymSource | null,
  ) {}

  static async create(config: ExperimentConfig, io: DataIO): Promise<TextViews> {
    const e = config.augment.eda;
    if (!e) return new TextViews(null, null);
    const enabled = e.synonymReplacement + e.randomInsertion + e.randomSwap + e.randomDeletion > 0;
    if (!enabled) return new TextViews(null, null);
    let synonyms: SynonymSource;
    if (e.synonyms) {
      if (!io.openFile)
        throw new UserError(`augment.eda.synonyms: cannot open ${e.synonyms} here.`);
      const raw = await io.openFile(e.synonyms);
      const bytes = raw instanceof Uint8Array ? raw : new Uint8Array(await raw.arrayBuffer());
      const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
      synonyms = parseSynonymList(text, e.synonyms);
    } else {
      synonyms = await englishSynonyms();
    }
    const options: EdaOptions = {
      synonymReplacement: e.synonymReplacement,
      randomInsertion: e.randomInsertion,
      randomSwap: e.randomSwap,
      randomDeletion: e.randomDeletion,
      combine: e.combine,
    };
    return new TextViews(options, synonyms);
  }

  /** The text of view 1 or 2 of a sentence (unchanged without EDA). */
  apply(text: string, _view: 1 | 2, rng: Rng): string {
    if (!this.options || !this.synonyms) return text;
    return eda(text, this.options, rng, this.synonyms).text;
  }
}
