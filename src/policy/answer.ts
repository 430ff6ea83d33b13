import type { Lang } from '../lang.js'
import type { PolicyAnswer, PolicySection } from './types.js'
import { PAGE_TEXT, paginate, type Unit } from './pages.js'

/** A block of the answered section, located by section and position. */
export interface BlockRef {
  readonly section: number
  readonly pos: number
}

const isBullet = (s: string): boolean => s.startsWith('• ')
const isIntro = (s: string): boolean => /:\s*$/.test(s) && !isBullet(s)

/** The top-level section and its sub-sections, as [section index, block position] in document order. */
export function sectionBlocks(sections: readonly PolicySection[], top: number): BlockRef[] {
  const topId = sections[top]?.id
  const out: BlockRef[] = []
  sections.forEach((s, si) => {
    if (si === top || (topId !== undefined && s.parentId === topId)) s.blocks.forEach((_b, pos) => out.push({ section: si, pos }))
  })
  return out
}

/**
 * Widens a selection so quotes keep their sense: a bullet brings the sentence that introduces its
 * list, and an introducing sentence brings its bullets.
 */
export function withListContext(sections: readonly PolicySection[], all: readonly BlockRef[], chosen: ReadonlySet<number>): Set<number> {
  const text = (i: number): string => sections[all[i]!.section]!.blocks[all[i]!.pos]!
  const out = new Set(chosen)
  for (const i of chosen) {
    if (isBullet(text(i))) {
      let j = i - 1
      while (j >= 0 && isBullet(text(j)) && all[j]!.section === all[i]!.section) j--
      if (j >= 0 && isIntro(text(j)) && all[j]!.section === all[i]!.section) out.add(j)
    }
  }
  for (const i of [...out]) {
    if (!isIntro(text(i))) continue
    for (let j = i + 1; j < all.length && all[j]!.section === all[i]!.section && isBullet(text(j)); j++) out.add(j)
  }
  return out
}

/** Units to print for some blocks: a sub-heading goes in front of the first block quoted from it. */
function toUnits(sections: readonly PolicySection[], top: number, all: readonly BlockRef[], picks: readonly number[]): Unit[] {
  const units: Unit[] = []
  let lastSection = -1
  for (const i of picks) {
    const ref = all[i]!
    const block = sections[ref.section]!.blocks[ref.pos]!
    if (ref.section !== top && ref.section !== lastSection) units.push([sections[ref.section]!.title, block])
    else units.push([block])
    lastSection = ref.section
  }
  return units
}

/** A passage of another section quoted after the answer: the runner-up when it scored nearly as well. */
export interface AlsoPassage {
  readonly section: number
  readonly pos: number
  readonly count: number
}

/**
 * The runner-up passage as one unit: "see also" with its section's heading, then its text. A passage
 * of a sub-section brings the sentence that introduces the sub-sections and its own sub-heading.
 */
