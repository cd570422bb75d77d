import { toolRules } from '../problems.js'
import type { MigrationFormat, MigrationName } from './format.js'
import { topLevelEndingIn } from './naming.js'

/** Atlas's rules, each with its stable code (`atlas/<rule>`). */
const RULE = toolRules('atlas', {
  duplicateVersion: 'duplicate-version',
  directoryNamedSql: 'directory-named-sql',
})

/**
 * Atlas's version and description of a file (ariga/atlas v1.2.3 sql/migrate/dir.go:216-227): the version is the
 * name without `.sql` up to its first `_` (the whole stem when there is none), the description what follows. Any
 * name is a valid Atlas file: `1.sql`, `2.10.x-20_description.sql`, `.hidden.sql`.
 */
function atlasName(name: string): MigrationName {
  const stem = name.endsWith('.sql') ? name.slice(0, -4) : name
  const at = stem.indexOf('_')
  return at === -1
    ? { version: stem, description: '' }
    : { version: stem.slice(0, at), description: stem.slice(at + 1) }
}

/**
 * Atlas's own layout: every top-level `*.sql` file (dir.go:146, fs.Glob: case-sensitive suffix, dotfiles included),
 * ordered by name bytes (dir.go:151-153).
 */
export const atlasFormat: MigrationFormat = {
  name: 'atlas',
  ruleCodes: Object.values(RULE),
  recursive: false,
  select: topLevelEndingIn('.sql'),
  parseName: atlasName,
  // Atlas does not refuse two files of one version, but it keys revisions by version (sql/migrate/migrate.go:735-760
  // compares versions as strings): a policy warning, not an error Atlas would raise.
  duplicateVersion: (_name, twin, version) => ({
    code: RULE.duplicateVersion,
    severity: 'warning',
    message: `version ${version} is also used by ${twin}: Atlas stores applied revisions by version, so the two share one revision record`,
    fix: 'give one of them a new, higher version',
  }),
  // dir.go:146-158: fs.Glob lists a directory named `x.sql` and reading it as a file fails.
  directoryEntry: () => ({
    code: RULE.directoryNamedSql,
    severity: 'error',
    message: 'is a directory named like a migration: Atlas fails reading it as a file',
    fix: 'rename the directory so it does not end in .sql, or move it out of the migrations directory',
  }),
  nameRule: '<version>[_<description>].sql',
  nameExample: '20240101120000_create_users.sql',
}
