/**
 * The Porter (1980) stemmer, so "collected", "collection" and "collecting" meet at "collect".
 * Written here because the project carries no stemming dependency.
 */

const isCons = (w: string, i: number): boolean => {
  const c = w[i]
  if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') return false
  if (c === 'y') return i === 0 || !isCons(w, i - 1)
  return true
}

/** Number of vowel–consonant sequences in w (Porter's m). */
function measure(w: string): number {
  let m = 0
  let i = 0
  const n = w.length
  while (i < n && isCons(w, i)) i++
  while (i < n) {
    while (i < n && !isCons(w, i)) i++
    if (i >= n) break
    while (i < n && isCons(w, i)) i++
    m++
  }
  return m
}

const hasVowel = (w: string): boolean => {
  for (let i = 0; i < w.length; i++) if (!isCons(w, i)) return true
  return false
}
const doubleCons = (w: string): boolean => w.length >= 2 && w[w.length - 1] === w[w.length - 2] && isCons(w, w.length - 1)
/** consonant-vowel-consonant ending, last not w, x or y. */
const cvc = (w: string): boolean => {
  const n = w.length
  if (n < 3) return false
  if (!isCons(w, n - 1) || isCons(w, n - 2) || !isCons(w, n - 3)) return false
  const c = w[n - 1]
  return c !== 'w' && c !== 'x' && c !== 'y'
}

type Rule = readonly [suffix: string, replacement: string]

function applyRules(w: string, rules: readonly Rule[], minMeasure: number): string {
  for (const [suf, rep] of rules) {
    if (w.endsWith(suf)) {
      const stem = w.slice(0, -suf.length)
      return measure(stem) > minMeasure ? stem + rep : w
    }
  }
  return w
}

const STEP2: readonly Rule[] = [
  ['ational', 'ate'], ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['izer', 'ize'], ['bli', 'ble'],
  ['alli', 'al'], ['entli', 'ent'], ['eli', 'e'], ['ousli', 'ous'], ['ization', 'ize'], ['ation', 'ate'],
  ['ator', 'ate'], ['alism', 'al'], ['iveness', 'ive'], ['fulness', 'ful'], ['ousness', 'ous'], ['aliti', 'al'],
  ['iviti', 'ive'], ['biliti', 'ble'], ['logi', 'log'],
]
const STEP3: readonly Rule[] = [
  ['icate', 'ic'], ['ative', ''], ['alize', 'al'], ['iciti', 'ic'], ['ical', 'ic'], ['ful', ''], ['ness', ''],
]
const STEP4 = [
  'al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ion', 'ou', 'ism', 'ate',
  'iti', 'ous', 'ive', 'ize',
]

/** Porter stem of a lowercase English word; words of one or two letters are returned as they are. */
export function stem(word: string): string {
  let w = word
  if (w.length <= 2) return w
  // Step 1a
  if (w.endsWith('sses')) w = w.slice(0, -2)
  else if (w.endsWith('ies')) w = w.slice(0, -2)
  else if (w.endsWith('ss')) w = w
  else if (w.endsWith('s')) w = w.slice(0, -1)
  // Step 1b
  let extra = false
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1)
  } else if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) {
    w = w.slice(0, -2)
    extra = true
  } else if (w.endsWith('ing') && hasVowel(w.slice(0, -3))) {
    w = w.slice(0, -3)
    extra = true
  }
  if (extra) {
    if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e'
    else if (doubleCons(w) && !/[lsz]$/.test(w)) w = w.slice(0, -1)
    else if (measure(w) === 1 && cvc(w)) w += 'e'
  }
  // Step 1c
  if (w.endsWith('y') && hasVowel(w.slice(0, -1))) w = w.slice(0, -1) + 'i'
  w = applyRules(w, STEP2, 0)
  w = applyRules(w, STEP3, 0)
  // Step 4
  for (const suf of STEP4) {
    if (!w.endsWith(suf)) continue
    const s = w.slice(0, -suf.length)
    if (measure(s) > 1 && (suf !== 'ion' || /[st]$/.test(s))) w = s
    break
  }
  // Step 5
  if (w.endsWith('e')) {
    const s = w.slice(0, -1)
    const m = measure(s)
    if (m > 1 || (m === 1 && !cvc(s))) w = s
  }
  if (measure(w) > 1 && doubleCons(w) && w.endsWith('l')) w = w.slice(0, -1)
  return w
}
