import { showName } from '../../escape.js'
import { didYouMean } from '../../text.js'
import { UsageError } from '../../errors.js'
import { atlasFormat } from './atlas.js'
import { dbmateFormat } from './dbmate.js'
import { flywayFormat } from './flyway.js'
import type { MigrationFormat } from './format.js'
import { golangMigrateFormat } from './golang-migrate.js'
import { gooseFormat } from './goose.js'
import { liquibaseFormat } from './liquibase.js'
import { psqlFormat } from './psql.js'
import { flywayUncoveredReason, golangMigrateUncoveredReason, liquibaseUncoveredReason } from './uncovered.js'

export type { FormatOptions, MigrationFormat, MigrationName } from './format.js'

const FORMATS: ReadonlyMap<string, MigrationFormat> = new Map(
  [
    atlasFormat,
    // Why atlas.sum leaves a shipped file out lives in ./uncovered.ts, beside the formats' own files.
    { ...golangMigrateFormat, uncoveredReason: golangMigrateUncoveredReason },
    { ...flywayFormat, uncoveredReason: flywayUncoveredReason },
    gooseFormat,
    dbmateFormat,
    { ...liquibaseFormat, uncoveredReason: liquibaseUncoveredReason },
    psqlFormat,
  ].map((format) => [format.name, format]),
)

export const formatNames: readonly string[] = [...FORMATS.keys()]

export function getFormat(name: string): MigrationFormat {
  const format = FORMATS.get(name.trim().toLowerCase())
  if (!format) {
    throw new UsageError(`unknown format '${showName(name)}'${didYouMean(name, formatNames)}`, {
      fix: `use one of: ${formatNames.join(', ')}`,
    })
  }
  return format
}
