import { createRequire } from 'node:module'
import { stemmer } from 'stemmer'

/** The part of @node-rs/jieba used here. */
interface JiebaLike {
  cut(sentence: string, hmm?: boolean): string[]
  loadDict(dict: Uint8Array): void
}

const require = createRequire(import.meta.url)
let shared: JiebaLike | undefined
const addedWords = new Set<string>()

/** The process-wide jieba instance with its default dictionary (loading it takes ~0.3 s, so once). */
function jieba(): JiebaLike {
  if (!shared) {
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike } }
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array }
    shared = Jieba.withDict(dict)
  }
  return shared
}

/**
 * Adds words (e.g. the lexicon's Chinese keywords) to jieba's dictionary so 注销账号 or 百度统计
 * come out whole. High frequency makes jieba prefer them over its own splits.
 */
export function addChineseWords(words: Iterable<string>): void {
  const lines: string[] = []
  for (const w of words) {
    const word = w.trim()
    if (!word || /\s/.test(word) || addedWords.has(word) || !/\p{Script=Han}/u.test(word)) continue
    addedWords.add(word)
    lines.push(`${word} 100000 n`)
  }
  if (lines.length) jieba().loadDict(Buffer.from(lines.join('\n') + '\n', 'utf8'))
}

/** Chinese word segmentation; punctuation and spaces are dropped. */
export function cutChinese(text: string): string[] {
  return jieba()
    .cut(text, true)
    .map((t) => t.trim())
    .filter((t) => t && /[\p{L}\p{N}]/u.test(t))
}

/** Lowercase Latin words of a text, with apostrophes and accents folded ("People’s" → "people's" → "people"). */
export function englishWords(text: string): string[] {
  const words = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .match(/[a-z0-9]+(?:'[a-z]+)?/g)
  if (!words) return []
  return words.map((w) => w.replace(/'(s|t|re|ve|ll|d|m)$/, (_m, s: string) => (s === 't' ? 't' : '')))
}

/** One English token: the surface word and its stem. */
export interface Token {
  readonly word: string
  readonly stem: string
}

/** English tokens with Porter stems, stopwords included (phrases such as "opt out" need them). */
export function englishTokens(text: string): Token[] {
  return englishWords(text).map((word) => ({ word, stem: stemWord(word) }))
}

const stemCache = new Map<string, string>()

/** Porter stem with a cache: the same few hundred words come up again and again. */
export function stemWord(word: string): string {
  let s = stemCache.get(word)
  if (s === undefined) {
    s = stemmer(word)
    if (stemCache.size < 50_000) stemCache.set(word, s)
  }
  return s
}

/** Stems of a phrase such as "opt out" → ["opt", "out"]. */
export function stemPhrase(phrase: string): string[] {
  return englishWords(phrase).map(stemWord)
}
