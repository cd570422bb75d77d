/*
 * PostgreSQL's own parser (libpg-query 18: the server's grammar compiled to WebAssembly and shipped inside the npm
 * package), loaded only when a run analyses deploy safety. Its input is bounded here: a file the tool runs is already
 * capped by max-file-size; on top of that a unit holds at most MAX_STATEMENTS statements and brackets nest at most
 * MAX_NESTING deep (the grammar recurses on nesting, and a stranger's file must not exhaust its stack).
 */

import { setFlagsFromString } from 'node:v8'

/** One statement as the parser read it: its node (one key, the statement's type) and where it sits. */
export interface ParsedStatement {
  /** The statement's node: `{ IndexStmt: {…} }`, `{ AlterTableStmt: {…} }`, … as libpg-query gives it. */
  readonly node: Readonly<Record<string, unknown>>
  /** UTF-16 offset of the statement's first character (comments and blanks before it skipped). */
  readonly start: number
  /** UTF-16 offset just after its last character (the `;` excluded). */
  readonly end: number
}

export type ParseOutcome =
  | {
      readonly ok: true
      readonly statements: readonly ParsedStatement[]
      /** Statements left out as nothing deploy safety reads (SELECT, INSERT, COMMENT, functions…): counted only. */
      readonly skipped: number
    }
  | { readonly ok: false; readonly message: string; readonly offset: number }

/** More statements than this in one unit are not read (10,000 statements: far beyond any migration). */
export const MAX_STATEMENTS = 10_000
/** Deeper bracket nesting than this is not handed to the parser. */
export const MAX_NESTING = 500

type Libpg = {
  loadModule(): Promise<void>
  parseSync(sql: string): { stmts?: { stmt: Record<string, unknown>; stmt_location?: number; stmt_len?: number }[] }
}
let loading: Promise<Libpg> | undefined

/** The parser, loaded once (its WebAssembly is compiled on first use). */
export async function loadParser(): Promise<SqlParser> {
  // Compiled by V8's baseline compiler only: a run parses each migration once and exits, and tiering up to the
  // optimising compiler cost more than it saved (bench/safety.mjs: the parse of 10,000 statements ~100 ms instead of
  // ~160-200 ms). The flag applies to WebAssembly compiled from now on (libxml2's loader sets it too).
  setFlagsFromString('--liftoff-only')
  loading ??= import('libpg-query').then(async (module) => {
    // The CommonJS build (what Node's resolution and the bundle pick) puts the API on `default`.
    const api = ((module as { loadModule?: unknown }).loadModule ? module : module.default) as unknown as Libpg
    await api.loadModule()
    return api
  })
  const api = await loading
  return { parse: (sql) => parseWith(api, sql) }
}

export interface SqlParser {
  readonly parse: (sql: string) => ParseOutcome
}

function parseWith(api: Libpg, text: string): ParseOutcome {
  // Only the statements deploy safety reads go to the parser: its tree comes back as JSON, whose cost dominates.
  const { sql, skipped } = relevantOnly(text)
  const nesting = deepestNesting(sql)
  if (nesting.depth > MAX_NESTING) {
    return {
      ok: false,
      message: `brackets nest more than ${MAX_NESTING} deep; the statements were not read`,
      offset: nesting.at,
    }
  }
  if (sql.trim() === '') return { ok: true, statements: [], skipped }
  let tree: ReturnType<Libpg['parseSync']>
  try {
    tree = api.parseSync(sql)
  } catch (error) {
    const details = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails
    const message = error instanceof Error ? error.message : String(error)
    const bytes = details?.cursorPosition ?? 0
    return { ok: false, message: message.split('\n')[0].slice(0, 200), offset: charOffset(sql, bytes) }
  }
  const stmts = tree.stmts ?? []
  if (stmts.length > MAX_STATEMENTS) {
    return { ok: false, message: `holds more than ${MAX_STATEMENTS} statements; they were not read`, offset: 0 }
  }
  const toChar = byteToCharMap(sql)
  return {
    ok: true,
    skipped,
    statements: stmts.map(({ stmt, stmt_location = 0, stmt_len }) => {
      const from = toChar(stmt_location)
      const to = stmt_len === undefined || stmt_len === 0 ? trimmedEnd(sql) : toChar(stmt_location + stmt_len)
      return { node: stmt, start: skipBlanks(sql, from, to), end: to }
    }),
  }
}

/**
 * The deepest bracket nesting outside quotes and comments, and where it is first reached. A rough pass (dollar
 * quotes are read as quotes of their tag), only to keep the parser's recursion bounded.
 */
