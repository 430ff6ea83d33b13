/** Okapi BM25, the one home of its formulas and parameters for every index of the policy store. */

const K1 = 1.2
const B = 0.75

/** Inverse document frequency of a term found in `df` of `n` documents. */
export function bm25Idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5))
}

/** A term's contribution to a document of `length` (average `avgLength`) where it occurs `tf` times. */
export function bm25Term(idf: number, tf: number, length: number, avgLength: number): number {
  return (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / avgLength))
}
