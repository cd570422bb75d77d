/**
 * Where a failed run went wrong, read from the tool's own output: the migration file (relative to the migrations
 * directory) and the line in it, where the tool or the database gives one. Every pattern below quotes the tool's
 * error path; the tests hold recorded outputs.
 */
export interface Failure {
  /** The migration, relative to the migrations directory; undefined when the output does not say. */
  readonly file?: string
  /** 1-based line in that file. */
  readonly line?: number
  /** The database's (or the tool's) message, one line. */
  readonly message: string
}

/** Reads a migration of the directory being checked (for mapping a statement or a position to a line). */
export type ReadMigration = (name: string) => string | undefined

// ANSI colours (Liquibase, Flyway with a terminal) and carriage returns are noise here.
// eslint-disable-next-line no-control-regex
const plain = (output: string): string => output.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '')

/** The path as the tool printed it, relative to the migrations directory inside the image. */
function relative(printed: string, migrationsDir: string): string {
  const dir = migrationsDir.replace(/\/+$/, '')
  let name = printed.trim()
  if (name.startsWith('filesystem:')) name = name.slice('filesystem:'.length)
  if (name.startsWith(`${dir}/`)) name = name.slice(dir.length + 1)
  return name.replace(/^\.\//, '')
}

/** The 1-based line where `statement` starts in `content` (exactly, or by its first non-blank line). */
export function statementLine(content: string, statement: string): number | undefined {
  const text = statement.trim()
  if (!text) return undefined
  let at = content.indexOf(text)
  if (at < 0) {
    const first = text.split('\n')[0].trim()
    if (first.length < 4) return undefined
    at = content.indexOf(first)
    if (at < 0) return undefined
  }
  return content.slice(0, at).split('\n').length
}

/** A PostgreSQL error position (1-based characters within the statement) as a line of the file. */
export function positionLine(content: string, statement: string, position: number): number | undefined {
  const start = statementLine(content, statement)
  if (start === undefined) return undefined
  const within = [...statement.trim()].slice(0, Math.max(0, position - 1)).join('')
  return start + within.split('\n').length - 1
}

/** The text of the line psql quotes (`LINE 3: …`), searched upwards from the statement's last line. */
function psqlQuotedLine(content: string, endLine: number, quoted: string): number | undefined {
  const text = quoted
    .replace(/^\.\.\./, '')
    .replace(/\.\.\.$/, '')
    .trim()
  if (!text) return undefined
  const lines = content.split('\n')
  for (let index = Math.min(endLine, lines.length) - 1; index >= 0; index--) {
    if (lines[index].includes(text)) return index + 1
  }
  return undefined
}

/**
 * psql (src/bin/psql/common.c via pg_log_error, with the `psql:FILE:LINE: ` location prefix while reading a file):
 * `psql:/migrations/2_orders.sql:6: ERROR:  syntax error at or near "REFERENCS"` then `LINE 3:   user_id …`. The
 * printed line is where the statement ended; `LINE k` is the line within the statement, quoted: the quoted text
 * found upwards from the end line is the line in the file.
 */
function psqlFailure(output: string, migrationsDir: string, read: ReadMigration): Failure | undefined {
  const match = /^psql:(.+?):(\d+): (?:ERROR|FATAL): +(.*)$/m.exec(output)
  if (!match) {
    const runner = /^migrate: (.+) failed; it was rolled back/m.exec(output)
    return runner ? { file: relative(runner[1], migrationsDir), message: lastLine(output) } : undefined
  }
  const file = relative(match[1], migrationsDir)
  const end = Number(match[2])
  const quoted = /^LINE \d+: (.*)$/m.exec(output.slice(match.index))?.[1]
  const content = read(file)
  const line = (quoted !== undefined && content !== undefined && psqlQuotedLine(content, end, quoted)) || end
  return { file, line, message: match[3].trim() }
}

/**
 * dbmate (pkg/dbmate/db.go prints `Applying: NAME` before each migration; pkg/driver/postgres reports a pq error
 * with its position as `line: L, column: C, position: P: pq: …` where L is the file's line):
 * `Applying: 20240102000000_orders.sql` … `Error: line: 4, column: 15, position: 61: pq: syntax error at or near
 * "REFERENCS" at position 4:15 (42601)`.
 */
function dbmateFailure(output: string, migrationsDir: string): Failure | undefined {
  const error = /^Error: (.*)$/m.exec(output)
  if (!error) return undefined
  const applying = [...output.matchAll(/^(?:Applying|Rolling back): (.+)$/gm)].at(-1)?.[1]
  const located = /^line: (\d+), column: \d+, position: \d+: (.*)$/.exec(error[1])
  return {
    file: applying === undefined ? undefined : relative(applying, migrationsDir),
    line: located ? Number(located[1]) : undefined,
    message: (located ? located[2] : error[1]).trim(),
  }
}

/**
 * golang-migrate (database/error.go: `%v in line %v: %s (details: %v)`; database/postgres computes the line from
 * the error's position over the whole file): `error: migration failed: syntax error at or near "REFERENCS"
 * (column 15) in line 4: CREATE TABLE … (details: pq: …)`. The CLI logs `1/u users (4.1ms)` per applied
 * migration; the failed one is not named, so the caller (one new migration per run) knows it.
 */
function golangMigrateFailure(output: string): Failure | undefined {
  const match = /^error: (.*?) in line (\d+): /m.exec(output)
  if (match) return { line: Number(match[2]), message: match[1].trim() }
  const error = /^error: (.*)$/m.exec(output)
  return error ? { message: error[1].trim() } : undefined
}

/**
 * Flyway (FlywaySqlScriptException.getMessage: `Migration V2__orders.sql failed` … `Location   : PATH (DISK PATH)`,
 * `Line       : N`, `Statement  : …`; the SQL state and `Message    : ` above them).
 */
function flywayFailure(output: string, migrationsDir: string): Failure | undefined {
  const migration = /Migration (\S+) failed/.exec(output)
  const location = /^Location\s+: (\S+)/m.exec(output)
  const line = /^Line\s+: (\d+)/m.exec(output)
  const message = /^Message\s+: (.*)$/m.exec(output)?.[1] ?? /^ERROR: (.*)$/m.exec(output)?.[1]
  if (!migration && !location && !message) return undefined
  const file = location ? relative(location[1], migrationsDir) : migration ? migration[1] : undefined
  return { file, line: line ? Number(line[1]) : undefined, message: (message ?? lastLine(output)).trim() }
}

/**
 * Liquibase (liquibase-core ChangeSet / UpdateVisitor: `Migration failed for changeset FILE::ID::AUTHOR:` then
 * `Reason: liquibase.exception.DatabaseException: ERROR: … Position: N [Failed SQL: (0) STATEMENT]`). The position is
 * PostgreSQL's, within the failed statement: found in the file, it gives the line.
 */
function liquibaseFailure(output: string, migrationsDir: string, read: ReadMigration): Failure | undefined {
  const changeset = /Migration failed for change ?set ([^:\s]+(?:\.[A-Za-z]+))::/.exec(output)
  const reason = /Reason: (?:liquibase\.exception\.\w+: )?(.*)$/m.exec(output)?.[1]
  if (!changeset && !reason) return undefined
  const file = changeset ? relative(changeset[1], migrationsDir) : undefined
  const position = /Position: (\d+)/.exec(output)?.[1]
  const statement = /\[Failed SQL: \(\d+\) ([\s\S]*?)\]\s*$/m.exec(output)?.[1]
  const content = file === undefined ? undefined : read(file)
  let line: number | undefined
  if (content !== undefined && statement !== undefined) {
    line =
      position === undefined ? statementLine(content, statement) : positionLine(content, statement, Number(position))
  }
  return { file, line, message: (reason ?? lastLine(output)).replace(/\s*\[Failed SQL:.*$/, '').trim() }
}

/** Go's %q of the statement, back to text (goose and atlas quote it). */
function unquoteGo(text: string): string {
  try {
    return JSON.parse(`"${text.replace(/\\'/g, "'")}"`) as string
  } catch {
    return text.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\"/g, '"')
  }
}

/**
 * goose (migration_sql.go / provider: `ERROR 002_users.sql: failed to run SQL migration: failed to execute SQL query
 * "CREATE TABLE …": ERROR: relation "users" already exists (SQLSTATE 42P07)`): the file, and the quoted statement's
 * line in it.
 */
function gooseFailure(output: string, read: ReadMigration): Failure | undefined {
  const match =
    /ERROR (\S+?\.sql): failed to run SQL migration: (?:failed to execute SQL query "((?:[^"\\]|\\.)*)": )?(.*)$/m.exec(
      output,
    )
  if (!match) return undefined
  const file = match[1]
  const content = read(file)
  const line = match[2] !== undefined && content !== undefined ? statementLine(content, unquoteGo(match[2])) : undefined
  return { file, line, message: match[3].trim() }
}

