import { randomBytes } from 'node:crypto'
import { realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import { errnoCode, formatLocated, MigrationImageError, UsageError } from './core/errors.js'
import { fenceCommands, mayHoldCommand, showName } from './core/escape.js'
import {
  decidePush,
  defaultImageName,
  imageTags,
  listInput,
  parsePushMode,
  readRunContext,
  runnerPath,
  type RunContext,
} from './core/github/event.js'
import { parseImageName } from './core/image/image-ref.js'
import { getPreset, type Preset } from './core/image/presets.js'
import type { Problem } from './core/check/problems.js'
import { atlasChecksumBlock, verdictLine } from './core/report/text.js'
import { renderImageSummary, renderSummary, type SummaryContext } from './core/report/summary.js'
import {
  validateDirectory,
  withProblems,
  type ChecksumPolicy,
  type ValidateOptions,
  type Validation,
} from './core/check/validate.js'
import { CLEANUP_STATE } from './io/cleanup.js'
import { parseSize } from './core/check/safe-read.js'
import { hasControlCharacter } from './core/text.js'
import { assertRef, checkAgainstBase } from './io/git-base.js'
import type { Log } from './io/log.js'
import { commentMarker, upsertComment } from './io/pr-comment.js'
import { publish, PushError } from './io/publish.js'

/** A fresh, unguessable token for one `::stop-commands::` fence. */
const fenceToken = (): string => randomBytes(16).toString('hex')

/**
 * Text that may hold foreign parts (names, refs, git or docker output) for the log. The runner reads a line that
 * starts with `::` as a command; such text is fenced so it is printed, never run. (core.warning/error/notice escape
 * their message themselves: it stays on one line.)
 */
function info(text: string): void {
  if (mayHoldCommand(text)) process.stdout.write(fenceCommands(text, fenceToken()))
  else core.info(text)
}

let lastOutput = '\n'
const actionLog: Log = {
  info,
  notice: (message) => core.notice(message),
  warning: (message) => core.warning(message),
  output: (chunk) => {
    if (chunk.length === 0) return
    process.stdout.write(chunk)
    lastOutput = chunk
  },
  // Docker's output streams inside the group: the whole group is one fenced block.
  group: (title, run) =>
    core.group(title, async () => {
      const token = fenceToken()
      process.stdout.write(`::stop-commands::${token}\n`)
      lastOutput = '\n'
      try {
        return await run()
      } finally {
        process.stdout.write(`${lastOutput.endsWith('\n') ? '' : '\n'}::${token}::\n`)
      }
    }),
}

/** The action's temporary directory: RUNNER_TEMP (checked), or the system's outside a runner. */
const runnerTemp = (): string => runnerPath(process.env, 'RUNNER_TEMP') ?? tmpdir()

/**
 * The dir input must resolve (links followed) inside the workspace: a link or `../` pointing elsewhere on the
 * runner would validate, stage and push files that are not the repository's. A missing dir is left for the
 * validation to report.
 */
function workspaceDir(dir: string): string {
  const workspace = runnerPath(process.env, 'GITHUB_WORKSPACE') ?? process.cwd()
  let real: string
  let root: string
  try {
    root = realpathSync(workspace)
    real = realpathSync(path.resolve(dir))
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return dir
    throw new UsageError(`input dir '${showName(dir)}' cannot be resolved (${errnoCode(error) ?? 'error'})`, {
      fix: 'point dir at a readable folder of the repository',
    })
  }
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new UsageError(`input dir '${showName(dir)}' resolves to ${showName(real)}, outside the workspace`, {
      fix: 'point dir at a folder of the repository (a link out of GITHUB_WORKSPACE is refused)',
    })
  }
  return dir
}

