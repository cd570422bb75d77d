import { showName } from '../core/escape.js'

/** The hidden marker that finds this action's comment again: one comment per directory and tool. */
export function commentMarker(dir: string, tool: string): string {
  return `<!-- migration-image: ${dir.replace(/-->/g, '')} ${tool} -->`
}

export interface CommentTarget {
  readonly token: string
  readonly owner: string
  readonly repo: string
  readonly issueNumber: number
  readonly marker: string
}

/** Who the job's GITHUB_TOKEN writes as. */
export const ACTIONS_BOT = 'github-actions[bot]'

/**
 * Creates or updates this action's pull-request comment, so each run edits one comment — including when the pull
 * request becomes valid again. Only a comment the token itself wrote (its author is the token's identity) and that
 * starts with the marker is updated: anyone can post the marker, and a stranger's comment is never adopted. The
 * identity is `GET /user` for a personal token; the job's GITHUB_TOKEN cannot ask (GitHub answers 403) and writes as
 * github-actions[bot]. Octokit is loaded only here, when comments are on.
 */
export async function upsertComment(target: CommentTarget, body: string): Promise<'created' | 'updated'> {
  const { getOctokit } = await import('@actions/github')
  const octokit = getOctokit(target.token)
  const { owner, repo } = target
  const text = `${target.marker}\n${body}`
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: target.issueNumber,
    per_page: 100,
  })
  const marked = comments.filter((comment) => comment.body?.startsWith(`${target.marker}\n`))
  if (marked.length > 0) {
    const me = await octokit.rest.users.getAuthenticated().then(
      ({ data }) => data.login,
      () => ACTIONS_BOT,
    )
    const own = marked.find((comment) => comment.user?.login === me)
    if (own) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: own.id, body: text })
      return 'updated'
    }
  }
  await octokit.rest.issues.createComment({ owner, repo, issue_number: target.issueNumber, body: text })
  return 'created'
}

interface HttpFailure {
  readonly status?: number
  readonly message?: string
  readonly response?: { readonly data?: unknown }
  readonly request?: { readonly url?: string }
}

/** What went wrong with the comment, in a sentence, with the fix that fits it (not always permissions). */
export function whyNoComment(error: unknown): string {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as HttpFailure
  const said = showName(gitHubMessage(failure.response?.data) ?? failure.message ?? String(error)).slice(0, 300)
  if (failure.response === undefined) {
    const host = hostOf(failure.request?.url)
    return `could not reach GitHub's API${host ? ` at ${host}` : ''} (${said})`
  }
  switch (failure.status) {
    case 401:
      return `GitHub refused the token (401 ${said}): check the github-token input`
    case 403:
      return `the token may not write comments here (403 ${said}): give the job 'permissions: pull-requests: write', or a github-token that can`
    case 404:
      return `GitHub answered 404 for this pull request's comments (${said}): the token cannot see this repository`
    case 422:
      return `GitHub refused the comment (422 ${said})`
    default:
      return `GitHub answered ${failure.status ?? 'an error'} (${said})`
  }
}

/** GitHub's own words: `message`, and the `errors` it lists (`Body is too long (maximum is 65536 characters)`). */
function gitHubMessage(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return typeof data === 'string' && data ? data : undefined
  const { message, errors } = data as { message?: unknown; errors?: unknown }
  const details = Array.isArray(errors)
    ? errors.map((item: unknown) =>
        typeof item === 'object' && item !== null && 'message' in item ? String(item.message) : String(item),
      )
    : []
  const head = typeof message === 'string' ? message : undefined
  return [head, ...details].filter(Boolean).join(': ') || undefined
}

function hostOf(url: string | undefined): string | undefined {
  try {
    return url ? new URL(url).host : undefined
  } catch {
    return undefined
  }
}
