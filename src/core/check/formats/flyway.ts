import path from 'node:path'
import { toolRules } from '../problems.js'
import { PairFinder, type MigrationFormat, type MigrationName, type NameVerdict, type RuleInput } from './format.js'
import { goSortSlice } from './go-sort.js'
import { compareAtlasFlyway, compareFlyway, compareWalkOrder, flywayKey, flywayParts, goLess } from './versions.js'

// Flyway 13.0.0 (flyway/flyway, tag flyway-13.0.0), read with its default configuration: prefixes V, R and B,
// separator `__`, suffix `.sql`. Paths below are under flyway-core/src/main/java/org/flywaydb/core/.

/** Flyway's rules, each with its stable code (`flyway/<rule>`). */
const RULE = toolRules('flyway', {
  skippedName: 'skipped-name',
  duplicateCallback: 'duplicate-callback',
  duplicateRepeatable: 'duplicate-repeatable',
  duplicateVersion: 'duplicate-version',
})

/** Callback events whose ids are prefixes of SQL callbacks (api/callback/Event.java). */
const EVENTS = [
  'beforeClean',
  'afterClean',
  'afterCleanError',
  'beforeMigrate',
  'beforeEachMigrate',
  'beforeEachMigrateStatement',
  'afterEachMigrateStatement',
  'afterEachMigrateStatementError',
  'afterEachMigrate',
  'afterEachMigrateError',
  'beforeRepeatables',
  'afterVersioned',
  'afterMigrateApplied',
  'afterMigrate',
  'afterMigrateError',
  'beforeUndo',
  'beforeEachUndo',
  'beforeEachUndoStatement',
  'afterEachUndoStatement',
  'afterEachUndoStatementError',
  'afterEachUndo',
  'afterEachUndoError',
  'afterUndo',
  'afterUndoError',
  'beforeValidate',
  'afterValidate',
  'afterValidateError',
  'beforeBaseline',
  'afterBaseline',
  'afterBaselineError',
  'beforeRepair',
  'afterRepair',
  'afterRepairError',
  'beforeInfo',
  'afterInfo',
  'afterInfoError',
  'afterMigrateOperationFinish',
  'afterInfoOperationFinish',
  'createSchema',
  'beforeCreateSchema',
  'beforeConnect',
  'afterConnect',
]

type Kind = 'V' | 'B' | 'R' | 'callback'

// internal/resource/ResourceNameParser.java:147-160: every prefix, longest first (so `afterMigrateError` wins over
// `afterMigrate`); V and R from CoreResourceTypeProvider.java:46-55, B from BaselineResourceTypeProvider.java:41-46.
const PREFIXES: readonly { prefix: string; kind: Kind }[] = [
  ...(['V', 'R', 'B'] as const).map((prefix) => ({ prefix, kind: prefix })),
  ...EVENTS.map((prefix) => ({ prefix, kind: 'callback' as const })),
].sort((a, b) => b.prefix.length - a.prefix.length)

/** What Flyway makes of a file name: a resource of some kind, valid or skipped with a reason. */
export type FlywayResource =
  | { readonly valid: true; readonly kind: Kind; readonly version?: string; readonly description: string }
  | { readonly valid: false; readonly reason: string }

const base = (name: string): string => path.posix.basename(name)

/** Flyway's reading of a file's base name (ResourceNameParser.parse and the scanner's filter). */
function flywayResource(file: string): FlywayResource {
  // internal/util/StringUtils.java:312 and ResourceNameParser.java:130-137: the suffix matches case-insensitively.
  if (!file.toUpperCase().endsWith('.SQL')) return { valid: false, reason: 'it does not end in .sql' }
  const stem = file.slice(0, -4)
  // ResourceNameParser.java:120-128: prefixes are case-sensitive (`v1__x.sql` is not a migration).
  const found = PREFIXES.find(({ prefix }) => stem.startsWith(prefix))
  if (!found) {
    return {
      valid: false,
      reason: /^U/.test(stem)
        ? 'U… files are undo migrations, which Flyway Community does not read (Teams and Enterprise run them on flyway undo)'
        : 'its name starts with none of V, R, B or a callback event such as afterMigrate',
    }
  }
  // StringUtils.java:312: the name must be longer than the scanned prefix + suffix (`V.sql` is not a resource);
  // callbacks are scanned with an empty prefix (internal/callback/SqlScriptCallbackFactory.java:60-61).
  const scanned = found.kind === 'callback' ? 0 : found.prefix.length
  if (file.length <= scanned + 4) return { valid: false, reason: `it has nothing after ${found.prefix}` }
  const rest = stem.slice(found.prefix.length)
  // ResourceNameParser.java:57-58 and StringUtils.java:405-412: split at the first `__`; no `__` means no description.
  const at = rest.indexOf('__')
  const version = at === -1 ? rest : rest.slice(0, at)
  const description = (at === -1 ? '' : rest.slice(at + 2)).replace(/_/g, ' ') // ResourceNameParser.java:105
  if (found.kind === 'V' || found.kind === 'B') {
    // ResourceNameParser.java:77-101: a versioned name needs a version Flyway can read.
    if (version === '') return { valid: false, reason: 'it has no version before __' }
    if (!flywayParts(version)) return { valid: false, reason: `'${version}' is not a version (digits and dots only)` }
    return { valid: true, kind: found.kind, version, description }
  }
  // ResourceNameParser.java:64-76: repeatables and callbacks take no version (`R__views.sql`, `afterMigrate.sql`).
  if (version !== '') {
    return { valid: false, reason: `a ${found.kind === 'R' ? 'repeatable' : 'callback'} name takes no version` }
  }
  return { valid: true, kind: found.kind, description }
}

