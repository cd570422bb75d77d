import { execFileSync, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ACTION_NODE, runAction, type ActionRun } from '../helpers/runner.js'
import { independentSum, independentTotal, makeDir, ROOT, runCli, type Ran } from '../helpers/tmp.js'
import { FakeDocker, foreignCommands, noBuildx, runnerCommands } from '../helpers/fake-docker.js'

// Each class of the threat list: the bundled dist/ driven as the runner (or a user) drives it, a recording docker
// stand-in where docker is involved, canaries outside the run's own directories.

const PASSWORD = 'pw-CANARY-7f3a9c'
const SHA = 'c'.repeat(40)

/** A repository with a valid atlas migrations directory, plus canary files outside it. */
function workspace(files: Record<string, string> = { '1_a.sql': 'A', '2_b.sql': 'B' }): {
  repo: string
  dir: string
  canary: string
} {
  const repo = makeDir()
  const dir = path.join(repo, 'migrations')
  mkdirSync(dir)
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
  writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
  const canary = makeDir({ 'keep.txt': 'canary', 'secret.sql': 'SELECT 1;' })
  return { repo, dir, canary }
}

function canaryIntact(canary: string): void {
  expect(readFileSync(path.join(canary, 'keep.txt'), 'utf8')).toBe('canary')
  expect(readFileSync(path.join(canary, 'secret.sql'), 'utf8')).toBe('SELECT 1;')
}

/** The step's error lines (annotations and the failure), one line each. */
const errorLines = (ran: Ran): string[] => runnerCommands(ran.stdout).filter((line) => line.startsWith('::error'))

function noForeignCommands(ran: Ran): void {
  expect(foreignCommands(ran.stdout)).toEqual([])
  expect(foreignCommands(ran.stderr)).toEqual([])
  // A forged command is one that starts with the foreign text; our own may quote it, escaped, after their '::'.
  const forged = /^::(?:save-state|set-output|set-env|add-path)|^::(?:error|warning|notice)[^:]*::FORGED/
  expect(runnerCommands(ran.stdout + ran.stderr).filter((line) => forged.test(line))).toEqual([])
}

const runPost = (env: NodeJS.ProcessEnv, cwd: string): Ran => {
  const ran = spawnSync(ACTION_NODE, [path.join(ROOT, 'dist/post.js')], {
    cwd,
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
  })
  return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr }
}

describe('untrusted text never becomes a workflow command', () => {
  it('a file name and an atlas.sum entry carrying commands: refused by name, fenced, no command runs', () => {
    const { repo, dir } = workspace()
    writeFileSync(path.join(dir, '3_x\n::save-state name=cleanup::{"dockerConfig":".."}\n::error::FORGED.sql'), 'C')
    // atlas.sum names a file that is not there: Atlas's block quotes the name.
    const sum = readFileSync(path.join(dir, 'atlas.sum'), 'utf8')
    writeFileSync(path.join(dir, 'atlas.sum'), `${sum}::error::FORGED\u000b::warning::FORGED h1:AAAA\n`)
    const ran = runAction({ inputs: { build: 'false' }, cwd: repo })
    expect(ran.status).toBe(1)
    noForeignCommands(ran)
    expect(ran.state).toEqual({})
    const refused = errorLines(ran).find((line) => line.includes('(bad-name)'))
    expect(refused).toContain('control character')
    expect(refused).toContain('3_x\\n%3A%3Asave-state') // the name, escaped, in the annotation's file property
    expect(ran.summary).not.toMatch(/\n::/)
  })

  it('docker output carrying commands is fenced (action)', () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp, [
      noBuildx,
      { match: '^build', stdout: '::error::FORGED\n::save-state name=cleanup::{}\n' },
    ])
    const ran = runAction({
      inputs: { push: 'false', tags: 'v1' },
      env: { PATH: docker.path(), GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/api' },
      cwd: repo,
    })
    expect(ran.status).toBe(0)
    expect(ran.stdout).toContain('::error::FORGED') // printed as docker printed it …
    noForeignCommands(ran) // … inside a fence
    expect(ran.state).toEqual({})
  })
})

