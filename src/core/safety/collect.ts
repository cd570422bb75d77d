import path from 'node:path'
import { masterChangelog } from '../check/formats/liquibase.js'
import type { Problem } from '../check/problems.js'
import { readTextBounded } from '../check/safe-read.js'
import type { Validation } from '../check/validate.js'
import { analyzeSafety, type SafetyReport } from './analyze.js'
import { liquibaseUnits } from './liquibase-units.js'
import { sqlToolUnits, type SqlUnit } from './units.js'

/** Deploy safety's settings for one run (the `safety` and `postgres-version` options). */
export interface SafetySettings {
  /** `warn` (the default): findings are warnings; `error`: they fail the check; `off`: not analysed. */
  readonly mode: 'warn' | 'error' | 'off'
  /** The PostgreSQL major the migrations are judged for. */
  readonly postgresVersion: number
  /** Why the analysis does not run although `mode` is not off (the database is MySQL): said as a notice. */
  readonly skipped?: string
}

export interface UnitSource {
  readonly tool: string
  readonly dir: string
  readonly validation: Validation
  readonly changelog?: string
  readonly maxFileSize: number
}

/** A directory's files read once each (the units and their ignore comments need the same text), bounded, no links. */
function reader({ dir, maxFileSize }: UnitSource): (name: string) => string {
  const texts = new Map<string, string>()
  return (name) => {
    let text = texts.get(name)
    if (text === undefined) {
      text = readTextBounded(path.join(dir, name), maxFileSize, dir)
      texts.set(name, text)
    }
    return text
  }
}

/** The units the tool runs from a validated directory, every read bounded and never through a link. */
export async function collectUnits(source: UnitSource, read = reader(source)): Promise<SqlUnit[]> {
  const { tool, validation, changelog } = source
  if (tool === 'liquibase') {
    const names = validation.shipped
    const master = masterChangelog(names, { changelog })
    return master === undefined ? [] : liquibaseUnits(master, names, read)
  }
  const migrations = validation.migrations.map(({ name }) => ({ name, text: read(name) }))
  // Flyway's per-script configuration (`V1__x.sql.conf`), when there is one.
  return sqlToolUnits(tool, migrations, (name) => {
    try {
      return read(name)
    } catch {
      return undefined
    }
  })
}

/** The keys of the base branch's units: what a live database already ran. */
export async function establishedKeys(source: UnitSource): Promise<Set<string>> {
  return new Set((await collectUnits(source)).map(({ key }) => key))
}

/** Deploy safety over a validated directory: the report, and its findings as problems on their file and line. */
export async function checkSafety(
  source: UnitSource,
  settings: SafetySettings,
  established: ReadonlySet<string> | undefined,
): Promise<{ report: SafetyReport; problems: Problem[] }> {
  const read = reader(source)
  const units = await collectUnits(source, read)
  const report = await analyzeSafety({
    units,
    established,
    postgresVersion: settings.postgresVersion,
    mode: settings.mode === 'error' ? 'error' : 'warn',
    read,
  })
  return { report, problems: safetyProblems(report, source.dir) }
}

/** A report's findings as problems on their file (under `dir`) and line. */
export function safetyProblems(report: SafetyReport, dir: string): Problem[] {
  return report.findings.map((finding): Problem => ({
    code: finding.code,
    severity: finding.severity,
    file: path.join(dir, finding.file),
    line: finding.line,
    message: finding.measured ? `${finding.message} [measured: ${(finding.facts ?? []).join('; ')}]` : finding.message,
    fix: finding.fix,
  }))
}