/** `U<version>__<description>.sql`: an undo migration, read by Flyway's paid editions only. */
const isUndo = (file: string): boolean => file.startsWith('U') && flywayResource(`V${file.slice(1)}`).valid

function parse(name: string): MigrationName | undefined {
  const resource = flywayResource(base(name))
  if (!resource.valid || resource.kind === 'callback') return undefined
  return { kind: resource.kind, version: resource.version, description: resource.description }
}

/**
 * The files Atlas's flyway format hashes, in its order (ariga/atlas v1.2.3 sql/sqltool/tool.go:348-392, 487-574):
 * fs.WalkDir order (hidden directories skipped: hidden.go:12), only names whose first byte is V, B or R, whose
 * extension is exactly `.sql` and whose length is at least 4 (tool.go:373). Then flywayFiles.add in walk order, which
 * compares versions as Go strings: a baseline replaces the current one unless its version string is smaller
 * (tool.go:498), versioned files already added stay when their PATH string is greater than the new baseline's version
 * string (tool.go:507-511, the path, as Atlas's code has it), and a versioned file is added when there is no baseline or
 * the baseline's version string is smaller than its own (tool.go:516). names() puts the baseline first, then the
 * versioned and the repeatable files each sorted with sort.Slice by flywayVersionCompare (tool.go:528-538, 556-574).
 */
function atlasFlywayFiles(names: readonly string[]): string[] {
  const walked = [...names].sort(compareWalkOrder)
  const version = (file: string): string => {
    // tool.go:548-554: repeatables have no version; else the text between the prefix and the first `__`.
    const b = base(file)
    return b[0] === 'R' ? '' : b.slice(0, -4).split('__')[0].slice(1)
  }
  let baseline = ''
  let versioned: string[] = []
  const repeatable: string[] = []
  for (const file of walked) {
    const b = base(file)
    if (!b.endsWith('.sql') || Buffer.byteLength(b) < 4 || !'VBR'.includes(b[0])) continue
    if (b[0] === 'B') {
      if (baseline !== '' && goLess(version(file), version(baseline))) continue
      baseline = file
      const bv = version(baseline)
      versioned = versioned.filter((v) => goLess(bv, v))
    } else if (b[0] === 'V') {
      if (baseline === '' || goLess(version(baseline), version(file))) versioned.push(file)
    } else {
      repeatable.push(file)
    }
  }
  const less = (a: string, b: string): boolean => compareAtlasFlyway(version(a), version(b)) < 0
  return [...(baseline ? [baseline] : []), ...goSortSlice(versioned, less), ...goSortSlice(repeatable, less)]
}

/** `V3_add_index.sql` → `V3__add_index.sql`: the file's own name with Flyway's `__` separator, when that is the slip. */
function fixedName(name: string): string | undefined {
  const match = /^([VB])([0-9]+)_([^_][^\n]*\.sql)$/i.exec(base(name))
  if (!match || !'VB'.includes(match[1])) return undefined
  const fixed = `${match[1]}${match[2]}__${match[3]}`
  return flywayResource(fixed).valid ? fixed : undefined
}

const renameFix = (name: string, fallback: string): string => {
  const fixed = fixedName(name)
  return fixed ? `rename it to ${fixed} if Flyway should run it` : fallback
}

const unreadName = (name: string): NameVerdict => {
  const resource = flywayResource(base(name))
  return {
    code: RULE.skippedName,
    severity: 'notice',
    message: `Flyway skips this file: ${resource.valid ? 'it is a callback' : resource.reason}`,
    fix: renameFix(name, 'rename it like V2__add_orders.sql, R__views.sql or B1__baseline.sql if Flyway should run it'),
  }
}

