import { stringify } from 'csv-stringify/sync'

/**
 * A CSV document for spreadsheets: UTF-8 with a byte-order mark (so Excel reads Chinese right), a
 * header row, CRLF line ends, fields quoted where needed, and formula injection defused — a text
 * cell starting with = + - @ (or a tab or CR) gets a leading apostrophe, so a spreadsheet shows it
 * as text instead of running it. Numbers stay numbers.
 */
export function toCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | undefined>>): string {
  return stringify([header as string[], ...rows.map((r) => r.map((v) => v ?? ''))], {
    bom: true,
    escape_formulas: true,
    record_delimiter: 'windows',
    // With CRLF records the library quotes only fields holding a CRLF; a bare LF or CR needs quotes too.
    quoted_match: [/[\r\n]/, /^\s|\s$/],
  })
}