/**
 * atlas (sql/migrate/migrate.go: `executing statement %q from version %q: %w`): the version names the file, the
 * statement gives the line.
 */
function atlasFailure(output: string, read: ReadMigration, files: readonly string[]): Failure | undefined {
  const match = /executing statement "((?:[^"\\]|\\.)*)" from version "([^"]*)": (.*)$/m.exec(output)
  if (!match) {
    const error = /^Error: (.*)$/m.exec(output)
    return error ? { message: error[1].trim() } : undefined
  }
  const version = match[2]
  const file = files.find((name) => name === `${version}.sql` || name.startsWith(`${version}_`))
  const content = file === undefined ? undefined : read(file)
  const line = content === undefined ? undefined : statementLine(content, unquoteGo(match[1]))
  return { file, line, message: match[3].trim() }
}

function lastLine(output: string): string {
  return (
    output
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? 'failed'
  )
}

/**
 * The failure in a tool's output. `files` are the migrations of the run (names relative to the directory); when the
 * output names none, `fallback` (the one new migration of this run) is the file.
 */
export function parseFailure(
  tool: string,
  output: string,
  context: {
    readonly migrationsDir: string
    readonly read: ReadMigration
    readonly files: readonly string[]
    readonly fallback?: string
  },
): Failure {
  const text = plain(output)
  const found = (() => {
    switch (tool) {
      case 'psql':
        return psqlFailure(text, context.migrationsDir, context.read)
      case 'dbmate':
        return dbmateFailure(text, context.migrationsDir)
      case 'golang-migrate':
        return golangMigrateFailure(text)
      case 'flyway':
        return flywayFailure(text, context.migrationsDir)
      case 'liquibase':
        return liquibaseFailure(text, context.migrationsDir, context.read)
      case 'goose':
        return gooseFailure(text, context.read)
      case 'atlas':
        return atlasFailure(text, context.read, context.files)
      default:
        return undefined
    }
  })()
  const file = found?.file !== undefined && context.files.includes(found.file) ? found.file : context.fallback
  // A line is only worth showing on the file it belongs to.
  const line = found?.file === undefined || found.file === file ? found?.line : undefined
  return { file, line: file === undefined ? undefined : line, message: found?.message ?? lastLine(text) }
}
