import { tmpdir } from 'node:os'
import * as core from '@actions/core'
import { formatLocated, MigrationImageError } from './core/errors.js'
import {
  decidePush,
  defaultImageName,
  imageTags,
  listInput,
  parsePushMode,
  readRunContext,
} from './core/github-event.js'
import { parseImageName } from './core/image-ref.js'
import { getPreset } from './core/presets.js'
import type { Problem } from './core/problems.js'
import { atlasChecksumBlock, verdictLine } from './core/report.js'
import { renderImageSummary, renderSummary } from './core/summary.js'
import { validateDirectory, type ChecksumPolicy } from './core/validate.js'
import type { Log } from './publish/log.js'
import { publish } from './publish/publish.js'

import { CLEANUP_STATE } from './publish/cleanup.js'

const actionLog: Log = {
  info: (message) => core.info(message),
  notice: (message) => core.notice(message),
  warning: (message) => core.warning(message),
  output: (chunk) => process.stdout.write(chunk),
  group: (title, run) => core.group(title, run),
}

function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim().toLowerCase()
  if (value === '') return fallback
  if (value === 'true' || value === 'false') return value === 'true'
  throw new MigrationImageError(`input ${name} must be true or false, not '${value}'`)
}

function checksumInput(): ChecksumPolicy | undefined {
  const value = core.getInput('checksum').trim()
  if (value === '') return undefined
  if (value === 'required' || value === 'optional') return value
  throw new MigrationImageError(`input checksum must be required or optional, not '${value}'`)
}

/** The action: inputs → validate → (build, push) → outputs, annotations, summary. The only place that fails the step. */
export async function run(): Promise<void> {
  try {
    const dir = core.getInput('dir') || 'migrations'
    const preset = getPreset(core.getInput('tool') || 'atlas')
    const validation = await validateDirectory(dir, {
      format: core.getInput('format') || preset.format,
      checksum: checksumInput(),
      changelog: core.getInput('changelog') || undefined,
    })
    core.setOutput('checksum', validation.checksum)
    core.setOutput('count', String(validation.migrations.length))
    core.setOutput('latest-version', validation.latestVersion ?? '')
    core.setOutput('valid', String(validation.valid))
    core.setOutput('pushed', 'false')
    const block = atlasChecksumBlock(validation)
    if (block) core.info(block)
    for (const problem of validation.problems) annotate(problem)
    core.summary.addRaw(renderSummary(validation), true)

    if (!validation.valid) {
      await core.summary.write()
      core.setFailed(`${verdictLine(validation)}; nothing was built or pushed`)
      return
    }
    core.info(verdictLine(validation))
    if (!booleanInput('build', true)) {
      await core.summary.write()
      return
    }

    const ctx = readRunContext(process.env)
    const image = parseImageName(core.getInput('image') || defaultImageName(ctx))
    if (image.lowercased) core.notice(`image name lowercased to ${image.name} (registries reject uppercase)`)
    const tags = imageTags(ctx, listInput(core.getInput('tags')))
    const decision = decidePush(parsePushMode(core.getInput('push')), ctx)
    core.info(`${decision.push ? 'pushing' : 'not pushing'}: ${decision.reason}`)
    const password = core.getInput('password')
    if (password) core.setSecret(password)
    const username = core.getInput('username') || process.env.GITHUB_ACTOR || ''

    const result = await publish(
      {
        validation,
        preset,
        image,
        tags,
        push: decision.push,
        load: false,
        baseImage: core.getInput('base-image') || undefined,
        platforms: listInput(core.getInput('platforms')),
        provenance: core.getInput('provenance') || 'false',
        cache: booleanInput('cache', true),
        selfCheck: booleanInput('self-check', false),
        builder: core.getInput('builder') || undefined,
        credentials: password ? { username, password } : undefined,
        source: ctx.repository ? `${ctx.serverUrl}/${ctx.repository}` : undefined,
        revision: tags[0],
        tempDir: process.env.RUNNER_TEMP || tmpdir(),
        env: process.env,
        remember: (state) => core.saveState(CLEANUP_STATE, JSON.stringify(state)),
      },
      actionLog,
    )
    core.setOutput('image', result.image)
    core.setOutput('tags', result.references.join('\n'))
    core.setOutput('digest', result.digest ?? '')
    core.setOutput('image-ref', result.imageRef ?? '')
    core.setOutput('pushed', String(result.pushed))
    core.summary.addRaw(renderImageSummary(result, decision.reason, preset.runExample), true)
    await core.summary.write()
  } catch (error) {
    if (error instanceof MigrationImageError && error.file !== undefined) {
      // One annotation, on the file; the step fails through the exit code.
      core.error(formatLocated(error.message, { fix: error.fix }), { file: error.file, startLine: error.line })
      process.exitCode = core.ExitCode.Failure
    } else if (error instanceof MigrationImageError) {
      core.setFailed(formatLocated(error.message, error))
    } else {
      core.setFailed(error instanceof Error ? (error.stack ?? error.message) : String(error))
    }
    await core.summary.write().catch(() => undefined)
  }
}

function annotate(problem: Problem): void {
  const text = formatLocated(problem.message, { fix: problem.fix })
  const where = { file: problem.file, startLine: problem.line, title: `migration-image (${problem.code})` }
  if (problem.severity === 'error') core.error(text, where)
  else if (problem.severity === 'warning') core.warning(text, where)
  else core.notice(text, where)
}
