import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FakeDocker, noBuildx } from './helpers/fake-docker.js'
import { callLines, COMMENT_LIMIT, fakeGitHub } from './helpers/github-api.js'
import { git } from './helpers/git.js'
import { pullRequestEvent, runAction, runActionAsync } from './helpers/runner.js'
import { independentSum, independentTotal, makeDir, runCli } from './helpers/tmp.js'

// What the reports say, through dist/: the action as the runner runs it (docker is a recording stand-in on PATH, no
// engine; GitHub's REST API for the comment is a local stand-in, GitHub's own service cannot run here) and the CLI as
// a user runs it. issue 17's items, each asserted on the exact text or structure.

const SHA = 'c'.repeat(40)
const DIGEST = `sha256:${'d'.repeat(64)}`

function repoWith(files: Record<string, string> = { '1_a.sql': 'SELECT 1;\n', '2_b.sql': 'SELECT 2;\n' }): string {
  const repo = makeDir(Object.fromEntries(Object.entries(files).map(([name, text]) => [`migrations/${name}`, text])))
  writeFileSync(path.join(repo, 'migrations/atlas.sum'), independentSum(path.join(repo, 'migrations')))
  return repo
}

const docker = (answers: ConstructorParameters<typeof FakeDocker>[1]): FakeDocker =>
  new FakeDocker(mkdtempSync(path.join(tmpdir(), 'mi-reports-')), answers)

const pushEnv = (fake: FakeDocker) => ({
  PATH: fake.path(),
  GITHUB_SHA: SHA,
  GITHUB_REPOSITORY: 'acme/api',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
})

