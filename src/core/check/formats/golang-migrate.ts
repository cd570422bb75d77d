import { sortByUtf8 } from '../byte-order.js'
import { toolRules } from '../problems.js'
import { PairFinder, type MigrationFormat, type MigrationName, type NameVerdict, type RuleInput } from './format.js'
import { topLevelEndingIn } from './naming.js'
import { compareIntegers, parseUint64 } from './versions.js'

// golang-migrate v4.19.1 (golang-migrate/migrate). The CLI's `-path` is the file source: source/file/file.go:31 hands
// the directory to source/iofs.

/** golang-migrate's rules, each with its stable code (`golang-migrate/<rule>`). */
const RULE = toolRules('golang-migrate', {
  ignoredName: 'ignored-name',
  duplicateFile: 'duplicate-file',
  missingUp: 'missing-up',
  missingDown: 'missing-down',
  noMigrations: 'no-migrations',
})

/**
 * source/parse.go:22: `^([0-9]+)_(.*)\.(down|up)\.(.*)$` over the whole name, any extension. Go's `.` stops only at
 * `\n`, hence `[^\n]`.
 */
const FILE = /^([0-9]+)_([^\n]*)\.(down|up)\.([^\n]*)$/

interface Parsed {
  readonly version: bigint
  readonly identifier: string
  readonly direction: 'up' | 'down'
}

/** What golang-migrate reads from a name; a string says why it ignores the file. */
function read(name: string): Parsed | string {
  const match = FILE.exec(name)
  if (!match) return 'its name does not match <version>_<title>.up.<ext> or .down.<ext>'
  // parse.go:28-31: the version is a uint64; a larger number fails to parse, and iofs.go:60-63 skips the file.
  const version = parseUint64(match[1])
  if (version === undefined) return `its version ${match[1]} does not fit in 64 bits`
  return { version, identifier: match[2], direction: match[3] as 'up' | 'down' }
}

const counted = topLevelEndingIn('.up.sql')

function parseName(name: string): MigrationName | undefined {
  const parsed = read(name)
  return typeof parsed !== 'string' && parsed.direction === 'up'
    ? { version: parsed.version.toString(), description: parsed.identifier }
    : undefined
}

const unreadName = (name: string): NameVerdict => {
  const parsed = read(name)
  return {
    code: RULE.ignoredName,
    severity: 'notice',
    message: `golang-migrate ignores this file: ${typeof parsed === 'string' ? parsed : 'it is not an up migration'}`,
    fix: 'rename it like 1_create_users.up.sql if golang-migrate should run it',
  }
}

/** golang-migrate's reading of the directory: every top-level file, in fs.ReadDir's name order (iofs.go:50-74). */
function rules({ names, problem, established }: RuleInput) {
  const problems = []
  const hashed = new Set(counted(names))
  const seen = new PairFinder<{ readonly name: string }>(established)
  const ups = new Map<bigint, string>()
  const downs = new Map<bigint, string>()
  for (const name of sortByUtf8(
    names.filter((n) => !n.includes('/') && n !== 'atlas.sum'),
    (n) => n,
  )) {
    const parsed = read(name)
    if (typeof parsed === 'string') {
      // iofs.go:60-63: names that do not parse are skipped silently (counted *.up.sql get this from the name check).
      if (!hashed.has(name)) {
        problems.push(
          problem(
            RULE.ignoredName,
            name,
            `golang-migrate ignores this file: ${parsed}`,
            /^[0-9]+_[^\n]+\.sql$/.test(name)
              ? `rename it to ${name.slice(0, -4)}.up.sql (and its down file ${name.slice(0, -4)}.down.sql) if golang-migrate should run it`
              : 'rename it like 1_create_users.up.sql or 1_create_users.down.sql if golang-migrate should run it',
            undefined,
            'notice',
          ),
        )
      }
      continue
    }
    // source/migration.go:57-60 and iofs.go:68-73: a second file of one version and direction fails the source
    // ("duplicate migration file"), whatever its extension; versions compare as numbers (01 is 1).
    const key = `${parsed.version}:${parsed.direction}`
    const pair = seen.see(key, { name })
    if (pair !== undefined) {
      problems.push({
        ...problem(
          RULE.duplicateFile,
          pair.file,
          `golang-migrate fails: duplicate migration file (${pair.twin} is also the ${parsed.direction} migration of version ${parsed.version})`,
          'give one of them a new version, or remove one',
        ),
        twin: pair.twin,
      })
      continue
    }
    ;(parsed.direction === 'up' ? ups : downs).set(parsed.version, name)
  }
  // source/iofs/iofs.go:93-101: with no migration file First fails (`first <path>: file does not exist`), and
  // migrate.go:556-559 hands that to `migrate up` on a database without a version: internal/cli/commands.go:169-172
  // exits with it.
  if (ups.size === 0 && downs.size === 0) {
    problems.push(
      problem(
        RULE.noMigrations,
        '.',
        "migrate up fails on a new database: 'first …: file does not exist' (no file is named <version>_<title>.up.<ext>)",
        'add a migration like 1_create_users.up.sql, or point dir at the directory that holds them',
      ),
    )
  }
  for (const [version, name] of downs) {
    // migrate.go:835-843: going up through a version that has no up file records it with an empty migration.
    if (!ups.has(version))
      problems.push(
        problem(
          RULE.missingUp,
          name,
          `no up migration for version ${version}: 'migrate up' records version ${version} without running anything`,
          `add ${name.replace(/\.down\.([^.]*)$/, '.up.$1')} or remove ${name}`,
          undefined,
          'warning',
        ),
      )
  }
  for (const [version, name] of ups) {
    // migrate.go:855-862: going down through a version that has no down file records it reverted without running SQL.
    if (!downs.has(version)) {
      problems.push(
        problem(
          RULE.missingDown,
          name,
          `no down migration for version ${version}: 'migrate down' marks it reverted without running anything`,
          `add ${name.replace(/\.up\.([^.]*)$/, '.down.$1')} if 'migrate down' should revert it`,
          undefined,
          'notice',
        ),
      )
    }
  }
  return problems
}

/**
 * golang-migrate: top-level `<version>_<title>.up.<ext>` and `.down.<ext>` files (any extension), applied in numeric
 * version order. Atlas's golang-migrate format hashes only the top-level `*.up.sql` files (ariga/atlas v1.2.3
 * sql/sqltool/tool.go:101-119), names kept, in byte order. Every other file golang-migrate reads (down files, up
 * files of other extensions) is shipped beside them.
 */
export const golangMigrateFormat: MigrationFormat = {
  name: 'golang-migrate',
  ruleCodes: Object.values(RULE),
  recursive: false,
  select: counted,
  parseName,
  compareVersions: compareIntegers,
  versionKey: (version) => BigInt(version).toString(),
  unreadName,
  // Duplicates are judged per direction over every extension, in `rules`.
  duplicateVersion: () => undefined,
  rules,
  shipped(names) {
    const hashed = new Set(counted(names))
    return names.filter((name) => !name.includes('/') && !hashed.has(name) && typeof read(name) !== 'string')
  },
  nameRule: '<version>_<title>.up.sql',
  nameExample: '1_create_users.up.sql',
}
