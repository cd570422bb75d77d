import path from 'node:path'

/*
 * The SQL each tool runs, unit by unit (a migration file, or a Liquibase changeset), with how the tool wraps it in
 * transactions. A unit's text is the file's own with everything the tool does not run blanked out (newlines kept),
 * so every offset the parser gives maps to the file's own line.
 */

/** How the tool sends a unit's statements to PostgreSQL. */
export type TransactionRule =
  /** Inside one transaction the tool opens (BEGIN … COMMIT around the unit). */
  | { readonly kind: 'wrapped'; readonly why: string }
  /** As one simple query: PostgreSQL runs several statements sent together as one implicit transaction. */
  | { readonly kind: 'one-query'; readonly why: string }
  /** Statement by statement, each committed on its own (no transaction unless the file opens one). */
  | { readonly kind: 'per-statement'; readonly why: string }
  /**
   * Flyway: a script whose statements include one that cannot run in a transaction runs outside one; a script that
   * mixes such a statement with others fails (unless `mixed`).
   */
  | { readonly kind: 'flyway'; readonly why: string }

export interface SqlUnit {
  /** The file the unit is in (slash path, relative to the directory): findings sit there. */
  readonly file: string
  /** The unit's identity: the file, or the file and changeset (`file#author:id`). */
  readonly key: string
  /** The migration as reports name it: the file, or the changeset in its file. */
  readonly label: string
  /** The file's text, everything the tool does not run blanked out (newlines kept); for generated SQL, that SQL. */
  readonly sql: string
  readonly transaction: TransactionRule
  /** How to run this unit outside a transaction, in the tool's own terms (for the CONCURRENTLY fixes). */
  readonly outsideTransaction: string
  /** Generated from a change type (Liquibase's createIndex…): every statement sits on this line of `file`. */
  readonly line?: number
  /** What generated the SQL (`createIndex change`), when it was not written as SQL. */
  readonly generatedFrom?: string
  /** The file's own text (for ignore comments), when `sql` is not it. */
  readonly source?: string
}

/** Keeps `[from, to)` of the text and blanks the rest, newlines kept, so offsets and lines stay the file's. */
export function keepOnly(text: string, from: number, to: number): string {
  const blank = (part: string): string => part.replace(/[^\n]/g, ' ')
  return blank(text.slice(0, from)) + text.slice(from, to) + blank(text.slice(to))
}

/** The offset where the line after the one holding `index` starts. */
function nextLine(text: string, index: number): number {
  const end = text.indexOf('\n', index)
  return end === -1 ? text.length : end + 1
}

export interface MigrationText {
  readonly name: string
  readonly text: string
}

/** Each SQL tool's units, from its migrations in the tool's order (Liquibase has its own reader). */
export function sqlToolUnits(
  tool: string,
  migrations: readonly MigrationText[],
  config: (name: string) => string | undefined = () => undefined,
): SqlUnit[] {
  const units: SqlUnit[] = []
  for (const { name, text } of migrations) {
    const unit = TOOL_UNITS[tool]?.(name, text, tool === 'flyway' ? config(`${name}.conf`) : undefined)
    if (unit) units.push(unit)
  }
  return units
}

const whole = (name: string, text: string, transaction: TransactionRule, outsideTransaction: string): SqlUnit => ({
  file: name,
  key: name,
  label: name,
  sql: text,
  transaction,
  outsideTransaction,
})

/**
 * Atlas: each file in one transaction by default (`--tx-mode file`, ariga/atlas v1.2.3
 * cmd/atlas/internal/cmdapi/migrate.go:153, 1322-1366); a `-- atlas:txmode none` directive runs it statement by
 * statement (migrate.go:1396-1428, one ExecContext per statement: sql/migrate/migrate.go:869-877). Directives are
 * read only from the comment block that opens the file (lines starting `--` or `#`) when a blank line follows it
 * (sql/migrate/dir.go:304-353; the directive's pattern, dir.go:277).
 */
function atlasUnit(name: string, text: string): SqlUnit {
  const none = atlasDirectives(text).some(([directive, value]) => directive === 'txmode' && value === 'none')
  return whole(
    name,
    text,
    none
      ? { kind: 'per-statement', why: "Atlas runs this file statement by statement ('-- atlas:txmode none')" }
      : { kind: 'wrapped', why: 'Atlas runs each file in one transaction (tx-mode file, the default)' },
    'put the statement in a migration of its own that starts with `-- atlas:txmode none` and a blank line',
  )
}

/** The `atlas:<name> <value>` directives of the file's header (dir.go:331-353: comments, then an empty line). */
function atlasDirectives(text: string): [string, string][] {
  const lines = text.split('\n')
  const header: string[] = []
  for (const line of lines) {
    if (!line.startsWith('--') && !line.startsWith('#')) break
    header.push(line)
  }
  // dir.go:344: the block counts only when an empty line (a bare LF) follows it.
  if (header.length === 0 || lines[header.length] !== '') return []
  return header.flatMap((line) => {
    const match = /^([ -~]*)atlas:(\w+)(?: +([^\n]+))*/.exec(line.trim())
    return match ? [[match[2], (match[3] ?? '').trim()] as [string, string]] : []
  })
}

