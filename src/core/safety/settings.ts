import { databaseKind, parseDatabaseUrl } from '../apply/database.js'
import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import type { SafetySettings } from './collect.js'

/** The PostgreSQL major judged for when neither postgres-version nor a postgres:N database image says. */
export const DEFAULT_POSTGRES_VERSION = 17

/**
 * Deploy safety's settings from the options: the mode, and the PostgreSQL major (postgres-version, else the major
 * of the database image's tag, else 17). A MySQL or MariaDB database has no parser here: the static rules are off
 * and a notice says so. `names` says how the adapter calls its options.
 */
export function safetySettings(
  values: {
    readonly mode?: 'warn' | 'error' | 'off'
    readonly postgresVersion?: string
    readonly database?: string
    readonly databaseUrl?: string
  },
  names: { readonly postgresVersion: string; readonly safety: string },
): SafetySettings {
  const mode = values.mode ?? 'warn'
  let version = DEFAULT_POSTGRES_VERSION
  if (values.postgresVersion !== undefined) {
    const match = /^\s*(\d{1,2})(?:\.\d+)?\s*$/.exec(values.postgresVersion)
    const major = match ? Number(match[1]) : NaN
    if (!(major >= 9 && major <= 40)) {
      throw new UsageError(
        `${names.postgresVersion} must be a PostgreSQL major version such as 16, not '${showName(values.postgresVersion)}'`,
      )
    }
    version = major
  }
  const url = values.databaseUrl ? parseDatabaseUrl(values.databaseUrl).target.kind : undefined
  const kind = url ?? (values.database ? databaseKind(values.database) : 'postgres')
  if (values.postgresVersion === undefined && kind === 'postgres' && values.database && !values.databaseUrl) {
    const tag = /:(\d{1,2})(?:[.\-_][^/]*)?$/.exec(values.database.split('@')[0])
    if (tag) version = Number(tag[1])
  }
  if (mode !== 'off' && kind !== 'postgres') {
    return {
      mode,
      postgresVersion: version,
      skipped: `deploy safety's static rules read PostgreSQL only, and the database is ${kind === 'mysql' ? 'MySQL' : 'MariaDB'}: not checked (set ${names.safety} to off to drop this notice)`,
    }
  }
  return { mode, postgresVersion: version }
}
