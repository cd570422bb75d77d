import path from 'node:path'

/*
 * What each tool loads from its directory beyond the files Atlas's format for it hashes, so the image holds all of
 * it and the summary can say which shipped files atlas.sum does not cover (and why).
 */

const base = (name: string): string => path.posix.basename(name)

/** A `shipped` hook: the files `pick` finds that the format's `select` does not already count. */
export const besides =
  (select: (names: readonly string[]) => string[], pick: (names: readonly string[]) => string[]) =>
  (names: readonly string[]): string[] => {
    const counted = new Set(select(names))
    return pick(names).filter((name) => !counted.has(name))
  }

/**
 * Flyway loads every file under its location whose name ends in the SQL suffix, compared case-insensitively
 * (flyway ResourceNameParser / FileSystemScanner): versioned, undo, baseline and repeatable migrations and SQL
 * callbacks such as `afterMigrate.sql`. Shipping every such file is a superset of what Flyway runs; names it
 * does not recognise are reported by the format's rules.
 */
export const flywayShipped = (names: readonly string[]): string[] =>
  names.filter((name) => base(name).toLowerCase().endsWith('.sql'))

/** Why Atlas's flyway format (ariga/atlas sql/sqltool/tool.go, flywayFiles) leaves a shipped file out of atlas.sum. */
export function flywayUncoveredReason(name: string): string {
  const file = base(name)
  if (!file.endsWith('.sql')) return "Atlas's flyway format hashes only names ending in lower-case .sql"
  if (file.startsWith('U')) return "Atlas's flyway format does not hash undo (U) migrations"
  if (!/^[VBR]/.test(file))
    return "Atlas's flyway format hashes only V, B and R migrations, not callbacks or other files"
  if (file.length - 4 < 4) return "Atlas's flyway format skips names shorter than 4 characters before .sql"
  return "Atlas's flyway format leaves this file out (a baseline below the latest, or a version below the baseline)"
}

/** golang-migrate reads `^([0-9]+)_(.*)\.(down|up)\.(.*)$` at the top level, any extension (source/parse.go). */
const GOLANG_MIGRATE = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/s

export const golangMigrateShipped = (names: readonly string[]): string[] =>
  names.filter((name) => !name.includes('/') && GOLANG_MIGRATE.test(name))

export function golangMigrateUncoveredReason(name: string): string {
  return GOLANG_MIGRATE.exec(name)?.[3] === 'down'
    ? "Atlas's golang-migrate format hashes only .up.sql files, not down migrations"
    : "Atlas's golang-migrate format hashes only .up.sql files"
}

/** Atlas's liquibase format hashes the top-level `*.sql` files only (ariga/atlas sql/sqltool/tool.go). */
export function liquibaseUncoveredReason(name: string): string {
  return name.includes('/')
    ? "Atlas's liquibase format hashes only top-level .sql files, not files in sub-folders"
    : "Atlas's liquibase format hashes only top-level .sql files, not XML, YAML, JSON or other changelogs"
}