/**
 * golang-migrate's postgres driver sends the whole file as one query (golang-migrate v4.19.1
 * database/postgres/postgres.go:265-296: one ExecContext of the file's text without arguments, which lib/pq sends as a
 * simple query), unless the URL sets `x-multi-statement=true` (postgres.go:184-201). PostgreSQL runs a simple query of
 * several statements as one implicit transaction (docs: "Multiple Statements in a Simple Query").
 */
function golangMigrateUnit(name: string, text: string): SqlUnit {
  return whole(
    name,
    text,
    {
      kind: 'one-query',
      why: "golang-migrate sends the whole file as one query, and PostgreSQL runs a query of several statements as one transaction (unless the URL sets 'x-multi-statement=true')",
    },
    'put the statement alone in a migration file of its own',
  )
}

/**
 * Flyway 13.0.0: one transaction per script (DbMigrate.java:312-325) unless its parser finds a statement it knows
 * cannot run in one (see `flywayDetects` in analyze.ts), or the script's `<name>.conf` says
 * `executeInTransaction=false` (SqlScriptMetadata.java:116-122; ParserSqlScript.java:181-192).
 */
function flywayUnit(name: string, text: string, config?: string): SqlUnit {
  if (config !== undefined && /^[ \t]*executeInTransaction[ \t]*=[ \t]*false[ \t]*$/im.test(config)) {
    return whole(
      name,
      text,
      {
        kind: 'per-statement',
        why: `Flyway runs this script outside a transaction (${path.posix.basename(name)}.conf)`,
      },
      `keep \`executeInTransaction=false\` in ${path.posix.basename(name)}.conf`,
    )
  }
  return whole(
    name,
    text,
    {
      kind: 'flyway',
      why: 'Flyway runs a script in one transaction unless a statement in it cannot run in one',
    },
    `put the statement alone in a migration of its own (or set \`executeInTransaction=false\` in ${path.posix.basename(name)}.conf)`,
  )
}

/**
 * dbmate v2.35.0: the up block (`-- migrate:up` to `-- migrate:down`, pkg/dbmate/migration.go:61-127) in one
 * transaction (db.go:320-335, 393-431), or with `transaction:false` on the directive line (migration.go:55-59,
 * 136-167) without one; either way the block goes to PostgreSQL as one Exec, so several statements in it run as one
 * implicit transaction.
 */
function dbmateUnit(name: string, text: string): SqlUnit | undefined {
  const up = /(?<=^|\n)--[\t\f\r ]*migrate:up([^\n]*)/.exec(text)
  if (!up) return undefined
  const from = nextLine(text, up.index)
  const down = /(?<=^|\n)--[\t\f\r ]*migrate:down/.exec(text.slice(from))
  const to = down ? from + down.index : text.length
  const noTransaction = /(?:^|[\t\f\r ])transaction:false(?:[\t\f\r ]|$)/.test(up[1])
  return {
    ...whole(
      name,
      keepOnly(text, from, to),
      noTransaction
        ? {
            kind: 'one-query',
            why: "dbmate sends the up block as one query ('transaction:false'), and PostgreSQL runs a query of several statements as one transaction",
          }
        : { kind: 'wrapped', why: 'dbmate runs each migration in one transaction' },
      'put the statement alone in a migration of its own whose first line is `-- migrate:up transaction:false`',
    ),
    source: text,
  }
}

/**
 * goose v3.27.1: the Up section, in one transaction (internal/sqlparser/parser.go:112, provider_run.go:203-241);
 * `-- +goose NO TRANSACTION` anywhere in the file (parser.go:125-134, 181-183) runs it statement by statement, one
 * ExecContext each (provider_run.go:508-535).
 */
function gooseUnit(name: string, text: string): SqlUnit | undefined {
  const up = /(?<=^|\n)--[\t ]*\+goose[\t ]+up\b[^\n]*/i.exec(text)
  if (!up) return undefined
  const from = nextLine(text, up.index)
  const down = /(?<=^|\n)--[\t ]*\+goose[\t ]+down\b/i.exec(text.slice(from))
  const to = down ? from + down.index : text.length
  const noTransaction = /(?<=^|\n)--[\t ]*\+goose[\t ]+no[\t ]+transaction\b/i.test(text)
  return {
    ...whole(
      name,
      keepOnly(text, from, to),
      noTransaction
        ? { kind: 'per-statement', why: "goose runs this file statement by statement ('-- +goose NO TRANSACTION')" }
        : { kind: 'wrapped', why: 'goose runs each migration in one transaction' },
      'put the statement in a migration of its own with `-- +goose NO TRANSACTION` at the top',
    ),
    source: text,
  }
}

/** This project's psql runner: every file between BEGIN and COMMIT (src/core/image/psql-runner.ts). */
function psqlUnit(name: string, text: string): SqlUnit {
  return whole(
    name,
    text,
    {
      kind: 'wrapped',
      why: 'the psql runner runs each file in one transaction (BEGIN … COMMIT, so that a failing file leaves nothing behind)',
    },
    'use a tool that can run a migration outside a transaction (dbmate, goose, Atlas), or run the statement by hand',
  )
}

const TOOL_UNITS: Record<string, (name: string, text: string, config?: string) => SqlUnit | undefined> = {
  atlas: atlasUnit,
  'golang-migrate': golangMigrateUnit,
  flyway: flywayUnit,
  dbmate: dbmateUnit,
  goose: gooseUnit,
  psql: psqlUnit,
}
