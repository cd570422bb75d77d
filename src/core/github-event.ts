import { readFileSync } from 'node:fs'
import { UsageError } from './errors.js'
import { assertTag } from './image-ref.js'

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
  repository?: { default_branch?: string; full_name?: string }
  pull_request?: {
    number?: number
    head?: { sha?: string; repo?: { full_name?: string } }
    base?: { sha?: string; ref?: string }
  }
}

/** Reads GITHUB_* variables and the event payload file the runner writes. */
export function readRunContext(env: NodeJS.ProcessEnv): RunContext {
  let payload: Payload = {}
  if (env.GITHUB_EVENT_PATH) {
    try {
      payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8')) as Payload
    } catch {
      throw new UsageError('the event payload cannot be read', { file: env.GITHUB_EVENT_PATH })
    }
  }
  const repository = env.GITHUB_REPOSITORY ?? payload.repository?.full_name ?? ''
  const head = payload.pull_request?.head
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    sha: env.GITHUB_SHA ?? '',
    repository,
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    defaultBranch: payload.repository?.default_branch,
    pullRequestHeadSha: head?.sha,
    fromFork: head?.repo?.full_name !== undefined && head.repo.full_name !== repository,
    pullRequestBaseSha: payload.pull_request?.base?.sha,
    pullRequestBaseRef: payload.pull_request?.base?.ref,
    pullRequestNumber: payload.pull_request?.number,
  }
}

export type PushMode = 'auto' | 'true' | 'false'

export function parsePushMode(value: string): PushMode {
  const mode = value.trim().toLowerCase() || 'auto'
  if (mode !== 'auto' && mode !== 'true' && mode !== 'false') {
    throw new UsageError(`push '${value}' is not auto, true or false`)
  }
  return mode
}

const isDefaultBranchPush = (ctx: RunContext): boolean =>
  ctx.eventName === 'push' && ctx.defaultBranch !== undefined && ctx.ref === `refs/heads/${ctx.defaultBranch}`
const isTagPush = (ctx: RunContext): boolean => ctx.eventName === 'push' && ctx.ref.startsWith('refs/tags/')

export interface PushDecision {
  readonly push: boolean
  readonly reason: string
}

/** auto: push on pushes to the default branch and tag pushes; build only on pull requests and anything else. */
export function decidePush(mode: PushMode, ctx: RunContext): PushDecision {
  if (mode === 'false') return { push: false, reason: 'push: false' }
  if (ctx.fromFork) return { push: false, reason: 'pull request from a fork (read-only token): built, not pushed' }
  if (mode === 'true') return { push: true, reason: 'push: true' }
  if (isDefaultBranchPush(ctx)) return { push: true, reason: `push to the default branch (${ctx.defaultBranch})` }
  if (isTagPush(ctx)) return { push: true, reason: `tag push (${ctx.ref.slice('refs/tags/'.length)})` }
  const what = ctx.eventName ? `${ctx.eventName} event` : 'no GitHub event'
  return { push: false, reason: `${what}: built, not pushed (push: auto pushes on the default branch and tags)` }
}

/** The commit the image is made from: the PR head on pull requests (GITHUB_SHA is a merge commit there). */
export function imageSha(ctx: RunContext): string {
  return ctx.pullRequestHeadSha ?? ctx.sha
}

/** `ghcr.io/<owner>/<repo>-migrations`, lowercased. */
export function defaultImageName(ctx: RunContext): string {
  if (!ctx.repository) {
    throw new UsageError('no image name: GITHUB_REPOSITORY is not set', { fix: 'set the image input (CLI: --image)' })
  }
  return `ghcr.io/${ctx.repository.toLowerCase()}-migrations`
}

/** The sha tag first, then `latest` on the default branch, the version on a `v*` tag push, then extra tags. */
export function imageTags(ctx: RunContext, extra: readonly string[]): string[] {
  const tags: string[] = []
  const sha = imageSha(ctx)
  if (sha) tags.push(assertTag(sha))
  if (isDefaultBranchPush(ctx)) tags.push('latest')
  const tagName = isTagPush(ctx) ? ctx.ref.slice('refs/tags/'.length) : ''
  if (/^v\d/.test(tagName)) tags.push(assertTag(tagName.slice(1)))
  for (const tag of extra) tags.push(assertTag(tag))
  if (tags.length === 0)
    throw new UsageError('no tag to build: no commit sha is known', { fix: 'give tags (CLI: --tag)' })
  return [...new Set(tags)]
}

/** Splits a list input on commas and newlines. */
export function listInput(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean)
}
