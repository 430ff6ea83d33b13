import { DateTime } from 'luxon'
import { customAlphabet } from 'nanoid'
import type { Clock } from '../clock.js'

/** The business's time zone: the date in an id is the Shanghai calendar date. */
export const BUSINESS_ZONE = 'Asia/Shanghai'

/** Upper-case letters and digits without 0/O and 1/I, which people misread when typing an id back. */
export const REQUEST_ID_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'

/** PR-YYYYMMDD-XXXXXX (upper-case). 32^6 ≈ 10^9 suffixes per day: not guessable by enumeration. */
export const REQUEST_ID_PATTERN = /^PR-(\d{4})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-([23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6})$/

// nanoid's customAlphabet draws from crypto.getRandomValues.
const suffix = customAlphabet(REQUEST_ID_ALPHABET, 6)

/** A fresh request id dated with the clock's current Shanghai date. */
export function newRequestId(clock: Clock): string {
  const date = DateTime.fromJSDate(clock.now(), { zone: BUSINESS_ZONE }).toFormat('yyyyMMdd')
  return `PR-${date}-${suffix()}`
}

/** Normalises user input (trimmed, upper-cased); returns the canonical id or undefined when it is not one. */
export function parseRequestId(input: string): string | undefined {
  const s = input.trim().toUpperCase()
  return REQUEST_ID_PATTERN.test(s) ? s : undefined
}

/** True when the input, case-insensitively, is a well-formed request id. */
export function isRequestId(input: string): boolean {
  return parseRequestId(input) !== undefined
}

/** The creation month "YYYY-MM" encoded in a canonical id (the Shanghai month it was filed in). */
export function requestIdMonth(id: string): string {
  return `${id.slice(3, 7)}-${id.slice(7, 9)}`
}
