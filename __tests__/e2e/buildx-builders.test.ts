// The builder chosen by what it can do (src/core/build/plan.ts), on real buildx: the containerd store's docker driver
// used as it is, an existing capable builder found before one is created, cache v2 gated on the BuildKit that talks
// to the cache, one note per cause, no leftovers, a read-only /migrations. Same real parts as buildx-publish.test.ts:
// buildx 0.29, Docker Engine 28.5 with // both image stores, the legacy engine 20.10, a registry; faked: GitHub's cache service only.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  pullRequestCheckout,
  buildxEnv,
  changedCheckout,
  pushToMain,
  randomName,
  registryManifest,
  runnerMachine,
  runOnRunner,
  temporaryBuilders,
} from '../helpers/buildx-env.js'
import { startCacheService, type CacheRequest, type CacheService } from '../helpers/gha-cache-service.js'
import { pullRequestEvent, type ActionRun } from '../helpers/runner.js'
import { randomSha, registryDigest } from '../helpers/real-env.js'
import { makeDir, ROOT } from '../helpers/tmp.js'

const MAIN = 'refs/heads/main'
const output = (run: ActionRun): string => run.stdout + run.stderr
const notes = (run: ActionRun): string[] => run.stdout.split('\n').filter((line) => /^::(warning|notice)/.test(line))
const ops = (log: readonly CacheRequest[], op: string): CacheRequest[] => log.filter((entry) => entry.op === op)

