import { readdirSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  pullRequestCheckout,
  buildxEnv,
  changedCheckout,
  filesHolding,
  git,
  indexKeyPrefix,
  pushToMain,
  randomName,
  registryManifest,
  runnerMachine,
  runOnRunner,
  temporaryBuilders,
  type Runner,
} from '../helpers/buildx-env.js'
import { startCacheService, type CacheRequest, type CacheService } from '../helpers/gha-cache-service.js'
import { pullRequestEvent, type ActionRun } from '../helpers/runner.js'
import { randomSha, registryDigest } from '../helpers/real-env.js'
import { ROOT, type Ran } from '../helpers/tmp.js'

// Real parts: buildx 0.29 on Docker Engine 28.5 (Debian sid's, started by scripts/test-env.sh), a remote-driver
// builder on that engine's BuildKit, a registry with htpasswd auth. Faked: GitHub's cache service only
// (__tests__/helpers/gha-cache-service.ts), which the engine's BuildKit talks to as it would on a runner.
const env = buildxEnv()
const MAIN = 'refs/heads/main'
const atlasInputs = (repository: string): Record<string, string> => ({
  dir: 'examples/atlas/migrations',
  image: `${env.MI_REGISTRY}/${repository}`,
  'base-image': env.MI_BASE_BUSYBOX,
  // these runs are about the cache: on even for this COPY-only image (the default, auto, leaves it off)
  cache: 'true',
})
const output = (run: ActionRun): string => run.stdout + run.stderr
const notes = (run: ActionRun): string[] =>
  run.stdout.split('\n').filter((line) => /^::(warning|notice)/.test(line) || line.startsWith('Notice'))
const ops = (log: readonly CacheRequest[], op: string): CacheRequest[] => log.filter((entry) => entry.op === op)

/** What the post step must leave: no credential in the runner's temp or home, no temp dir, no temporary builder. */
function expectCleanAfterPost(run: ActionRun, post: Ran, runner: Runner): void {
  expect(post.status, post.stdout + post.stderr).toBe(0)
  expect(filesHolding(env.MI_REGISTRY_PASSWORD, run.temp, runner.home)).toEqual([])
  const left = readdirSync(run.temp).filter((name) => name.startsWith('migration-image-'))
  expect(left).toEqual([])
  expect(temporaryBuilders(runner)).toEqual([])
}

let cache: CacheService
beforeAll(async () => {
  cache = await startCacheService()
})
afterAll(async () => {
  await cache?.close()
})

describe('the engines and builders are what the scenarios stand for', () => {
  it('classic store: docker driver without a snapshotter label; containerd store: with it; remote: running', () => {
    const classic = runnerMachine(env, 'classic').docker(['buildx', 'inspect'])
    expect(classic.stdout).toMatch(/^Driver:\s+docker$/m)
    expect(classic.stdout).not.toContain('org.mobyproject.buildkit.worker.snapshotter')
    const containerd = runnerMachine(env, 'containerd', { remoteBuilder: 'idle' })
    expect(containerd.docker(['buildx', 'inspect']).stdout).toMatch(
      /org\.mobyproject\.buildkit\.worker\.snapshotter:\s+native/,
    )
    const remote = containerd.docker(['buildx', 'inspect', containerd.builder ?? ''])
    expect(remote.stdout).toMatch(/^Driver:\s+remote$/m)
    expect(remote.stdout).toMatch(/^Status:\s+running$/m)
    expect(Number(env.MI_ENGINE_VERSION.split('.')[0])).toBeGreaterThanOrEqual(28)
    expect(Number(env.MI_BUILDX_VERSION.split('.')[1])).toBeGreaterThanOrEqual(21)
  })
})

describe('plain runner: classic image store, no builder input (an ubuntu-24.04 runner)', () => {
  const repository = randomName('acme/bx-plain')
  const sha = randomSha()
  let runner: Runner
  let main: ActionRun
  let post: Ran
  let requests: CacheRequest[]

  beforeAll(async () => {
    runner = runnerMachine(env, 'classic')
    const before = cache.log.length
    ;({ main, post } = await runOnRunner(env, runner, pushToMain(sha, ROOT), atlasInputs(repository), {
      service: cache,
      token: cache.token([{ Scope: MAIN, Permission: 3 }]),
    }))
    requests = cache.log.slice(before)
  })

  it('builds with buildx and pushes the sha tag and latest; the digest output is the registry’s', async () => {
    expect(main.status, output(main)).toBe(0)
    expect(main.stdout).toContain('buildx build')
    expect(main.outputs.pushed).toBe('true')
    const digest = await registryDigest(env, repository, sha)
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(main.outputs.digest).toBe(digest)
    expect(await registryDigest(env, repository, 'latest')).toBe(digest)
  })

  it('says what it did about the cache, and writes nothing there (the docker driver on this store cannot)', () => {
    expect(notes(main).some((line) => /cache/i.test(line))).toBe(true)
    expect(ops(requests, 'CreateCacheEntry')).toEqual([])
  })

  it('the post step leaves no credential, temp dir or temporary builder', () => {
    expectCleanAfterPost(main, post, runner)
  })
})

