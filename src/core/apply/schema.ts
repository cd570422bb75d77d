import type { DatabaseKind } from './database.js'

/**
 * A schema dump as a reviewer reads it: statements only — no comments, SET lines, owners, privileges, comments on
 * objects, pg_dump's per-dump `\restrict KEY` lines (PostgreSQL 17.6+), MySQL's versioned `/*!…*\/;` lines or
 * AUTO_INCREMENT counters — and none of the tool's bookkeeping tables.
 */
export function normaliseSchema(dump: string, kind: DatabaseKind, bookkeeping: readonly string[]): string {
  const statements = splitStatements(dump.replace(/\r\n?/g, '\n'))
  const kept: string[] = []
  for (const raw of statements) {
    const statement = raw
      .split('\n')
      .filter((line) => !/^\s*--/.test(line))
      .join('\n')
      .trim()
    if (!statement || dropped(statement, kind, bookkeeping)) continue
    kept.push(kind === 'postgres' ? statement : statement.replace(/ AUTO_INCREMENT=\d+/g, ''))
  }
  return kept.length === 0 ? '' : `${kept.join('\n\n')}\n`
}

function dropped(statement: string, kind: DatabaseKind, bookkeeping: readonly string[]): boolean {
  if (/^\\(?:un)?restrict\b/.test(statement)) return true
  if (/^SET\s/i.test(statement) || /^SELECT pg_catalog\.set_config\(/i.test(statement)) return true
  if (/^(?:GRANT|REVOKE|COMMENT ON)\s/i.test(statement)) return true
  if (/^ALTER\s.*\sOWNER TO\s/is.test(statement)) return true
  if (/^\/\*!\d+.*\*\/;?$/s.test(statement)) return true
  if (/^(?:CREATE|ALTER) DEFAULT PRIVILEGES/i.test(statement)) return true
  return bookkeeping.some((table) => mentions(statement, table, kind))
}

/** The statement is about the table (its own CREATE/ALTER, its sequence, its indexes, constraints on it). */
function mentions(statement: string, table: string, kind: DatabaseKind): boolean {
  const head = statement.split('\n')[0]
  const name = kind === 'postgres' ? `(?:"?[A-Za-z_][\\w$]*"?\\.)?"?${table}(?:_\\w+)?"?` : `\`?${table}\`?`
  return new RegExp(
    `^(?:CREATE|ALTER|DROP)\\b[^(]*?\\s${name}(?:\\s|$|\\()|\\sON\\s(?:ONLY\\s)?${name}(?:\\s|\\()|OWNED BY\\s${name}\\.`,
    'i',
  ).test(head)
}

/**
 * Statements of a pg_dump or mysqldump output: a line ending in `;` ends one, outside dollar quotes (`$$ … $$`,
 * `$body$ … $body$`: function bodies hold semicolons) and outside a MySQL `DELIMITER` block.
 */
function splitStatements(dump: string): string[] {
  const out: string[] = []
  let current: string[] = []
  let dollar: string | undefined
  let delimiter = ';'
  for (const line of dump.split('\n')) {
    const delimiterLine = /^DELIMITER\s+(\S+)\s*$/i.exec(line)
    if (delimiterLine) {
      delimiter = delimiterLine[1]
      continue
    }
    current.push(line)
    for (const match of line.matchAll(/\$[A-Za-z_]*\$/g)) {
      if (dollar === undefined) dollar = match[0]
      else if (dollar === match[0]) dollar = undefined
    }
    const ends = line.trimEnd().endsWith(delimiter) || /^\\(?:un)?restrict\b/.test(line)
    if (dollar === undefined && ends) {
      out.push(current.join('\n'))
      current = []
    }
  }
  if (current.join('').trim()) out.push(current.join('\n'))
  return out
}

/** The largest LCS table a diff builds (changed lines before × after); beyond it the change is summarised. */
const MAX_CELLS = 4_000_000

/** A unified diff (`--- before`, `+++ after`, `@@` hunks with 3 lines of context); empty when equal. */
export function unifiedDiff(before: string, after: string, labels = { before: 'before', after: 'after' }): string {
  if (before === after) return ''
  const a = splitLines(before)
  const b = splitLines(after)
  const ops = diffLines(a, b)
  if (!ops) {
    return `--- ${labels.before}\n+++ ${labels.after}\n@@ too large to diff: ${a.length} lines before, ${b.length} after @@\n`
  }
  const context = 3
  const hunks: string[] = []
  let index = 0
  while (index < ops.length) {
    if (ops[index].kind === ' ') {
      index++
      continue
    }
    let start = Math.max(0, index - context)
    let end = index
    // Extend while changes are within 2×context of each other.
    for (let probe = index; probe < ops.length; probe++) {
      if (ops[probe].kind !== ' ') end = probe
      else if (probe - end > 2 * context) break
    }
    end = Math.min(ops.length - 1, end + context)
    const slice = ops.slice(start, end + 1)
    const aStart = ops[start].a
    const bStart = ops[start].b
    const aCount = slice.filter((op) => op.kind !== '+').length
    const bCount = slice.filter((op) => op.kind !== '-').length
    hunks.push(
      `@@ -${aCount === 0 ? aStart : aStart + 1},${aCount} +${bCount === 0 ? bStart : bStart + 1},${bCount} @@`,
      ...slice.map((op) => `${op.kind}${op.text}`),
    )
    index = end + 1
    start = index
  }
  return `--- ${labels.before}\n+++ ${labels.after}\n${hunks.join('\n')}\n`
}

const splitLines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'))

interface Op {
  readonly kind: ' ' | '-' | '+'
  readonly text: string
  /** Lines of `a` / `b` before this one (0-based positions). */
  readonly a: number
  readonly b: number
}

/** The longest common subsequence of lines, as keep / remove / add operations (common prefix and suffix trimmed). */
function diffLines(a: readonly string[], b: readonly string[]): Op[] | undefined {
  let prefix = 0
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++
  let suffix = 0
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++
  const midA = a.slice(prefix, a.length - suffix)
  const midB = b.slice(prefix, b.length - suffix)
  const rows = midA.length + 1
  const cols = midB.length + 1
  if (rows * cols > MAX_CELLS) return undefined
  const table = new Uint32Array(rows * cols)
  for (let i = midA.length - 1; i >= 0; i--) {
    for (let j = midB.length - 1; j >= 0; j--) {
      table[i * cols + j] =
        midA[i] === midB[j]
          ? table[(i + 1) * cols + j + 1] + 1
          : Math.max(table[(i + 1) * cols + j], table[i * cols + j + 1])
    }
  }
  const ops: Op[] = []
  for (let k = 0; k < prefix; k++) ops.push({ kind: ' ', text: a[k], a: k, b: k })
  let i = 0
  let j = 0
  while (i < midA.length || j < midB.length) {
    if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
      ops.push({ kind: ' ', text: midA[i], a: prefix + i, b: prefix + j })
      i++
      j++
    } else if (i < midA.length && (j === midB.length || table[(i + 1) * cols + j] >= table[i * cols + j + 1])) {
      ops.push({ kind: '-', text: midA[i], a: prefix + i, b: prefix + j })
      i++
    } else {
      ops.push({ kind: '+', text: midB[j], a: prefix + i, b: prefix + j })
      j++
    }
  }
  for (let k = 0; k < suffix; k++) {
    ops.push({ kind: ' ', text: a[a.length - suffix + k], a: a.length - suffix + k, b: b.length - suffix + k })
  }
  return ops
}
