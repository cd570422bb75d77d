/**
 * Atlas's file directives. Atlas matches `^([ -~]*)atlas:(\w+)(?: +(.+))*` against the start of the file with Go's
 * regexp, whose `.` stops only at `\n` (so a trailing `\r` stays in the argument): `[^\n]` here. The text is the
 * file's first line decoded as latin1, so every byte stays one character, as in Go's byte-wise match.
 */
const DIRECTIVE = /^([ -~]*)atlas:(\w+)(?: +([^\n]+))*/

/** True when the file opts out of atlas.sum with `atlas:sum ignore` (e.g. `-- atlas:sum ignore`) at its very start. */
export function isSumIgnored(firstLine: string): boolean {
  const match = DIRECTIVE.exec(firstLine)
  return match !== null && match[2] === 'sum' && match[3] === 'ignore'
}
