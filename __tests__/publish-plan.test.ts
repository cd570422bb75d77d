import { describe, expect, it } from 'vitest'
import {
  parseBuilderInspect,
  parseBuilderList,
  readCacheService,
  type BuildFacts,
  type BuilderInfo,
} from '../src/core/build/facts.js'
import { planPublish, type PublishRequest } from '../src/core/build/plan.js'
import { UsageError } from '../src/core/errors.js'
import { ACTION_NAMES } from '../src/core/option-names.js'

/** A runtime token shaped like the runner's: a JWT whose `ac` claim is a JSON string of scopes. */
function token(permission: number): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'RS256' })}.${part({ ac: JSON.stringify([{ Scope: 'refs/heads/main', Permission: permission }]) })}.sig`
}
const SERVICES = {
  none: readCacheService({}),
  v1: readCacheService({ ACTIONS_RUNTIME_TOKEN: token(3), ACTIONS_CACHE_URL: 'https://cache.example/' }),
  v2: readCacheService({
    ACTIONS_RUNTIME_TOKEN: token(3),
    ACTIONS_RESULTS_URL: 'https://results.example/',
    ACTIONS_CACHE_SERVICE_V2: 'True',
  }),
  'v2 read-only': readCacheService({
    ACTIONS_RUNTIME_TOKEN: token(1),
    ACTIONS_RESULTS_URL: 'https://results.example/',
    ACTIONS_CACHE_SERVICE_V2: 'True',
  }),
}
const BUILDERS: Record<string, BuilderInfo> = {
  'docker classic': {
    name: 'default',
    driver: 'docker',
    buildkitVersion: '0.25.1',
    containerdStore: false,
    platforms: ['linux/amd64'],
  },
  'docker classic 0.12': {
    name: 'default',
    driver: 'docker',
    buildkitVersion: '0.12.5',
    containerdStore: false,
    platforms: ['linux/amd64'],
  },
  'docker containerd': {
    name: 'default',
    driver: 'docker',
    buildkitVersion: '0.25.1',
    containerdStore: true,
    platforms: ['linux/amd64', 'linux/arm64'],
  },
  'docker containerd 0.12': {
    name: 'default',
    driver: 'docker',
    buildkitVersion: '0.12.5',
    containerdStore: true,
    platforms: ['linux/amd64'],
  },
  'docker-container': {
    name: 'builder-1',
    driver: 'docker-container',
    buildkitVersion: '0.25.1',
    containerdStore: false,
    platforms: ['linux/amd64', 'linux/arm64'],
  },
  remote: {
    name: 'remote-1',
    driver: 'remote',
    buildkitVersion: '0.0.0',
    containerdStore: false,
    platforms: ['linux/amd64'],
  },
  'remote, BuildKit before 0.11': {
    name: 'remote-old',
    driver: 'remote',
    containerdStore: false,
    platforms: ['linux/amd64'],
  },
}
const TEMP = 'migration-image-1234-abc'
const SCOPE = 'migration-image-ghcr.io-acme-db-atlas'

const wish = (overrides: Partial<PublishRequest> = {}): PublishRequest => ({
  image: 'ghcr.io/acme/db',
  tool: 'atlas',
  references: ['ghcr.io/acme/db:abc', 'ghcr.io/acme/db:latest'],
  push: true,
  load: false,
  platforms: [],
  provenance: 'false',
  cache: 'true',
  runsCommands: false,
  context: 'CTX',
  dockerfile: 'CTX/Dockerfile',
  metadataFile: 'META/metadata.json',
  names: ACTION_NAMES,
  ...overrides,
})
const facts = (
  builder: keyof typeof BUILDERS | undefined,
  service: keyof typeof SERVICES,
  more: Partial<BuildFacts> = {},
): BuildFacts => ({
  buildxVersion: '0.29.1',
  builder: builder === undefined ? undefined : BUILDERS[builder],
  cacheService: SERVICES[service],
  temporaryBuilderName: TEMP,
  ...more,
})
const flag = (argv: readonly string[], name: string): string | undefined => {
  const at = argv.indexOf(name)
  return at === -1 ? undefined : argv[at + 1]
}

describe('planPublish: the decisions, with the exact notes', () => {
  const rows: {
    case: string
    wish?: Partial<PublishRequest>
    facts: BuildFacts
    kind: 'buildx' | 'docker'
    create?: boolean
    builder?: string
    cache: 'rw' | 'r' | 'off'
    notes: string[]
  }[] = [
    {
      case: 'GitHub-hosted runner today: classic store, v2 cache → temporary docker-container builder',
      facts: facts('docker classic', 'v2'),
      kind: 'buildx',
      create: true,
      builder: TEMP,
      cache: 'rw',
      notes: [
        'info: the current builder (default) (docker driver on the classic image store) cannot use the GitHub Actions cache: creating a temporary docker-container builder (the post step removes it)',
      ],
    },
    {
      case: 'containerd store: the docker driver does it, no temporary builder',
      facts: facts('docker containerd', 'v2'),
      kind: 'buildx',
      cache: 'rw',
      notes: [],
    },
    {
      case: 'containerd store with an old engine BuildKit: v2 cache off, says why',
      facts: facts('docker containerd 0.12', 'v2'),
      kind: 'buildx',
      cache: 'off',
      notes: [
        "warning: GitHub's cache service v2 needs BuildKit >= 0.20, and the current builder (default) (docker driver on the containerd image store) runs BuildKit 0.12.5, the engine\u2019s own (Docker Engine 28 has 0.20): building without the cache; update the engine or use a docker-container builder (docker/setup-buildx-action)",
      ],
    },
    {
      case: 'containerd store with an old engine BuildKit on the v1 service: cache on',
      facts: facts('docker containerd 0.12', 'v1'),
      kind: 'buildx',
      cache: 'rw',
      notes: [],
    },
    {
      case: 'setup-buildx-action current builder (docker-container): used as it is',
      facts: facts('docker-container', 'v2'),
      kind: 'buildx',
      cache: 'rw',
      notes: [],
    },
    {
      case: 'builder input (remote driver): used by name',
      wish: { builder: 'remote-1' },
      facts: facts('remote', 'v2'),
      kind: 'buildx',
      builder: 'remote-1',
      cache: 'rw',
      notes: [],
    },
    {
      case: 'builder input with the classic docker driver: cache off, never a temporary builder',
      wish: { builder: 'default' },
      facts: facts('docker classic', 'v2'),
      kind: 'buildx',
      builder: 'default',
      cache: 'off',
      notes: [
        "warning: builder 'default' (docker driver on the classic image store) cannot export cache: building without the GitHub Actions cache; give a docker-container builder (docker/setup-buildx-action), turn on the containerd image store, or leave the builder input empty",
      ],
    },
    {
      case: 'builder input on a BuildKit too old to say its version: the v2 cache is off, and said (BuildKit would ignore it silently)',
      wish: { builder: 'remote-old' },
      facts: facts('remote, BuildKit before 0.11', 'v2'),
      kind: 'buildx',
      builder: 'remote-old',
      cache: 'off',
      notes: [
        "warning: GitHub's cache service v2 needs BuildKit >= 0.20, and builder 'remote-old' (driver remote) runs a BuildKit older than 0.11: building without the cache; update the engine or use a docker-container builder (docker/setup-buildx-action)",
      ],
    },
    {
      case: 'read-only token: read, not write',
      facts: facts('docker-container', 'v2 read-only'),
      kind: 'buildx',
      cache: 'r',
      notes: [
        'notice: the runtime token is read-only for the cache (untrusted trigger): reading the cache, not writing it',
      ],
    },
    {
      case: 'no cache service, classic store: nothing created, nothing inspected matters',
      facts: facts('docker classic', 'none'),
      kind: 'buildx',
      cache: 'off',
      notes: [
        'notice: no GitHub Actions cache service in this environment (ACTIONS_RUNTIME_TOKEN / cache URL unset): building without cache',
      ],
    },
    {
      case: 'cache: false on the classic store: the docker driver, silently',
      wish: { cache: 'false' },
      facts: facts('docker classic', 'v2'),
      kind: 'buildx',
      cache: 'off',
      notes: [],
    },
    {
      case: 'two platforms with cache: false on the classic store → temporary builder',
      wish: { cache: 'false', platforms: ['linux/amd64', 'linux/arm64'] },
      facts: facts('docker classic', 'none'),
      kind: 'buildx',
      create: true,
      builder: TEMP,
      cache: 'off',
      notes: [
        'info: the current builder (default) (docker driver on the classic image store) cannot build several platforms (linux/amd64, linux/arm64): creating a temporary docker-container builder (the post step removes it)',
      ],
    },
    {
      case: 'cache: auto on a COPY-only image: no cache, no temporary builder, and said why',
      wish: { cache: 'auto' },
      facts: facts('docker classic', 'v2'),
      kind: 'buildx',
      cache: 'off',
      notes: [
        'info: GitHub Actions cache not used (cache: auto): this image only copies files onto its base, so the cache would upload the base and save nothing; set cache: true to use it anyway',
      ],
    },
    {
      case: 'cache: auto with a self-check stage (a command runs): the cache is used',
      wish: { cache: 'auto', runsCommands: true },
      facts: facts('docker containerd', 'v2'),
      kind: 'buildx',
      cache: 'rw',
      notes: [],
    },
    {
      case: 'an existing capable builder (setup-buildx-action with use: false) is used before creating one',
      wish: { cache: 'false', platforms: ['linux/amd64', 'linux/arm64'] },
      facts: facts('docker classic', 'none', {
        builders: [
          { ...BUILDERS['docker classic'] },
          { ...BUILDERS['docker-container'], name: 'stopped', running: false },
          { ...BUILDERS.remote, running: true },
        ],
      }),
      kind: 'buildx',
      builder: 'remote-1',
      cache: 'off',
      notes: [
        "info: the current builder (default) (docker driver on the classic image store) cannot build several platforms (linux/amd64, linux/arm64): using builder 'remote-1' (driver remote), which can",
      ],
    },
    {
      case: 'no capable builder in the list: a temporary one is created',
      facts: facts('docker classic', 'v2', { builders: [{ ...BUILDERS['docker classic'] }] }),
      kind: 'buildx',
      create: true,
      builder: TEMP,
      cache: 'rw',
      notes: [
        'info: the current builder (default) (docker driver on the classic image store) cannot use the GitHub Actions cache: creating a temporary docker-container builder (the post step removes it)',
      ],
    },
    {
      case: 'provenance on the classic store → temporary builder',
      wish: { cache: 'false', provenance: 'mode=max' },
      facts: facts('docker classic', 'none'),
      kind: 'buildx',
      create: true,
      builder: TEMP,
      cache: 'off',
      notes: [
        'info: the current builder (default) (docker driver on the classic image store) cannot attach provenance attestations: creating a temporary docker-container builder (the post step removes it)',
      ],
    },
    {
      case: 'the temporary builder could not start: cache off, with the reason',
      facts: facts('docker classic', 'v2', { temporaryBuilderFailed: 'pull access denied for moby/buildkit' }),
      kind: 'buildx',
      cache: 'off',
      notes: [
        'warning: the current builder (default) (docker driver on the classic image store), and a temporary docker-container builder could not start (pull access denied for moby/buildkit), cannot export cache: building without the GitHub Actions cache; set up a builder before this step (docker/setup-buildx-action) and pass it as the builder input',
      ],
    },
    {
      case: 'buildx 0.20 with the v2 service: cache off (buildx cannot hand BuildKit the v2 URL)',
      facts: facts('docker-container', 'v2', { buildxVersion: '0.20.0' }),
      kind: 'buildx',
      cache: 'off',
      notes: [
        "warning: GitHub's cache service v2 needs buildx >= 0.21 (found 0.20.0): building without cache; update buildx (docker/setup-buildx-action)",
      ],
    },
    {
      case: 'no buildx: docker build + docker push, cache off with a warning',
      facts: facts(undefined, 'v2', { buildxVersion: undefined }),
      kind: 'docker',
      cache: 'off',
      notes: [
        'warning: docker buildx is not installed: building with docker build and docker push, without the GitHub Actions cache',
      ],
    },
    {
      case: 'no buildx with provenance: said, not silently dropped',
      wish: { cache: 'false', provenance: 'true' },
      facts: facts(undefined, 'none', { buildxVersion: undefined }),
      kind: 'docker',
      cache: 'off',
      notes: ["warning: provenance 'true' needs docker buildx, which is not installed: the image has no attestation"],
    },
  ]

  for (const row of rows) {
    it(row.case, () => {
      const plan = planPublish(wish(row.wish), row.facts)
      expect(plan.kind).toBe(row.kind)
      expect(plan.createBuilder?.name).toBe(row.create ? TEMP : undefined)
      if (row.create)
        expect(plan.createBuilder?.argv).toEqual([
          'buildx',
          'create',
          '--driver',
          'docker-container',
          '--name',
          TEMP,
          '--bootstrap',
        ])
      expect(flag(plan.build, '--builder')).toBe(row.builder)
      const cache = plan.cache.to ? 'rw' : plan.cache.from ? 'r' : 'off'
      expect(cache).toBe(row.cache)
      expect(flag(plan.build, '--cache-from')).toBe(plan.cache.from ? `type=gha,scope=${SCOPE}` : undefined)
      expect(flag(plan.build, '--cache-to')).toBe(
        plan.cache.to ? `type=gha,scope=${SCOPE},mode=max,ignore-error=true` : undefined,
      )
      expect(plan.notes.map((note) => `${note.level}: ${note.text}`)).toEqual(row.notes)
    })
  }

  it('COPY --link only where the builder is BuildKit >= 0.10 (a temporary builder is)', () => {
    expect(planPublish(wish({ cache: 'false' }), facts('docker classic', 'none')).link).toBe(true)
    expect(planPublish(wish({ cache: 'false' }), facts('docker classic 0.12', 'none')).link).toBe(true)
    expect(planPublish(wish(), facts('docker classic', 'v2')).link).toBe(true) // the temporary builder
    const old = { ...BUILDERS['remote, BuildKit before 0.11'] }
    expect(planPublish(wish({ cache: 'false' }), facts(undefined, 'none', { builder: old })).link).toBe(false)
    expect(
      planPublish(wish({ cache: 'false' }), facts(undefined, 'none', { builder: { ...old, buildkitVersion: '0.9.3' } }))
        .link,
    ).toBe(false)
    expect(planPublish(wish(), facts(undefined, 'none', { buildxVersion: undefined })).link).toBe(false)
  })

  it('fails, rather than build something else, when several platforms cannot be had', () => {
    const two = wish({ platforms: ['linux/amd64', 'linux/arm64'] })
    expect(() => planPublish(two, facts(undefined, 'none', { buildxVersion: undefined }))).toThrow(
      new UsageError('building for linux/amd64, linux/arm64 needs docker buildx, which is not installed', {
        fix: 'install buildx (docker/setup-buildx-action) or build one platform',
      }),
    )
    expect(() => planPublish({ ...two, builder: 'default' }, facts('docker classic', 'v2'))).toThrow(
      "builder 'default' (docker driver on the classic image store) cannot build several platforms (linux/amd64, linux/arm64)",
    )
    expect(() => planPublish(two, facts('docker classic', 'v2', { temporaryBuilderFailed: 'no privileges' }))).toThrow(
      /could not start \(no privileges\)/,
    )
    expect(() => planPublish(wish({ builder: 'gone' }), facts(undefined, 'v2'))).toThrow(
      "builder 'gone' was not found (docker buildx inspect gone failed)",
    )
  })

  // Every combination: the invariants hold whatever the facts.
  const combos = Object.keys(SERVICES).flatMap((service) =>
    [undefined, ...Object.keys(BUILDERS)].flatMap((builder) =>
      [undefined, '0.13.1', '0.29.1'].flatMap((buildxVersion) =>
        [false, true].flatMap((input) =>
          [[], ['linux/amd64'], ['linux/amd64', 'linux/arm64']].flatMap((platforms) =>
            [true, false].flatMap((push) =>
              (['true', 'false', 'auto'] as const).flatMap((cache) =>
                ['false', 'mode=max'].flatMap((provenance) =>
                  [undefined, 'could not pull'].map((failed) => ({
                    service,
                    builder,
                    buildxVersion,
                    input,
                    platforms,
                    push,
                    cache,
                    provenance,
                    failed,
                  })),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  )
  it(`holds its invariants over all ${combos.length} combinations`, () => {
    let planned = 0
    for (const c of combos) {
      const w = wish({
        platforms: c.platforms,
        push: c.push,
        cache: c.cache,
        provenance: c.provenance,
        builder: c.input && c.builder ? BUILDERS[c.builder].name : undefined,
      })
      const f = facts(c.builder, c.service as keyof typeof SERVICES, {
        buildxVersion: c.buildxVersion,
        temporaryBuilderFailed: c.failed,
      })
      let plan
      try {
        plan = planPublish(w, f)
      } catch (error) {
        // Only typed usage errors, and only when several platforms or attestations were asked for and cannot be had.
        expect(error).toBeInstanceOf(UsageError)
        expect(c.platforms.length > 1 || c.provenance !== 'false').toBe(true)
        continue
      }
      planned++
      const used = plan.createBuilder ? 'docker-container' : f.builder?.driver
      const weak = used === 'docker' && !f.builder?.containerdStore
      if (plan.kind === 'docker') {
        expect(c.buildxVersion).toBeUndefined()
        expect(plan.pushes).toHaveLength(c.push ? 2 : 0)
        continue
      }
      expect(plan.build.includes('--push')).toBe(c.push)
      if (weak) expect(plan.build.some((arg) => arg.startsWith('--cache'))).toBe(false)
      if (weak) expect(c.platforms.length).toBeLessThan(2)
      if (c.cache !== 'true') expect(plan.cache.from || plan.cache.to).toBe(false) // auto: COPY-only here
      if (plan.cache.to) expect(f.cacheService.token && f.cacheService.url).toBeTruthy()
      if (plan.createBuilder) expect(w.builder ?? c.failed).toBeUndefined()
      if (c.input && c.builder) expect(flag(plan.build, '--builder')).toBe(BUILDERS[c.builder].name)
      // a decision that turns something off always says so
      if (c.cache !== 'false' && f.cacheService.token && !plan.cache.from) expect(plan.notes.length).toBeGreaterThan(0)
    }
    expect(planned).toBeGreaterThan(combos.length / 2)
  })
})

describe('buildx inspect', () => {
  it('reads the driver, the BuildKit version, the platforms and the containerd-store signal', () => {
    const classic = [
      'Name:          default',
      'Driver:        docker',
      'Last Activity: 2026-11-23 05:00:00 +0000 UTC',
      '',
      'Nodes:',
      'Name:             default',
      'Endpoint:         default',
      'Status:           running',
      'BuildKit version: v0.25.1',
      'Platforms:        linux/amd64, linux/amd64/v2, linux/386*',
      'Labels:',
      ' org.mobyproject.buildkit.worker.moby.host-gateway-ip: 172.17.0.1',
    ].join('\n')
    expect(parseBuilderInspect(classic)).toEqual({
      name: 'default',
      driver: 'docker',
      buildkitVersion: '0.25.1',
      containerdStore: false,
      platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/386'],
    })
    const containerd = `${classic}\n org.mobyproject.buildkit.worker.snapshotter: native`
    expect(parseBuilderInspect(containerd)?.containerdStore).toBe(true)
    expect(parseBuilderInspect('ERROR: no builder "x" found')).toBeUndefined()
    expect(parseBuilderInspect('Driver: --evil')).toBeUndefined()
    // Debian's engines say v0.0.0+unknown (new enough); the 20.10 engine's BuildKit says v0.8+unknown
    expect(parseBuilderInspect(classic.replace('v0.25.1', 'v0.0.0+unknown'))?.buildkitVersion).toBe('0.0.0')
    expect(parseBuilderInspect(classic.replace('v0.25.1', 'v0.8+unknown'))?.buildkitVersion).toBe('0.8.0')
    expect(parseBuilderInspect(classic.replace(/BuildKit version.*\n/, ''))?.buildkitVersion).toBeUndefined()
  })
})

describe('buildx ls --format json', () => {
  it('reads each builder, its first node and the containerd-store label; skips what buildx would not print', () => {
    const lines = [
      JSON.stringify({
        Name: 'mi-remote',
        Driver: 'remote',
        Nodes: [{ Status: 'running', Version: 'v0.0.0+unknown', Platforms: ['linux/amd64'], Labels: {} }],
      }),
      JSON.stringify({
        Name: 'default',
        Driver: 'docker',
        Current: true,
        Nodes: [
          {
            Status: 'running',
            Version: 'v0.25.1',
            Platforms: ['linux/amd64', 'linux/arm64'],
            Labels: { 'org.mobyproject.buildkit.worker.snapshotter': 'native' },
          },
        ],
      }),
      JSON.stringify({ Name: 'stopped', Driver: 'docker-container', Nodes: [{ Status: 'inactive' }] }),
      JSON.stringify({ Name: '--evil', Driver: 'remote' }),
      'not json',
      '[1,2]',
    ].join('\n')
    expect(parseBuilderList(lines)).toEqual([
      {
        name: 'mi-remote',
        driver: 'remote',
        buildkitVersion: '0.0.0',
        containerdStore: false,
        platforms: ['linux/amd64'],
        running: true,
      },
      {
        name: 'default',
        driver: 'docker',
        buildkitVersion: '0.25.1',
        containerdStore: true,
        platforms: ['linux/amd64', 'linux/arm64'],
        running: true,
      },
      {
        name: 'stopped',
        driver: 'docker-container',
        buildkitVersion: undefined,
        containerdStore: false,
        platforms: [],
        running: false,
      },
    ])
  })
})
