/** Shortens a value shown inside a summary line. */
export function preview(value: string, maxChars = 80): string {
  const chars = [...value]
  return chars.length <= maxChars ? value : `${chars.slice(0, maxChars).join('')}…`
}

/**
 * The policy's typography made plain for quoting: curly apostrophes (People’s) become straight ones
 * (People's) and the stray no-break spaces inside its sentences ("benefits or discounts") become
 * ordinary spaces — what people type and search for. Same words, same meaning.
 */
export const plainTypography = (text: string): string => text.replace(/[\u2018\u2019]/g, "'").replace(/\u00a0/g, ' ')
