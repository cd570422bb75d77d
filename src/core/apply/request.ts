import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import type { ApplyRequest } from '../request.js'
import { databaseServer, parseDatabaseUrl } from './database.js'

/** `90`, `90s`, `10m`, `1h` (whole numbers): the apply check's wall-clock limit in milliseconds. */
export function parseTimeout(text: string, who: string): number {
  const match = /^\s*(\d{1,6})\s*(s|m|h)?\s*$/i.exec(text)
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[(match?.[2] ?? 's').toLowerCase() as 's' | 'm' | 'h']
  const ms = match ? Number(match[1]) * unit : NaN
  if (!(ms > 0) || ms > 6 * 3_600_000) {
    throw new UsageError(`${who} must be a duration such as 90s or 10m (at most 6h), not '${showName(text)}'`)
  }
  return ms
}

/**
 * The apply check's request, checked now (an unknown database image or a bad URL is a usage error before anything
 * is built). `names` says how the adapter calls its options.
 */
export function applyRequest(
  values: { readonly database?: string; readonly databaseUrl?: string; readonly timeout?: string },
  names: { readonly database: string; readonly databaseUrl: string; readonly timeout: string },
): ApplyRequest {
  const database = values.database?.trim() || 'postgres:17-alpine'
  databaseServer(database, 'probe', names.database)
  if (values.databaseUrl) parseDatabaseUrl(values.databaseUrl, names.databaseUrl)
  return {
    database,
    databaseUrl: values.databaseUrl || undefined,
    timeoutMs: parseTimeout(values.timeout ?? '10m', names.timeout),
  }
}