describe('the post step acts only on what its run created', () => {
  it('forged state (a path outside RUNNER_TEMP, .., a link, an option as builder) is ignored with warnings', () => {
    const { repo, canary } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp)
    symlinkSync(canary, path.join(temp, 'migration-image-docker-AbC123'))
    for (const dockerConfig of [
      canary,
      path.join(temp, '..', path.basename(canary)),
      path.join(temp, 'migration-image-docker-AbC123'),
    ]) {
      const state = JSON.stringify({ dockerConfig, registry: 'ghcr.io', builder: '--all-inactive' })
      const ran = runPost({ RUNNER_TEMP: temp, STATE_cleanup: state, PATH: docker.path() }, repo)
      expect(ran.status).toBe(0)
      expect(ran.stdout).toMatch(/::warning::cleanup: ignored docker config/)
      expect(ran.stdout).toMatch(/::warning::cleanup: ignored builder '--all-inactive'/)
      expect(ran.stdout).toMatch(/::warning::cleanup: ignored registry ghcr.io: no private docker config/)
      noForeignCommands(ran)
    }
    expect(docker.calls()).toEqual([]) // no logout against the user's config, no `buildx rm --all-inactive`
    canaryIntact(canary)
    expect(existsSync(path.join(temp, 'migration-image-docker-AbC123'))).toBe(true)
  })

  it('not JSON, or not an object: a warning, nothing done', () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp)
    for (const state of ['{not json', '"/"', '["/"]']) {
      const ran = runPost({ RUNNER_TEMP: temp, STATE_cleanup: state, PATH: docker.path() }, temp)
      expect(ran.status).toBe(0)
      expect(ran.stdout).toContain('::warning::cleanup: ignored the saved cleanup state is not an object')
    }
    expect(docker.calls()).toEqual([])
  })

  it('its own state: logout inside the private config, its builder removed, the config deleted', () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp)
    const config = path.join(temp, 'migration-image-docker-Xy12Z9')
    mkdirSync(config)
    const state = JSON.stringify({ dockerConfig: config, registry: 'ghcr.io', builder: 'migration-image-123-abc' })
    const ran = runPost({ RUNNER_TEMP: temp, STATE_cleanup: state, PATH: docker.path() }, temp)
    expect(ran.status).toBe(0)
    expect(docker.calls().map(({ argv, env }) => [argv.join(' '), env.DOCKER_CONFIG])).toEqual([
      ['buildx rm migration-image-123-abc', config],
      ['logout ghcr.io', config],
    ])
    expect(existsSync(config)).toBe(false)
  })
})

describe('no option injection', () => {
  it("base-ref starting with '-' is refused before git runs (action)", () => {
    const { repo, canary } = workspace()
    execFileSync('git', ['init', '-q', repo])
    const marker = path.join(canary, 'pwned')
    const ran = runAction({ inputs: { build: 'false', 'base-ref': `--upload-pack=touch ${marker}` }, cwd: repo })
    expect(ran.status).toBe(1)
    expect(errorLines(ran)).toEqual([
      expect.stringMatching(/^::error::input base-ref '--upload-pack=touch .*' is not a branch/),
    ])
    expect(existsSync(marker)).toBe(false)
  })

  it("--base starting with '-' is a usage error (CLI)", () => {
    const { repo, dir, canary } = workspace()
    const marker = path.join(canary, 'pwned')
    const ran = runCli(['validate', dir, `--base=--upload-pack=touch ${marker}`], {}, repo)
    expect(ran.status).toBe(2)
    expect(ran.stderr.split('\n')[0]).toMatch(/^error: --base '--upload-pack=touch .*' is not a branch, tag or commit/)
    expect(existsSync(marker)).toBe(false)
  })

  it("a builder input starting with '-' is refused before docker runs", () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp)
    const ran = runAction({
      inputs: { push: 'false', tags: 'v1', builder: '--all-inactive' },
      env: { PATH: docker.path(), GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/api' },
      cwd: repo,
    })
    expect(ran.status).toBe(1)
    expect(errorLines(ran)).toEqual([
      expect.stringMatching(/^::error::builder '--all-inactive' is not a buildx builder name/),
    ])
    expect(docker.calls()).toEqual([])
  })
})