function alsoUnit(sections: readonly PolicySection[], lang: Lang, also: AlsoPassage): Unit {
  const sec = sections[also.section]!
  const parent = sec.parentId ? sections.find((s) => s.id === sec.parentId) : undefined
  const head = PAGE_TEXT[lang].also((parent ?? sec).title)
  const intro = parent?.blocks.at(-1)
  const context = parent ? [...(intro !== undefined && isIntro(intro) ? [intro] : []), sec.title] : []
  return [head, ...context, ...sec.blocks.slice(also.pos, also.pos + also.count)]
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Per policy, how a block names each top-level section ("… in the Contact us section"); null for the rest. */
const sectionNames = new WeakMap<readonly PolicySection[], ReadonlyArray<RegExp | null>>()

function namePatterns(sections: readonly PolicySection[]): ReadonlyArray<RegExp | null> {
  let patterns = sectionNames.get(sections)
  if (!patterns) {
    patterns = sections.map((s) => {
      if (s.parentId || s.blocks.length === 0) return null
      const title = escapeRegExp(s.title.replace(/[?:]\s*$/, ''))
      return new RegExp(`\\b${title}\\W{0,2}\\s+section\\b|\\bsection\\s+(?:called\\s+|titled\\s+)?\\W?${title}\\b`, 'i')
    })
    sectionNames.set(sections, patterns)
  }
  return patterns
}

/**
 * Top-level sections that a quoted block sends the reader to by name — "our registered address,
 * specified above in the Contact us section" — found by the policy's own headings, so any policy that
 * refers to its sections this way is served the same. `exclude` holds sections already quoted.
 */
export function referencedSections(sections: readonly PolicySection[], blocks: readonly string[], exclude: ReadonlySet<number>): number[] {
  const out: number[] = []
  namePatterns(sections).forEach((named, i) => {
    if (named && !exclude.has(i) && blocks.some((b) => named.test(b))) out.push(i)
  })
  return out
}

/** A referenced section quoted whole, under "see also" and its heading. */
function referenceUnit(sections: readonly PolicySection[], lang: Lang, index: number): Unit {
  const sec = sections[index]!
  return [PAGE_TEXT[lang].also(sec.title), ...sec.blocks]
}

/**
 * Builds the pages of an answer for a phone screen: the lead-in, then the passages that answer —
 * `chosen`, lead first, each with its list context: at most two — then, when given and it fits, the
 * runner-up section's best passage under its own heading, and the sections a quoted sentence points to.
 * The rest of the section waits behind 更多 / "more" on the following pages. `chosen` null quotes the
 * whole section in document order (a topic picked from the menu).
 */
export function composeAnswer(
  sections: readonly PolicySection[],
  top: number,
  lang: Lang,
  chosen: readonly number[] | null,
  score: number,
  also?: AlsoPassage,
): PolicyAnswer {
  const section = sections[top]!
  const all = sectionBlocks(sections, top)
  const everything = all.map((_r, i) => i)
  // Each chosen passage keeps its sense (a bullet brings the sentence introducing its list, and the
  // other way round) and its own blocks in document order; passages follow in the order given.
  const first: number[] = []
  for (const i of chosen ?? everything) {
    const passage = [...withListContext(sections, all, new Set([i]))].sort((a, b) => a - b)
    for (const j of passage) if (!first.includes(j)) first.push(j)
  }
  const rest = everything.filter((i) => !first.includes(i))
  let units = toUnits(sections, top, all, first)
  let restLabel: string = PAGE_TEXT[lang].rest
  // Only if the answer and the other passage both fit on the first page.
  const addIfFits = (unit: Unit): void => {
    const withUnit = [...units, unit]
    if (paginate(lang, section.title, withUnit).length > 1) return
    units = withUnit
    restLabel = PAGE_TEXT[lang].restOf(section.title)
  }
  if (also) addIfFits(alsoUnit(sections, lang, also))
  // A quoted sentence that points to another section ("specified above in the Contact us section") is
  // followed by that section's own words, so the answer holds what it points to (e.g. the postal address).
  const quoted = new Set(all.map((ref) => ref.section))
  if (also) quoted.add(also.section)
  const pointedTo = referencedSections(
    sections,
    first.map((i) => sections[all[i]!.section]!.blocks[all[i]!.pos]!),
    quoted,
  )
  for (const ref of pointedTo) addIfFits(referenceUnit(sections, lang, ref))
  // The rest of the section starts the next page, so the answer stands alone on a phone screen.
  // The rest-of-section label travels with the first block it introduces, never alone at a page's end.
  const [firstRest, ...moreRest] = toUnits(sections, top, all, rest)
  const restUnits: Unit[] = firstRest ? [[restLabel, ...firstRest], ...moreRest] : []
  const breakAt = chosen ? new Set([units.length]) : new Set<number>()
  const pages = paginate(lang, section.title, [...units, ...restUnits], breakAt)
  return { lang, sectionId: section.id, sectionTitle: section.title, score, pages }
}
