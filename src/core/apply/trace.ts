import type { LockMode } from '../safety/locks.js'
import { clipped } from '../text.js'
import { MAX_EVENTS } from './trace-sql.js'

/*
 * What the trace measured, per new migration run: for each DDL command the tool ran, the locks it took on tables that
 * existed before (new in the session since its previous command), the lock_timeout in force, the tables it scanned,
 * rewrote, constrained and set NOT NULL on. The trace's rows are written inside the tool's sessions, where the pull
 * request's SQL runs as the same login: they are read as hostile (bounded, every field checked, names clipped), and
 * a pull request that forges them only misreports its own migrations.
 */

/** One DDL command the tool ran, as the database saw it. */
export interface MeasuredStatement {
  /** The command tag (`ALTER TABLE`, `CREATE INDEX`…). */
  readonly tag: string
  /** The table it was on, when that table existed before the new migrations (`public.users`). */
  readonly table?: string
  /** Table-level locks the session took for this command on tables that existed before (modes new since its last). */
  readonly took: readonly { readonly table: string; readonly mode: LockMode }[]
  /** The lock_timeout in force as it ran (`0` is none). */
  readonly lockTimeout: string
  /** Tables that existed before and that this command scanned (sequential scans, counted by the server). */
  readonly scanned: readonly string[]
  /** Rewritten by this command (the server's table_rewrite event), with its reasons. */
  readonly rewrote: readonly { readonly table: string; readonly reasons: readonly string[] }[]
  /** Constraints this command added to the table, or validated, and whether they were validated when it ended. */
  readonly constraints: readonly {
    readonly name: string
    readonly kind: string
    readonly validated: boolean
    readonly added: boolean
  }[]
  /** Columns this command set NOT NULL. */
  readonly setNotNull: readonly string[]
}

/** One run of the tool (one new migration, or several in one run) and what its commands did. */
export interface MeasuredRun {
  readonly adds: readonly string[]
  readonly statements: readonly MeasuredStatement[]
}

export type Trace =
  | {
      readonly measured: true
      /** `server_version_num`, e.g. 150020. */
      readonly serverVersion: number
      readonly runs: readonly MeasuredRun[]
      /** Tables that existed before and whose storage was replaced without a rewrite event (VACUUM FULL, CLUSTER, TRUNCATE). */
      readonly refiled: readonly string[]
      /** Events beyond MAX_EVENTS were not kept. */
      readonly truncated: boolean
    }
  | { readonly measured: false; readonly why: string }

/** A run's window on the server's clock (epoch ms), to give each event its run. */
export interface RunWindow {
  readonly adds: readonly string[]
  readonly from: number
  readonly to: number
}

/** The server's names for the table lock modes (pg_locks.mode) as the rules name them. */
const MODES: Readonly<Record<string, LockMode | undefined>> = {
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
}

/** pg_event_trigger_table_rewrite_reason()'s bits (src/include/nodes/parsenodes.h AT_REWRITE_*). */
const REWRITE_REASONS: readonly [number, string][] = [
  [1, 'persistence changed'],
  [2, 'a default must be written to every row'],
  [4, 'a column is rewritten'],
  [8, 'the access method changed'],
]

const MAX_NAME = 200
const MAX_TRACE_BYTES = 8 << 20

type Json = unknown
const text = (value: Json): string | undefined =>
  typeof value === 'string' ? clipped(value, MAX_NAME) : typeof value === 'number' ? String(value) : undefined
const array = (value: Json): readonly Json[] => (Array.isArray(value) ? value.slice(0, 1000) : [])
const pairs = (value: Json): [string, Json][] =>
  array(value).flatMap((item) => {
    const [a, b] = array(item)
    const name = text(a)
    return name === undefined ? [] : [[name, b] as [string, Json]]
  })

interface Event {
  readonly at: number
  readonly pid: number
  readonly tag: string
  readonly table?: string
  readonly reason?: number
  readonly locks: readonly [string, string][]
  readonly lockTimeout: string
  readonly scans: ReadonlyMap<string, number>
  readonly constraints?: readonly { name: string; kind: string; validated: boolean }[]
  readonly notNull?: readonly string[]
}

function event(value: Json): Event | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined
  const row = value as Record<string, Json>
  const at = typeof row.at === 'number' ? row.at : NaN
  const pid = typeof row.pid === 'number' ? row.pid : NaN
  const tag = text(row.tag)
  if (!Number.isFinite(at) || !Number.isFinite(pid) || tag === undefined) return undefined
  return {
    at,
    pid,
    tag,
    table: text(row.tbl),
    reason: typeof row.reason === 'number' ? row.reason : undefined,
    locks: pairs(row.locks).map(([table, mode]) => [table, text(mode) ?? ''] as [string, string]),
    lockTimeout: text(row.lock_timeout) ?? '0',
    scans: new Map(pairs(row.scans).map(([table, count]) => [table, typeof count === 'number' ? count : 0])),
    constraints: Array.isArray(row.constraints)
      ? array(row.constraints).flatMap((item) => {
          const [name, kind, validated] = array(item)
          const shown = text(name)
          return shown === undefined ? [] : [{ name: shown, kind: text(kind) ?? '', validated: validated === true }]
        })
      : undefined,
    notNull: Array.isArray(row.not_null)
      ? array(row.not_null).flatMap((item) => (text(item) === undefined ? [] : [text(item)!]))
      : undefined,
  }
}

