import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import { DEFAULT_MAX_FILE_SIZE, readTextBounded } from '../check/safe-read.js'
import { hasControlCharacter } from '../text.js'

/** The parts of the runner's environment and event payload that decide what is built, tagged and pushed. */
export interface RunContext {
  readonly eventName: string
  readonly ref: string
  readonly sha: string
  readonly repository: string
  readonly serverUrl: string
  readonly defaultBranch?: string
  /** The PR head commit on pull_request events. */
  readonly pullRequestHeadSha?: string
  /** True when the PR comes from a fork (read-only token: no push). */
  readonly fromFork: boolean
  /** The PR's base commit and branch name (pull_request events). */
  readonly pullRequestBaseSha?: string
  readonly pullRequestBaseRef?: string
  readonly pullRequestNumber?: number
}

interface Payload {
  repository?: { default_branch?: unknown; full_name?: unknown }
  pull_request?: {
    number?: unknown
    head?: { sha?: unknown; repo?: { full_name?: unknown } }
    base?: { sha?: unknown; ref?: unknown }
  }
}

// What each value the action reads from the runner may look like. Anything else is refused with one line naming
// the variable: the values end up in tags, labels, URLs, git arguments and log lines.
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/
const REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/
const EVENT_NAME = /^[a-z_]+$/
const SERVER_URL = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~/-]*)?$/
/** A git ref name as git allows it, minus what could be read as an option or break a line. */
const REF = /^(?!-)[^\s~^:?*[\\]+$/

function checked(name: string, value: string | undefined, pattern: RegExp, what: string): string | undefined {
  if (value === undefined || value === '') return undefined
  if (!pattern.test(value) || hasControlCharacter(value)) {
    throw new UsageError(`${name} is not ${what}: '${showName(value)}'`, {
      fix: `${name} is set by the runner (or the event); check what sets it in the workflow`,
    })
  }
  return value
}

/** A string field of the payload, or undefined; a field of another type is refused. */
function field(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw new UsageError(`the event payload's ${name} is not a string`)
  return value
}

/** Reads GITHUB_* variables and the event payload file the runner writes; every value is checked. */
export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  let payload: Payload = {}
  if (env.GITHUB_EVENT_PATH) {
    try {
      // Bounded and regular: GitHub caps webhook payloads at 25 MB.
      const parsed: unknown = JSON.parse(readTextBounded(env.GITHUB_EVENT_PATH, DEFAULT_MAX_FILE_SIZE))
      if (typeof parsed !== 'object' || parsed === null) throw new TypeError('not an object')
      payload = parsed
    } catch {
      throw new UsageError('the event payload (GITHUB_EVENT_PATH) cannot be read as a JSON object', {
        file: showName(env.GITHUB_EVENT_PATH),
      })
    }
  }
  const repository =
    checked('GITHUB_REPOSITORY', env.GITHUB_REPOSITORY, REPOSITORY, 'owner/name') ??
    checked(
      'repository.full_name',
      field('repository.full_name', payload.repository?.full_name),
      REPOSITORY,
      'owner/name',
    ) ??
    ''
  const pr = payload.pull_request
  const head = pr?.head
  const headRepo = checked(
    'pull_request.head.repo.full_name',
    field('pull_request.head.repo.full_name', head?.repo?.full_name),
    REPOSITORY,
    'owner/name',
  )
  const number = pr?.number
  if (
    number !== undefined &&
    number !== null &&
    (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1)
  ) {
    throw new UsageError("the event payload's pull_request.number is not a positive integer")
  }
  return {
    eventName: checked('GITHUB_EVENT_NAME', env.GITHUB_EVENT_NAME, EVENT_NAME, 'an event name') ?? '',
    ref: checked('GITHUB_REF', env.GITHUB_REF, REF, 'a git ref') ?? '',
    sha: checked('GITHUB_SHA', env.GITHUB_SHA, SHA, 'a commit sha') ?? '',
    repository,
    serverUrl:
      checked('GITHUB_SERVER_URL', env.GITHUB_SERVER_URL, SERVER_URL, 'an http(s) URL') ?? 'https://github.com',
    defaultBranch: checked(
      'repository.default_branch',
      field('repository.default_branch', payload.repository?.default_branch),
      REF,
      'a branch name',
    ),
    pullRequestHeadSha: checked(
      'pull_request.head.sha',
      field('pull_request.head.sha', head?.sha),
      SHA,
      'a commit sha',
    ),
    fromFork: headRepo !== undefined && headRepo !== repository,
    pullRequestBaseSha: checked(
      'pull_request.base.sha',
      field('pull_request.base.sha', pr?.base?.sha),
      SHA,
      'a commit sha',
    ),
    pullRequestBaseRef: checked(
      'pull_request.base.ref',
      field('pull_request.base.ref', pr?.base?.ref),
      REF,
      'a branch name',
    ),
    pullRequestNumber: number ?? undefined,
  }
}

/**
 * SOURCE_DATE_EPOCH (reproducible builds): whole seconds since 1970, as ISO 8601; undefined when unset. Anything
 * else is refused, so a malformed value is one line naming the variable, not an invalid date deep in the labels.
 */
export function sourceDateEpoch(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.SOURCE_DATE_EPOCH
  if (value === undefined || value === '') return undefined
  const seconds = /^\d{1,12}$/.test(value) ? Number(value) : NaN
  const date = new Date(seconds * 1000)
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(`SOURCE_DATE_EPOCH is not whole seconds since 1970: '${showName(value)}'`, {
      fix: 'set it to an integer such as $(git log -1 --format=%ct), or unset it',
    })
  }
  return date.toISOString()
}

/**
 * A directory the runner names (RUNNER_TEMP, GITHUB_WORKSPACE): an absolute path without control characters;
 * undefined when unset.
 */
export function runnerPath(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  if (!value.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(value)) {
    throw new UsageError(`${name} is not an absolute path: '${showName(value)}'`)
  }
  if (hasControlCharacter(value)) throw new UsageError(`${name} has a control character: '${showName(value)}'`)
  return value
}
