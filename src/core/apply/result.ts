import type { Failure } from './failure.js'
import type { Trace } from './trace.js'

/** One run of the tool during the check, timed. */
export interface RunResult {
  /** The migrations this run added (relative to the directory). */
  readonly adds: readonly string[]
  readonly ms: number
  readonly ok: boolean
  readonly failure?: Failure
}

/** The down/up round trip of the pull request's new migrations. */
export type RoundTrip =
  | { readonly kind: 'none'; readonly why: string }
  | { readonly kind: 'skipped'; readonly why: string }
  | {
      readonly kind: 'ran'
      /** How the tool rolled back (`down 2`, `rollback × 2`). */
      readonly how: string
      readonly downMs: number
      readonly upMs: number
      readonly ok: boolean
      /** Why it failed: the down failed, left a different schema, or the up again failed or differs. */
      readonly problem?: string
      /** The schema after the down against the base's (when they differ). */
      readonly diff?: string
      readonly failure?: Failure
    }

/** What the apply check did and found: the summary's "Apply check" section and the annotations come from it. */
export interface ApplyResult {
  /** The database: the image started, or the database-url's host (never its password). */
  readonly database: string
  readonly databaseMs: number
  /** The base branch's migrations (undefined on a push: the whole directory is "new"). */
  readonly base?: RunResult & { readonly count: number }
  readonly runs: readonly RunResult[]
  readonly roundTrip: RoundTrip
  /** The schema change of the new migrations, as a unified diff ('' when none). */
  readonly schemaDiff?: string
  readonly dumpMs: number
  /** Set when apply-timeout ended the check. */
  readonly timedOut?: string
  /** Failures to annotate, on the migration file (relative to the directory) and line. */
  readonly failures: readonly (Failure & { readonly title: string })[]
  readonly notes: readonly string[]
  readonly ok: boolean
  readonly totalMs: number
  /** What the deploy-safety trace measured of each new migration (PostgreSQL, deploy safety on), or why it did not. */
  readonly trace?: Trace
}
