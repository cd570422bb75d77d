import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FakeDocker, noBuildx } from './helpers/fake-docker.js'
import { gitWith } from './helpers/git.js'
import { independentSum, makeDir, ROOT, runCli } from './helpers/tmp.js'

// The CLI as a developer meets it, run from the bundled dist/cli.js. Builds go to a recording `docker` stand-in on
// PATH (no engine): what would have run is asserted, argv and Dockerfile included.

// Fixed commit dates: the image's created label is the commit's time.
const DATES = { GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' }

/** A git checkout with migrations/ committed; returns the repo, the dir and the commit. */
function checkout(): { repo: string; dir: string; sha: string } {
  const repo = makeDir()
  const dir = path.join(repo, 'migrations')
  mkdirSync(dir)
  writeFileSync(path.join(dir, '1_a.sql'), 'CREATE TABLE a (id int);\n')
  writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
  const git = (...args: string[]): string => gitWith(DATES, repo, ...args)
  git('init', '-q')
  git('add', '.')
  git('commit', '-qm', 'migrations')
  return { repo, dir, sha: git('rev-parse', 'HEAD') }
}

const recorder = (): FakeDocker => new FakeDocker(mkdtempSync(path.join(tmpdir(), 'mi-cli-')), [noBuildx])

describe('cli build: tags, labels, the Dockerfile', () => {
  it('--tag and --image NAME:TAG add to the commit sha tag; the revision label is the commit, created its time', () => {
    const { dir, sha } = checkout()
    const docker = recorder()
    const ran = runCli(['build', dir, '--image', 'acme/api:v1', '--tag', 'extra', '--tag', 'v1'], {
      PATH: docker.path(),
    })
    expect(ran.status, ran.stderr).toBe(0)
    const build = docker.calls().find((call) => call.argv[0] === 'build')
    const tags = build?.argv.flatMap((arg, index, argv) => (argv[index - 1] === '--tag' ? [arg] : []))
    expect(tags).toEqual([`acme/api:${sha}`, 'acme/api:v1', 'acme/api:extra'])
    expect(build?.dockerfile).toContain(`org.opencontainers.image.revision="${sha}"`)
    expect(build?.dockerfile).toContain('org.opencontainers.image.created="2026-01-02T03:04:05.000Z"')
    expect(ran.stdout.trim()).toBe(`built acme/api:${sha} acme/api:v1 acme/api:extra`)
    // `dockerfile` prints what `build` builds, whenever it runs: for BuildKit, with `COPY --link`; the legacy builder
    // (this engine has no buildx) gets the same file without the flag
    const printed = runCli(['dockerfile', dir, '--image', 'acme/api'])
    expect(printed.stdout).toContain('COPY --link image/ /')
    expect(build?.dockerfile).not.toContain('--link')
    expect(printed.stdout.replace('COPY --link ', 'COPY ')).toBe(build?.dockerfile)
    // SOURCE_DATE_EPOCH wins over the commit's time
    const epoch = runCli(['dockerfile', dir, '--image', 'acme/api'], { SOURCE_DATE_EPOCH: '86400' })
    expect(epoch.stdout).toContain('org.opencontainers.image.created="1970-01-02T00:00:00.000Z"')
  })

  it('outside git: no revision label, no created label, and a tag must be given', () => {
    const dir = makeDir({ '1_a.sql': 'SELECT 1;\n' })
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    const printed = runCli(['dockerfile', dir])
    expect(printed.status).toBe(0)
    expect(printed.stdout).not.toContain('image.revision')
    expect(printed.stdout).not.toContain('image.created')
    const untagged = runCli(['build', dir, '--image', 'acme/api'], { PATH: recorder().path() })
    expect(untagged.status).toBe(2)
    expect(untagged.stderr).toContain('no tag: DIR is not in a git checkout and no tag was given')
  })

  it('an empty directory is an error for build (nothing runs) and a notice for validate', () => {
    const dir = makeDir()
    const docker = recorder()
    const build = runCli(['build', dir, '--image', 'acme/api:v1'], { PATH: docker.path() })
    expect(build.status).toBe(1)
    expect(build.stderr.trim()).toBe(
      `error: ${dir}: holds no migrations for atlas: there is nothing to build — check DIR (relative to the current directory) and the tool`,
    )
    expect(docker.calls()).toEqual([])
    const validate = runCli(['validate', dir])
    expect(validate.status).toBe(0)
    expect(validate.stderr).toContain(`notice: ${dir} holds no migrations for atlas`)
  })
})

describe('cli --username: the password from stdin, or a prompt', () => {
  it('an empty password is an error, not a push with whatever the engine has', () => {
    const { dir } = checkout()
    const docker = recorder()
    const ran = runCli(['build', dir, '--image', 'acme/api:v1', '--push', '--username', 'me'], { PATH: docker.path() })
    expect(ran.status).toBe(2)
    expect(ran.stderr).toContain('--username me needs a password, and none was given — pipe it on stdin')
    expect(docker.calls()).toEqual([])
  })

  it('at a terminal it prompts on stderr and does not echo what is typed', async ({ skip }) => {
    // util-linux's script gives the CLI a terminal (scripts/test-env.sh installs it with bsdutils)
    skip(spawnSync('sh', ['-c', 'command -v script']).status !== 0, "no 'script' command (util-linux) for a terminal")
    const { dir } = checkout()
    const docker = recorder()
    const argv = [path.join(ROOT, 'dist/cli.js'), 'build', dir, '--image', 'acme/api:v1', '--push', '--username', 'me']
    const command = [process.execPath, ...argv].map((word) => `'${word}'`).join(' ')
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, PATH: docker.path() } })
    let screen = ''
    const typed = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        screen += chunk
        // type only once the prompt is there, as a person would (the terminal echoes whatever comes before it)
        if (screen.includes('Password: ') && !child.stdin.writableEnded) {
          child.stdin.end('s3cret-typed\r')
          resolve()
        }
      })
    })
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve))
    await typed
    expect(await closed).toBe(0)
    expect(screen).not.toContain('s3cret-typed')
    const login = docker.calls().find((call) => call.argv[0] === 'login')
    expect(login?.stdin).toBe('s3cret-typed')
  })
})