/** A size input (max-file-size): bytes, or with KB, MB, GB. */
function sizeInput(name: string): number | undefined {
  const value = core.getInput(name)
  return value ? parseSize(value, `input ${name}`) : undefined
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

/** Base-branch rules on pull requests (or with base-ref): applied migrations unchanged, new ones in order. */
async function baseChecks(validation: Validation, ctx: RunContext, options: ValidateOptions): Promise<SummaryContext> {
  const input = core.getInput('base-ref')
  const baseRef = input ? assertRef(input, 'input base-ref') : ctx.pullRequestBaseSha
  if (!baseRef) return {}
  const baseName = core.getInput('base-ref') || ctx.pullRequestBaseRef || baseRef.slice(0, 12)
  const result = await checkAgainstBase({
    head: validation,
    options,
    baseRef,
    baseName,
    headRef: ctx.pullRequestHeadSha,
    allowOutOfOrder: booleanInput('allow-out-of-order', false),
    tempDir: runnerTemp(),
    log: actionLog,
  })
  return { baseProblems: result.problems, added: result.added, baseName }
}

/** The PR comment (comment: true): one per directory and tool, updated on every run; never fails the step. */
async function comment(ctx: RunContext, dir: string, preset: Preset, body: string): Promise<void> {
  if (!booleanInput('comment', false) || ctx.pullRequestNumber === undefined) return
  if (ctx.fromFork) {
    core.notice('pull request from a fork: its token is read-only, so no comment (the job summary has the report)')
    return
  }
  const [owner, repo] = ctx.repository.split('/')
  try {
    const done = await upsertComment(
      {
        token: core.getInput('github-token'),
        owner,
        repo,
        issueNumber: ctx.pullRequestNumber,
        marker: commentMarker(dir, preset.tool),
      },
      body,
    )
    info(`pull request comment ${done}`)
  } catch (error) {
    core.notice(
      `could not comment on the pull request (${error instanceof Error ? error.message : String(error)}); give the job 'permissions: pull-requests: write' to get the comment`,
    )
  }
}

/** The action: inputs → validate (+ base-branch rules) → build, push → outputs, annotations, summary, comment. */
export async function run(): Promise<void> {
  try {
    const dir = workspaceDir(core.getInput('dir') || 'migrations')
    const preset = getPreset(core.getInput('tool') || 'atlas')
    const options = {
      format: core.getInput('format') || preset.format,
      checksum: checksumInput(),
      changelog: core.getInput('changelog') || undefined,
      maxFileSize: sizeInput('max-file-size'),
    }
    const ctx = readRunContext(process.env)
    const validation = await validateDirectory(dir, options)
    const base = await baseChecks(validation, ctx, options)
    const checked = withProblems(validation, base.baseProblems ?? [])

    core.setOutput('checksum', validation.checksum)
    core.setOutput('count', String(validation.migrations.length))
    core.setOutput('latest-version', validation.latestVersion ?? '')
    core.setOutput('valid', String(checked.valid))
    core.setOutput('pushed', 'false')
    // Atlas's block quotes a name from atlas.sum: foreign text, always fenced.
    const block = atlasChecksumBlock(validation)
    if (block) process.stdout.write(fenceCommands(block, fenceToken()))
    for (const problem of checked.problems) annotate(problem)
    const summary = renderSummary(validation, base)
    core.summary.addRaw(summary, true)

    if (!checked.valid) {
      await core.summary.write()
      await comment(ctx, dir, preset, summary)
      core.setFailed(`${verdictLine(checked)}; nothing was built or pushed`)
      return
    }
    info(verdictLine(validation))
    if (!booleanInput('build', true)) {
      await core.summary.write()
      await comment(ctx, dir, preset, summary)
      return
    }

    const image = parseImageName(core.getInput('image') || defaultImageName(ctx))
    if (image.lowercased) core.notice(`image name lowercased to ${image.name} (registries reject uppercase)`)
    const tags = imageTags(ctx, listInput(core.getInput('tags')))
    const decision = decidePush(parsePushMode(core.getInput('push')), ctx)
    info(`${decision.push ? 'pushing' : 'not pushing'}: ${decision.reason}`)
    const password = core.getInput('password')
    if (password) core.setSecret(password)
    const username = core.getInput('username') || process.env.GITHUB_ACTOR || ''
    if (hasControlCharacter(username)) {
      throw new UsageError('input username (or GITHUB_ACTOR) has a control character', {
        fix: 'check the username input',
      })
    }

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
        tempDir: runnerTemp(),
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
    const imageSummary = renderImageSummary(result, decision.reason, preset.runExample)
    core.summary.addRaw(imageSummary, true)
    await core.summary.write()
    await comment(ctx, dir, preset, `${summary}\n${imageSummary}`)
  } catch (error) {
    if (error instanceof PushError) {
      // Some tags reached the registry: the outputs say which, even though the step fails.
      core.setOutput('tags', error.pushed.join('\n'))
      core.setOutput('pushed', String(error.pushed.length > 0))
    }
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
