import { z } from 'zod'
import raw from '../../../data/rights-vocabulary.json' with { type: 'json' }
import { RIGHT_TYPES, type RightType } from '../../requests/model.js'
import { commandWord } from '../normalize.js'

/**
 * The words that recognise rights requests and steer a conversation, read from the editable file
 * data/rights-vocabulary.json (as data/lexicon.json is for the policy) and checked once at start.
 */

export const VOCABULARY_FILE = 'data/rights-vocabulary.json'

const note = z.union([z.string(), z.array(z.string())]).optional()
const list = z.array(z.string()).default([])
/** Alternatives (regular-expression fragments), grouped by language only for readability. */
const alternatives = z.strictObject({ _comment: note, en: list, zh: list })
/** Whole-message words, compared as command words (no case, spaces or punctuation). */
const words = z.strictObject({ _comment: note, zh: list, en: list })

const MARKERS = ['request', 'question', 'permission', 'hypothetical', 'earlier', 'status', 'staff'] as const
const WORD_LISTS = ['start', 'staff', 'yes', 'no', 'ack', 'skip', 'help', 'more', 'continue', 'cancel'] as const
/** Markers that only count at the start of a message: their alternatives are wrapped in `^(?:…)`. */
const AT_START: ReadonlySet<Marker> = new Set(['permission', 'status', 'staff'])

const vocabularySchema = z.strictObject({
  _comment: note,
  placeholders: z.record(z.string(), z.string().min(1)).default({}),
  rights: z.array(alternatives.extend({ right: z.enum(RIGHT_TYPES as [RightType, ...RightType[]]) })),
  markers: z.strictObject({ _comment: note, ...Object.fromEntries(MARKERS.map((m) => [m, alternatives])) as Record<Marker, typeof alternatives> }),
  words: z.strictObject({ _comment: note, ...Object.fromEntries(WORD_LISTS.map((w) => [w, words])) as Record<WordList, typeof words> }),
})

export type Marker = (typeof MARKERS)[number]
export type WordList = (typeof WORD_LISTS)[number]
/** The vocabulary file as staff write it. */
export type RightsVocabularyData = z.input<typeof vocabularySchema>

export interface RightsVocabulary {
  /** Each right with its pattern, in the order they are tried (the first match wins). */
  readonly rights: readonly (readonly [RightType, RegExp])[]
  /** request: asking us to act; question: asking about a right; permission ("Can I…"), status and staff match at the start only. */
  readonly markers: { readonly [M in Marker]: RegExp }
  /** Command words in their bare form (see `commandWord`). */
  readonly words: { readonly [W in WordList]: ReadonlySet<string> }
}

const PLACEHOLDER = /\{([A-Za-z_]\w*)\}/g
// A numbered backreference (\1) would point at another alternative's group once the lists are joined.
const NUMBERED_BACKREFERENCE = /(?:^|[^\\])(?:\\\\)*\\[1-9]/

/** Validates and compiles a vocabulary; `file` names the source in error messages. */
export function compileVocabulary(data: unknown, file: string = VOCABULARY_FILE): RightsVocabulary {
  const fail = (where: string, problem: string): never => {
    throw new Error(`Invalid ${file}: ${where}: ${problem}`)
  }
  const parsed = vocabularySchema.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return fail(describePath(issue?.path ?? [], data), issue?.message ?? 'invalid')
  }
  const v = parsed.data

  const placeholders = new Map<string, string>()
  for (const [name, value] of Object.entries(v.placeholders)) {
    const where = `placeholders.${name}`
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) fail(where, 'a placeholder name is capital letters, digits and _')
    if (value.match(PLACEHOLDER)) fail(where, 'a placeholder cannot use another placeholder')
    checkRegExp(value, where, fail)
    placeholders.set(name, `(?:${value})`)
  }

  /** The alternatives of one group joined into one pattern source, each checked on its own first. */
  const join = (group: { en: string[]; zh: string[] }, where: string): string => {
    const sources: string[] = []
    for (const lang of ['en', 'zh'] as const) {
      group[lang].forEach((alt, i) => {
        const at = `${where}.${lang}[${i}] ${JSON.stringify(alt)}`
        if (!alt.trim()) fail(at, 'an empty entry would match every message')
        if (NUMBERED_BACKREFERENCE.test(alt)) fail(at, 'use a named group (?<name>…) and \\k<name> instead of a numbered backreference')
        const source = alt.replace(PLACEHOLDER, (_, name: string) => placeholders.get(name) ?? fail(at, `unknown placeholder {${name}}`))
        const re = checkRegExp(source, at, fail)
        if (['', 'zz', '某'].some((probe) => re.exec(probe)?.[0] === '')) fail(at, 'it matches an empty text, so it would match every message')
        sources.push(source)
      })
    }
    if (sources.length === 0) fail(where, 'needs at least one en or zh entry')
    return sources.join('|')
  }

  const seen = new Set<RightType>()
  const rights = v.rights.map((r, i): readonly [RightType, RegExp] => {
    const where = `rights[${i}] (${r.right})`
    if (seen.has(r.right)) fail(where, `"${r.right}" is listed twice`)
    seen.add(r.right)
    return [r.right, checkRegExp(join(r, where), where, fail)]
  })
  const missing = RIGHT_TYPES.filter((t) => !seen.has(t))
  if (missing.length) fail('rights', `missing ${missing.map((t) => `"${t}"`).join(', ')}`)

  const markers = {} as Record<Marker, RegExp>
  for (const m of MARKERS) {
    const where = `markers.${m}`
    const source = join(v.markers[m], where)
    markers[m] = checkRegExp(AT_START.has(m) ? `^(?:${source})` : source, where, fail)
  }

  const wordSets = {} as Record<WordList, ReadonlySet<string>>
  for (const w of WORD_LISTS) {
    const set = new Set<string>()
    for (const lang of ['zh', 'en'] as const) {
      v.words[w][lang].forEach((word, i) => {
        const bare = commandWord(word)
        if (!bare) fail(`words.${w}.${lang}[${i}] ${JSON.stringify(word)}`, 'nothing is left once spaces and punctuation are removed')
        set.add(bare)
      })
    }
    wordSets[w] = set
  }

  return { rights, markers, words: wordSets }
}

function checkRegExp(source: string, where: string, fail: (where: string, problem: string) => never): RegExp {
  try {
    return new RegExp(source, 'i')
  } catch (err) {
    return fail(where, `not a valid regular expression (${(err as Error).message})`)
  }
}

/** `rights[7] (delete).zh[2]`-style location of a schema problem. */
function describePath(path: readonly PropertyKey[], data: unknown): string {
  let out = ''
  let node: unknown = data
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`
    node = node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined
    const right = node && typeof node === 'object' && !Array.isArray(node) ? (node as { right?: unknown }).right : undefined
    if (path[0] === 'rights' && typeof key === 'number' && typeof right === 'string') out += ` (${right})`
  }
  return out || '(top level)'
}

/** The shipped vocabulary, read once when the assistant starts. */
export const vocabulary: RightsVocabulary = compileVocabulary(raw)
