import { toolRules, type RuleCode } from '../problems.js'
import type { MigrationFormat, MigrationName, NameVerdict, RuleInput } from './format.js'
import { topLevelEndingIn } from './naming.js'
import { compareIntegers, parseInt64 } from './versions.js'

// pressly/goose v3.27.3. The goose CLI (cmd/goose/main.go:183) runs the package-level API: collectMigrationsFS
// (migrate.go:129-171) lists the files, Migration.run (migration.go:214-289) parses each SQL file when it runs it.

/** goose's rules, each with its stable code (`goose/<rule>`). */
const RULE = toolRules('goose', {
  badName: 'bad-name',
  duplicateVersion: 'duplicate-version',
  directoryNamedSql: 'directory-named-sql',
  goMigration: 'go-migration',
  ignoredFile: 'ignored-file',
  badAnnotation: 'bad-annotation',
  duplicateUp: 'duplicate-up',
  downBeforeUp: 'down-before-up',
  misplacedStatementBegin: 'misplaced-statement-begin',
  statementEndWithoutBegin: 'statement-end-without-begin',
  unclosedStatementBegin: 'unclosed-statement-begin',
  sqlBeforeUp: 'sql-before-up',
  missingUp: 'missing-up',
  unfinishedStatement: 'unfinished-statement',
})

/**
 * goose's NumericComponent (migration.go:363-380): the text before the first `_` read by strconv.ParseInt (an
 * optional sign, digits, int64), and at least 1. A string says why goose cannot read it.
 */
function numericComponent(name: string): bigint | string {
  const at = name.indexOf('_')
  if (at === -1) return "no filename separator '_' found"
  const version = parseInt64(name.slice(0, at))
  if (version === undefined) return `'${name.slice(0, at)}' is not a version (an int64 before the first _)`
  if (version < 1n) return 'migration version must be greater than zero'
  return version
}

function parseName(name: string): MigrationName | undefined {
  const version = numericComponent(name)
  if (typeof version === 'string') return undefined
  const at = name.indexOf('_')
  return { version: name.slice(0, at), description: name.slice(at + 1, -'.sql'.length) }
}

// migrate.go:143-151: every `*.sql` must have a version, or goose fails to collect the directory.
const unreadName = (name: string): NameVerdict => ({
  code: RULE.badName,
  severity: 'error',
  message: `goose fails to load the directory: could not parse SQL migration file: ${numericComponent(name) as string}`,
  fix: 'rename it like 20240101120000_create_users.sql, or move it out of the directory',
})

/** Go's unicode.IsSpace (strings.TrimSpace, bufio.ScanWords); unlike JS's trim it keeps U+FEFF. */
const SPACE = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const TRIM = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, 'g')
const WORDS = new RegExp(`[^${SPACE}]+`, 'g')
const trimSpace = (text: string): string => text.replace(TRIM, '')

/** internal/sqlparser/parser.go:375-394: the last word before a `--` comment ends with `;`. */
function endsWithSemicolon(line: string): boolean {
  let previous = ''
  for (const word of line.match(WORDS) ?? []) {
    if (word.startsWith('--')) break
    previous = word
  }
  return previous.endsWith(';')
}

const ANNOTATIONS = ['Up', 'Down', 'StatementBegin', 'StatementEnd', 'NO TRANSACTION', 'ENVSUB ON', 'ENVSUB OFF']

/** parser.go:319-351: the annotation of a `-- +goose …` line, or why goose refuses it. */
function annotation(line: string): { name: string } | { error: string } {
  if (line.startsWith(' ') || line.startsWith('\t'))
    return { error: 'an annotation line must not start with whitespace' }
  let command = line.replaceAll('--', '').replace('+goose', '')
  if (command.includes('+goose')) return { error: "a line holds more than one '+goose'" }
  command = trimSpace(command)
  if (command === '') return { error: 'empty annotation' }
  const found = ANNOTATIONS.find((known) => known.toLowerCase() === command.toLowerCase())
  return found ? { name: found } : { error: `unknown annotation '${command}'` }
}

type State = 'start' | 'up' | 'beginUp' | 'endUp' | 'down' | 'beginDown' | 'endDown'

