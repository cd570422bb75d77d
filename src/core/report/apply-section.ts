import type { SafetyReport } from '../safety/analyze.js'
import { safetyJson } from './text.js'
import type { ApplyResult, RunResult } from '../apply/result.js'
import { markdownCell, markdownCode, showName } from '../escape.js'

const cell = markdownCell
const code = markdownCode

/** Most diff characters a summary or comment carries (a comment holds 65,536 in all). */
const MAX_DIFF = 40_000
const MAX_ROWS = 100

/** Foreign text kept on its lines, each line's control characters shown escaped. */
const safeLines = (text: string): string => text.split('\n').map(showName).join('\n')

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`

function where(failure: RunResult['failure'], dir: string): string {
  if (!failure) return ''
  const file = failure.file === undefined ? '' : `${dir.replace(/\/+$/, '')}/${failure.file}`
  return `${file ? `${code(failure.line === undefined ? file : `${file}:${failure.line}`)} ` : ''}${cell(failure.message)}`
}

/** A fence longer than any backtick run in the text: foreign SQL cannot close it. */
function fenced(text: string, info: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}${info}\n${safeLines(text)}${text.endsWith('\n') ? '' : '\n'}${fence}`
}

function diffBlock(title: string, diff: string): string[] {
  const lines = diff.split('\n')
  const added = lines.filter((line) => line.startsWith('+') && !line.startsWith('+++')).length
  const removed = lines.filter((line) => line.startsWith('-') && !line.startsWith('---')).length
  const shown =
    diff.length > MAX_DIFF ? `${diff.slice(0, MAX_DIFF)}\n… ${diff.length - MAX_DIFF} more characters\n` : diff
  return [
    `<details><summary>${cell(title)} (+${added} −${removed} lines)</summary>`,
    '',
    fenced(shown, 'diff'),
    '',
    '</details>',
    '',
  ]
}

/**
 * The "Apply check" section of the job summary and the PR comment: the database, the base's migrations, each new
 * migration with its time and verdict, the down/up round trip, and the schema change as a unified diff.
 */
export function renderApplySection(
  result: ApplyResult,
  context: { readonly dir: string; readonly baseName?: string },
): string {
  const out: string[] = [
    `### Apply check — ${result.ok ? '✅ passed' : '❌ failed'}`,
    '',
    '| | |',
    '|---|---|',
    `| Database | ${code(result.database)} (ready in ${seconds(result.databaseMs)}) |`,
  ]
  if (result.base) {
    const on = context.baseName === undefined ? '' : ` (${cell(context.baseName)})`
    out.push(
      `| Base migrations${on} | ${result.base.count} applied in ${seconds(result.base.ms)} ${result.base.ok ? '✅' : `❌ ${where(result.base.failure, context.dir)}`} |`,
    )
  }
  const trip = result.roundTrip
  out.push(
    `| Down/up round trip | ${
      trip.kind === 'ran'
        ? trip.ok
          ? `✅ ${cell(trip.how)} (${seconds(trip.downMs)}), then up again (${seconds(trip.upMs)}): same schema`
          : `❌ ${cell(trip.how)}: ${cell(trip.problem ?? 'failed')}${trip.failure ? ` — ${where(trip.failure, context.dir)}` : ''}`
        : `➖ ${cell(trip.why)}`
    } |`,
    `| Schema dumps | ${seconds(result.dumpMs)} |`,
    `| Total | ${seconds(result.totalMs)} |`,
    '',
  )
  if (result.timedOut) out.push(`⏱️ ${cell(result.timedOut)}`, '')
  if (result.runs.length > 0) {
    out.push(`| ${result.base ? 'New migrations' : 'Migrations'} | Time | |`, '|---|---:|---|')
    for (const run of result.runs.slice(0, MAX_ROWS)) {
      const names = run.adds.length <= 3 ? run.adds.map(code).join('<br>') : `${run.adds.length} migrations`
      out.push(
        `| ${names || '(none)'} | ${seconds(run.ms)} | ${run.ok ? '✅' : `❌ ${where(run.failure, context.dir)}`} |`,
      )
    }
    out.push('')
  }
  const otherFailures = result.failures.filter(
    (failure) =>
      !result.runs.some((run) => run.failure === failure) &&
      failure.title !== 'migration failed' &&
      failure.title !== 'base migrations failed',
  )
  for (const failure of otherFailures) out.push(`- ❌ ${cell(failure.title)}: ${where(failure, context.dir)}`)
  if (otherFailures.length > 0) out.push('')
  for (const note of result.notes) out.push(`ℹ️ ${cell(note)}`, '')
  if (result.schemaDiff !== undefined) {
    if (result.schemaDiff === '') out.push('Schema change: none.', '')
    else out.push(...diffBlock('Schema change', result.schemaDiff))
  }
  if (trip.kind === 'ran' && trip.diff) out.push(...diffBlock('Round trip: what the down left different', trip.diff))
  return out.join('\n')
}

/** The same for a terminal: one line per run, then the diff. */
export function renderApplyText(result: ApplyResult, dir: string): string {
  const line = (run: RunResult, label: string): string =>
    `  ${run.ok ? 'ok  ' : 'FAIL'} ${label} (${seconds(run.ms)})${run.failure ? `: ${run.failure.file ? `${dir}/${run.failure.file}${run.failure.line ? `:${run.failure.line}` : ''}: ` : ''}${run.failure.message}` : ''}`
  const out = [
    `apply check on ${result.database}: ${result.ok ? 'passed' : 'failed'} (${seconds(result.totalMs)}; database ready in ${seconds(result.databaseMs)}, schema dumps ${seconds(result.dumpMs)})`,
  ]
  if (result.base) out.push(line(result.base, `base: ${result.base.count} migrations`))
  for (const run of result.runs)
    out.push(line(run, run.adds.length === 1 ? run.adds[0] : `${run.adds.length} migrations`))
  const trip = result.roundTrip
  out.push(
    trip.kind === 'ran'
      ? `  ${trip.ok ? 'ok  ' : 'FAIL'} round trip: ${trip.how} (${seconds(trip.downMs)}), then up again (${seconds(trip.upMs)})${trip.problem ? `: ${trip.problem}` : ''}`
      : `  --   round trip: ${trip.why}`,
  )
  if (result.timedOut) out.push(`  ${result.timedOut}`)
  for (const failure of result.failures.filter((f) => f.title === 'never applied'))
    out.push(`  FAIL ${failure.file}: ${failure.message}`)
  if (result.schemaDiff) out.push('', 'schema change:', result.schemaDiff.trimEnd())
  if (trip.kind === 'ran' && trip.diff) out.push('', 'what the down left different:', trip.diff.trimEnd())
  return `${safeLines(out.join('\n'))}\n`
}

/** `apply-check --json`: the whole check (runs, round trip, schema diff, failures), and deploy safety as measured. */
export function applyJson(result: ApplyResult, safety: SafetyReport | undefined): object {
  return { ...result, safety: safety ? safetyJson(safety) : null }
}