describe('no links, no special files, bounded reads', () => {
  it('hash refuses to write through a symlinked atlas.sum', () => {
    const { dir, canary } = workspace()
    const sum = path.join(dir, 'atlas.sum')
    execFileSync('rm', [sum])
    symlinkSync(path.join(canary, 'keep.txt'), sum)
    const ran = runCli(['hash', dir])
    expect(ran.status).toBe(1)
    expect(ran.stderr.trim()).toBe(
      `error: ${sum}: is a symlink; links are never followed — replace the link with the file itself`,
    )
    canaryIntact(canary)
  })

  it('a dir that is a link or ../ out of the workspace is refused (action)', () => {
    const { repo, canary } = workspace()
    symlinkSync(canary, path.join(repo, 'linked'))
    for (const dir of ['linked', `../${path.basename(canary)}`]) {
      const ran = runAction({ inputs: { dir, build: 'false' }, cwd: repo })
      expect(ran.status, dir).toBe(1)
      expect(errorLines(ran)).toEqual([
        expect.stringMatching(
          new RegExp(`^::error::input dir '${dir.replace('.', '\\.')}' resolves to .*, outside the workspace`),
        ),
      ])
      expect(ran.outputs.checksum).toBeUndefined()
    }
  })

  it('.sql linked to /dev/zero, a FIFO, a linked atlas.sum: one error naming the file, no hang', () => {
    const cases: [string, (dir: string) => void][] = [
      ['3_zero.sql', (dir) => symlinkSync('/dev/zero', path.join(dir, '3_zero.sql'))],
      ['3_fifo.sql', (dir) => execFileSync('mkfifo', [path.join(dir, '3_fifo.sql')])],
      [
        'atlas.sum',
        (dir) => {
          execFileSync('rm', [path.join(dir, 'atlas.sum')])
          symlinkSync('/dev/zero', path.join(dir, 'atlas.sum'))
        },
      ],
    ]
    for (const [name, make] of cases) {
      const { dir } = workspace()
      make(dir)
      const started = Date.now()
      const ran = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'validate', dir], {
        encoding: 'utf8',
        timeout: 20_000,
      })
      expect(Date.now() - started, name).toBeLessThan(20_000)
      expect(ran.status, name).toBe(1)
      expect(ran.stderr, name).toContain(path.join(dir, name))
      expect(ran.stderr, name).not.toMatch(/\n\s+at /) // no stack trace
    }
  })

  it('a Liquibase changelog linked to /dev/zero, or a FIFO: never opened, reported, no hang', () => {
    for (const make of [
      (dir: string) => symlinkSync('/dev/zero', path.join(dir, 'changelog.xml')),
      (dir: string) => execFileSync('mkfifo', [path.join(dir, 'changelog.xml')]),
    ]) {
      const dir = makeDir({ 'sql/1.sql': 'SELECT 1;' })
      make(dir)
      const ran = spawnSync(
        process.execPath,
        [path.join(ROOT, 'dist/cli.js'), 'validate', dir, '--tool', 'liquibase', '--checksum', 'optional'],
        { encoding: 'utf8', timeout: 20_000 },
      )
      expect(ran.signal).toBeNull()
      expect(ran.status).toBe(1)
      expect(ran.stderr).toContain('no master changelog')
    }
  })

  it('a linked sub-folder is reported, not silently skipped (flyway reads sub-folders)', () => {
    const { dir, canary } = workspace({ 'V1__a.sql': 'A' })
    symlinkSync(canary, path.join(dir, 'more'))
    const ran = runCli(['validate', dir, '--tool', 'flyway'])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain(
      `error: ${path.join(dir, 'more')}: is a symlink to a directory; links are never followed`,
    )
  })
})

describe('size', () => {
  it('a file over the per-file limit is one error naming it and the input; the limit can be raised', () => {
    const { dir } = workspace()
    const big = path.join(dir, '3_big.sql')
    writeFileSync(big, '')
    truncateSync(big, 65 * 1024 * 1024 + 1) // sparse: no disk, no newline
    const ran = runCli(['validate', dir])
    expect(ran.status).toBe(1)
    expect(ran.stderr.trim()).toBe(
      `error: ${big}: is larger than the per-file limit of 64 MB — raise --max-file-size if this really is one migration`,
    )
    // The action names its input instead of the flag.
    const inAction = runAction({ inputs: { dir: 'migrations', build: 'false' }, env: {}, cwd: path.dirname(dir) })
    expect(inAction.status).toBe(1)
    expect(inAction.stdout).toContain('raise the max-file-size input if this really is one migration')
    const raised = runCli(['validate', dir, '--max-file-size', '128MB'])
    expect(raised.stderr).toContain('binary') // read to the end: it is all NUL bytes
    expect(runCli(['validate', dir, '--max-file-size', 'lots']).status).toBe(2)
  })

  it('docker output of 64 MB without a newline: captured as its tail, the error stays one bounded line', () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp, [noBuildx, { match: '^build', code: 1, flood: 64 << 20 }])
    const ran = spawnSync(
      process.execPath,
      [path.join(ROOT, 'dist/cli.js'), 'build', path.join(repo, 'migrations'), '--image', 'acme/api:v1'],
      { env: { PATH: docker.path() }, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 60_000 },
    )
    expect(ran.status).toBe(1)
    const error = ran.stderr.split('\n').find((line) => line.startsWith('error: docker build failed'))
    expect(error).toBeDefined()
    expect(error!.length).toBeLessThan(1.1 * (1 << 20) + 200)
  })
})

