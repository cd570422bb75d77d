import { execFileSync } from 'node:child_process'

/** A committer for the tests' repositories (git refuses to commit without one). */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
}

/** git in `repo`, its output trimmed; git's own chatter on stderr stays out of the test log. */
export function git(repo: string, ...args: string[]): string {
  return gitWith({}, repo, ...args)
}

/** git with more environment (fixed commit dates, say). */
export function gitWith(env: NodeJS.ProcessEnv, repo: string, ...args: string[]): string {
  return execFileSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...GIT_IDENTITY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim()
}
