import * as core from '@actions/core'
import { formatLocated, MigrationImageError } from './core/errors.js'
import { atlasChecksumBlock, verdictLine } from './core/report.js'
import { renderSummary } from './core/summary.js'
import { validateDirectory } from './core/validate.js'
import type { Problem } from './core/problems.js'

/** The action: read inputs, validate, report (outputs, annotations, summary). The only place that fails the step. */
export async function run(): Promise<void> {
  try {
    const dir = core.getInput('dir') || 'migrations'
    const tool = core.getInput('tool') || 'atlas'
    const format = core.getInput('format') || tool
    const validation = await validateDirectory(dir, format)

    core.setOutput('checksum', validation.checksum)
    core.setOutput('count', String(validation.migrations.length))
    core.setOutput('latest-version', validation.latestVersion ?? '')
    core.setOutput('valid', String(validation.valid))
    const block = atlasChecksumBlock(validation)
    if (block) core.info(block)
    for (const problem of validation.problems) annotate(problem)
    await core.summary.addRaw(renderSummary(validation), true).write()

    if (validation.valid) core.info(verdictLine(validation))
    else core.setFailed(verdictLine(validation))
  } catch (error) {
    if (error instanceof MigrationImageError) {
      core.error(formatLocated(error.message, { fix: error.fix }), { file: error.file, startLine: error.line })
      core.setFailed(formatLocated(error.message, error))
    } else {
      core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error))
    }
  }
}

function annotate(problem: Problem): void {
  const text = formatLocated(problem.message, { fix: problem.fix })
  const where = { file: problem.file, startLine: problem.line, title: `migration-image (${problem.code})` }
  if (problem.severity === 'error') core.error(text, where)
  else if (problem.severity === 'warning') core.warning(text, where)
  else core.notice(text, where)
}
