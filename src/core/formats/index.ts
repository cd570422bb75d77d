import { UsageError } from '../errors.js'
import { atlasFormat } from './atlas.js'
import { psqlFormat } from './psql.js'
import type { MigrationFormat } from './format.js'

export type { MigrationFormat, MigrationName } from './format.js'

const FORMATS: ReadonlyMap<string, MigrationFormat> = new Map(
  [atlasFormat, psqlFormat].map((format) => [format.name, format]),
)

export const formatNames: readonly string[] = [...FORMATS.keys()]

export function getFormat(name: string): MigrationFormat {
  const format = FORMATS.get(name)
  if (!format) {
    throw new UsageError(`unknown format '${name}'`, { fix: `use one of: ${formatNames.join(', ')}` })
  }
  return format
}