describe('cli usage', () => {
  it('per-command help lists only that command’s flags', () => {
    const build = runCli(['build', '--help'])
    expect(build.status).toBe(0)
    expect(build.stdout).toMatch(/^Usage: migration-image build \[DIR\] \[options\]/)
    expect(build.stdout).toContain('--push')
    expect(build.stdout).not.toContain('--json')
    const validate = runCli(['validate', '-h'])
    expect(validate.stdout).toContain('--json')
    expect(validate.stdout).not.toContain('--push')
    expect(runCli(['--help']).stdout).toContain("Run 'migration-image <command> --help'")
  })

  it('usage errors are short, say what was meant, and exit 2', () => {
    const option = runCli(['validate', '--tol', 'flyway'])
    expect(option.status).toBe(2)
    expect(option.stderr).toBe(
      "error: unknown option '--tol'; did you mean '--tool'?\nRun 'migration-image --help' for usage.\n",
    )
    expect(runCli(['valdate']).stderr).toContain("unknown command 'valdate'; did you mean 'validate'?")
    expect(runCli(['validate', '--tool', 'flywy']).stderr).toContain("unknown tool 'flywy'; did you mean 'flyway'?")
    const misplaced = runCli(['validate', '--push'])
    expect(misplaced.status).toBe(2)
    expect(misplaced.stderr).toContain('--push does not go with validate (it goes with build)')
  })

  it('tool and format names are case-insensitive', () => {
    expect(runCli(['validate', 'examples/flyway/migrations', '--tool', 'Flyway']).status).toBe(0)
    expect(runCli(['validate', 'examples/flyway/migrations', '--tool', 'flyway', '--format', 'FLYWAY']).status).toBe(0)
  })
})