/** The JSON line the read prints (`MI_TRACE {…}`) as a trace, each event in the run whose window holds it. */
export function parseTrace(output: string, windows: readonly RunWindow[]): Trace {
  const line = output.split('\n').find((row) => row.startsWith('MI_TRACE '))
  if (line === undefined || line.length > MAX_TRACE_BYTES)
    return { measured: false, why: 'the trace could not be read back from the database' }
  let document: Record<string, Json>
  try {
    document = JSON.parse(line.slice('MI_TRACE '.length)) as Record<string, Json>
  } catch {
    return { measured: false, why: 'the trace read back from the database is not JSON' }
  }
  const rows = array(document.events)
  const events = rows.map(event).filter((row): row is Event => row !== undefined)
  const snapshot = {
    constraints: new Map<string, Map<string, boolean>>(),
    notNull: new Map<string, Set<string>>(),
  }
  for (const item of array(document.constraints)) {
    const [table, name, , validated] = array(item)
    const key = text(table)
    const constraint = text(name)
    if (key === undefined || constraint === undefined) continue
    if (!snapshot.constraints.has(key)) snapshot.constraints.set(key, new Map())
    snapshot.constraints.get(key)!.set(constraint, validated === true)
  }
  for (const [table, column] of pairs(document.not_null)) {
    const name = text(column)
    if (name === undefined) continue
    if (!snapshot.notNull.has(table)) snapshot.notNull.set(table, new Set())
    snapshot.notNull.get(table)!.add(name)
  }
  return {
    measured: true,
    serverVersion: Number(text(document.version) ?? 0),
    runs: windows.map((window) => ({ adds: window.adds, statements: statementsOf(events, windows, window, snapshot) })),
    refiled: array(document.refiled).flatMap((name) => (text(name) === undefined ? [] : [text(name)!])),
    truncated: rows.length >= MAX_EVENTS,
  }
}

/** The window an event falls in (the nearest one when it falls between two). */
function windowOf(at: number, windows: readonly RunWindow[]): RunWindow | undefined {
  let best: RunWindow | undefined
  let distance = Infinity
  for (const window of windows) {
    const off = at < window.from ? window.from - at : at > window.to ? at - window.to : 0
    if (off < distance) [best, distance] = [window, off]
  }
  return best
}

function statementsOf(
  events: readonly Event[],
  windows: readonly RunWindow[],
  window: RunWindow,
  snapshot: { constraints: Map<string, Map<string, boolean>>; notNull: Map<string, Set<string>> },
): MeasuredStatement[] {
  // What each session held and had scanned at its previous command; what each table's constraints and NOT NULL
  // columns were after its previous command (from the snapshot at first).
  const held = new Map<number, Set<string>>()
  const scans = new Map<number, ReadonlyMap<string, number>>()
  const constraints = new Map(snapshot.constraints)
  const notNull = new Map(snapshot.notNull)
  const statements: MeasuredStatement[] = []
  let rewrites: { table: string; reasons: string[] }[] = []
  for (const event of events) {
    const mine = windowOf(event.at, windows) === window
    if (event.tag === 'table_rewrite') {
      if (mine && event.table !== undefined)
        rewrites.push({ table: event.table, reasons: reasonsOf(event.reason ?? 0) })
      continue
    }
    const before = held.get(event.pid) ?? new Set<string>()
    const now = new Set(event.locks.map(([table, mode]) => `${table}\u0000${mode}`))
    held.set(event.pid, now)
    const counted: ReadonlyMap<string, number> = scans.get(event.pid) ?? new Map<string, number>()
    scans.set(event.pid, event.scans)
    // Pending scan counts reach the server's totals now and then; a count below the last one started again from 0.
    const scanned = [...event.scans]
      .filter(([table, count]) => {
        const last = counted.get(table) ?? 0
        return count >= last ? count > last : count > 0
      })
      .map(([table]) => table)
    const changes =
      event.table === undefined ? { constraints: [], setNotNull: [] } : tableChanges(event, constraints, notNull)
    if (!mine) {
      rewrites = []
      continue
    }
    const took = event.locks
      .filter(([table, mode]) => !before.has(`${table}\u0000${mode}`) && MODES[mode] !== undefined)
      .map(([table, mode]) => ({ table, mode: MODES[mode]! }))
    statements.push({
      tag: event.tag,
      table: event.table,
      took,
      lockTimeout: event.lockTimeout,
      scanned,
      rewrote: rewrites.filter((rewrite) => rewrite.table === event.table || event.table === undefined),
      ...changes,
    })
    rewrites = []
  }
  return statements
}

/** The constraints and NOT NULL columns a command changed on its table, against that table's last known state. */
function tableChanges(
  event: Event,
  constraints: Map<string, Map<string, boolean>>,
  notNull: Map<string, Set<string>>,
): Pick<MeasuredStatement, 'constraints' | 'setNotNull'> {
  const table = event.table!
  const known = constraints.get(table) ?? new Map<string, boolean>()
  const changed: MeasuredStatement['constraints'][number][] = []
  if (event.constraints) {
    for (const { name, kind, validated } of event.constraints) {
      const was = known.get(name)
      if (was === undefined || (was === false && validated))
        changed.push({ name, kind: KINDS[kind] ?? kind, validated, added: was === undefined })
    }
    constraints.set(table, new Map(event.constraints.map(({ name, validated }) => [name, validated])))
  }
  const columns = notNull.get(table) ?? new Set<string>()
  const setNotNull = event.notNull ? event.notNull.filter((column) => !columns.has(column)) : []
  if (event.notNull) notNull.set(table, new Set(event.notNull))
  return { constraints: changed, setNotNull }
}

const KINDS: Readonly<Record<string, string>> = {
  c: 'check',
  f: 'foreign key',
  p: 'primary key',
  u: 'unique',
  x: 'exclusion',
  n: 'not null',
}

function reasonsOf(bits: number): string[] {
  const reasons = REWRITE_REASONS.filter(([bit]) => (bits & bit) !== 0).map(([, why]) => why)
  return reasons.length > 0 ? reasons : ['the server rewrote it']
}
