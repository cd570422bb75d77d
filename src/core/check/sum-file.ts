import { createHash } from 'node:crypto'

/** One `<name> h1:<hash>` line of atlas.sum; `hash` is standard base64 without the `h1:` prefix. */
export interface SumEntry {
  readonly name: string
  readonly hash: string
}

export const SUM_FILE = 'atlas.sum'

/** The total on line 1: base64(sha256(name + hash for each entry)), as Atlas's HashFile.Sum. */
export function sumTotal(entries: readonly SumEntry[]): string {
  const hash = createHash('sha256')
  for (const { name, hash: entryHash } of entries) hash.update(name, 'utf8').update(entryHash, 'utf8')
  return hash.digest('base64')
}

/** atlas.sum bytes as `atlas migrate hash` writes them: LF only, total first. */
export function renderSumFile(entries: readonly SumEntry[]): string {
  return `h1:${sumTotal(entries)}\n${entries.map(({ name, hash }) => `${name} h1:${hash}\n`).join('')}`
}

export type SumParseResult =
  | { readonly ok: true; readonly total: string; readonly entries: SumEntry[] }
  | { readonly ok: false; readonly error: 'format'; readonly line: number; readonly text: string }
  | { readonly ok: false; readonly error: 'mismatch'; readonly total: string; readonly entries: SumEntry[] }

/**
 * Reads atlas.sum as Atlas does (bufio line scanning drops one trailing `\r`; names are trimmed; each entry line is
 * split at its first `h1:`). A line without `h1:` is `checksum file format invalid` (git conflict markers land
 * here); a total that disagrees with the entries it heads is `checksum mismatch`.
 */
export function parseSumFile(text: string): SumParseResult {
  const lines = text.split('\n')
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop()
  const unCR = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line)
  const first = unCR(lines[0])
  const total = first.startsWith('h1:') ? first.slice(3) : first
  const entries: SumEntry[] = []
  for (let index = 1; index < lines.length; index++) {
    const line = unCR(lines[index])
    const at = line.indexOf('h1:')
    if (at === -1) return { ok: false, error: 'format', line: index + 1, text: line }
    entries.push({ name: line.slice(0, at).trim(), hash: line.slice(at + 3) })
  }
  if (total !== sumTotal(entries)) return { ok: false, error: 'mismatch', total, entries }
  return { ok: true, total, entries }
}

export type ChecksumChange = 'added' | 'edited' | 'removed'

export interface ChecksumDifference {
  /** Line in atlas.sum, counting the total as line 1. */
  readonly line: number
  readonly name: string
  readonly change: ChecksumChange
}

/**
 * Atlas's report of the first difference between the committed entries and the recomputed ones: at the first index
 * where they differ, a committed name that is gone was removed, the same name was edited, and otherwise the
 * recomputed file at that index was added.
 */
export function firstDifference(
  committed: readonly SumEntry[],
  computed: readonly SumEntry[],
): ChecksumDifference | undefined {
  for (let index = 0; index < committed.length; index++) {
    const old = committed[index]
    const now = computed.at(index)
    if (now?.name === old.name && now.hash === old.hash) continue
    const line = index + 2
    if (now === undefined || !computed.some(({ name }) => name === old.name)) {
      return { line, name: old.name, change: 'removed' }
    }
    if (now.name === old.name) return { line, name: old.name, change: 'edited' }
    return { line, name: now.name, change: 'added' }
  }
  const next = computed.at(committed.length)
  return next && { line: committed.length + 2, name: next.name, change: 'added' }
}
