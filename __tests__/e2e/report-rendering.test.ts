import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { COMMENT_LIMIT, fakeGitHub, type FakeGitHub } from '../helpers/github-api.js'
import { git } from '../helpers/git.js'
import { realEnv } from '../helpers/real-env.js'
import { CHROMIUM, hasChromium, Renderer, type Rendered } from '../helpers/render.js'
import { pullRequestEvent, runActionAsync, runPost, type ActionRun } from '../helpers/runner.js'
import { independentSum, makeDir } from '../helpers/tmp.js'

// What a reviewer sees: the job summary and the pull-request comment of three runs (a pass, a failure, a pull
// request on a 300-migration directory), rendered as GitHub renders markdown (marked with GFM, github-markdown-css,
// GitHub's tag allow-list) in Debian's Chromium, headless, and read back from the page. The action runs from dist/ as
// the runner runs it, on a real git history, the pass building with the real engine and registry; GitHub's REST
// API (the comment) is a local stand-in: it cannot run here. MI_REPORT_SHOTS names a directory for the PNGs (the
// screenshots in docs/ come from it); by default they go to the run's temporary directory.

const env = realEnv()
const SHOTS = process.env.MI_REPORT_SHOTS ?? makeDir()
mkdirSync(SHOTS, { recursive: true })

let renderer: Renderer
let github: FakeGitHub
beforeAll(async () => {
  if (!hasChromium()) throw new Error(`no Chromium at ${CHROMIUM}: scripts/test-env.sh up installs Debian's chromium`)
  renderer = await Renderer.start()
  github = await fakeGitHub()
})
afterAll(async () => {
  await renderer?.close()
  await github?.close()
})

function commitAll(repo: string, message: string): string {
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', message)
  return git(repo, 'rev-parse', 'HEAD')
}

/** main with `base` committed, then a feature branch with `change` applied; the sums re-hashed on both. */
function pullRequestRepo(
  tool: string,
  base: Record<string, string>,
  change: Record<string, string>,
): { repo: string; baseSha: string; headSha: string } {
  const repo = makeDir(Object.fromEntries(Object.entries(base).map(([name, text]) => [`migrations/${name}`, text])))
  const rehash = (): void =>
    writeFileSync(path.join(repo, 'migrations/atlas.sum'), independentSum(path.join(repo, 'migrations'), tool))
  rehash()
  git(repo, 'init', '-q', '-b', 'main')
  const baseSha = commitAll(repo, 'base')
  git(repo, 'checkout', '-qb', 'feature')
  for (const [name, text] of Object.entries(change)) writeFileSync(path.join(repo, 'migrations', name), text)
  rehash()
  return { repo, baseSha, headSha: commitAll(repo, 'change') }
}

let number = 10
async function runPullRequest(
  setup: { repo: string; baseSha: string; headSha: string },
  inputs: Record<string, string>,
): Promise<{ run: ActionRun; comment: string | undefined }> {
  const pr = number++
  const run = await runActionAsync({
    cwd: setup.repo,
    inputs: { comment: 'true', 'github-token': 'test-token', ...inputs },
    payload: pullRequestEvent({ base: setup.baseSha, head: setup.headSha, number: pr }),
    env: {
      PATH: env.PATH,
      DOCKER_HOST: env.DOCKER_HOST,
      HOME: makeDir(),
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_REF: `refs/pull/${pr}/merge`,
      GITHUB_SHA: setup.headSha,
      GITHUB_REPOSITORY: 'acme/api',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: github.url,
      GITHUB_RUN_ID: '4242',
    },
  })
  const posted = github.calls.filter(({ method, url }) => method === 'POST' && url.includes(`/issues/${pr}/comments`))
  return { run, comment: posted.at(-1)?.body?.body }
}

/** Both reports rendered and screenshotted as NAME-summary.png and NAME-comment.png. */
async function look(name: string, run: ActionRun, comment: string | undefined): Promise<[Rendered, Rendered]> {
  expect(comment, run.stdout).toBeDefined()
  return [
    await renderer.render(run.summary, path.join(SHOTS, `${name}-summary.png`)),
    await renderer.render(comment!, path.join(SHOTS, `${name}-comment.png`)),
  ]
}

