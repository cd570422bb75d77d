/** True when the text holds a C0 control character or DEL (newlines included): such a value cannot go in a line. */
export function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** Splits a list (platforms, tags) on commas and newlines, as the action's inputs and the CLI's flags both allow. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean)
}

/** `; did you mean 'flyway'?` for a near miss (edit distance at most 2, or a prefix), else an empty string. */
export function didYouMean(given: string, known: readonly string[]): string {
  const word = given.trim().toLowerCase()
  if (word.length === 0) return ''
  const best = known
    .map((candidate) => ({ candidate, distance: candidate.startsWith(word) ? 1 : editDistance(word, candidate) }))
    .sort((a, b) => a.distance - b.distance)[0]
  return best && best.distance <= 2 && best.candidate !== word ? `; did you mean '${best.candidate}'?` : ''
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}

/** How much of one foreign value (a changeset id, a path from a changelog) a message quotes. */
export const QUOTED_MAX = 200

/**
 * A foreign value quoted in a message, at most `max` characters: a longer one keeps its start and end around
 * `…(N characters)…`, so the message stays one readable line whatever the file holds.
 */
export function clipped(text: string, max = QUOTED_MAX): string {
  if (text.length <= max) return text
  const marker = `…(${text.length} characters)…`
  const keep = Math.max(0, max - marker.length)
  const head = Math.ceil(keep / 2)
  return `${text.slice(0, head)}${marker}${text.slice(text.length - (keep - head))}`
}