describe('a builder input: the cache through v2 under the per-image scope, imported on the next run', () => {
  const repository = randomName('acme/bx-remote')
  let runner: Runner
  const runs: { main: ActionRun; post: Ran; requests: CacheRequest[]; sha: string }[] = []
  const run = async (token: string, sha = randomSha()): Promise<(typeof runs)[number]> => {
    const before = cache.log.length
    // each run pushes other migrations: an unchanged push is re-tagged, and these runs are about the build's cache
    const ran = await runOnRunner(
      env,
      runner,
      pushToMain(sha, changedCheckout()),
      { ...atlasInputs(repository), builder: runner.builder ?? '' },
      { service: cache, token },
    )
    const entry = { ...ran, sha, requests: cache.log.slice(before) }
    runs.push(entry)
    return entry
  }
  const mainIndex = (): string => {
    const created = ops(runs[0].requests, 'CreateCacheEntry').find((entry) => entry.key?.startsWith('index-'))
    return created?.key ?? ''
  }

  beforeAll(async () => {
    runner = runnerMachine(env, 'containerd', { remoteBuilder: 'current' })
    await run(cache.token([{ Scope: MAIN, Permission: 3 }]))
    await run(cache.token([{ Scope: MAIN, Permission: 3 }]))
  })

  it('first run: pushes, and writes the layers and the index through the v2 API under a scope of this image', async () => {
    const [first] = runs
    expect(first.main.status, output(first.main)).toBe(0)
    expect(first.main.outputs.digest).toBe(await registryDigest(env, repository, first.sha))
    expect(first.requests.filter((entry) => entry.api === 'v1')).toEqual([])
    const index = mainIndex()
    // the per-image scope names the repository, and the entry is written under the token's write scope
    expect(index.startsWith('index-migration-image-')).toBe(true)
    expect(index).toContain(repository.split('/')[1])
    expect(index).toMatch(/#1$/)
    const scope = index.slice('index-'.length, index.lastIndexOf('-1-'))
    expect(index.startsWith(indexKeyPrefix(scope, MAIN))).toBe(true)
    const finalized = ops(first.requests, 'FinalizeCacheEntryUpload').map((entry) => entry.key)
    expect(finalized).toContain(index)
    expect(finalized.some((key) => key?.startsWith('buildkit-blob-1-sha256:'))).toBe(true)
    expect(first.requests.some((entry) => entry.api === 'blob' && /put|blocklist/.test(entry.op))).toBe(true)
    expect(cache.entries.filter((entry) => entry.key === index).map((entry) => entry.scope)).toEqual([MAIN])
  })

  it('second run: buildx imports that cache ("importing cache manifest from gha") and pushes', async () => {
    const second = runs[1]
    expect(second.main.status, output(second.main)).toBe(0)
    expect(second.main.stdout).toContain('importing cache manifest from gha')
    const lookups = ops(second.requests, 'GetCacheEntryDownloadURL')
    expect(lookups.some((entry) => entry.matched === mainIndex())).toBe(true)
    expect(second.requests.some((entry) => entry.op === 'get' && entry.key === mainIndex())).toBe(true)
    expect(second.main.outputs.digest).toBe(await registryDigest(env, repository, second.sha))
  })

  it('a pull request (shallow checkout of real history) reads main’s cache, writes nothing to main’s scope, pushes nothing', async () => {
    // main holds the example migrations; the pull request adds one
    const { base, head, checkout } = pullRequestCheckout('examples/atlas/migrations')
    expect(git(checkout, 'rev-parse', '--is-shallow-repository')).toBe('true')

    const before = cache.log.length
    const { main } = await runOnRunner(
      env,
      runner,
      {
        event: 'pull_request',
        sha: head,
        ref: 'refs/pull/7/merge',
        cwd: checkout,
        payload: pullRequestEvent({ base, head }),
      },
      { ...atlasInputs(repository), builder: runner.builder ?? '' },
      {
        service: cache,
        token: cache.token([
          { Scope: 'refs/pull/7/merge', Permission: 3 },
          { Scope: MAIN, Permission: 1 },
        ]),
      },
    )
    const requests = cache.log.slice(before)
    expect(main.status, output(main)).toBe(0)
    expect(main.outputs.pushed).toBe('false')
    expect(main.outputs.digest ?? '').toBe('')
    expect(await registryDigest(env, repository, head)).toBeUndefined()
    // main's index is found through the token's read scope …
    expect(
      ops(requests, 'GetCacheEntryDownloadURL').some((entry) => entry.matched?.startsWith(mainIndex().split('#')[0])),
    ).toBe(true)
    expect(main.stdout).toContain('importing cache manifest from gha')
    // … and whatever is written goes to the pull request's own scope
    const created = ops(requests, 'CreateCacheEntry')
    expect(created.filter((entry) => entry.scope === MAIN)).toEqual([])
  })

  it('a read-only token (an untrusted trigger) reads the cache and writes nothing', async () => {
    const readOnly = await run(cache.token([{ Scope: MAIN, Permission: 1 }]))
    expect(readOnly.main.status, output(readOnly.main)).toBe(0)
    expect(notes(readOnly.main).some((line) => /read-only/.test(line))).toBe(true)
    expect(ops(readOnly.requests, 'CreateCacheEntry')).toEqual([])
    expect(readOnly.requests.filter((entry) => entry.code === 'permission_denied')).toEqual([])
    expect(
      ops(readOnly.requests, 'GetCacheEntryDownloadURL').some((entry) => entry.matched?.startsWith('index-')),
    ).toBe(true)
    expect(readOnly.main.outputs.digest).toBe(await registryDigest(env, repository, readOnly.sha))
  })

  it('the post steps leave no credential, temp dir or temporary builder, and keep the user’s builder', () => {
    for (const { main, post } of runs) expectCleanAfterPost(main, post, runner)
    const listed = runner.docker(['buildx', 'ls', '--format', '{{.Name}}']).stdout.split('\n')
    expect(listed).toContain(runner.builder)
  })
})

describe('GitHub Enterprise Server: the v1 cache API (no ACTIONS_CACHE_SERVICE_V2)', () => {
  it('writes through reserve, ranged PATCHes and commit, and reads it back on the next run', async () => {
    const repository = randomName('acme/bx-v1')
    const runner = runnerMachine(env, 'containerd', { remoteBuilder: 'current' })
    const inputs = { ...atlasInputs(repository), builder: runner.builder ?? '' }
    const token = cache.token([{ Scope: MAIN, Permission: 3 }])
    const v1 = (): NodeJS.ProcessEnv => cache.runnerEnv(token, false)
    const before = cache.log.length
    const first = await runOnRunner(
      env,
      { ...runner, env: { ...runner.env, ...v1() } },
      pushToMain(randomSha(), ROOT),
      inputs,
    )
    expect(first.main.status, output(first.main)).toBe(0)
    const written = cache.log.slice(before)
    expect(written.filter((entry) => entry.api === 'v2')).toEqual([])
    expect(ops(written, 'reserve').length).toBeGreaterThan(0)
    expect(ops(written, 'upload').length).toBeGreaterThan(0)
    const index = ops(written, 'commit').find((entry) => entry.key?.startsWith('index-migration-image-'))
    expect(index?.key).toMatch(/#1$/)
    const middle = cache.log.length
    const second = await runOnRunner(
      env,
      { ...runner, env: { ...runner.env, ...v1() } },
      pushToMain(randomSha(), changedCheckout()),
      inputs,
    )
    expect(second.main.status, output(second.main)).toBe(0)
    expect(second.main.stdout).toContain('importing cache manifest from gha')
    expect(ops(cache.log.slice(middle), 'lookup').some((entry) => entry.matched === index?.key)).toBe(true)
    expectCleanAfterPost(second.main, second.post, runner)
  })
})

describe('two platforms on the containerd image store (its docker driver builds both), without the cache', () => {
  it('pushes an index holding linux/amd64 and linux/arm64', async () => {
    const repository = randomName('acme/bx-multi')
    const sha = randomSha()
    const runner = runnerMachine(env, 'containerd')
    const { main, post } = await runOnRunner(env, runner, pushToMain(sha, ROOT), {
      ...atlasInputs(repository),
      'base-image': env.MI_BASE_BUSYBOX_MULTI,
      platforms: 'linux/amd64,linux/arm64',
      cache: 'false',
    })
    expect(main.status, output(main)).toBe(0)
    const index = await registryManifest(env, repository, sha)
    expect(index?.manifests?.map((entry) => `${entry.platform?.os}/${entry.platform?.architecture}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ])
    expect(main.outputs.digest).toBe(await registryDigest(env, repository, sha))
    expectCleanAfterPost(main, post, runner)
  })
})