/** Where goose's SQL parser fails on a file in one direction, or undefined when it parses. */
export interface GooseParseError {
  readonly code: RuleCode
  readonly line: number
  readonly message: string
}

/**
 * goose's SQL parser (internal/sqlparser/parser.go:103-287) as a state machine over the file's lines, for one
 * direction: goose parses a file for `up` when it applies it and for `down` when it reverts it.
 */
function parseGooseSql(text: string, direction: 'up' | 'down'): GooseParseError | undefined {
  // bufio.ScanLines: lines split at \n, one trailing \r dropped, no empty last line after a final \n.
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  let state: State = 'start'
  let buffer = ''
  let bufferLine = 0
  let beginLine = 0
  const unfinished = (line: number): GooseParseError => ({
    code: RULE.unfinishedStatement,
    line,
    message: `unfinished SQL statement: missing semicolon? (${direction})`,
  })
  for (const [index, raw] of lines.entries()) {
    const lineNumber = index + 1
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (state === 'start' && trimSpace(line) === '') continue // parser.go:121-123
    // parser.go:127-196: a line whose trimmed text starts with `--` and that holds `+goose` is an annotation.
    if (trimSpace(line).startsWith('--') && line.includes('+goose')) {
      const found = annotation(line)
      if ('error' in found) {
        return { code: RULE.badAnnotation, line: lineNumber, message: `failed to parse annotation: ${found.error}` }
      }
      let fallThrough = false
      switch (found.name) {
        case 'Up': // parser.go:136-143
          if (state !== 'start') {
            return { code: RULE.duplicateUp, line: lineNumber, message: "duplicate '-- +goose Up' annotation" }
          }
          state = 'up'
          continue
        case 'Down': // parser.go:145-158
          if (state !== 'up' && state !== 'endUp') {
            return {
              code: RULE.downBeforeUp,
              line: lineNumber,
              message: "'-- +goose Down' before '-- +goose Up' (or a second Down)",
            }
          }
          if (trimSpace(buffer) !== '') return unfinished(bufferLine)
          state = 'down'
          continue
        case 'StatementBegin': // parser.go:160-169
          if (state === 'up' || state === 'endUp') state = 'beginUp'
          else if (state === 'down' || state === 'endDown') state = 'beginDown'
          else {
            return {
              code: RULE.misplacedStatementBegin,
              line: lineNumber,
              message:
                "'-- +goose StatementBegin' must come after '-- +goose Up' or '-- +goose Down' (and not inside another block)",
            }
          }
          beginLine = lineNumber
          continue
        case 'StatementEnd': // parser.go:171-179, no `continue`: the line goes on through the statement logic
          if (state === 'beginUp') state = 'endUp'
          else if (state === 'beginDown') state = 'endDown'
          else {
            return {
              code: RULE.statementEndWithoutBegin,
              line: lineNumber,
              message: "'-- +goose StatementEnd' without a '-- +goose StatementBegin'",
            }
          }
          fallThrough = true
          break
        default: // NO TRANSACTION, ENVSUB ON/OFF: parser.go:181-191
          continue
      }
      if (!fallThrough) continue
    }
    // parser.go:200-206: comments and empty lines before a statement are skipped.
    if (buffer.length === 0) {
      if (trimSpace(line).startsWith('--') || line === '') continue
    }
    // parser.go:207-222: the StatementEnd line itself is not part of the statement.
    if (state !== 'endUp' && state !== 'endDown') {
      if (buffer.length === 0) bufferLine = lineNumber
      buffer += `${line}\n`
    }
    // parser.go:228-243: SQL of the other direction is dropped; SQL before `-- +goose Up` fails.
    if (state === 'up' || state === 'beginUp' || state === 'endUp') {
      if (direction === 'down') {
        buffer = ''
        continue
      }
    } else if (state === 'down' || state === 'beginDown' || state === 'endDown') {
      if (direction === 'up') {
        buffer = ''
        continue
      }
    } else {
      return {
        code: RULE.sqlBeforeUp,
        line: lineNumber,
        message: "SQL before '-- +goose Up': a goose file must start with '-- +goose Up'",
      }
    }
    // parser.go:245-268: a statement ends at a line ending in `;`, or at StatementEnd.
    if ((state === 'up' || state === 'down') && endsWithSemicolon(line)) buffer = ''
    else if (state === 'endUp' || state === 'endDown') {
      buffer = ''
      state = state === 'endUp' ? 'up' : 'down'
    }
  }
  // parser.go:275-285
  if (state === 'start') {
    return { code: RULE.missingUp, line: 1, message: "no '-- +goose Up' annotation: a goose file must start with one" }
  }
  if (state === 'beginUp' || state === 'beginDown') {
    return {
      code: RULE.unclosedStatementBegin,
      line: beginLine,
      message: "'-- +goose StatementBegin' is never closed by '-- +goose StatementEnd'",
    }
  }
  if (trimSpace(buffer) !== '') return unfinished(bufferLine)
  return undefined
}

