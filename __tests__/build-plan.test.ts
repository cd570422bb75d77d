import { describe, expect, it } from 'vitest'
import { containerBuilderArgv, planBuild, type BuildRequest } from '../src/core/build/argv.js'
import { cacheScope, planCache, tokenCanWriteCache } from '../src/core/build/cache.js'
import { readCacheService } from '../src/core/build/facts.js'
import { atLeast, parseBuildxVersion } from '../src/core/build/versions.js'

/** A runtime token shaped like the runner's: a JWT whose `ac` claim is a JSON string of scopes. */
function token(scopes: { Scope: string; Permission: number }[]): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'RS256' })}.${part({ ac: JSON.stringify(scopes) })}.signature`
}
const writeToken = token([{ Scope: 'refs/heads/main', Permission: 3 }])
const readToken = token([{ Scope: 'refs/heads/main', Permission: 1 }])
const ghaEnv = { ACTIONS_RUNTIME_TOKEN: writeToken, ACTIONS_CACHE_URL: 'https://cache.example/' }
const scope = cacheScope('ghcr.io/acme/api-migrations', 'atlas')

const request = (overrides: Partial<BuildRequest> = {}): BuildRequest => ({
  context: 'CTX',
  dockerfile: 'CTX/Dockerfile',
  tags: ['ghcr.io/acme/api-migrations:abc123', 'ghcr.io/acme/api-migrations:latest'],
  push: true,
  load: false,
  metadataFile: 'META/metadata.json',
  platforms: [],
  provenance: 'false',
  cache: planCache({ wanted: true, service: readCacheService(ghaEnv), buildxVersion: '0.21.1', scope }),
  ...overrides,
})

describe('buildx version', () => {
  it('parses release and dev builds', () => {
    expect(parseBuildxVersion('github.com/docker/buildx v0.10.5 86bdced')).toBe('0.10.5')
    expect(parseBuildxVersion('github.com/docker/buildx 0.21.1+azure-1 0.21.1')).toBe('0.21.1')
    expect(parseBuildxVersion('github.com/docker/buildx 0.0.0+unknown')).toBe('0.0.0')
    expect(atLeast('0.0.0', '0.21.0')).toBe(true)
    expect(atLeast('0.9.1', '0.10.0')).toBe(false)
    expect(atLeast('0.10.0', '0.10.0')).toBe(true)
  })
})

describe('GitHub Actions cache plan', () => {
  it('per-image scope, never the shared default', () => {
    expect(scope).toBe('migration-image-ghcr.io-acme-api-migrations-atlas')
  })
  it('on: read and write with a writable runtime token', () => {
    expect(planCache({ wanted: true, service: readCacheService(ghaEnv), buildxVersion: '0.21.1', scope })).toEqual({
      from: true,
      to: true,
      scope,
    })
  })
  it('no token or no URL: off with a notice (buildx would drop it silently)', () => {
    const plan = planCache({
      wanted: true,
      service: readCacheService({ ACTIONS_CACHE_URL: 'x' }),
      buildxVersion: '0.21.1',
      scope,
    })
    expect(plan).toMatchObject({ from: false, to: false, note: { level: 'notice' } })
    expect(
      planCache({
        wanted: true,
        service: readCacheService({ ACTIONS_RUNTIME_TOKEN: writeToken }),
        buildxVersion: '0.21.1',
        scope,
      }).from,
    ).toBe(false)
  })
  it('read-only token (untrusted trigger): cache-from only', () => {
    expect(tokenCanWriteCache(readToken)).toBe(false)
    const plan = planCache({
      wanted: true,
      service: readCacheService({ ...ghaEnv, ACTIONS_RUNTIME_TOKEN: readToken }),
      buildxVersion: '0.21.1',
      scope,
    })
    expect(plan).toMatchObject({ from: true, to: false, note: { level: 'notice' } })
  })
  it('cache service v2 needs buildx >= 0.21', () => {
    const env = {
      ACTIONS_RUNTIME_TOKEN: writeToken,
      ACTIONS_RESULTS_URL: 'https://results/',
      ACTIONS_CACHE_SERVICE_V2: 'True',
    }
    expect(planCache({ wanted: true, service: readCacheService(env), buildxVersion: '0.20.0', scope })).toMatchObject({
      from: false,
      note: { level: 'warning' },
    })
    expect(planCache({ wanted: true, service: readCacheService(env), buildxVersion: '0.21.0', scope })).toMatchObject({
      from: true,
      to: true,
    })
  })
  it('no buildx: off with a warning', () => {
    expect(planCache({ wanted: true, service: readCacheService(ghaEnv), scope })).toMatchObject({
      from: false,
      note: { level: 'warning' },
    })
  })
  it('not wanted: off, silently', () => {
    expect(planCache({ wanted: false, service: readCacheService(ghaEnv), buildxVersion: '0.21.1', scope })).toEqual({
      from: false,
      to: false,
      scope,
    })
  })
})

describe('build argv', () => {
  const gha = `type=gha,scope=${scope}`
  it('buildx with gha cache and push: one command', () => {
    expect(planBuild(request(), { buildxVersion: '0.21.1', driver: 'docker-container' })).toEqual({
      kind: 'buildx',
      metadata: true,
      pushes: [],
      build: [
        'buildx',
        'build',
        '--file',
        'CTX/Dockerfile',
        '--tag',
        'ghcr.io/acme/api-migrations:abc123',
        '--tag',
        'ghcr.io/acme/api-migrations:latest',
        '--provenance=false',
        '--metadata-file',
        'META/metadata.json',
        '--cache-from',
        gha,
        '--cache-to',
        `${gha},mode=max,ignore-error=true`,
        '--push',
        'CTX',
      ],
    })
  })
  it('gha off: no cache flags', () => {
    const argv = planBuild(request({ cache: { from: false, to: false, scope } }), {
      buildxVersion: '0.21.1',
    }).build
    expect(argv.filter((arg) => arg.startsWith('--cache'))).toEqual([])
  })
  it('read-only token: --cache-from without --cache-to', () => {
    const cache = planCache({
      wanted: true,
      service: readCacheService({ ...ghaEnv, ACTIONS_RUNTIME_TOKEN: readToken }),
      buildxVersion: '0.21.1',
      scope,
    })
    const argv = planBuild(request({ cache }), { buildxVersion: '0.21.1' }).build
    expect(argv).toContain('--cache-from')
    expect(argv).not.toContain('--cache-to')
  })
  it('a temporary docker-container builder (docker driver + cache) is passed with --builder', () => {
    const argv = planBuild(request(), {
      buildxVersion: '0.21.1',
      name: 'migration-image-1-x',
      driver: 'docker-container',
    }).build
    expect(argv.slice(0, 4)).toEqual(['buildx', 'build', '--builder', 'migration-image-1-x'])
  })
  it('the temporary builder is created and started at once (--bootstrap from buildx 0.8)', () => {
    expect(containerBuilderArgv('mi-1', '0.21.1')).toEqual([
      'buildx',
      'create',
      '--driver',
      'docker-container',
      '--name',
      'mi-1',
      '--bootstrap',
    ])
    expect(containerBuilderArgv('mi-1', '0.7.1')).not.toContain('--bootstrap')
  })
  it('an existing builder is used as is', () => {
    const argv = planBuild(request(), { buildxVersion: '0.21.1', name: 'remote-k8s', driver: 'kubernetes' }).build
    expect(argv).toContain('remote-k8s')
  })
  it('no push: no --push; --load only when asked, single-platform and not the docker driver', () => {
    const build = planBuild(request({ push: false }), {
      buildxVersion: '0.21.1',
      driver: 'docker-container',
    }).build
    expect(build).not.toContain('--push')
    expect(build).not.toContain('--load')
    const load = (platforms: string[], driver: string): boolean =>
      planBuild(request({ push: false, load: true, platforms }), {
        buildxVersion: '0.21.1',
        driver,
      }).build.includes('--load')
    expect(load([], 'docker-container')).toBe(true)
    expect(load(['linux/amd64', 'linux/arm64'], 'docker-container')).toBe(false)
    expect(load([], 'docker')).toBe(false)
  })
  it('platforms join into one --platform', () => {
    const argv = planBuild(request({ platforms: ['linux/amd64', 'linux/arm64'] }), {
      buildxVersion: '0.21.1',
    }).build
    expect(argv[argv.indexOf('--platform') + 1]).toBe('linux/amd64,linux/arm64')
  })
  it('old buildx: no --provenance before 0.10, no --metadata-file before 0.6', () => {
    const v9 = planBuild(request(), { buildxVersion: '0.9.1' }).build
    expect(v9.some((arg) => arg.startsWith('--provenance'))).toBe(false)
    expect(v9).toContain('--metadata-file')
    const old = planBuild(request(), { buildxVersion: '0.5.1' })
    expect(old.metadata).toBe(false)
    expect(old.build).not.toContain('--metadata-file')
  })
  it('no buildx: docker build, then docker push per tag', () => {
    expect(planBuild(request({ cache: { from: false, to: false, scope } }), {})).toEqual({
      kind: 'docker',
      metadata: false,
      build: [
        'build',
        '--file',
        'CTX/Dockerfile',
        '--tag',
        'ghcr.io/acme/api-migrations:abc123',
        '--tag',
        'ghcr.io/acme/api-migrations:latest',
        'CTX',
      ],
      pushes: [
        ['push', 'ghcr.io/acme/api-migrations:abc123'],
        ['push', 'ghcr.io/acme/api-migrations:latest'],
      ],
    })
    expect(planBuild(request({ push: false }), {}).pushes).toEqual([])
  })
  it('no secret ever appears in the argv', () => {
    for (const builder of [{}, { buildxVersion: '0.21.1' }]) {
      const plan = planBuild(request(), builder)
      const flat = [plan.build, ...plan.pushes].flat().join(' ')
      expect(flat).not.toContain(writeToken)
      expect(flat).not.toMatch(/password|token/i)
    }
  })
})
