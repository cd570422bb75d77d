import { execFileSync, spawnSync } from 'node:child_process'
import { renameSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { callLines, fakeGitHub, type Call } from '../helpers/github-api.js'
import { pullRequestEvent, runAction, runActionAsync, runPost, type ActionRun } from '../helpers/runner.js'
import { git } from '../helpers/git.js'
import { realEnv, registryDigest } from '../helpers/real-env.js'
import { independentSum, makeDir, ROOT } from '../helpers/tmp.js'

// A real git repository with history; the action runs on a pull_request event as the runner would run it.
const env = realEnv()

function rehash(repo: string): void {
  writeFileSync(path.join(repo, 'migrations/atlas.sum'), independentSum(path.join(repo, 'migrations')))
}

/** main holds two applied migrations; `feature` branches from it. Returns the repo and the base commit. */
function repository(): { repo: string; base: string } {
  const repo = makeDir({
    'migrations/20240101000000_users.sql': 'CREATE TABLE users (id int);\n',
    'migrations/20240102000000_orders.sql': 'CREATE TABLE orders (id int);\n',
  })
  rehash(repo)
  git(repo, 'init', '-q', '-b', 'main')
  git(repo, 'add', '.')
  git(repo, 'commit', '-qm', 'base')
  git(repo, 'checkout', '-qb', 'feature')
  return { repo, base: git(repo, 'rev-parse', 'HEAD') }
}

function commit(repo: string): string {
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', 'change')
  return git(repo, 'rev-parse', 'HEAD')
}

const pullRequest = (base: string, head: string, headRepo = 'acme/api') => pullRequestEvent({ base, head, headRepo })

function runPr(repo: string, base: string, head: string, inputs: Record<string, string> = {}): ActionRun {
  return runAction({
    cwd: repo,
    inputs: { build: 'false', ...inputs },
    payload: pullRequest(base, head),
    env: {
      PATH: env.PATH,
      DOCKER_HOST: env.DOCKER_HOST,
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: 'refs/pull/7/merge',
      GITHUB_SHA: head,
      GITHUB_REPOSITORY: 'acme/api',
      HOME: makeDir(),
    },
  })
}

const errors = (run: ActionRun): string[] => run.stdout.split('\n').filter((line) => line.startsWith('::error'))

describe('pull request: base-branch rules from git history', () => {
  it('an edited applied migration fails on that file', () => {
    const { repo, base } = repository()
    writeFileSync(path.join(repo, 'migrations/20240102000000_orders.sql'), 'CREATE TABLE orders (id bigint);\n')
    rehash(repo)
    const run = runPr(repo, base, commit(repo))
    expect(run.status).toBe(1)
    expect(errors(run)).toContain(
      '::error title=migration-image (applied-changed),file=migrations/20240102000000_orders.sql,line=1::edits a migration that is already on main: databases that applied it will never run the change — restore it as it is on main and put the change in a new migration',
    )
    // one annotation and one summary row for the one problem
    expect(errors(run).filter((line) => line.includes('applied-changed'))).toHaveLength(1)
    expect(run.summary.split('edits a migration that is already on main')).toHaveLength(2)
  })

  it('a deleted applied migration fails naming it', () => {
    const { repo, base } = repository()
    rmSync(path.join(repo, 'migrations/20240101000000_users.sql'))
    rehash(repo)
    const run = runPr(repo, base, commit(repo))
    expect(run.status).toBe(1)
    expect(errors(run).join('\n')).toContain(
      'file=migrations/20240101000000_users.sql::deletes 20240101000000_users.sql, a migration that is already on main',
    )
  })

  it('a renamed applied migration fails on the new name', () => {
    const { repo, base } = repository()
    renameSync(
      path.join(repo, 'migrations/20240102000000_orders.sql'),
      path.join(repo, 'migrations/20240102000000_create_orders.sql'),
    )
    rehash(repo)
    const run = runPr(repo, base, commit(repo))
    expect(run.status).toBe(1)
    expect(errors(run).join('\n')).toContain(
      'file=migrations/20240102000000_create_orders.sql::renames 20240102000000_orders.sql, a migration that is already on main, to 20240102000000_create_orders.sql',
    )
    expect(run.stdout).not.toContain('out of order')
  })

  it("a new migration that sorts before the base's latest is out of order, naming both versions", () => {
    const { repo, base } = repository()
    writeFileSync(path.join(repo, 'migrations/20240101120000_late.sql'), 'SELECT 1;\n')
    rehash(repo)
    const head = commit(repo)
    const run = runPr(repo, base, head)
    expect(run.status).toBe(1)
    expect(errors(run).join('\n')).toContain(
      'file=migrations/20240101120000_late.sql::out of order: version 20240101120000 sorts at or before 20240102000000, the latest version on main',
    )
    expect(runPr(repo, base, head, { 'allow-out-of-order': 'true' }).status).toBe(0)
  })

  it('an atlas.sum broken only by the merge says to rebase and re-hash', () => {
    const { repo } = repository()
    writeFileSync(path.join(repo, 'migrations/20240104000000_pr.sql'), 'SELECT 4;\n')
    rehash(repo)
    const head = commit(repo)
    // main moves on; the merge commit (what pull_request checks out) takes the PR's atlas.sum
    git(repo, 'checkout', '-q', 'main')
    writeFileSync(path.join(repo, 'migrations/20240103000000_main.sql'), 'SELECT 3;\n')
    rehash(repo)
    const mainHead = commit(repo)
    git(repo, 'checkout', '-q', head)
    git(repo, 'merge', '-q', '--no-commit', '-X', 'theirs', mainHead)
    git(repo, 'checkout', head, '--', 'migrations/atlas.sum')
    const run = runPr(repo, mainHead, head)
    expect(run.status).toBe(1)
    expect(run.stdout).toContain('L4: 20240103000000_main.sql was added')
    expect(run.stdout).toContain(
      "the pull request's own atlas.sum matches its files, so the merge with main broke it: rebase onto main, re-run 'migration-image hash migrations'",
    )
  })

  it('a clean pull request passes, builds, marks its new migration, and pushes nothing', async () => {
    const { repo, base } = repository()
    writeFileSync(path.join(repo, 'migrations/20240103000000_new.sql'), 'CREATE TABLE new_table (id int);\n')
    rehash(repo)
    const head = commit(repo)
    const run = runPr(repo, base, head, {
      build: 'true',
      image: `${env.MI_REGISTRY}/acme/pr-clean`,
      'base-image': env.MI_BASE_BUSYBOX,
      username: env.MI_REGISTRY_USER,
      password: env.MI_REGISTRY_PASSWORD,
    })
    runPost(run, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, repo)
    expect(run.status, run.stdout).toBe(0)
    expect(run.outputs).toMatchObject({ pushed: 'false', image: `${env.MI_REGISTRY}/acme/pr-clean:${head}` })
    expect(run.summary).toContain(
      `[<code>20240103000000&#95;new.sql</code>](https://github.com/acme/api/blob/${head}/migrations/20240103000000_new.sql) 🆕`,
    )
    expect(run.summary).toContain('Checks (compared with main):')
    expect(run.summary).toContain('- ✅ applied migrations unchanged\n- ✅ new migrations in order\n')
    expect(await registryDigest(env, 'acme/pr-clean', head)).toBeUndefined()
  })

  it('a shallow checkout fetches the base commit it lacks', () => {
    const { repo: origin, base } = repository()
    writeFileSync(path.join(origin, 'migrations/20240103000000_new.sql'), 'SELECT 3;\n')
    rehash(origin)
    const head = commit(origin)
    const clone = makeDir()
    execFileSync('git', ['clone', '-q', '--depth=1', '--branch', 'feature', `file://${origin}`, clone], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    expect(() => git(clone, 'cat-file', '-e', `${base}^{commit}`)).toThrow()
    const run = runPr(clone, base, head)
    expect(run.status, run.stdout).toBe(0)
    expect(run.stdout).toContain(`fetching ${base}`)
  })
})

describe('pull-request comment (GitHub REST API stands in as a local server: it cannot run here)', () => {
  async function withGitHub(test: (url: string, calls: Call[]) => Promise<void>): Promise<void> {
    const github = await fakeGitHub()
    try {
      await test(github.url, github.calls)
    } finally {
      await github.close()
    }
  }

  const runWithComment = (repo: string, base: string, head: string, api: string, headRepo = 'acme/api') =>
    runActionAsync({
      cwd: repo,
      inputs: { build: 'false', comment: 'true', 'github-token': 'test-token' },
      payload: pullRequest(base, head, headRepo),
      env: {
        PATH: env.PATH,
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_SHA: head,
        GITHUB_REPOSITORY: 'acme/api',
        GITHUB_API_URL: api,
        HOME: makeDir(),
      },
    })

  it('creates one comment, then updates it when the pull request becomes valid', async () => {
    await withGitHub(async (api, calls) => {
      const { repo, base } = repository()
      writeFileSync(path.join(repo, 'migrations/20240101120000_late.sql'), 'SELECT 1;\n')
      rehash(repo)
      const bad = await runWithComment(repo, base, commit(repo), api)
      expect(bad.status).toBe(1)
      renameSync(
        path.join(repo, 'migrations/20240101120000_late.sql'),
        path.join(repo, 'migrations/20240105000000_late.sql'),
      )
      rehash(repo)
      const good = await runWithComment(repo, base, commit(repo), api)
      expect(good.status, good.stdout).toBe(0)
      // the second run finds its comment by the marker and checks that the token wrote it before editing it
      expect(callLines(calls)).toEqual([
        'GET /repos/acme/api/issues/7/comments',
        'POST /repos/acme/api/issues/7/comments',
        'GET /repos/acme/api/issues/7/comments',
        'GET /user',
        'PATCH /repos/acme/api/issues/comments/101',
      ])
      expect(calls[1].body?.body).toContain('<!-- migration-image: migrations atlas -->')
      expect(calls[1].body?.body).toContain('out of order')
      expect(calls[4].body?.body).toContain('✅ valid')
    })
  })

  it('makes no call for a pull request from a fork', async () => {
    await withGitHub(async (api, calls) => {
      const { repo, base } = repository()
      writeFileSync(path.join(repo, 'migrations/20240105000000_new.sql'), 'SELECT 1;\n')
      rehash(repo)
      const run = await runWithComment(repo, base, commit(repo), api, 'someone/api')
      expect(run.status).toBe(0)
      expect(run.stdout).toContain('pull request from a fork')
      expect(calls).toEqual([])
    })
  })
})

describe('cli validate --base', () => {
  it('applies the base-branch rules from git history', () => {
    const { repo } = repository()
    writeFileSync(path.join(repo, 'migrations/20240101000000_users.sql'), 'CREATE TABLE users (id bigint);\n')
    rehash(repo)
    commit(repo)
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'validate', 'migrations', ...args], {
        cwd: repo,
        encoding: 'utf8',
      })
    expect(cli().status).toBe(0)
    const ran = cli('--base', 'main')
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain(
      'error: migrations/20240101000000_users.sql:1: edits a migration that is already on main',
    )
  })
})
