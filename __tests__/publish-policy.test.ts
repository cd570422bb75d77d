import { describe, expect, it } from 'vitest'
import type { RunContext } from '../src/core/github/event.js'
import { decidePush, defaultImageName, imageTags } from '../src/core/github/publish-policy.js'

const sha = 'a'.repeat(40)
const head = 'b'.repeat(40)
const base: RunContext = {
  eventName: 'push',
  ref: 'refs/heads/main',
  sha,
  repository: 'Acme/API',
  serverUrl: 'https://github.com',
  defaultBranch: 'main',
  fromFork: false,
}

describe('push decision and tags', () => {
  it('push to the default branch: push, sha + latest', () => {
    expect(decidePush('auto', base).push).toBe(true)
    expect(imageTags(base, [])).toEqual([sha, 'latest'])
  })
  it('push to another branch: build only, sha tag', () => {
    const ctx = { ...base, ref: 'refs/heads/feature' }
    expect(decidePush('auto', ctx).push).toBe(false)
    expect(imageTags(ctx, [])).toEqual([sha])
  })
  it('v* tag push: push, sha + version', () => {
    const ctx = { ...base, ref: 'refs/tags/v1.4.0' }
    expect(decidePush('auto', ctx).push).toBe(true)
    expect(imageTags(ctx, ['stable'])).toEqual([sha, '1.4.0', 'stable'])
  })
  it('pull request: build only, tagged with the PR head sha (not the merge commit)', () => {
    const ctx = { ...base, eventName: 'pull_request', ref: 'refs/pull/7/merge', pullRequestHeadSha: head }
    expect(decidePush('auto', ctx)).toMatchObject({ push: false })
    expect(imageTags(ctx, [])).toEqual([head])
  })
  it('push: true forces a push, except from a fork; push: false never pushes', () => {
    const pr = { ...base, eventName: 'pull_request', pullRequestHeadSha: head }
    expect(decidePush('true', pr).push).toBe(true)
    expect(decidePush('true', { ...pr, fromFork: true }).push).toBe(false)
    expect(decidePush('false', base).push).toBe(false)
  })
  it('default image: ghcr.io/<owner>/<repo>-migrations, lowercased', () => {
    expect(defaultImageName(base)).toBe('ghcr.io/acme/api-migrations')
  })
  it('bad extra tags are refused', () => {
    expect(() => imageTags(base, ['a:b'])).toThrow(/not a valid image tag/)
  })
})