describe('credentials', () => {
  it('uppercase in the registry host is an error; nothing is sent to docker', () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp)
    const ran = runAction({
      inputs: { image: 'Acme/api', password: PASSWORD, push: 'true', tags: 'v1' },
      env: { PATH: docker.path(), GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/api' },
      cwd: repo,
    })
    expect(ran.status).toBe(1)
    expect(errorLines(ran)).toEqual([
      expect.stringMatching(/^::error::input image 'Acme\/api': registry host 'Acme' has uppercase letters/),
    ])
    expect(docker.calls()).toEqual([])
  })

  it('the password reaches only docker login on stdin and the runner mask; temp dirs are gone after post', () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const digest = `sha256:${'d'.repeat(64)}`
    const docker = new FakeDocker(temp, [noBuildx, { match: '^push', stdout: `v1: digest: ${digest} size: 1\n` }])
    // The runtime token stays in docker's environment: buildx's gha cache reads it there.
    const env = { PATH: docker.path(), GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/api', ACTIONS_RUNTIME_TOKEN: 'rt' }
    const ran: ActionRun = runAction({
      inputs: { image: 'ghcr.io/acme/api', password: PASSWORD, username: 'bot', push: 'true', tags: 'v1' },
      env,
      cwd: repo,
    })
    expect(ran.status, ran.stdout).toBe(0)
    const calls = docker.calls()
    expect(calls.map(({ argv }) => argv[0])).toEqual(expect.arrayContaining(['login', 'build', 'push']))
    for (const call of calls) {
      expect(JSON.stringify(call.argv)).not.toContain(PASSWORD)
      expect(JSON.stringify(call.env)).not.toContain(PASSWORD)
      expect(Object.keys(call.env).filter((name) => /^(INPUT|STATE)_/.test(name))).toEqual([])
      expect(call.env.ACTIONS_RUNTIME_TOKEN).toBe('rt')
      if (call.argv[0] !== 'login') expect(call.stdin).not.toContain(PASSWORD)
    }
    expect(calls.find(({ argv }) => argv[0] === 'login')?.stdin).toBe(PASSWORD)
    const lines = (ran.stdout + ran.stderr).split('\n').filter((line) => line.includes(PASSWORD))
    expect(lines).toEqual([`::add-mask::${PASSWORD}`])
    expect(JSON.stringify(ran.outputs) + JSON.stringify(ran.state) + ran.summary).not.toContain(PASSWORD)
    const post = runPost({ ...env, RUNNER_TEMP: ran.temp, STATE_cleanup: ran.state.cleanup }, repo)
    expect(post.status).toBe(0)
    expect(post.stdout + post.stderr).not.toContain(PASSWORD)
    const left = readdirSync(ran.temp).filter((name) => name.startsWith('migration-image-'))
    expect(left).toEqual([])
    for (const name of readdirSync(ran.temp)) {
      if (statSync(path.join(ran.temp, name)).isFile())
        expect(readFileSync(path.join(ran.temp, name), 'utf8'), name).not.toContain(PASSWORD)
    }
  })
})