describe('the builder by capability', () => {
  const env = buildxEnv()
  const atlasInputs = (repository: string): Record<string, string> => ({
    dir: 'examples/atlas/migrations',
    image: `${env.MI_REGISTRY}/${repository}`,
    'base-image': env.MI_BASE_BUSYBOX,
    // these runs are about the cache: on even for this COPY-only image (the default, auto, leaves it off)
    cache: 'true',
  })
  let cache: CacheService
  beforeAll(async () => {
    cache = await startCacheService()
  })
  afterAll(async () => {
    await cache?.close()
  })
  const rw = (): string => cache.token([{ Scope: MAIN, Permission: 3 }])

  it('containerd image store, no builder input: the cache goes through the docker driver, no temporary builder', async () => {
    const repository = randomName('acme/bx-planned-containerd')
    const runner = runnerMachine(env, 'containerd')
    const before = cache.log.length
    const first = await runOnRunner(env, runner, pushToMain(randomSha(), ROOT), atlasInputs(repository), {
      service: cache,
      token: rw(),
    })
    expect(first.main.status, output(first.main)).toBe(0)
    // no docker-container builder tried (it would pull moby/buildkit from Docker Hub), no cache turned off
    expect(output(first.main)).not.toMatch(/docker-container/)
    expect(notes(first.main).filter((line) => /without (the )?cache/.test(line))).toEqual([])
    const written = ops(cache.log.slice(before), 'FinalizeCacheEntryUpload').map((entry) => entry.key ?? '')
    expect(written.some((key) => key.startsWith('index-migration-image-') && key.endsWith('#1'))).toBe(true)
    // other migrations: an unchanged push would be re-tagged without a build (and without the cache)
    const second = await runOnRunner(env, runner, pushToMain(randomSha(), changedCheckout()), atlasInputs(repository), {
      service: cache,
      token: rw(),
    })
    expect(second.main.status, output(second.main)).toBe(0)
    expect(second.main.stdout).toContain('importing cache manifest from gha')
    expect(temporaryBuilders(runner)).toEqual([])
  })

  it('two platforms with cache: false on the classic store: a capable builder is looked for and used', async () => {
    const repository = randomName('acme/bx-planned-multi')
    const sha = randomSha()
    // setup-buildx-action ran with `use: false`: a capable builder exists, the current one is the docker driver
    const runner = runnerMachine(env, 'classic', { remoteBuilder: 'idle' })
    const { main } = await runOnRunner(env, runner, pushToMain(sha, ROOT), {
      ...atlasInputs(repository),
      'base-image': env.MI_BASE_BUSYBOX_MULTI,
      platforms: 'linux/amd64,linux/arm64',
      cache: 'false',
    })
    expect(output(main)).not.toContain('Multi-platform build is not supported for the docker driver')
    expect(main.status, output(main)).toBe(0)
    const index = await registryManifest(env, repository, sha)
    expect(index?.manifests?.map((entry) => `${entry.platform?.os}/${entry.platform?.architecture}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ])
  })

  describe('cache v2 is gated on the BuildKit that talks to the cache', () => {
    // The legacy engine (dockerd 20.10, BuildKit 0.8) behind the same /grpc proxy the test environment uses: a
    // builder whose BuildKit predates the v2 client (BuildKit ≥ 0.20), driven by buildx 0.29 (new enough).
    let proxy: ChildProcess | undefined
    let endpoint = ''
    beforeAll(async () => {
      const socket = path.join(makeDir(), 'buildkit.sock')
      proxy = spawn(
        process.execPath,
        [path.join(ROOT, 'scripts/buildkit-proxy.mjs'), '--listen', socket, '--engine', env.DOCKER_HOST.slice(7)],
        { stdio: 'ignore' },
      )
      for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 50))
      endpoint = `unix://${socket}`
    })
    afterAll(() => {
      proxy?.kill('SIGTERM')
    })

    it('an old BuildKit gets no gha cache flags, and one note saying why and what to do', async () => {
      const runner = runnerMachine(env, 'classic')
      const builder = randomName('old-buildkit')
      expect(runner.docker(['buildx', 'create', '--name', builder, '--driver', 'remote', endpoint]).status).toBe(0)
      // BuildKit 0.8 has no Info call (added in 0.11), so buildx shows no version for it: an unknown version on a
      // remote builder means an old BuildKit, not a new one
      const inspected = runner.docker(['buildx', 'inspect', '--bootstrap', builder]).stdout
      expect(inspected).toMatch(/Status:\s+running/)
      expect(inspected).not.toMatch(/BuildKit version/)
      const head = randomSha()
      const before = cache.log.length
      const { main } = await runOnRunner(
        env,
        runner,
        {
          event: 'pull_request',
          sha: head,
          ref: 'refs/pull/8/merge',
          cwd: ROOT,
          payload: {
            repository: { default_branch: 'main', full_name: 'acme/api' },
            pull_request: { number: 8, head: { sha: head, repo: { full_name: 'acme/api' } } },
          },
        },
        { ...atlasInputs(randomName('acme/bx-planned-old')), builder },
        { service: cache, token: rw() },
      )
      expect(main.status, output(main)).toBe(0)
      expect(cache.log.slice(before)).toEqual([])
      const cacheNotes = notes(main).filter((line) => /cache/i.test(line))
      expect(cacheNotes).toHaveLength(1)
      expect(cacheNotes[0]).toMatch(/BuildKit/)
      expect(cacheNotes[0]).toMatch(/0\.20/)
    })
  })

  it('one cause, one note: the classic store without a capable builder says so once, with no progress lines', async () => {
    const runner = runnerMachine(env, 'classic')
    const { main } = await runOnRunner(
      env,
      runner,
      pushToMain(randomSha(), ROOT),
      atlasInputs(randomName('acme/bx-planned-notes')),
      {
        service: cache,
        token: rw(),
      },
    )
    expect(main.status, output(main)).toBe(0)
    const cacheNotes = notes(main).filter((line) => /cache/i.test(line))
    expect(cacheNotes).toHaveLength(1)
    expect(cacheNotes[0]).not.toMatch(/------|#\d+ /)
  })

  it('a build that fails under --push is reported as a build failure, not a push failure', async () => {
    const runner = runnerMachine(env, 'containerd')
    const { main } = await runOnRunner(env, runner, pushToMain(randomSha(), ROOT), {
      ...atlasInputs(randomName('acme/bx-planned-fail')),
      'base-image': `${env.MI_REGISTRY}/base/does-not-exist:1`,
      cache: 'false',
    })
    expect(main.status).not.toBe(0)
    const failure = main.stdout.split('\n').find((line) => line.startsWith('::error'))
    expect(failure).toMatch(/build/)
    expect(failure).not.toMatch(/push failed/)
  })

  it('a pull request run leaves nothing in RUNNER_TEMP (no migration-image-base-* either)', async () => {
    const { base, head, checkout } = pullRequestCheckout('migrations')
    const runner = runnerMachine(env, 'containerd')
    const { main, post } = await runOnRunner(
      env,
      runner,
      {
        event: 'pull_request',
        sha: head,
        ref: 'refs/pull/9/merge',
        cwd: checkout,
        payload: pullRequestEvent({ base, head, number: 9 }),
      },
      {
        dir: 'migrations',
        image: `${env.MI_REGISTRY}/${randomName('acme/bx-planned-pr')}`,
        'base-image': env.MI_BASE_BUSYBOX,
      },
    )
    expect(main.status, output(main)).toBe(0)
    expect(post.status).toBe(0)
    expect(readdirSync(main.temp).filter((name) => name.startsWith('migration-image-'))).toEqual([])
  })

  it('the staged /migrations directory is read-only (0555) in the image', async () => {
    const repository = randomName('acme/bx-planned-mode')
    const sha = randomSha()
    const runner = runnerMachine(env, 'containerd')
    const { main } = await runOnRunner(env, runner, pushToMain(sha, ROOT), {
      ...atlasInputs(repository),
      cache: 'false',
    })
    expect(main.status, output(main)).toBe(0)
    const digest = await registryDigest(env, repository, sha)
    const listed = runner.docker([
      '--config',
      env.MI_BUILDX_LOGIN_CONFIG,
      'run',
      '--rm',
      '--network',
      'host',
      '--entrypoint',
      '/bin/busybox',
      `${env.MI_REGISTRY}/${repository}@${digest}`,
      'stat',
      '-c',
      '%a',
      '/migrations',
    ])
    expect(listed.stdout.trim(), listed.stderr).toBe('555')
  })
})