export function deepestNesting(sql: string): { depth: number; at: number } {
  let depth = 0
  let deepest = 0
  let at = 0
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? sql.length : end
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end === -1 ? sql.length : end + 1
    } else if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1)
      i = end === -1 ? sql.length : end
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64))
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length)
        i = end === -1 ? sql.length : end + tag[0].length - 1
      }
    } else if (c === '(' || c === '[') {
      depth++
      if (depth > deepest) {
        deepest = depth
        at = i
      }
    } else if ((c === ')' || c === ']') && depth > 0) {
      depth--
    }
  }
  return { depth: deepest, at }
}

/** libpg-query's locations are UTF-8 byte offsets; the text is UTF-16. */
function byteToCharMap(sql: string): (byte: number) => number {
  // Pure ASCII (nearly every migration): bytes are characters.
  if (Buffer.byteLength(sql, 'utf8') === sql.length) return (byte) => Math.min(byte, sql.length)
  const starts: number[] = []
  let bytes = 0
  for (let i = 0; i < sql.length; i++) {
    const code = sql.codePointAt(i)!
    starts.push(bytes)
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
    bytes += width
    if (code >= 0x10000) {
      starts.push(bytes)
      i++
    }
  }
  return (byte) => {
    let low = 0
    let high = starts.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (starts[middle] < byte) low = middle + 1
      else high = middle
    }
    return low
  }
}

function charOffset(sql: string, byte: number): number {
  return byteToCharMap(sql)(byte)
}

function trimmedEnd(sql: string): number {
  return sql.trimEnd().length
}

/** The first character of a statement: blanks, `--` and block comments before it skipped. */
function skipBlanks(sql: string, from: number, to: number): number {
  let i = from
  while (i < to) {
    if (/\s/.test(sql[i])) i++
    else if (sql.startsWith('--', i)) {
      const end = sql.indexOf('\n', i)
      i = end === -1 ? to : end + 1
    } else if (sql.startsWith('/*', i)) {
      const end = sql.indexOf('*/', i + 2)
      i = end === -1 ? to : end + 2
    } else break
  }
  return Math.min(i, to)
}

/**
 * The statements that can matter to deploy safety start with one of these (DDL on tables and indexes, session and
 * transaction control); the others (queries, DML, COMMENT, GRANT, functions, views, types…) are counted, not parsed.
 */
const RELEVANT =
  /^(?:alter\s+(?:table|system|type|index|database)|create\s+(?:(?:unique\s+)?index|(?:(?:global|local)\s+)?(?:temp|temporary|unlogged)?\s*table|schema|trigger|constraint\s+trigger|database|tablespace)|drop|reindex|vacuum|cluster|truncate|set|reset|begin|start|commit|end|rollback|abort|lock|savepoint|release)\b/i

/**
 * The text with every statement that deploy safety does not read blanked out (newlines kept, so offsets stay the
 * file's): a split on top-level `;` that knows quotes, dollar quotes and comments.
 */
export function relevantOnly(text: string): { sql: string; skipped: number } {
  let out = ''
  let skipped = 0
  let start = 0
  const finish = (end: number): void => {
    const statement = text.slice(start, end)
    const head = leading(statement)
    if (head === '' || RELEVANT.test(head)) out += statement
    else {
      skipped++
      out += statement.replace(/[^\n]/g, ' ')
    }
    start = end
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i)
      i = end === -1 ? text.length : end
    } else if (c === '/' && text[i + 1] === '*') {
      let depth = 1
      let j = i + 2
      for (; j < text.length && depth > 0; j++) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++
          j++
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--
          j++
        }
      }
      i = j - 1
    } else if (c === "'") {
      // E'…' strings escape with backslashes; standard strings double the quote.
      const escapes = /[eE]/.test(text[i - 1] ?? '') && !/[\w$]/.test(text[i - 2] ?? '')
      let j = i + 1
      for (; j < text.length; j++) {
        if (escapes && text[j] === '\\') j++
        else if (text[j] === "'") {
          if (text[j + 1] === "'") j++
          else break
        }
      }
      i = j
    } else if (c === '"') {
      const end = text.indexOf('"', i + 1)
      i = end === -1 ? text.length : end
    } else if (c === '$' && !/[\w$]/.test(text[i - 1] ?? '')) {
      const tag = /^\$[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*\$|^\$\$/.exec(text.slice(i, i + 64))
      if (tag) {
        const end = text.indexOf(tag[0], i + tag[0].length)
        i = end === -1 ? text.length : end + tag[0].length - 1
      }
    } else if (c === ';') {
      finish(i + 1)
    }
  }
  if (start < text.length) finish(text.length)
  return { sql: out, skipped }
}

/** A statement's first words, comments and blanks before them skipped. */
function leading(statement: string): string {
  const from = skipBlanks(statement, 0, statement.length)
  return statement.slice(from, from + 64)
}