describe('1. a failure after the validation ends the report', () => {
  it('a failed build: ❌ in the heading and its own section with the error; the step fails', () => {
    const fake = docker([
      noBuildx,
      { match: '^build', code: 1, stdout: 'ERROR: failed to solve: base image not found\n' },
    ])
    const ran = runAction({ inputs: { image: 'ghcr.io/acme/api', push: 'true' }, env: pushEnv(fake), cwd: repoWith() })
    expect(ran.status).toBe(1)
    expect(ran.summary).toMatch(/^### Migrations: migrations \(atlas\) — ✅ valid · ❌ image build or push failed$/m)
    expect(ran.summary).toContain(
      '### Image — ❌ image build or push failed\n\n```\ndocker build failed: ERROR: failed to solve: base image not found\n```\n\nFix: see the docker output above\n',
    )
    expect(ran.summary).not.toContain('📦 pushed')
    expect(ran.outputs.pushed).toBe('false')
  })
})

describe('2 and 14. commands to copy; the log says what was pushed, after the verdict', () => {
  it('a push: Run it in a fenced block with the digest reference, no zero-width space; pushed <ref> (<digest>) in the log', () => {
    const fake = docker([noBuildx, { match: '^push', stdout: `${SHA}: digest: ${DIGEST} size: 1\n` }])
    const ran = runAction({ inputs: { image: 'ghcr.io/acme/api', push: 'true' }, env: pushEnv(fake), cwd: repoWith() })
    expect(ran.status, ran.stdout).toBe(0)
    expect(ran.summary).toContain(
      `Run it:\n\n\`\`\`\ndocker run --rm ghcr.io/acme/api@${DIGEST} migrate apply --dir file:///migrations --url "$DATABASE_URL"\n\`\`\`\n`,
    )
    expect(ran.summary).not.toContain('\u200b')
    const lines = ran.stdout.split('\n')
    const verdict = lines.findIndex((line) => line.startsWith('migrations: 2 migrations valid, checksum h1:'))
    const group = lines.findIndex((line) => line.startsWith('::group::docker'))
    expect(verdict).toBeGreaterThan(-1)
    expect(verdict).toBeLessThan(group)
    expect(lines).toContain(`pushed ghcr.io/acme/api:${SHA} (${DIGEST})`)
  })

  it('nothing pushed: how to build it locally instead of a reference that does not exist', () => {
    const fake = docker([noBuildx])
    const ran = runAction({
      inputs: { image: 'ghcr.io/acme/api', push: 'false', tool: 'golang-migrate', dir: 'db' },
      env: pushEnv(fake),
      cwd: (() => {
        const repo = makeDir({ 'db/1_a.up.sql': 'SELECT 1;\n' })
        return repo
      })(),
    })
    expect(ran.status, ran.stdout).toBe(0)
    expect(ran.summary).toContain(
      `Nothing was pushed, so there is no image to pull. To build it on your machine and run it:\n\n\`\`\`\nmigration-image build db --tool golang-migrate --image ghcr.io/acme/api:${SHA}\ndocker run --rm ghcr.io/acme/api:${SHA} -database "$DATABASE_URL" up\n\`\`\`\n`,
    )
  })
})

describe('15. the summary: lists, no empty header rows, one image row, durations', () => {
  it('facts and checks as lists, ➖ explained; Image without a Tags row when they are the same; no Files', () => {
    const fake = docker([noBuildx, { match: '^push', stdout: `${SHA}: digest: ${DIGEST} size: 1\n` }])
    const ran = runAction({ inputs: { image: 'ghcr.io/acme/api', push: 'true' }, env: pushEnv(fake), cwd: repoWith() })
    expect(ran.summary).not.toContain('| | |')
    expect(ran.summary).toContain('**2 migrations** · latest version <code>2</code> · atlas.sum <code>h1:')
    expect(ran.summary).toContain(
      "Checks:\n\n- ✅ atlas.sum matches the files\n- ✅ names and versions\n- ✅ the tool's own rules\n- ✅ plain files (no symlinks, binaries or special files)\n- ➖ applied migrations unchanged\n- ➖ new migrations in order\n\n➖ not run: these compare with a base branch (pull requests, or the base-ref input).\n",
    )
    expect(ran.summary).toContain(`- Image: <code>ghcr.io/acme/api:${SHA}</code>\n- Digest: <code>${DIGEST}</code>\n`)
    expect(ran.summary).not.toMatch(/Tags|Files/)
    expect(ran.summary).toMatch(/^⏱️ validate \d+\.\ds · image \d+\.\ds$/m)
  })
})

describe('3 and 5. the pull-request comment', () => {
  function pullRequest(): { repo: string; base: string; head: string } {
    const repo = repoWith()
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'base')
    const base = git(repo, 'rev-parse', 'HEAD')
    writeFileSync(path.join(repo, 'migrations/3_c.sql'), 'SELECT 3;\n')
    writeFileSync(path.join(repo, 'migrations/atlas.sum'), independentSum(path.join(repo, 'migrations')))
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'change')
    return { repo, base, head: git(repo, 'rev-parse', 'HEAD') }
  }
  const run = (pr: ReturnType<typeof pullRequest>, api: string) =>
    runActionAsync({
      cwd: pr.repo,
      inputs: { build: 'false', comment: 'true', 'github-token': 'test-token' },
      payload: pullRequestEvent(pr),
      env: { PATH: process.env.PATH, GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: pr.head, GITHUB_API_URL: api },
    })

  it("a stranger's comment holding the marker is left alone: the action posts its own", async () => {
    const github = await fakeGitHub()
    try {
      github.comments.push({
        id: 55,
        issue: 7,
        body: '<!-- migration-image: migrations atlas -->\nall good, trust me',
        user: { login: 'mallory', type: 'User' },
      })
      const ran = await run(pullRequest(), github.url)
      expect(ran.status, ran.stdout).toBe(0)
      expect(callLines(github.calls)).toEqual([
        'GET /repos/acme/api/issues/7/comments',
        'GET /user',
        'POST /repos/acme/api/issues/7/comments',
      ])
      expect(github.comments.find(({ id }) => id === 55)?.body).toBe(
        '<!-- migration-image: migrations atlas -->\nall good, trust me',
      )
      expect(ran.stdout).toContain('pull request comment created')
    } finally {
      await github.close()
    }
  })

  it('each failure says what happened: a token without the permission, a refused body, no connection', async () => {
    const pr = pullRequest()
    const forbidden = await fakeGitHub({ writeStatus: 403 })
    const refused = await fakeGitHub({ writeStatus: 422 })
    try {
      const denied = await run(pr, forbidden.url)
      expect(denied.status).toBe(0)
      expect(denied.stdout).toContain(
        "::warning::no pull request comment: the token may not write comments here (403 Resource not accessible by integration): give the job 'permissions: pull-requests: write', or a github-token that can (the job summary has the report)",
      )
      const tooLong = await run(pr, refused.url)
      expect(tooLong.stdout).toContain(
        '::warning::no pull request comment: GitHub refused the comment (422 Resource not accessible by integration) (the job summary has the report)',
      )
      expect(tooLong.stdout).not.toContain('permissions')
    } finally {
      await forbidden.close()
      await refused.close()
    }
    const closed = await fakeGitHub()
    const url = closed.url
    await closed.close()
    const offline = await run(pr, url)
    expect(offline.stdout).toMatch(
      new RegExp(
        `::warning::no pull request comment: could not reach GitHub's API at ${new URL(url).host.replace(/\./g, '\\.')} \\(.+\\) \\(the job summary has the report\\)`,
      ),
    )
    expect(offline.stdout).not.toContain('permissions')
  })

  it('4. a comment stays within 65,536 characters on 2,000 migrations, the new one in view', async () => {
    const files: Record<string, string> = {}
    for (let i = 1; i <= 2000; i++)
      files[`${String(i).padStart(4, '0')}_a_rather_long_migration_name_that_takes_room_${i}.sql`] = `SELECT ${i};\n`
    const repo = repoWith(files)
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'base')
    const base = git(repo, 'rev-parse', 'HEAD')
    writeFileSync(path.join(repo, 'migrations/2001_new.sql'), 'SELECT 2001;\n')
    writeFileSync(path.join(repo, 'migrations/atlas.sum'), independentSum(path.join(repo, 'migrations')))
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'change')
    const github = await fakeGitHub()
    try {
      const ran = await run({ repo, base, head: git(repo, 'rev-parse', 'HEAD') }, github.url)
      expect(ran.status, ran.stdout).toBe(0)
      const body = github.comments[0].body
      expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT)
      expect(body).toContain(
        'New in this pull request:\n\n| Version | Name | Size |\n|---|---|---:|\n| 2001 | [<code>2001&#95;new.sql</code>](',
      )
      expect(body).toMatch(
        /\[<code>2001&#95;new\.sql<\/code>\]\(https:\/\/github\.com\/acme\/api\/blob\/[0-9a-f]{40}\/migrations\/2001_new\.sql\) 🆕 \| 13 B \|/,
      )
      expect(body).toMatch(/\| … \| \d+ more migrations: 'migration-image validate DIR --json' lists them all \| \|/)
      // the step summary (1 MiB) has room for them all
      expect(ran.summary).toContain('<code>1000&#95;a&#95;rather')
      expect(ran.summary).not.toContain('more migrations')
    } finally {
      await github.close()
    }
  })
})

