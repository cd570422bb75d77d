import { execFileSync, spawn } from 'node:child_process'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runAction, type ActionRun } from '../helpers/runner.js'
import {
  docker,
  freshDatabase,
  MANIFEST_TYPES,
  psqlAt,
  randomSha,
  realEnv,
  registryDigest,
} from '../helpers/real-env.js'
import { makeDir, pathWithoutDocker, ROOT, runNodeAsync, type Ran } from '../helpers/tmp.js'

// The registry engine through dist/ with NO docker binary on PATH (a PATH holding only node and git): real parts are
// the two loopback registries with htpasswd login, PostgreSQL, and the test engine, which only pulls back and runs
// what was pushed. Nothing is faked; the fault-injecting proxy sits in front of the real registry.
const env = realEnv() as ReturnType<typeof realEnv> & { MI_REGISTRY2: string; MI_BASE_BUSYBOX_MULTI?: string }

const noDockerPath = pathWithoutDocker()

function publish(inputs: Record<string, string>, extra: NodeJS.ProcessEnv = {}): ActionRun {
  const sha = randomSha()
  return runAction({
    cwd: ROOT,
    inputs: { username: env.MI_REGISTRY_USER, password: env.MI_REGISTRY_PASSWORD, engine: 'registry', ...inputs },
    payload: { repository: { default_branch: 'main', full_name: 'acme/api' } },
    env: {
      PATH: noDockerPath,
      HOME: makeDir(),
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'acme/api',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      ...(inputs.dir && path.isAbsolute(inputs.dir) ? { GITHUB_WORKSPACE: inputs.dir } : {}),
      ...extra,
    },
  })
}

const pulled = (image: string): string => {
  docker(env, ['pull', '-q', image])
  return image
}
const runImage = (image: string, args: string[], extra: string[] = []): string =>
  docker(env, ['run', '--rm', '--network', 'host', ...extra, image, ...args])

