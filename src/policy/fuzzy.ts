/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), cut off early
 * once it exceeds `max`, since only distances 1–2 are ever of interest.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1
  const n = b.length
  let prev2: number[] = []
  let prev = Array.from({ length: n + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let rowMin = i
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1)
      cur.push(v)
      if (v < rowMin) rowMin = v
    }
    if (rowMin > max) return max + 1
    prev2 = prev
    prev = cur
  }
  return prev[n]!
}

/** How many typos a word of this length may carry: none below 5 letters, 2 from 9 letters. */
export function allowedTypos(word: string): number {
  if (word.length < 5) return 0
  return word.length >= 9 ? 2 : 1
}

/**
 * The closest candidate within the allowed number of typos, or undefined. Ties go to the first
 * candidate in iteration order, so callers list preferred sources first.
 */
export function closestWord(word: string, candidates: Iterable<string>): string | undefined {
  const max = allowedTypos(word)
  if (max === 0) return undefined
  let best: string | undefined
  let bestD = max + 1
  for (const c of candidates) {
    // Typos rarely hit the first letter; requiring it keeps "night" from becoming "right".
    if (c === word || c[0] !== word[0] || Math.abs(c.length - word.length) > max || c.length < 4) continue
    const d = editDistance(word, c, Math.min(max, bestD))
    if (d < bestD) {
      bestD = d
      best = c
      if (d === 1) break
    }
  }
  return bestD <= max ? best : undefined
}

/**
 * Typo correction for 3–4 letter words ("sel" → "sell", "dat" → "data"): one missing letter only,
 * with the first two letters agreeing, because short words collide with real ones far more easily
 * ("want" must not become "wait").
 */
export function closestShortWord(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length < 3 || word.length > 4) return undefined
  for (const c of candidates) {
    if (c.length !== word.length + 1 || !c.startsWith(word.slice(0, 2))) continue
    if (editDistance(word, c, 1) <= 1) return c
  }
  return undefined
}
