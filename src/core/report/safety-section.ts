import path from 'node:path'
import { markdownCell, markdownCode } from '../escape.js'
import type { SafetyFinding, SafetyReport } from '../safety/analyze.js'
import type { FileLink } from './summary.js'

const cell = markdownCell
const code = markdownCode
const ICON: Record<SafetyFinding['severity'], string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' }
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`

/**
 * "Deploy safety": what each new migration will do to a live database, per migration — the statement (clipped), the
 * lock and what it blocks, and the fix — or one ✅ line when nothing was found. Lines that do not fit `room` are
 * counted instead (the caller keeps the comment within GitHub's limit).
 */
export function renderSafetySection(
  report: SafetyReport,
  context: { readonly dir: string; readonly link?: FileLink; readonly baseName?: string },
  room: (lines: readonly string[]) => boolean = () => true,
): string[] {
  const scope =
    context.baseName === undefined
      ? `${plural(report.migrations.length, 'migration')} read`
      : `${plural(report.migrations.length, 'new migration')} read, against what ${cell(context.baseName)} already has`
  const heading = `#### Deploy safety (PostgreSQL ${report.postgresVersion})`
  if (report.notChecked !== undefined) return [heading, '', `➖ ${cell(report.notChecked)}`, '']
  const findings = report.findings
  const counted = findings.filter(({ severity }) => severity !== 'notice')
  const measurement = measurementLines(report)
  const corrections = correctedLines(report, context)
  if (counted.length === 0) {
    const notes =
      findings.length > 0 ? ` (${plural(findings.length, 'statement')} could not be read: see the notices)` : ''
    return [
      heading,
      '',
      `✅ nothing in the ${scope.replace(' read', '')} locks, rewrites or drops what a running release uses${notes}.`,
      '',
      ...measurement,
      ...corrections,
    ]
  }
  const lines = [heading, '', `${plural(counted.length, 'finding')} in the ${scope}:`, '', ...measurement]
  const byMigration = new Map<string, SafetyFinding[]>()
  for (const finding of findings)
    byMigration.set(finding.migration, [...(byMigration.get(finding.migration) ?? []), finding])
  let left = findings.length
  for (const [migration, list] of byMigration) {
    const link = context.link?.(path.join(context.dir, list[0].file))
    const title = [`**${link ? `[${code(migration)}](${link})` : code(migration)}**`, '']
    const rows = list.map((finding) => {
      const where = linkedLine(finding, context)
      const statement = finding.statement === '' ? '' : `${code(finding.statement)}<br>`
      // What the lock blocks, unless the message already says it.
      const blocks = finding.blocks && !finding.message.includes(finding.blocks) ? `: ${cell(finding.blocks)}` : ''
      const lock = finding.lock ? `<br>🔒 ${cell(finding.lock)}${blocks}` : ''
      const measured = finding.measured
        ? `<br>📏 ${finding.measuredOnly ? 'found by the apply check, not by a static rule' : 'measured'}: ${cell((finding.facts ?? []).join('; '))}`
        : ''
      return `| ${ICON[finding.severity]} | ${where} | ${statement}${cell(finding.message)}${lock}${measured} | ${fixCell(finding.fix)} · ${code(finding.code)} |`
    })
    const header = ['| | Line | What it does | Fix |', '|---|---|---|---|']
    if (!room([...title, ...header, rows[0] ?? ''])) break
    lines.push(...title, ...header)
    for (const row of rows) {
      if (!room([row])) break
      lines.push(row)
      left--
    }
    lines.push('')
  }
  if (left > 0) lines.push(`… ${plural(left, 'more finding')}: see the annotations and the log.`, '')
  if (room(corrections)) lines.push(...corrections)
  return lines
}

/** One line on what the apply check measured (or why it could not), when it ran. */
function measurementLines(report: SafetyReport): string[] {
  const measurement = report.measurement
  if (measurement === undefined) return []
  if (!measurement.measured) return [`➖ Not measured on a database: ${cell(measurement.why)}.`, '']
  const confirmed = report.findings.filter((finding) => finding.measured && !finding.measuredOnly).length
  const only = report.findings.filter((finding) => finding.measuredOnly).length
  const corrected = report.corrected?.length ?? 0
  const version = `${Math.floor(measurement.serverVersion / 10000)}.${measurement.serverVersion % 10000}`
  return [
    `📏 Measured by the apply check, as the tool ran each new migration on PostgreSQL ${version}: ${confirmed} confirmed, ${corrected} corrected, ${only} found only there.`,
    '',
  ]
}

/** The static findings the database disproved: dropped, each with what was measured. */
function correctedLines(report: SafetyReport, context: { readonly dir: string; readonly link?: FileLink }): string[] {
  const corrected = report.corrected ?? []
  if (corrected.length === 0) return []
  return [
    'Dropped, because the database showed otherwise:',
    '',
    ...corrected.map(
      (fix) =>
        `- ${linkedLine({ ...fix }, context)} ${code(fix.code)}: ${fix.statement === '' ? '' : `${code(fix.statement)} — `}${cell(fix.why)}`,
    ),
    '',
  ]
}

/** Deploy safety for a terminal: each finding on its line, what was measured, what the database corrected. */
export function renderSafetyText(report: SafetyReport, dir: string): string[] {
  if (report.notChecked !== undefined) return [`deploy safety: ${report.notChecked}`]
  const out = [`deploy safety (PostgreSQL ${report.postgresVersion}): ${plural(report.findings.length, 'finding')}`]
  const measurement = report.measurement
  if (measurement && !measurement.measured) out.push(`  not measured: ${measurement.why}`)
  for (const finding of report.findings) {
    const facts = finding.measured
      ? ` [${finding.measuredOnly ? 'found by the apply check' : 'measured'}: ${(finding.facts ?? []).join('; ')}]`
      : ''
    out.push(
      `  ${finding.severity} ${path.posix.join(dir, finding.file)}:${finding.line}: ${finding.code}: ${finding.message}${facts}`,
    )
  }
  for (const fix of report.corrected ?? [])
    out.push(`  dropped ${path.posix.join(dir, fix.file)}:${fix.line}: ${fix.code}: ${fix.why}`)
  return out
}

/**
 * A fix as a cell: the SQL and directives it quotes between backticks become code spans to copy. Every part is
 * escaped (a table's name inside a quote may hold anything, even a backtick: it then reads oddly, never as markdown).
 */
function fixCell(fix: string): string {
  return fix
    .split('`')
    .map((part, index) => (index % 2 === 1 ? code(part) : cell(part)))
    .join('')
}

function linkedLine(
  finding: Pick<SafetyFinding, 'file' | 'line'>,
  context: { readonly dir: string; readonly link?: FileLink },
): string {
  const text = code(`${finding.file}:${finding.line}`)
  const url = context.link?.(path.join(context.dir, finding.file), finding.line)
  return url ? `[${text}](${url})` : text
}