async function manifestOf(registry: string, repository: string, reference: string): Promise<Record<string, unknown>> {
  const auth = Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')
  const response = await fetch(`http://${registry}/v2/${repository}/manifests/${reference}`, {
    headers: { Authorization: `Basic ${auth}`, Accept: MANIFEST_TYPES },
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Record<string, unknown>
}

function psqlDir(extra: Record<string, string> = {}): string {
  const dir = makeDir()
  cpSync(path.join(ROOT, 'examples/psql/migrations'), dir, { recursive: true })
  for (const [name, text] of Object.entries(extra)) writeFileSync(path.join(dir, name), text)
  return dir
}

describe('registry engine: publish, one new migration, unchanged (psql preset, no docker on PATH)', () => {
  const repository = `acme/reg-psql-${randomSha().slice(0, 8)}`
  const image = `${env.MI_REGISTRY}/${repository}`
  const dir = psqlDir()
  let first: ActionRun

  beforeAll(() => {
    first = publish({ dir, tool: 'psql', image, 'base-image': env.MI_BASE_PSQL })
  })

  it('pushes without docker and sets the outputs', async () => {
    expect(first.status, first.stdout + first.stderr).toBe(0)
    expect(first.outputs.pushed).toBe('true')
    const sha = first.outputs.image.split(':').at(-1) as string
    expect(first.outputs.digest).toBe(await registryDigest(env, repository, sha))
    expect(first.outputs['image-ref']).toBe(`${image}@${first.outputs.digest}`)
    expect(first.stdout).not.toMatch(/docker' was not found/)
  })

  it('the image pulled back by the real engine migrates PostgreSQL', () => {
    const db = freshDatabase(env)
    const out = runImage(pulled(first.outputs['image-ref']), [], ['-e', `DATABASE_URL=${db.url}`])
    expect(out).toMatch(/migrate: \d+ applied, 0 already applied/)
    expect(Number(psqlAt(db.url, 'SELECT count(*) FROM migration_image_versions'))).toBeGreaterThan(0)
  })

  it('one new migration: a new image, which applies just that one on the migrated database', () => {
    const db = freshDatabase(env)
    runImage(first.outputs['image-ref'], [], ['-e', `DATABASE_URL=${db.url}`])
    writeFileSync(path.join(dir, '99_add_note.up.sql'), 'CREATE TABLE e2e_note (id int);\n')
    writeFileSync(path.join(dir, '99_add_note.down.sql'), 'DROP TABLE e2e_note;\n')
    // atlas.sum follows the new file.
    execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'hash', dir, '--tool', 'psql'])
    const second = publish({ dir, tool: 'psql', image, 'base-image': env.MI_BASE_PSQL })
    expect(second.status, second.stdout + second.stderr).toBe(0)
    expect(second.outputs.digest).not.toBe(first.outputs.digest)
    const out = runImage(pulled(second.outputs['image-ref']), [], ['-e', `DATABASE_URL=${db.url}`])
    expect(out).toMatch(/migrate: 1 applied/)
    expect(psqlAt(db.url, "SELECT to_regclass('e2e_note') IS NOT NULL")).toBe('t')

    // Unchanged: the next commit re-tags the same image (no build, no docker).
    const third = publish({ dir, tool: 'psql', image, 'base-image': env.MI_BASE_PSQL })
    expect(third.status, third.stdout + third.stderr).toBe(0)
    expect(third.stdout).toMatch(/unchanged since [0-9a-f]{12}, re-tagged/)
    expect(third.outputs.digest).toBe(second.outputs.digest)
  })
})

describe('registry engine: other registries, other tools, several platforms', () => {
  it('dbmate: base in one registry, image in another (layers copied) — migrates PostgreSQL', async () => {
    const repository = `acme/reg-dbmate-${randomSha().slice(0, 8)}`
    // The base's registry is not the image's: its login comes from the docker config (as docker/login-action
    // leaves it), the run's own login goes to the image's registry.
    const publishDbmate = (): ActionRun =>
      publish(
        {
          dir: 'examples/dbmate/db/migrations',
          tool: 'dbmate',
          image: `${env.MI_REGISTRY2}/${repository}`,
          'base-image': env.MI_BASE_DBMATE,
        },
        { DOCKER_CONFIG: env.MI_DOCKER_CONFIG },
      )
    const ran = publishDbmate()
    expect(ran.status, ran.stdout + ran.stderr).toBe(0)
    const sha = ran.outputs.image.split(':').at(-1) as string
    const manifest = await manifestOf(env.MI_REGISTRY2, repository, sha)
    expect(manifest.layers).toBeInstanceOf(Array)
    const db = freshDatabase(env)
    const out = runImage(pulled(ran.outputs['image-ref']), ['--url', db.url, 'up'])
    expect(out).toMatch(/Applying|Applied/)
    expect(psqlAt(db.url, 'SELECT count(*) FROM schema_migrations')).not.toBe('0')
    // Published again with the same files: the base's digest is read with the same login the build used, so the
    // unchanged image is recognised and re-tagged.
    const again = publishDbmate()
    expect(again.status, again.stdout + again.stderr).toBe(0)
    expect(again.stdout).toMatch(/unchanged since [0-9a-f]{12}, re-tagged/)
    expect(again.outputs.digest).toBe(ran.outputs.digest)
  })

  it('liquibase: base and image in one registry (a cross-repository mount) — updates PostgreSQL', () => {
    const repository = `acme/reg-liquibase-${randomSha().slice(0, 8)}`
    const ran = publish({
      dir: 'examples/liquibase/changelog',
      tool: 'liquibase',
      image: `${env.MI_REGISTRY}/${repository}`,
      'base-image': env.MI_BASE_LIQUIBASE,
    })
    expect(ran.status, ran.stdout + ran.stderr).toBe(0)
    const db = freshDatabase(env)
    const jdbc = `jdbc:postgresql://127.0.0.1:${env.MI_PG_PORT}/${db.name}`
    const out = runImage(pulled(ran.outputs['image-ref']), [
      'update',
      `--url=${jdbc}`,
      `--username=${env.MI_PG_USER}`,
      `--password=${env.MI_PG_PASSWORD}`,
    ])
    expect(out).toMatch(/Run:\s+[1-9]/)
    expect(Number(psqlAt(db.url, 'SELECT count(*) FROM databasechangelog'))).toBeGreaterThan(0)
  })

  it('a two-platform base gives a two-platform index; the engine runs its platform', async () => {
    const base = env.MI_BASE_BUSYBOX_MULTI
    if (!base) throw new Error('MI_BASE_BUSYBOX_MULTI missing from the test env (scripts/test-env-buildx.sh makes it)')
    const repository = `acme/reg-multi-${randomSha().slice(0, 8)}`
    const ran = publish({
      dir: 'examples/atlas/migrations',
      image: `${env.MI_REGISTRY}/${repository}`,
      'base-image': base,
    })
    expect(ran.status, ran.stdout + ran.stderr).toBe(0)
    const index = await manifestOf(env.MI_REGISTRY, repository, ran.outputs.digest)
    const platforms = (index.manifests as { platform: { architecture: string } }[]).map((m) => m.platform.architecture)
    expect(platforms.sort()).toEqual(['amd64', 'arm64'])
    expect(runImage(pulled(ran.outputs['image-ref']), ['ls', '/migrations'])).toContain('atlas.sum')
    // platforms filters
    const one = publish({
      dir: 'examples/atlas/migrations',
      image: `${env.MI_REGISTRY}/${repository}-arm`,
      'base-image': base,
      platforms: 'linux/arm64',
    })
    expect(one.status, one.stdout + one.stderr).toBe(0)
    const filtered = await manifestOf(env.MI_REGISTRY, `${repository}-arm`, one.outputs.digest)
    expect((filtered.manifests as unknown[]).length).toBe(1)
  })
})

describe('registry engine: the CLI without a registry to push to', () => {
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<Ran> =>
    runNodeAsync('dist/cli.js', args, {
      PATH: noDockerPath,
      HOME: makeDir(),
      DOCKER_CONFIG: env.MI_DOCKER_CONFIG,
      ...extra,
    })

  it('writes an OCI archive docker loads; the same input gives the same digest on a fresh run', async () => {
    const out = makeDir()
    const args = (file: string): string[] => [
      'build',
      'examples/atlas/migrations',
      '--image',
      `${env.MI_REGISTRY}/acme/archive:v1`,
      '--base-image',
      env.MI_BASE_BUSYBOX,
      '--engine',
      'registry',
      '--output',
      path.join(out, file),
    ]
    const [a, b] = [
      await cli(args('a.tar'), { SOURCE_DATE_EPOCH: '1700000000' }),
      await cli(args('b.tar'), { SOURCE_DATE_EPOCH: '1700000000' }),
    ]
    expect(a.status, a.stderr).toBe(0)
    expect(b.status, b.stderr).toBe(0)
    const digest = (ran: Ran): string | undefined => /\((sha256:[a-f0-9]{64})\)\s*$/.exec(ran.stdout)?.[1]
    expect(digest(a)).toBeDefined()
    expect(digest(b)).toBe(digest(a))
    expect(readFileSync(path.join(out, 'a.tar')).equals(readFileSync(path.join(out, 'b.tar')))).toBe(true)
    expect(docker(env, ['load', '-i', path.join(out, 'a.tar')])).toContain('acme/archive:v1')
    expect(runImage(`${env.MI_REGISTRY}/acme/archive:v1`, ['ls', '-ln', '/migrations'])).toMatch(
      /-r--r--r-- +1 0 +0 .* atlas\.sum/,
    )
  })

  it('self-check with the registry engine is a usage error; so is a build with nowhere to put the image', async () => {
    const selfCheck = await cli([
      'build',
      'examples/atlas/migrations',
      '--image',
      'x/y:1',
      '--engine',
      'registry',
      '--self-check',
      '--push',
    ])
    expect(selfCheck.status).toBe(2)
    expect(selfCheck.stderr).toMatch(/--self-check needs a build that runs the tool/)
    const nowhere = await cli(['build', 'examples/atlas/migrations', '--image', 'x/y:1', '--engine', 'auto'])
    expect(nowhere.status).toBe(3)
    expect(nowhere.stderr).toMatch(/no Docker engine is reachable .*--output FILE\.tar/)
  })
})

/**
 * A proxy in front of the loopback registry that injects faults, and a "storage host" (another origin) it redirects
 * blob GETs to, which must never see the registry's Authorization header.
 */
describe('registry engine against a flaky registry (fault-injecting proxy)', () => {
  let proxy: Server
  let storage: Server
  let proxyHost = ''
  let storageOrigin = ''
  const storageAuth: (string | undefined)[] = []
  const faults: ((req: IncomingMessage, res: ServerResponse) => boolean)[] = []
  const [upstreamHost, upstreamPort] = env.MI_REGISTRY.split(':')
  const basic = `Basic ${Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')}`

  const forward = (req: IncomingMessage, res: ServerResponse, headers = req.headers): void => {
    const upstream = httpRequest(
      {
        host: upstreamHost,
        port: Number(upstreamPort),
        method: req.method,
        path: req.url,
        headers: { ...headers, host: env.MI_REGISTRY },
      },
      (answer) => {
        const out = { ...answer.headers }
        // The registry's own Location headers point at itself: rewrite them to the proxy.
        if (typeof out.location === 'string') out.location = out.location.replace(env.MI_REGISTRY, proxyHost)
        res.writeHead(answer.statusCode ?? 502, out)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  }

  beforeAll(async () => {
    storage = createServer((req, res) => {
      storageAuth.push(req.headers.authorization)
      // A pre-signed URL: the storage host serves the blob on its own authority.
      forward(req, res, { ...req.headers, authorization: basic })
    })
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve))
    storageOrigin = `http://localhost:${(storage.address() as AddressInfo).port}`
    proxy = createServer((req, res) => {
      const fault = faults.findIndex((matches) => matches(req, res))
      if (fault !== -1) {
        faults.splice(fault, 1)
        return
      }
      if (req.method === 'GET' && /\/blobs\/sha256:/.test(req.url ?? '')) {
        res.writeHead(307, { location: `${storageOrigin}${req.url}` }).end()
        return
      }
      forward(req, res)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`
  })
  afterAll(() => {
    proxy.close()
    storage.close()
  })

  const once = (method: string, pattern: RegExp, act: (res: ServerResponse, req: IncomingMessage) => void) =>
    faults.push((req, res) => {
      if (req.method !== method || !pattern.test(req.url ?? '')) return false
      act(res, req)
      return true
    })

  /** The CLI pushing through the proxy, the password on stdin (as a user pipes it). */
  const cliPush = (image: string): Promise<Ran> =>
    new Promise((resolve) => {
      const args = [
        'build',
        'examples/atlas/migrations',
        '--image',
        image,
        '--base-image',
        `${proxyHost}/base/busybox:1`,
      ]
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'dist/cli.js'), ...args, '--engine', 'registry', '--push', '--username', env.MI_REGISTRY_USER],
        { cwd: ROOT, env: { PATH: noDockerPath, HOME: makeDir() } },
      )
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
      child.on('close', (status) => resolve({ status, stdout, stderr }))
      child.stdin.end(env.MI_REGISTRY_PASSWORD)
    })

  it('resets, 5xx, 429 with Retry-After, a truncated body and a redirect: retried, pushed, the login kept from the storage host', async () => {
    once('GET', /\/manifests\/1$/, (res) => res.socket?.destroy())
    once('HEAD', /\/blobs\//, (res) => res.writeHead(503).end())
    once('POST', /\/blobs\/uploads\//, (res) => res.writeHead(429, { 'retry-after': '1' }).end())
    once('GET', /\/blobs\/sha256:/, (res) => {
      // The config (a small blob): the declared length, half the bytes, then the connection cut.
      res.writeHead(200, { 'content-length': '1000' })
      res.write('{"half":')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    once('PUT', /\/manifests\//, (res) => res.writeHead(500).end())
    const repository = `acme/reg-faults-${randomSha().slice(0, 8)}`
    const ran = await cliPush(`${proxyHost}/${repository}:v1`)
    expect(ran.status, ran.stderr).toBe(0)
    expect(faults).toHaveLength(0) // every fault was hit
    expect(storageAuth.length).toBeGreaterThan(0)
    expect(storageAuth.every((value) => value === undefined)).toBe(true)
    const digest = /\((sha256:[a-f0-9]{64})\)/.exec(ran.stdout)?.[1]
    expect(await registryDigest(env, repository, 'v1')).toBe(digest)
    expect(runImage(pulled(`${env.MI_REGISTRY}/${repository}:v1`), ['ls', '/migrations'])).toContain('atlas.sum')
  })

  it('a registry that keeps failing: one clear error naming registry, step and status; nothing reported pushed', async () => {
    for (let i = 0; i < 12; i++) once('PUT', /\/manifests\/v1$/, (res) => res.writeHead(502).end())
    const repository = `acme/reg-down-${randomSha().slice(0, 8)}`
    const ran = await cliPush(`${proxyHost}/${repository}:v1`)
    faults.length = 0
    expect(ran.status).toBe(1)
    expect(ran.stderr).toMatch(new RegExp(`registry ${proxyHost}: PUT manifest ${repository}:v1 answered 502`))
    expect(ran.stdout).not.toMatch(/^pushed/m)
    expect(await registryDigest(env, repository, 'v1')).toBeUndefined()
  })
})
