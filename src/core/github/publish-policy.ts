import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import { assertTag } from '../image/image-ref.js'
import { OPTION } from '../option-names.js'
import type { PUSH_MODES } from '../options.js'
import type { RunContext } from './event.js'

/**
 * What the action publishes, decided from the run's event: whether it pushes (push: auto), which tags the image
 * gets (the commit sha, latest, a release version) and the default image name. The CLI decides neither: its flags
 * say it.
 */

export type PushMode = (typeof PUSH_MODES)[number]

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
    throw new UsageError('no image name: GITHUB_REPOSITORY is not set', { fix: `set ${OPTION.image}` })
  }
  return `ghcr.io/${ctx.repository.toLowerCase()}-migrations`
}

/** The sha tag first, then `latest` on the default branch, the version on a `v*` tag push, then extra tags. */
export function imageTags(ctx: RunContext, extra: readonly string[]): string[] {
  const tags: string[] = []
  const sha = imageSha(ctx)
  if (sha) tags.push(assertTag(sha, 'the commit sha'))
  if (isDefaultBranchPush(ctx)) tags.push('latest')
  const tagName = isTagPush(ctx) ? ctx.ref.slice('refs/tags/'.length) : ''
  if (/^v\d/.test(tagName)) tags.push(assertTag(tagName.slice(1), `the release tag ${showName(tagName)}`))
  for (const tag of extra) tags.push(assertTag(tag, 'input tags'))
  if (tags.length === 0) throw new UsageError('no tag to build: no commit sha is known', { fix: `give ${OPTION.tags}` })
  return [...new Set(tags)]
}
