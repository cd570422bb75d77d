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

/**
 * Creates or updates this action's pull-request comment (found by its marker), so each run edits one comment —
 * including when the pull request becomes valid again. Octokit is loaded only here, when comments are on.
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
  const existing = comments.find((comment) => comment.body?.includes(target.marker))
  if (existing) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text })
    return 'updated'
  }
  await octokit.rest.issues.createComment({ owner, repo, issue_number: target.issueNumber, body: text })
  return 'created'
}
