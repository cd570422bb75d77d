import path from 'node:path'

/*
 * Why a shipped file (one the tool loads: see each format's `shipped`) has no atlas.sum entry: Atlas's format for
 * the tool leaves it out (ariga/atlas sql/sqltool/tool.go). The CLI and the job summary list these files with it.
 */

const base = (name: string): string => path.posix.basename(name)

/** Atlas's flyway format hashes V, B and R files ending in lower-case `.sql`, base names of 4+ characters. */
export function flywayUncoveredReason(name: string): string {
  const file = base(name)
  if (!file.endsWith('.sql')) return "Atlas's flyway format hashes only names ending in lower-case .sql"
  if (file.startsWith('U')) return "Atlas's flyway format does not hash undo (U) migrations"
  if (!/^[VBR]/.test(file))
    return "Atlas's flyway format hashes only V, B and R migrations, not callbacks or other files"
  if (file.length - 4 < 4) return "Atlas's flyway format skips names shorter than 4 characters before .sql"
  return "Atlas's flyway format leaves this file out (a baseline below the latest, or a version below the baseline)"
}

/** golang-migrate's names (source/parse.go): `<version>_<title>.(up|down).<ext>`; Atlas hashes `*.up.sql` only. */
const GOLANG_MIGRATE = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/s

export function golangMigrateUncoveredReason(name: string): string {
  return GOLANG_MIGRATE.exec(name)?.[3] === 'down'
    ? "Atlas's golang-migrate format hashes only .up.sql files, not down migrations"
    : "Atlas's golang-migrate format hashes only .up.sql files"
}

/** Atlas's liquibase format hashes the top-level `*.sql` files only. */
export function liquibaseUncoveredReason(name: string): string {
  return name.includes('/')
    ? "Atlas's liquibase format hashes only top-level .sql files, not files in sub-folders"
    : "Atlas's liquibase format hashes only top-level .sql files, not XML, YAML, JSON or other changelogs"
}