/** Flyway's checks over every file it reads (sub-directories included), and what it skips. */
function rules({ names, problem, established }: RuleInput) {
  const problems = []
  const counted = new Set(atlasFlywayFiles(names))
  const versions = new PairFinder<{ readonly name: string; readonly version: string }>(established)
  const repeatables = new PairFinder<{ readonly name: string }>(established)
  const callbacks = new PairFinder<{ readonly name: string }>(established)
  for (const name of [...names].sort(compareWalkOrder)) {
    const file = base(name)
    if (name === 'atlas.sum') continue
    const resource = flywayResource(file)
    // Undo migrations: Flyway Teams and Enterprise (the same image, with a licence) run them on `flyway undo`.
    if (!resource.valid && isUndo(file)) continue
    if (!resource.valid) {
      // Counted files get the same notice from the name check; internal/resolver/sql/SqlMigrationResolver.java:121
      // skips invalid names (validateMigrationNaming is false by default).
      if (!counted.has(name)) {
        problems.push(
          problem(
            RULE.skippedName,
            name,
            `Flyway skips this file: ${resource.reason}`,
            renameFix(
              name,
              'rename it like V2__add_orders.sql, R__views.sql or afterMigrate.sql, or move it out of the directory',
            ),
            undefined,
            'notice',
          ),
        )
      }
      continue
    }
    if (resource.kind === 'callback') {
      // internal/callback/SqlScriptCallbackFactory.java:74-84: two callback scripts of one name fail.
      const key = file.slice(0, -4)
      const pair = callbacks.see(key, { name })
      if (pair !== undefined) {
        problems.push({
          ...problem(
            RULE.duplicateCallback,
            pair.file,
            `Flyway fails: a second SQL callback called ${key} (${pair.twin})`,
            'keep one of them',
          ),
          twin: pair.twin,
        })
      }
    } else if (resource.kind === 'R') {
      // internal/resolver/CompositeMigrationResolver.java:114-120: repeatables collide by description, across folders.
      const pair = repeatables.see(resource.description, { name })
      if (pair !== undefined) {
        problems.push({
          ...problem(
            RULE.duplicateRepeatable,
            pair.file,
            `Flyway fails: more than one repeatable migration with description '${resource.description}' (${pair.twin})`,
            'give one of them another description',
          ),
          twin: pair.twin,
        })
      }
    } else {
      // CompositeMigrationResolver.java:102-112 with MigrationVersion equality (1.0 is 1, 1_1 is 1.1); a baseline
      // only compares with baselines (api/migration/baseline/BaselineResolvedMigration.java:64-66).
      const key = `${resource.kind}:${flywayKey(resource.version!)}`
      const pair = versions.see(key, { name, version: resource.version! })
      if (pair !== undefined) {
        const { version } = pair.reported
        problems.push({
          ...problem(
            RULE.duplicateVersion,
            pair.file,
            `Flyway fails: more than one ${resource.kind === 'B' ? 'baseline ' : ''}migration with version ${version} (${pair.twin})`,
            'give one of them a new, higher version',
          ),
          twin: pair.twin,
        })
      }
    }
  }
  return problems
}

/**
 * Flyway: recursive (hidden directories skipped), slash paths. atlas.sum covers what Atlas's flyway format hashes
 * (`atlasFlywayFiles`); Flyway itself also runs callbacks, `.SQL` files and versions below a baseline, which are
 * shipped beside them.
 */
export const flywayFormat: MigrationFormat = {
  name: 'flyway',
  ruleCodes: Object.values(RULE),
  recursive: true,
  select: atlasFlywayFiles,
  parseName: parse,
  compareVersions: compareFlyway,
  versionKey: flywayKey,
  unreadName,
  // Flyway's duplicates are checked over every file it reads, in `rules`.
  duplicateVersion: () => undefined,
  rules,
  // What `flyway migrate` applies on a new database: versioned and repeatable migrations, by Flyway's own reading of
  // each name (ResourceNameParser, as flywayResource reads it), sub-directories included; the latest version by
  // Flyway's order. Callbacks, baselines, undo files and names it skips are not migrations it counts.
  toolMigrations(names) {
    let count = 0
    let latestVersion: string | undefined
    for (const name of names) {
      if (name === 'atlas.sum') continue
      const resource = flywayResource(base(name))
      if (!resource.valid || (resource.kind !== 'V' && resource.kind !== 'R')) continue
      count++
      if (resource.kind === 'V' && resource.version !== undefined) {
        if (latestVersion === undefined || compareFlyway(resource.version, latestVersion) > 0) {
          latestVersion = resource.version
        }
      }
    }
    return { count, latestVersion }
  },
  shipped(names) {
    const counted = new Set(atlasFlywayFiles(names))
    return names.filter((name) => {
      if (counted.has(name)) return false
      return isUndo(base(name)) || flywayResource(base(name)).valid
    })
  },
  nameRule: 'V<version>__<description>.sql',
  nameExample: 'V2__add_orders.sql',
}
