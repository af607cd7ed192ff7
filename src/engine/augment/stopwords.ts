/**
 * Stop words: EDA never replaces them (synonym replacement) and never inserts their synonyms
 * (random insertion). Swap and deletion may still move or remove them — deleting 不 from
 * "我不会再爱你" gives "我会再爱你", the opposite meaning; the preview shows this on purpose.
 */

/**
 * EDA's English list, verbatim from the reference code (jasonwei20/eda_nlp@5d54d43,
 * code/eda.py `stop_words`, itself NLTK's English list), minus its trailing ''.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his ' +
    'himself she her hers herself it its itself they them their theirs themselves what which ' +
    'who whom this that these those am is are was were be been being have has had having do ' +
    'does did doing a an the and but if or because as until while of at by for with about ' +
    'against between into through during before after above below to from up down in out on ' +
    'off over under again further then once here there when where why how all any both each ' +
    'few more most other some such no nor not only own same so than too very s t can will ' +
    'just don should now'
  ).split(' '),
);

/**
 * A small Chinese list: the pronouns, particles, conjunctions and prepositions of the HIT
 * stop-word list (哈工大停用词表, goto456/stopwords@1de4e06 hit_stopwords.txt), plus the
 * frequent function words 不 没 没有 都 很 会 of the common minimal list
 * "的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这",
 * which HIT leaves out. The negators are here so a synonym can never flip them; the
 * content words of that minimal list (人 说 去 看 好 上) are left replaceable.
 */
export const CHINESE_STOP_WORDS: ReadonlySet<string> = new Set(
  // pronouns and demonstratives (HIT)
  (
    '我 我们 你 你们 您 他 他们 她 她们 它 它们 自己 咱 咱们 俺 这 那 这个 那个 这些 那些 ' +
    '这里 那里 这样 那样 这么 那么 谁 什么 哪 哪里 哪个 怎么 怎样 如何 为什么 其 此 某 每 各 ' +
    // particles and auxiliaries (HIT)
    '的 地 得 了 着 之 所 吗 呢 吧 啊 呀 哦 嗯 么 啦 哈 嘛 ' +
    // conjunctions (HIT)
    '和 与 及 以及 或 或者 而 而且 并且 但 但是 因为 所以 如果 虽然 然后 于是 就 也 又 ' +
    // prepositions and coverbs (HIT)
    '在 把 被 从 对 对于 向 往 为 为了 给 跟 同 比 让 由 由于 关于 按照 根据 通过 以 于 ' +
    // copula, existential, modal, numeral (HIT)
    '是 有 要 能 可以 将 一 一个 一些 ' +
    // negators and frequent adverbs of the minimal list (not in HIT)
    '不 没 没有 都 很 会'
  ).split(' '),
);

/** True when `word` (compared lower-cased) is an English or Chinese stop word. */
export function isStopWord(word: string): boolean {
  const key = word.toLowerCase();
  return ENGLISH_STOP_WORDS.has(key) || CHINESE_STOP_WORDS.has(key);
}