describe('hangs, crashes and half-truths', () => {
  it('docker login exiting before it reads the password: an error, no EPIPE stack trace (CLI)', () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp, [noBuildx, { match: '^login', code: 1, skipStdin: true }])
    const ran = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'dist/cli.js'),
        'build',
        path.join(repo, 'migrations'),
        '--image',
        'ghcr.io/acme/api:v1',
        '--push',
        '--username',
        'bot',
      ],
      { env: { PATH: docker.path() }, input: `${'p'.repeat(512 << 10)}\n`, encoding: 'utf8', timeout: 30_000 },
    )
    expect(ran.status).toBe(1)
    expect(ran.stderr).toMatch(/^error: docker login to ghcr\.io as bot failed/m)
    expect(ran.stderr).not.toMatch(/EPIPE|\n\s+at /)
  })

  it('docker buildx version that never answers: a timeout error naming it', () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp, [{ match: '^buildx version', hang: true }])
    const ran = spawnSync(
      process.execPath,
      [path.join(ROOT, 'dist/cli.js'), 'build', path.join(repo, 'migrations'), '--image', 'acme/api:v1'],
      { env: { PATH: docker.path(), MIGRATION_IMAGE_PROBE_TIMEOUT: '1' }, encoding: 'utf8', timeout: 30_000 },
    )
    expect(ran.status).toBe(1)
    expect(ran.stderr.trim().split('\n')).toEqual([
      `${path.join(repo, 'migrations')}: 2 migrations valid, checksum ${independentTotal(path.join(repo, 'migrations'))}`,
      'not pushing: built into the local image store (--push to push)',
      "error: 'docker buildx version' did not answer within 1 s — check that the Docker engine is up and responsive (docker info), then re-run",
    ])
  })

  it('a push that fails for one of two tags: the outputs say which tag was pushed, the error names both', () => {
    const { repo } = workspace()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-sec-'))
    const docker = new FakeDocker(temp, [
      noBuildx,
      { match: '^push .*:v2$', code: 1, stdout: 'error: blob upload unknown\n' },
      { match: '^push', stdout: `v1: digest: sha256:${'e'.repeat(64)} size: 1\n` },
    ])
    const ran = runAction({
      inputs: { image: 'ghcr.io/acme/api', push: 'true', tags: 'v1,v2' },
      env: { PATH: docker.path(), GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/api' },
      cwd: repo,
    })
    expect(ran.status).toBe(1)
    expect(ran.outputs.pushed).toBe('true')
    expect(ran.outputs.tags.split('\n').sort()).toEqual([`ghcr.io/acme/api:${SHA}`, 'ghcr.io/acme/api:v1'])
    expect(errorLines(ran)).toEqual([
      expect.stringMatching(
        /docker push failed: .*\(failed: ghcr\.io\/acme\/api:v2; pushed: ghcr\.io\/acme\/api:c+, ghcr\.io\/acme\/api:v1\)/,
      ),
    ])
    expect(
      readdirSync(ran.temp).filter(
        (name) => name.startsWith('migration-image-') && !name.startsWith('migration-image-docker-'),
      ),
    ).toEqual([])
  })
})

describe('one-line errors instead of stack traces', () => {
  it('malformed SOURCE_DATE_EPOCH (CLI dockerfile)', () => {
    const { dir } = workspace()
    const ran = runCli(['dockerfile', dir], { SOURCE_DATE_EPOCH: '17e9' })
    expect(ran.status).toBe(2)
    expect(ran.stderr.split('\n')[0]).toBe(
      "error: SOURCE_DATE_EPOCH is not whole seconds since 1970: '17e9' — set it to an integer such as $(git log -1 --format=%ct), or unset it",
    )
  })

  it('a control character in GITHUB_REPOSITORY, a newline in GITHUB_SERVER_URL (a label value)', () => {
    const { repo } = workspace()
    for (const [name, value] of [
      ['GITHUB_REPOSITORY', 'acme/api\n::error::FORGED'],
      ['GITHUB_SERVER_URL', 'https://github.com\nLABEL x=y'],
    ]) {
      const ran = runAction({ inputs: { build: 'false' }, env: { [name]: value }, cwd: repo })
      expect(ran.status, name).toBe(1)
      expect(errorLines(ran), name).toEqual([expect.stringMatching(new RegExp(`^::error::${name} is not `))])
      noForeignCommands(ran)
    }
  })
})

describe('reports', () => {
  it('|, <…>, @mentions and markdown in names are escaped in the summary', () => {
    const { repo } = workspace({ '1_<version>_@acme|team.sql': 'A', '2_*b*.sql': 'B' })
    const ran = runAction({ inputs: { build: 'false' }, cwd: repo })
    expect(ran.status).toBe(0)
    // markdown applies between raw HTML tags: its punctuation is written as entities, so `*b*` is no emphasis
    expect(ran.summary).toContain('<code>1&#95;&lt;version&gt;&#95;@\u200bacme&#124;team.sql</code>')
    expect(ran.summary).toContain('<code>2&#95;&#42;b&#42;.sql</code>')
    expect(ran.summary).not.toMatch(/@acme|<version>/)
    const rows = ran.summary.split('\n').filter((line) => line.startsWith('| 1 ') || line.startsWith('| 2 '))
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length, row).toBe(5) // 3 cells, no broken row
  })
})
