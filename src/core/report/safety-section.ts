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
  if (counted.length === 0) {
    const notes =
      findings.length > 0 ? ` (${plural(findings.length, 'statement')} could not be read: see the notices)` : ''
    return [
      heading,
      '',
      `✅ nothing in the ${scope.replace(' read', '')} locks, rewrites or drops what a running release uses${notes}.`,
      '',
    ]
  }
  const lines = [heading, '', `${plural(counted.length, 'finding')} in the ${scope}:`, '']
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
      return `| ${ICON[finding.severity]} | ${where} | ${statement}${cell(finding.message)}${lock} | ${fixCell(finding.fix)} · ${code(finding.code)} |`
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
  return lines
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

function linkedLine(finding: SafetyFinding, context: { readonly dir: string; readonly link?: FileLink }): string {
  const text = code(`${finding.file}:${finding.line}`)
  const url = context.link?.(path.join(context.dir, finding.file), finding.line)
  return url ? `[${text}](${url})` : text
}
