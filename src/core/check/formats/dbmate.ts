import { toolRules, type RuleCode } from '../problems.js'
import type { MigrationFormat, MigrationName, NameVerdict, RuleInput } from './format.js'
import { topLevelEndingIn } from './naming.js'

// amacneil/dbmate v2.35.0. FindMigrations (pkg/dbmate/db.go:467-533) lists the files; Migrate (db.go:351-440) parses
// each pending file (pkg/dbmate/migration.go) when it applies it.

/** dbmate's rules, each with its stable code (`dbmate/<rule>`). */
const RULE = toolRules('dbmate', {
  ignoredName: 'ignored-name',
  ignoredFile: 'ignored-file',
  duplicateVersion: 'duplicate-version',
  missingUp: 'missing-up',
  statementBeforeUp: 'statement-before-up',
  downWithoutUp: 'down-without-up',
  missingDown: 'missing-down',
  twoSections: 'two-sections',
})

/** db.go:35: `^(\d+).*\.sql$`; Go's `\d` is ASCII and its `.` stops only at `\n`. */
const FILE = /^([0-9]+)[^\n]*\.sql$/

function parseName(name: string): MigrationName | undefined {
  const match = FILE.exec(name)
  return match ? { version: match[1], description: name.slice(match[1].length, -'.sql'.length) } : undefined
}

// db.go:506-509: names that do not match are skipped silently.
const unreadName = (): NameVerdict => ({
  code: RULE.ignoredName,
  severity: 'notice',
  message: 'dbmate ignores this file: its name does not start with a version (digits)',
  fix: 'rename it like 20240101120000_create_users.sql if dbmate should run it',
})

/** Go's `\s` and `\S` in RE2 (perl classes): `[\t\n\f\r ]` and its complement. */
const S = '[\\t\\n\\f\\r ]'
const NS = '[^\\t\\n\\f\\r ]'
/**
 * migration.go:62-63: `(?m)^--\s*migrate:up(\s*$|\s+\S+)`. Go's multi-line `^` follows only `\n` and `$` precedes
 * only `\n` (JS's `m` flag also breaks at `\r`), hence the explicit lookarounds.
 */
const directive = (name: 'up' | 'down'): RegExp =>
  new RegExp(`(?<=^|\\n)--${S}*migrate:${name}(?:${S}*(?=\\n|$)|${S}+${NS}+)`, 'g')
const UP = directive('up')
const DOWN = directive('down')

const matches = (pattern: RegExp, text: string): number[] => [...text.matchAll(pattern)].map(({ index }) => index)
const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length

/** Where dbmate fails to parse a migration (migration.go:80-254), or undefined when it parses. */
function parseDbmateSql(text: string): { code: RuleCode; line: number; message: string } | undefined {
  const ups = matches(UP, text)
  // migration.go:221-225
  if (ups.length === 0) {
    return {
      code: RULE.missingUp,
      line: 1,
      message: "dbmate requires each migration to define an up block with '-- migrate:up'",
    }
  }
  // migration.go:187-198, 227-229: before the first up block only empty lines and `--` comments.
  const before = text.slice(0, ups[0]).split('\n')
  const statement = before.findIndex((line) => !new RegExp(`^${S}*$`).test(line) && !new RegExp(`^${S}*--`).test(line))
  if (statement !== -1) {
    return {
      code: RULE.statementBeforeUp,
      line: statement + 1,
      message: "dbmate does not support statements preceding the '-- migrate:up' block",
    }
  }
  // migration.go:231-253: one section per up block, up to the next one; each holds at most one down block.
  for (const [i, start] of ups.entries()) {
    const end = ups[i + 1] ?? text.length
    const downs = matches(DOWN, text.slice(start, end)).map((offset) => start + offset)
    if (downs.length > 1) {
      return {
        code: RULE.downWithoutUp,
        line: lineAt(text, downs[1]),
        message: "dbmate requires every '-- migrate:down' to be preceded by a '-- migrate:up'",
      }
    }
  }
  // migration.go:103-115: and each section needs its down block (required since dbmate 2.0).
  for (const [i, start] of ups.entries()) {
    const end = ups[i + 1] ?? text.length
    if (matches(DOWN, text.slice(start, end)).length === 0) {
      return {
        code: RULE.missingDown,
        line: lineAt(text, start),
        message: "dbmate requires each migration to define a down block with '-- migrate:down'",
      }
    }
  }
  // db.go:403-414: each section runs and then records the file's version, so a second section inserts it twice
  // into schema_migrations (its primary key) and dbmate up fails there.
  if (ups.length > 1) {
    return {
      code: RULE.twoSections,
      line: lineAt(text, ups[1]),
      message:
        "a second '-- migrate:up' section records the file's version again: schema_migrations refuses the duplicate",
    }
  }
  return undefined
}

function rules({ names, migrations, read, problem }: RuleInput) {
  const problems = []
  for (const { name, parsed } of migrations) {
    if (!parsed) continue
    const failure = parseDbmateSql(read(name))
    // db.go:398-401: dbmate up parses each pending file as it reaches it and stops at this error.
    if (failure) {
      problems.push(
        problem(
          failure.code,
          name,
          `dbmate up fails: ${failure.message}`,
          "write the file as '-- migrate:up', its statements, then '-- migrate:down' and the statements that revert them",
          failure.line,
        ),
      )
    }
  }
  for (const name of names) {
    if (name.includes('/') || name.endsWith('.sql') || name === 'atlas.sum') continue
    problems.push(
      problem(
        RULE.ignoredFile,
        name,
        'dbmate ignores this file (migrations end in .sql)',
        'move it out of the directory if it is not needed',
        undefined,
        'notice',
      ),
    )
  }
  return problems
}

/**
 * dbmate: top-level files named `^(\d+).*\.sql$` (`1.sql` and `20240101create.sql` included), applied in file-name
 * order (db.go:526-530), each with `-- migrate:up` and `-- migrate:down` blocks. Hashed whole, in byte order, as
 * Atlas's dbmate format does (ariga/atlas v1.2.3 sql/sqltool/tool.go:268-277: every top-level `*.sql`).
 */
export const dbmateFormat: MigrationFormat = {
  name: 'dbmate',
  ruleCodes: Object.values(RULE),
  recursive: false,
  select: topLevelEndingIn('.sql'),
  parseName,
  unreadName,
  // db.go:511-517 keys migrations by the version's digits as written (`01` and `1` differ); the second file of one
  // version fails inserting it into schema_migrations, whose version is the primary key
  // (pkg/driver/postgres/postgres.go:327).
  duplicateVersion: (_name, twin, version) => ({
    code: RULE.duplicateVersion,
    severity: 'error',
    message: `dbmate up fails: version ${version} is also used by ${twin}, and schema_migrations takes each version once`,
    fix: 'give one of them a new, higher version',
  }),
  rules,
  nameRule: '<version>_<name>.sql',
  nameExample: '20240101120000_create_users.sql',
}
