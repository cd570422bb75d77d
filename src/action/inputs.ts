import { realpathSync } from 'node:fs'
import path from 'node:path'
import * as core from '@actions/core'
import { errnoCode, UsageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import { readRunContext, runnerPath, sourceDateEpoch, type RunContext } from '../core/github/event.js'
import { decidePush, defaultImageName, imageSha, imageTags } from '../core/github/publish-policy.js'
import { checkedBaseImage, parseImageName } from '../core/image/image-ref.js'
import { getPreset } from '../core/image/presets.js'
import { ACTION_NAMES } from '../core/option-names.js'
import { optionLabel, readOption, type OptionValue } from '../core/option-values.js'
import { OPTIONS, type OptionKey, type OptionSpec } from '../core/options.js'
import { applyRequest } from '../core/apply/request.js'
import { safetySettings } from '../core/safety/settings.js'
import type { ApplyRequest, Request } from '../core/request.js'
import { hasControlCharacter } from '../core/text.js'

/** The action's run: the request, and what only the action reports (the event, the PR comment). */
export interface ActionRun {
  readonly request: Request
  readonly context: RunContext
  /** comment: true with a token: the pull request comment to upsert. */
  readonly comment?: { readonly token: string }
  /** Image names the action lowercased (a notice). */
  readonly lowercased?: string
}

/** One input, read from the runner and checked by the kind the option table declares (option-values.ts). */
function input<K extends OptionKey>(key: K): OptionValue<K> | undefined {
  const spec: OptionSpec = OPTIONS[key]
  return readOption(key, core.getInput(spec.input ?? key), optionLabel(key, 'action'))
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
  const dir = workspaceDir(input('dir') ?? OPTIONS.dir.default)
  const preset = getPreset(input('tool') ?? OPTIONS.tool.default)
  const check = {
    dir,
    tool: preset.tool,
    format: input('format') ?? preset.format,
    checksum: input('checksum'),
    changelog: input('changelog'),
    maxFileSize: input('maxFileSize'),
    safety: safetySettings(
      {
        mode: input('safety'),
        postgresVersion: input('postgresVersion'),
        database: input('database'),
        databaseUrl: input('databaseUrl'),
      },
      { postgresVersion: 'input postgres-version', safety: 'the safety input' },
    ),
  }
  const baseInput = input('base')
  const baseRef = baseInput ?? context.pullRequestBaseSha
  const base = baseRef
    ? {
        ref: baseRef,
        name: baseInput ?? context.pullRequestBaseRef ?? baseRef.slice(0, 12),
        headRef: context.pullRequestHeadSha,
        allowOutOfOrder: input('allowOutOfOrder') ?? false,
        missingFix: baseInput
          ? 'check out with history (actions/checkout with fetch-depth: 0), or give base-ref a branch or commit of this repository'
          : 'check out with history (actions/checkout with fetch-depth: 0); the base commit may also have been force-pushed away',
      }
    : undefined
  const comment = input('comment') ? { token: input('githubToken') ?? '' } : undefined
  const apply = applyInputs(context)
  if (!(input('build') ?? true)) {
    if (apply) throw new UsageError('apply-check runs the built image: it needs build: true')
    return { request: { command: 'validate', check, base, names: ACTION_NAMES }, context, comment }
  }

  const image = parseImageName(input('image') ?? defaultImageName(context), 'input image')
  const push = decidePush(input('push') ?? OPTIONS.push.default, context)
  const password = input('password')
  if (password) core.setSecret(password)
  const username = input('username') ?? env.GITHUB_ACTOR ?? ''
  if (hasControlCharacter(username)) throw new UsageError('GITHUB_ACTOR has a control character')
  const sha = imageSha(context)
  return {
    request: {
      command: 'build',
      check,
      base,
      names: ACTION_NAMES,
      apply,
      image: {
        name: image,
        tags: imageTags(context, input('tags') ?? []),
        revision: sha || undefined,
        created: sourceDateEpoch(env),
        source: context.repository ? `${context.serverUrl}/${context.repository}` : undefined,
        push: push.push,
        pushReason: push.reason,
        // The apply check runs the image from the engine's store: a build that is not pushed is loaded there.
        load: apply !== undefined && !push.push,
        baseImage: checkedBaseImage(input('baseImage'), 'input base-image', getPreset(check.tool).baseImage),
        platforms: input('platforms') ?? [],
        provenance: input('provenance') ?? OPTIONS.provenance.default,
        cache: input('cache') ?? OPTIONS.cache.default,
        engine: input('engine') ?? OPTIONS.engine.default,
        builder: input('builder'),
        selfCheck: input('selfCheck') ?? false,
        credentials: password ? { username, password } : undefined,
      },
    },
    context,
    comment,
    lowercased: image.lowercased ? image.name : undefined,
  }
}

/**
 * apply-check: true, with its database and limit. On pull_request_target the workflow holds secrets and a write
 * token while the pull request's SQL runs: refused unless the user names the event (apply-check: pull_request_target).
 */
function applyInputs(context: RunContext): ApplyRequest | undefined {
  const mode = input('applyCheck') ?? 'false'
  if (mode === 'false') return undefined
  if (context.eventName === 'pull_request_target' && mode !== 'pull_request_target') {
    throw new UsageError(
      "apply-check: true does not run on pull_request_target: the pull request's SQL would run in a workflow that holds this repository's secrets",
      {
        fix: 'run the check on pull_request (no secrets), or set apply-check: pull_request_target to opt in knowing that',
      },
    )
  }
  const databaseUrl = input('databaseUrl')
  if (databaseUrl) {
    // The URL's password is a secret of the user's: masked in the log, and never reaches a container's argv by us.
    const password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/i.exec(databaseUrl)?.[1]
    if (password) core.setSecret(decodeURIComponent(password))
    core.setSecret(databaseUrl)
  }
  return applyRequest(
    { database: input('database'), databaseUrl, timeout: input('applyTimeout') },
    { database: 'input database', databaseUrl: 'input database-url', timeout: 'input apply-timeout' },
  )
}
