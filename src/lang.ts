/** The two languages the assistant speaks. */
export type Lang = 'zh' | 'en'

const HAN = /\p{Script=Han}/u

/** Chinese if the text contains any Han character, otherwise English. */
export function detectLang(text: string): Lang {
  return HAN.test(text) ? 'zh' : 'en'
}