function rules({ names, migrations, read, problem }: RuleInput) {
  const problems = []
  for (const { name, parsed } of migrations) {
    if (!parsed) continue
    const text = read(name)
    const up = parseGooseSql(text, 'up')
    if (up) {
      // migration.go:223-226: `goose up` parses the file when it applies it, and stops at this error.
      problems.push(
        problem(
          up.code,
          name,
          `goose up fails: ${up.message}`,
          'see https://github.com/pressly/goose#sql-migrations',
          up.line,
        ),
      )
      continue
    }
    const down = parseGooseSql(text, 'down')
    if (down) {
      problems.push(
        problem(
          down.code,
          name,
          `goose down fails on this file: ${down.message}`,
          'fix the -- +goose Down section',
          down.line,
          'warning',
        ),
      )
    }
  }
  for (const name of names) {
    if (name.includes('/') || name.endsWith('.sql') || name === 'atlas.sum') continue
    if (name.endsWith('.go')) {
      // migrate.go:311-359: numbered .go files (not _test.go) join the migrations; migration.go:240-243: goose fails
      // when it reaches one that was not registered, and the image's goose binary has none registered.
      if (typeof numericComponent(name) === 'string' || name.endsWith('_test.go')) continue
      problems.push(
        problem(
          RULE.goMigration,
          name,
          'goose fails when it reaches this Go migration: Go migrations must be registered and built into a custom goose binary, and the image runs the stock one',
          'write the migration in SQL, or build your own goose binary and image',
        ),
      )
    } else {
      problems.push(
        problem(
          RULE.ignoredFile,
          name,
          'goose ignores this file (only *.sql and *.go files are migrations)',
          'move it out of the directory if it is not needed',
          undefined,
          'notice',
        ),
      )
    }
  }
  return problems
}

/**
 * goose: every top-level `*.sql` is a migration (migrate.go:143, fs.Glob: dotfiles included) named
 * `<version>_<description>.sql`, applied in numeric version order; hashed whole, in byte order, as Atlas's goose format
 * does (ariga/atlas v1.2.3 sql/sqltool/tool.go:161-170).
 */
export const gooseFormat: MigrationFormat = {
  name: 'goose',
  ruleCodes: Object.values(RULE),
  recursive: false,
  select: topLevelEndingIn('.sql'),
  parseName,
  compareVersions: compareIntegers,
  versionKey: (version) => parseInt64(version)!.toString(),
  unreadName,
  // migrate.go:35-38: sorting two migrations of one version panics.
  duplicateVersion: (_name, twin, version) => ({
    code: RULE.duplicateVersion,
    severity: 'error',
    message: `goose panics: duplicate version ${parseInt64(version)} detected (${twin})`,
    fix: 'give one of them a new, higher version',
  }),
  // migrate.go:143-151: fs.Glob lists a directory named `x.sql` too; goose then fails to read or parse it.
  directoryEntry: () => ({
    code: RULE.directoryNamedSql,
    severity: 'error',
    message: 'is a directory named like a migration: goose lists it as one and fails',
    fix: 'rename the directory so it does not end in .sql, or move it out of the migrations directory',
  }),
  rules,
  nameRule: '<version>_<description>.sql',
  nameExample: '20240101120000_create_users.sql',
}