describe('6. advice never contradicts and never tells the user to do the harmful thing', () => {
  it('hash on CRLF files writes nothing and says to fix the line endings first', () => {
    const dir = makeDir({ '1_a.sql': 'SELECT 1;\r\n' })
    const ran = runCli(['hash', dir])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toBe(
      `error: ${dir}/1_a.sql: has CRLF line endings: an atlas.sum hashed over them fails on every checkout with LF endings (Linux runners, Atlas on CI); nothing was written — fix the line endings first (add '*.sql text eol=lf' to .gitattributes, run 'git add --renormalize .' and check out again), then run hash\n`,
    )
    expect(() => readFileSync(path.join(dir, 'atlas.sum'))).toThrow()
  })

  it('validate on a CRLF checkout: the atlas.sum error says line endings first, not re-hash', () => {
    const dir = makeDir({ '1_a.sql': 'SELECT 1;\n' })
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    writeFileSync(path.join(dir, '1_a.sql'), 'SELECT 1;\r\n')
    const ran = runCli(['validate', dir])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain(
      '\tL2: 1_a.sql was edited\n\nfix the line endings first (see the warning on 1_a.sql): if a checkout converted them, re-hashing now writes an atlas.sum that fails on every LF checkout; re-hash only if it still fails after that\n',
    )
    expect(ran.stderr).not.toContain("run 'atlas migrate hash'")
    expect(ran.stderr).not.toContain("run 'migration-image hash")
  })

  it('an edited migration that is on the base: restore it, the atlas.sum error says so too', () => {
    const repo = repoWith()
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'base')
    writeFileSync(path.join(repo, 'migrations/2_b.sql'), 'SELECT 2;\nSELECT 22;\n')
    const ran = runCli(['validate', 'migrations', '--base', 'main'], {}, repo)
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain(
      'error: migrations/2_b.sql:2: edits a migration that is already on main: databases that applied it will never run the change — restore it as it is on main and put the change in a new migration',
    )
    expect(ran.stderr).toContain(
      '\tL3: 2_b.sql was edited\n\nrestore migrations/2_b.sql as it is on main first (an applied migration is never edited: put the change in a new migration), then re-hash for the new migrations only\n',
    )
    expect(ran.stderr).not.toContain("run 'migration-image hash")
  })
})