/** Nothing on the page is markdown or HTML that failed to render, nor an invisible character. */
function plainOnPage(page: Rendered): void {
  expect(page.fullText).not.toMatch(/\\[_*`|[\]#!~]|&(?:lt|gt|amp|#\d+);|\u200b|<\/?(?:code|br|details)>|^\|/m)
}

describe('reports as GitHub shows them', () => {
  it('a passing pull request: the verdict, the image it built, the new migration, a command to copy', async () => {
    const setup = pullRequestRepo(
      'atlas',
      {
        '20240101000000_users.sql': 'CREATE TABLE users (id int);\n',
        '20240102000000_orders.sql': 'CREATE TABLE orders (id int);\n',
      },
      { '20240103000000_add_email.sql': 'ALTER TABLE users ADD COLUMN email text;\n' },
    )
    const { run, comment } = await runPullRequest(setup, {
      image: `${env.MI_REGISTRY}/acme/render-pass`,
      'base-image': env.MI_BASE_BUSYBOX,
      username: env.MI_REGISTRY_USER,
      password: env.MI_REGISTRY_PASSWORD,
    })
    runPost(run, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, setup.repo)
    const pages = await look('pass', run, comment)
    expect(run.status, run.stdout).toBe(0)
    for (const page of pages) {
      plainOnPage(page)
      // The new ALTER takes ACCESS EXCLUSIVE with no lock_timeout: valid, with deploy safety's warning on the page.
      expect(page.text).toMatch(/^Migrations: migrations \(atlas\) — ✅ valid · ⚠️ 1 deploy-safety warning$/m)
      expect(page.text).toMatch(/^Deploy safety \(PostgreSQL 17\)$/m)
      expect(page.text).toContain('ALTER TABLE users ADD COLUMN email text')
      expect(page.text).toContain('🔒 ACCESS EXCLUSIVE: blocks every read and write of the table')
      // The fix's SQL reads as it pastes (a code span: no escape shows, the quotes are plain).
      expect(page.text).toContain("start the migration with SET LOCAL lock_timeout = '5s' (it holds")
      const rows = page.tables.flat().map((row) => row.join(' | '))
      expect(rows).toContain('20240103000000 | 20240103000000_add_email.sql 🆕 | 41 B')
      // the name is a link to the file at the pull request's head
      expect(page.links).toContain(
        `https://github.com/acme/api/blob/${setup.headSha}/migrations/20240103000000_add_email.sql`,
      )
      expect(page.text).toMatch(/^Image — 🔨 built, not pushed$/m)
      // a pull request pushes nothing: the command builds the image locally, as it is, with no hidden character
      expect(page.text).toContain(
        `migration-image build migrations --image ${env.MI_REGISTRY}/acme/render-pass:${setup.headSha}`,
      )
    }
  })

  it('a failing pull request: the verdict, each problem on its row with its fix, links to the files', async () => {
    const setup = pullRequestRepo(
      'atlas',
      {
        '20240101000000_users.sql': 'CREATE TABLE users (id int);\n',
        '20240102000000_orders.sql': 'CREATE TABLE orders (id int);\n',
      },
      {
        '20240102000000_orders.sql': 'CREATE TABLE orders (id bigint);\n',
        '20240101120000_add_<version>_*notes*.sql': 'SELECT 1;\n',
      },
    )
    const { run, comment } = await runPullRequest(setup, { build: 'false' })
    const pages = await look('failure', run, comment)
    expect(run.status).toBe(1)
    for (const page of pages) {
      plainOnPage(page)
      expect(page.text).toMatch(/^Migrations: migrations \(atlas\) — ❌ 2 errors$/m)
      expect(page.text).toContain('migrations/20240101120000_add_<version>_*notes*.sql')
      expect(page.text).toContain('edits a migration that is already on main')
      expect(page.links).toContain(
        `https://github.com/acme/api/blob/${setup.headSha}/migrations/20240102000000_orders.sql#L1`,
      )
    }
  })

  it('a pull request on 300 migrations: the new one shown, the rest folded, the comment within GitHub’s limit', async () => {
    const base: Record<string, string> = {}
    for (let i = 1; i < 300; i++) {
      const version = String(i).padStart(6, '0')
      base[`${version}_create_table_number_${version}.up.sql`] = `CREATE TABLE t${i} (id int);\n`
      base[`${version}_create_table_number_${version}.down.sql`] = `DROP TABLE t${i};\n`
    }
    const setup = pullRequestRepo('golang-migrate', base, {
      '000300_add_orders_index.up.sql': 'CREATE INDEX orders_idx ON t1 (id);\n',
      '000300_add_orders_index.down.sql': 'DROP INDEX orders_idx;\n',
    })
    const { run, comment } = await runPullRequest(setup, { build: 'false', tool: 'golang-migrate' })
    const pages = await look('300', run, comment)
    expect(run.status, run.stdout).toBe(0)
    expect(comment!.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    for (const page of pages) {
      plainOnPage(page)
      expect(page.text).toMatch(/^Migrations: migrations \(golang-migrate\) — ✅ valid · ⚠️ 2 deploy-safety warnings$/m)
      expect(page.text).toContain('CREATE INDEX orders_idx ON t1 (id)')
      // the new migration is on the page as it opens; the 299 others are one click away
      expect(page.text).toContain('000300_add_orders_index.up.sql 🆕')
      expect(page.text).not.toContain('000150_create_table_number_000150.up.sql')
      expect(page.fullText).toContain('000150_create_table_number_000150.up.sql')
      // the down files are said once, with a count
      expect(page.text.match(/not covered by atlas\.sum/g)).toHaveLength(1)
      expect(page.text).toContain('300 files shipped in the image are not covered by atlas.sum')
    }
  })
})
