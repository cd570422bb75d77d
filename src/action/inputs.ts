import { realpathSync } from 'node:fs'
import path from 'node:path'
import * as core from '@actions/core'
import { parseSize } from '../core/check/safe-read.js'
import type { ChecksumPolicy } from '../core/check/validate.js'
import { errnoCode, UsageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import {
  decidePush,
  defaultImageName,
  imageSha,
  imageTags,
  parsePushMode,
  readRunContext,
  runnerPath,
  sourceDateEpoch,
  type RunContext,
} from '../core/github/event.js'
import { parseImageName } from '../core/image/image-ref.js'
import { getPreset } from '../core/image/presets.js'
import { ACTION_NAMES } from '../core/option-names.js'
import type { Request } from '../core/request.js'
import { hasControlCharacter, splitList } from '../core/text.js'
import { assertBuilderName } from '../io/builder.js'
import { assertRef, commitAt } from '../io/git-base.js'

/** The action's run: the request, and what only the action reports (the event, the PR comment). */
export interface ActionRun {
  readonly request: Request
  readonly context: RunContext
  /** comment: true with a token: the pull request comment to upsert. */
  readonly comment?: { readonly token: string }
  /** Image names the action lowercased (a notice). */
  readonly lowercased?: string
}

/** `input NAME must be true or false, not 'yes'`, like @actions/core's getBooleanInput, with a default. */
function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name).trim().toLowerCase()
  if (value === '') return fallback
  if (value === 'true' || value === 'false') return value === 'true'
  throw new UsageError(`input ${name} must be true or false, not '${showName(value)}'`)
}

/** One of a few words, or undefined when empty. */
function choiceInput<T extends string>(name: string, choices: readonly T[]): T | undefined {
  const value = core.getInput(name).trim().toLowerCase()
  if (value === '') return undefined
  if ((choices as readonly string[]).includes(value)) return value as T
  throw new UsageError(`input ${name} must be ${choices.join(' or ')}, not '${showName(value)}'`)
}

/** A text input with no control characters (it reaches a log line, a label or an argv). */
function textInput(name: string): string | undefined {
  const value = core.getInput(name)
  if (value === '') return undefined
  if (hasControlCharacter(value)) throw new UsageError(`input ${name} has a control character: '${showName(value)}'`)
  return value
}

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

/** Every input and the event, read once, checked, into one request. Nothing else calls getInput. */
export function readActionInputs(env: NodeJS.ProcessEnv = process.env): ActionRun {
  const context = readRunContext(env)
  const dir = workspaceDir(textInput('dir') ?? 'migrations')
  const preset = getPreset(textInput('tool') ?? 'atlas')
  const maxFileSize = textInput('max-file-size')
  const check = {
    dir,
    tool: preset.tool,
    format: textInput('format') ?? preset.format,
    checksum: choiceInput<ChecksumPolicy>('checksum', ['required', 'optional']),
    changelog: textInput('changelog'),
    maxFileSize: maxFileSize === undefined ? undefined : parseSize(maxFileSize, 'input max-file-size'),
  }
  const baseInput = textInput('base-ref')
  const baseRef = baseInput ? assertRef(baseInput, 'input base-ref') : context.pullRequestBaseSha
  const base = baseRef
    ? {
        ref: baseRef,
        name: baseInput ?? context.pullRequestBaseRef ?? baseRef.slice(0, 12),
        headRef: context.pullRequestHeadSha,
        allowOutOfOrder: booleanInput('allow-out-of-order', false),
      }
    : undefined
  const comment = booleanInput('comment', false) ? { token: core.getInput('github-token') } : undefined
  if (!booleanInput('build', true)) {
    return { request: { command: 'validate', check, base, names: ACTION_NAMES }, context, comment }
  }

  const image = parseImageName(textInput('image') ?? defaultImageName(context), 'input image')
  const push = decidePush(parsePushMode(core.getInput('push')), context)
  const password = core.getInput('password')
  if (password) core.setSecret(password)
  const username = textInput('username') ?? env.GITHUB_ACTOR ?? ''
  if (hasControlCharacter(username)) throw new UsageError('GITHUB_ACTOR has a control character')
  const sha = imageSha(context)
  const builder = textInput('builder')
  return {
    request: {
      command: 'build',
      check,
      base,
      names: ACTION_NAMES,
      image: {
        name: image,
        tags: imageTags(context, splitList(core.getInput('tags'))),
        revision: sha || undefined,
        created: sourceDateEpoch(env) ?? (sha ? commitAt(dir, sha)?.time : undefined),
        source: context.repository ? `${context.serverUrl}/${context.repository}` : undefined,
        push: push.push,
        pushReason: push.reason,
        load: false,
        baseImage: textInput('base-image'),
        platforms: splitList(core.getInput('platforms')),
        provenance: choiceInput('provenance', ['false', 'true', 'mode=min', 'mode=max']) ?? 'false',
        cache: choiceInput('cache', ['auto', 'true', 'false'] as const) ?? 'auto',
        builder: builder === undefined ? undefined : assertBuilderName(builder),
        selfCheck: booleanInput('self-check', false),
        credentials: password ? { username, password } : undefined,
      },
    },
    context,
    comment,
    lowercased: image.lowercased ? image.name : undefined,
  }
}