describe('9. files atlas.sum does not cover: said once, with a count', () => {
  it('120 golang-migrate down files: one line in the CLI, one note and a folded list in the summary', () => {
    const files: Record<string, string> = {}
    for (let i = 1; i <= 120; i++) {
      files[`${i}_t.up.sql`] = `CREATE TABLE t${i} (id int);\n`
      files[`${i}_t.down.sql`] = `DROP TABLE t${i};\n`
    }
    const repo = makeDir(Object.fromEntries(Object.entries(files).map(([name, text]) => [`migrations/${name}`, text])))
    writeFileSync(
      path.join(repo, 'migrations/atlas.sum'),
      independentSum(path.join(repo, 'migrations'), 'golang-migrate'),
    )
    const ran = runCli(['validate', 'migrations', '--tool', 'golang-migrate'], {}, repo)
    expect(ran.status).toBe(0)
    expect(ran.stdout.split('\n').filter((line) => line.includes('not covered by atlas.sum'))).toEqual([
      `note: not covered by atlas.sum: 120 files, 100_t.down.sql and 119 more (Atlas's golang-migrate format hashes only .up.sql files, not down migrations); they are shipped in the image ('validate --json' lists them under "uncovered")`,
    ])
    const action = runAction({ inputs: { tool: 'golang-migrate', build: 'false' }, cwd: repo })
    expect(action.summary.match(/not covered by atlas\.sum/g)).toHaveLength(1)
    expect(action.summary).toContain('<details><summary>The 120 files</summary>')
  })
})

describe('10. annotations on the line the message names', () => {
  it('a conflicted atlas.sum: the conflict marker on line 1', () => {
    const dir = makeDir({ '1_a.sql': 'SELECT 1;\n', '2_b.sql': 'SELECT 2;\n' })
    const sum = independentSum(dir).split('\n')
    writeFileSync(
      path.join(dir, 'atlas.sum'),
      ['<<<<<<< HEAD', sum[0], sum[1], '=======', 'h1:other=', sum[1], '>>>>>>> main', sum[2], ''].join('\n'),
    )
    const ran = runCli(['validate', dir])
    expect(ran.stderr).toContain(
      `error: ${dir}/atlas.sum:1: checksum file format invalid: it holds a git conflict marker`,
    )
  })
})

describe('11. a base commit that cannot be had', () => {
  it('CLI: --base main~5 and an unknown branch say so in CLI terms, without git jargon', () => {
    const repo = repoWith()
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'base')
    const relative = runCli(['validate', 'migrations', '--base', 'main~5'], {}, repo)
    expect(relative.status).toBe(1)
    expect(relative.stderr).toBe(
      "error: cannot find commit main~5 to compare with in this checkout — fetch it first ('git fetch origin main~5', or 'git fetch --unshallow' for a relative ref like main~5), or give --base a branch or commit that is in this checkout\n",
    )
    const unknown = runCli(['validate', 'migrations', '--base', 'nope'], {}, repo)
    expect(unknown.stderr).toMatch(
      /^fetching nope \(not in this checkout\)\nerror: cannot find commit nope to compare with: it is not in this checkout, and fetching it from origin failed \(git: fatal: 'origin' does not appear to be a git repository\) — fetch it first/,
    )
    expect(unknown.stderr).not.toMatch(/actions\/checkout|base-ref|invalid refspec/)
  })

  it('action: the job summary says why nothing was checked, instead of being empty', () => {
    const repo = repoWith()
    git(repo, 'init', '-q', '-b', 'main')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'base')
    const ran = runAction({ inputs: { build: 'false', 'base-ref': 'gone' }, cwd: repo })
    expect(ran.status).toBe(1)
    expect(ran.summary).toMatch(
      /^### Migrations: migrations — ❌ not checked\n\n```\ncannot find commit gone to compare with: it is not in this checkout, and fetching it from origin failed \(git: .+\)\n```\n\nFix: check out with history \(actions\/checkout with fetch-depth: 0\), or give base-ref a branch or commit of this repository\n\nNothing was built or pushed\.\n/,
    )
  })
})

