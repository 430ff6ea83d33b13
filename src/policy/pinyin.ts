import { pinyin } from 'pinyin-pro'

/**
 * Chinese typing slips through pinyin. People type Chinese by its sound, so a slip is a character of
 * the same or a near sound: 删出 for 删除, 个人信细 for 个人信息, 权力 for 权利, 隐私证策 for 隐私政策.
 * A keyword is read where the text sounds like it and keeps enough of its characters: sound alone
 * would turn every 手机 (phone) into 收集 (collect).
 */

/**
 * Sounds that pinyin keyboards let people confuse ("fuzzy pinyin"): zh/z, ch/c, sh/s, n/l, and the
 * front and back nasals an/ang, en/eng, in/ing. Both sides are folded the same way before comparing.
 */
export function foldSyllable(syllable: string): string {
  return syllable
    .replace(/^([zcs])h/, '$1')
    .replace(/^n/, 'l')
    .replace(/(a|e|i)ng$/, '$1n')
}

const charReadings = new Map<string, string>()

/**
 * The usual reading of one character, without tone. Only the usual one: a slip is the character a
 * keyboard offers first for the sound typed, and rarer readings (度 as duo) would let 速度快 pass for 多快.
 */
function readingOf(ch: string): string {
  let reading = charReadings.get(ch)
  if (reading === undefined) {
    reading = (pinyin(ch, { toneType: 'none', type: 'array' }) as string[])[0] ?? ''
    // The cache holds characters, not texts: a few thousand at most.
    if (charReadings.size < 20_000) charReadings.set(ch, reading)
  }
  return reading
}

/** One keyword with its syllables (the reading it has in that word), as said and folded. */
export interface PinyinEntry<T> {
  readonly word: string
  readonly syllables: readonly string[]
  readonly folded: readonly string[]
  readonly value: T
}

const HAN_ONLY = /^\p{Script=Han}{2,}$/u

/** Keywords of two or more Chinese characters, found by sound. Built once; matching is a few map look-ups per character. */
export class PinyinIndex<T> {
  /** Entries by their first folded syllable, longest first. */
  readonly #byFirst = new Map<string, PinyinEntry<T>[]>()

  constructor(entries: Iterable<readonly [word: string, value: T]>) {
    for (const [word, value] of entries) {
      if (!HAN_ONLY.test(word)) continue
      // In-word readings: 银行 is yin hang, not yin xing.
      const syllables = pinyin(word, { toneType: 'none', type: 'array' }) as string[]
      if (syllables.length !== [...word].length) continue
      const folded = syllables.map(foldSyllable)
      const list = this.#byFirst.get(folded[0]!) ?? []
      list.push({ word, syllables, folded, value })
      this.#byFirst.set(folded[0]!, list)
    }
    for (const list of this.#byFirst.values()) list.sort((a, b) => b.word.length - a.word.length)
  }

  /**
   * The longest keyword that sounds like the text at `start` and keeps enough of its characters there;
   * undefined when none does. `chars` is the text split into characters.
   */
  matchAt(chars: readonly string[], start: number): PinyinEntry<T> | undefined {
    for (const e of this.#byFirst.get(foldSyllable(readingOf(chars[start]!))) ?? []) {
      if (start + e.syllables.length <= chars.length && this.#soundsLike(chars, start, e)) return e
    }
    return undefined
  }

  /**
   * A two-character keyword must be typed with its first character and the exact sound of its second
   * (删出 → 删除, but not 杯谁 → 被谁, nor 官是 → 官司); a longer one needs half its characters as typed,
   * and the others may sound alike the way fuzzy pinyin allows (隐私证策 → 隐私政策).
   */
  #soundsLike(chars: readonly string[], start: number, e: PinyinEntry<T>): boolean {
    const word = [...e.word]
    const short = word.length === 2
    if (short && chars[start] !== word[0]) return false
    let same = 0
    for (let j = 0; j < word.length; j++) {
      const ch = chars[start + j]!
      if (ch === word[j]) same++
      else if (short ? readingOf(ch) !== e.syllables[j] : foldSyllable(readingOf(ch)) !== e.folded[j]) return false
    }
    return short || same * 2 >= word.length
  }
}
