import type { QueryGroup } from './query.js'
import type { SearchIndex } from './search-index.js'

/** The best top-level section for a query, with the relevance of each of its blocks. */
export interface RankResult {
  /** Index of the top-level section. */
  readonly top: number
  readonly score: number
  /** Relevance by block number (index into SearchIndex.blocks), for blocks of that section. */
  readonly blockScores: ReadonlyMap<number, number>
  /** How much of the winning score came from non-weak groups (used for the confidence check). */
  readonly strongScore: number
  /** Every top-level section that scored, best first, with its best passage (index into SearchIndex.blocks) and that passage's score. */
  readonly ranking: readonly { readonly top: number; readonly score: number; readonly block: number; readonly blockScore: number }[]
}

/** Weight of a heading match against a body match. */
const TITLE_WEIGHT = 0.8
const PARENT_TITLE_SHARE = 0.5
const HEADING_HINT = 0.6
/** Share of the second-best block added to a section's score: sections that answer in several places win ties. */
const SECOND_BLOCK_SHARE = 0.3
const OTHER_TERMS_SHARE = 0.4
const TITLE_COVER_MIN = 0.75
const TITLE_COVER_BONUS = 5

/**
 * Scores every block as Σ over query groups of weight × best BM25 among the group's terms, plus
 * heading matches of its own section and (halved) of its parent, plus `extra` (by block: evidence
 * from elsewhere, such as a staff question close to the question), then picks the top-level section
 * with the best block (plus a share of its second best).
 */
export function rankSections(index: SearchIndex, groups: readonly QueryGroup[], extra: ReadonlyMap<number, number> = new Map()): RankResult | null {
  const nBlocks = index.blocks.length
  const body = new Float64Array(nBlocks)
  const strongBody = new Float64Array(nBlocks)
  const sectionCount = index.sections.length
  const title = new Float64Array(sectionCount)
  const strongTitle = new Float64Array(sectionCount)

  for (const g of groups) {
    // Best term counts fully, the group's other terms a little: a block that says "road", "room" and
    // "zip code" is more of an address than one that only says "address".
    const best = new Float64Array(nBlocks)
    const extra = new Float64Array(nBlocks)
    for (const term of g.terms) {
      for (const [bi, s] of index.termScores(term)) {
        if (s > best[bi]!) {
          extra[bi]! += best[bi]!
          best[bi] = s
        } else extra[bi]! += s
      }
    }
    for (let bi = 0; bi < nBlocks; bi++) {
      const v = g.weight * (best[bi]! + OTHER_TERMS_SHARE * extra[bi]!)
      body[bi]! += v
      if (!g.weak) strongBody[bi]! += v
    }
    for (let si = 0; si < sectionCount; si++) {
      let t = 0
      for (const term of g.terms) t = Math.max(t, index.titleScore(si, term))
      if (g.headings.length && index.titleHas(si, g.headings)) t += HEADING_HINT
      const v = g.weight * t * TITLE_WEIGHT
      title[si]! += v
      if (!g.weak) strongTitle[si]! += v
    }
  }

  // A heading that says what the question says ("What are cookies?") is worth more than its parts.
  const totalWeight = groups.reduce((a, g) => a + g.weight, 0)
  for (let si = 0; si < sectionCount; si++) {
    const covered = groups.reduce((a, g) => a + (g.terms.some((t) => index.titleScore(si, t) > 0) ? g.weight : 0), 0)
    const share = totalWeight > 0 ? covered / totalWeight : 0
    if (share >= TITLE_COVER_MIN && groups.length >= 2) title[si]! += TITLE_COVER_BONUS * share
  }

  const blockScore = new Float64Array(nBlocks)
  const blockStrong = new Float64Array(nBlocks)
  const topBest = new Map<number, [number, number, number, number]>() // top → [best, second, strong of best, best block]
  for (let bi = 0; bi < nBlocks; bi++) {
    const b = index.blocks[bi]!
    const parentTitle = b.top !== b.section ? PARENT_TITLE_SHARE : 0
    const more = extra.get(bi) ?? 0
    const s = body[bi]! + title[b.section]! + parentTitle * title[b.top]! + more
    const strong = strongBody[bi]! + strongTitle[b.section]! + parentTitle * strongTitle[b.top]! + more
    blockScore[bi] = s
    blockStrong[bi] = strong
    const cur = topBest.get(b.top) ?? [0, 0, 0, bi]
    if (s > cur[0]) topBest.set(b.top, [s, cur[0], strong, bi])
    else if (s > cur[1]) topBest.set(b.top, [cur[0], s, cur[2], cur[3]])
    else topBest.set(b.top, cur)
  }
  const ranking = [...topBest.entries()]
    .map(([top, [best, second, strong, block]]) => ({ top, score: best + SECOND_BLOCK_SHARE * second, strong, block, blockScore: best }))
    .filter((r) => r.score > 0)
    .sort((a, b) => b.score - a.score)
  const win = ranking[0]
  if (!win) return null
  const winner = win.top
  const blockScores = new Map<number, number>()
  for (let bi = 0; bi < nBlocks; bi++) if (index.blocks[bi]!.top === winner) blockScores.set(bi, blockScore[bi]!)
  return { top: winner, score: win.score, blockScores, strongScore: win.strong, ranking }
}
