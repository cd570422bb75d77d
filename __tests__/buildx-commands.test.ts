import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { FakeDocker, type Answer } from './helpers/fake-docker.js'
import { runAction, runPost } from './helpers/runner.js'
import { independentSum, makeDir } from './helpers/tmp.js'

// The executor (src/io/publish.ts) on the buildx path, fast: the bundled action runs against a recording `docker`
// stand-in that answers as buildx 0.29 on a classic-store engine would. What is asserted is every docker command the
// action ran, in order: the probes side by side, the builder search, the temporary builder, the build, the cleanup.
// The runtime token stands in for GitHub's cache service (no request is made: the stand-in docker is the end).

const SHA = 'c0ffee0000000000000000000000000000000000'
const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
const TOKEN = `${part({ alg: 'RS256' })}.${part({ ac: JSON.stringify([{ Scope: 'refs/heads/main', Permission: 3 }]) })}.sig`
const CACHE_ENV = {
  ACTIONS_RUNTIME_TOKEN: TOKEN,
  ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/',
  ACTIONS_CACHE_SERVICE_V2: 'True',
}

const BUILDX: Answer = { match: '^buildx version', stdout: 'github.com/docker/buildx v0.29.1 abc\n' }
const CLASSIC: Answer = {
  match: '^buildx inspect',
  stdout:
    'Name: default\nDriver: docker\n\nNodes:\nName: default\nStatus: running\nBuildKit version: v0.25.1\nPlatforms: linux/amd64\n',
}
const ONLY_DEFAULT: Answer = {
  match: '^buildx ls',
  stdout: `${JSON.stringify({ Name: 'default', Driver: 'docker', Nodes: [{ Status: 'running', Version: 'v0.25.1' }] })}\n`,
}

function repository(): string {
  const repo = makeDir()
  const dir = path.join(repo, 'migrations')
  mkdirSync(dir)
  writeFileSync(path.join(dir, '1_a.sql'), 'CREATE TABLE a (id int);\n')
  writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
  return repo
}

const commands = (docker: FakeDocker): string[] =>
  docker.calls().map(({ argv }) =>
    argv
      .filter((arg) => !arg.includes('/'))
      .slice(0, 4)
      .join(' '),
  )

describe('executor on buildx (recording docker)', () => {
  it('classic store, cache wanted: probes, no capable builder listed, a temporary one, the build with the cache', () => {
    const repo = repository()
    const docker = new FakeDocker(mkdtempSync(path.join(tmpdir(), 'mi-exec-')), [BUILDX, CLASSIC, ONLY_DEFAULT])
    const env = { PATH: docker.path(), GITHUB_SHA: SHA, ...CACHE_ENV }
    const main = runAction({ inputs: { image: 'ghcr.io/acme/api', push: 'false', cache: 'true' }, env, cwd: repo })
    expect(main.status, main.stdout).toBe(0)
    const ran = commands(docker)
    // the two probes run side by side: their order in the log is not fixed
    expect(ran.slice(0, 2).sort()).toEqual(['buildx inspect', 'buildx version'])
    expect(ran.slice(2)).toEqual([
      'buildx ls --format json',
      'buildx create --driver docker-container',
      'buildx build --builder migration-image-' + ran[4].split('migration-image-')[1],
    ])
    const build = docker.calls()[4].argv
    expect(build).toContain('--cache-to')
    expect(build[build.indexOf('--cache-to') + 1]).toBe(
      'type=gha,scope=migration-image-ghcr.io-acme-api-atlas,mode=max,ignore-error=true',
    )
    expect(main.stdout).toContain('creating a temporary docker-container builder (the post step removes it)')
    // the post step removes the builder this run made, and nothing else
    const post = runPost(main, { PATH: docker.path() }, repo)
    expect(post.status).toBe(0)
    expect(commands(docker).at(-1)).toBe(`buildx rm ${build[build.indexOf('--builder') + 1]}`)
  })

  it('the temporary builder cannot start: the plan is made again without the cache, and says why once', () => {
    const repo = repository()
    const failing: Answer = {
      match: '^buildx create',
      code: 1,
      stdout: '#1 booting\n------\nERROR: pull access denied\n',
    }
    const docker = new FakeDocker(mkdtempSync(path.join(tmpdir(), 'mi-exec-')), [
      BUILDX,
      CLASSIC,
      ONLY_DEFAULT,
      failing,
    ])
    const main = runAction({
      inputs: { image: 'ghcr.io/acme/api', push: 'false', cache: 'true' },
      env: { PATH: docker.path(), GITHUB_SHA: SHA, ...CACHE_ENV },
      cwd: repo,
    })
    expect(main.status, main.stdout).toBe(0)
    const ran = commands(docker)
    expect(ran.slice(2, 4)).toEqual(['buildx ls --format json', 'buildx create --driver docker-container'])
    expect(ran[4]).toMatch(/^buildx rm migration-image-/)
    const build = docker.calls()[5].argv
    expect(build.slice(0, 2)).toEqual(['buildx', 'build'])
    expect(build.some((arg) => arg.startsWith('--cache'))).toBe(false)
    const warnings = main.stdout.split('\n').filter((line) => line.startsWith('::warning'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('a temporary docker-container builder could not start (ERROR: pull access denied)')
    expect(warnings[0]).not.toMatch(/------|#1 /)
  })

  it('containerd store: the docker driver builds with the cache; nothing is listed or created', () => {
    const repo = repository()
    const containerd: Answer = {
      match: '^buildx inspect',
      stdout: `${CLASSIC.stdout}Labels:\n org.mobyproject.buildkit.worker.snapshotter: overlayfs\n`,
    }
    const docker = new FakeDocker(mkdtempSync(path.join(tmpdir(), 'mi-exec-')), [BUILDX, containerd])
    const main = runAction({
      inputs: { image: 'ghcr.io/acme/api', push: 'false', cache: 'true' },
      env: { PATH: docker.path(), GITHUB_SHA: SHA, ...CACHE_ENV },
      cwd: repo,
    })
    expect(main.status, main.stdout).toBe(0)
    expect(commands(docker).slice(2)).toEqual(['buildx build --file --tag'])
    expect(docker.calls()[2].argv).toContain('--cache-from')
  })
})

describe('executor: cache: auto (the default) on a COPY-only image', () => {
  it('probes buildx and its builder, makes no builder, passes no cache flags, and says why in one line', () => {
    const repo = repository()
    const docker = new FakeDocker(mkdtempSync(path.join(tmpdir(), 'mi-exec-')), [BUILDX, CLASSIC, ONLY_DEFAULT])
    const main = runAction({
      inputs: { image: 'ghcr.io/acme/api', push: 'false' },
      env: { PATH: docker.path(), GITHUB_SHA: SHA, ...CACHE_ENV },
      cwd: repo,
    })
    expect(main.status, main.stdout).toBe(0)
    expect(commands(docker).slice(0, 2).sort()).toEqual(['buildx inspect', 'buildx version'])
    expect(commands(docker).slice(2)).toEqual(['buildx build --file --tag'])
    // BuildKit 0.25 behind the docker driver: the layer is built with `COPY --link`
    expect(docker.calls()[2].dockerfile).toContain('COPY --link image/ /')
    expect(main.stdout).toContain('GitHub Actions cache not used (cache: auto)')
    expect(main.stdout).toContain('set cache: true to use it anyway')
  })
})