describe('16. the CLI', () => {
  it('hash that finds errors writes atlas.sum, says why, and exits 1; one entry is "1 entry"', () => {
    const dir = makeDir({ '1_a.sql': 'SELECT 1;\n', '01_b.sql': '-- +goose Up\nSELECT 1;\n' })
    const ran = runCli(['hash', dir, '--tool', 'goose'])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain('error: ')
    expect(ran.stderr).toContain(
      'atlas.sum was written (it hashes the files as they are), but the directory still has 2 errors: fix them, run hash again, then validate\n',
    )
    const one = makeDir({ '1_a.sql': 'SELECT 1;\n' })
    const single = runCli(['hash', one])
    expect(single.status).toBe(0)
    expect(single.stdout).toBe(`wrote ${one}/atlas.sum (1 entry, ${independentTotal(one)})\n`)
  })

  it('validate --json on a missing directory answers in JSON', () => {
    const ran = runCli(['validate', '/nonexistent/mig', '--json'])
    expect(ran.status).toBe(1)
    expect(JSON.parse(ran.stdout)).toEqual({
      dir: '/nonexistent/mig',
      valid: false,
      error: {
        message: 'does not exist',
        file: '/nonexistent/mig',
        fix: 'check DIR (relative to the current directory)',
      },
    })
  })

  it('an invalid directory says "nothing was built" only for build', () => {
    const dir = makeDir({ '1_a.sql': 'SELECT 1;\n', 'atlas.sum': 'h1:wrong=\n' })
    expect(runCli(['dockerfile', dir]).stderr).not.toContain('nothing was built')
    expect(runCli(['build', dir, '--image', 'acme/api:v1'], { PATH: docker([noBuildx]).path() }).stderr).toContain(
      'nothing was built\n',
    )
  })

  it('--cache --no-cache, and --self-check with a tool that has none, are usage errors', () => {
    const both = runCli(['build', 'migrations', '--image', 'acme/api:v1', '--cache', '--no-cache'])
    expect(both.status).toBe(2)
    expect(both.stderr.split('\n')[0]).toBe('error: --cache and --no-cache say opposite things: give one')
    const none = runCli([
      'dockerfile',
      'examples/golang-migrate/migrations',
      '--tool',
      'golang-migrate',
      '--self-check',
    ])
    expect(none.status).toBe(2)
    expect(none.stderr.split('\n')[0]).toBe(
      'error: --self-check: golang-migrate has no offline self-check (it needs a database) — drop --self-check; the tools with one are atlas and goose',
    )
  })

  it("the latest refusal suggests the tool's own pinned base; an uppercase image name is lowercased with a note", () => {
    const latest = runCli(['dockerfile', 'examples/atlas/migrations', '--base-image', 'postgres:latest'])
    expect(latest.status).toBe(2)
    expect(latest.stderr.split('\n')[0]).toBe(
      "error: --base-image 'postgres:latest' uses 'latest', which changes under you — use a versioned tag, ideally pinned by digest, like the tool's default: arigaio/atlas:1.2.3",
    )
    const upper = runCli(['dockerfile', 'examples/atlas/migrations', '--image', 'acme/API'])
    expect(upper.status).toBe(0)
    expect(upper.stderr).toBe('notice: image name lowercased to acme/api (registries reject uppercase)\n')
  })
})

describe('16. no docker login on a run that pushes nothing, unless the base image is pulled from that registry', () => {
  const run = (baseImage?: string, image = 'ghcr.io/acme/api') => {
    const fake = docker([noBuildx])
    const ran = runAction({
      inputs: {
        image,
        push: 'false',
        username: 'bot',
        password: 'p4ss-word',
        ...(baseImage ? { 'base-image': baseImage } : {}),
      },
      env: { ...pushEnv(fake), GITHUB_EVENT_NAME: 'pull_request' },
      cwd: repoWith(),
    })
    return { ran, commands: fake.calls().map(({ argv }) => argv[0]) }
  }

  it("the tool's base from Docker Hub: no login, and the log says why", () => {
    const { ran, commands } = run()
    expect(ran.status, ran.stdout).toBe(0)
    expect(commands).toContain('build')
    expect(commands).not.toContain('login')
    expect(ran.stdout).toContain(
      'no docker login to ghcr.io: nothing is pushed, and the base image comes from docker.io',
    )
  })

  it("Docker Hub's legacy host and a private Docker Hub base are one registry: the login is there", () => {
    const { ran, commands } = run('acme/private-base:1', 'index.docker.io/acme/api')
    expect(ran.status, ran.stdout).toBe(0)
    expect(commands).toContain('login')
  })

  it('a base image in the same registry: the login is there for the pull', () => {
    const { ran, commands } = run('ghcr.io/acme/base:1')
    expect(ran.status, ran.stdout).toBe(0)
    expect(commands).toContain('login')
    expect(ran.stdout).not.toContain('no docker login')
  })
})
