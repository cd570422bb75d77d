import { createHash } from 'node:crypto'
import { execFileSync, spawn } from 'node:child_process'
import { symlinkSync } from 'node:fs'
import path from 'node:path'
import { extract } from 'tar-stream'
import { describe, expect, it } from 'vitest'
import { configFacts } from '../../src/core/image/oci.js'
import { getPreset } from '../../src/core/image/presets.js'
import { buildxEnv, runnerMachine } from '../helpers/buildx-env.js'
import { docker, MANIFEST_TYPES, randomSha } from '../helpers/real-env.js'
import { runAction } from '../helpers/runner.js'
import { makeDir, ROOT } from '../helpers/tmp.js'

// For every preset, the same directory published by the buildx engine (buildx 0.29 on Docker Engine 28.5, the
// runner's setup) and by the registry engine (no docker on PATH) gives the same files (path, mode, uid/gid, bytes)
// where the image adds them, and the same config (env, user, entrypoint, cmd, workdir, labels but created and the
// image's own name). Real parts only: both engines push to the loopback registry; the test engine exports both.
const env = buildxEnv()

const BASES: Record<string, string> = {
  psql: env.MI_BASE_PSQL,
  dbmate: env.MI_BASE_DBMATE,
  liquibase: env.MI_BASE_LIQUIBASE,
}
const DIRS: Record<string, string> = {
  dbmate: 'examples/dbmate/db/migrations',
  liquibase: 'examples/liquibase/changelog',
}

const noDockerPath = ((): string => {
  const bin = makeDir()
  for (const tool of ['node', 'git']) {
    symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), path.join(bin, tool))
  }
  return bin
})()

function publish(tool: string, repository: string, engine: 'buildx' | 'registry', sha: string) {
  const runner = engine === 'buildx' ? runnerMachine(env, 'classic') : undefined
  const ran = runAction({
    cwd: ROOT,
    inputs: {
      username: env.MI_REGISTRY_USER,
      password: env.MI_REGISTRY_PASSWORD,
      dir: DIRS[tool] ?? `examples/${tool}/migrations`,
      tool,
      image: `${env.MI_REGISTRY}/${repository}`,
      'base-image': BASES[tool] ?? env.MI_BASE_BUSYBOX,
      engine,
    },
    payload: { repository: { default_branch: 'main', full_name: 'acme/api' } },
    env: {
      ...(runner ? runner.env : { PATH: noDockerPath, HOME: makeDir() }),
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'acme/api',
      GITHUB_SERVER_URL: 'https://github.com',
      SOURCE_DATE_EPOCH: '1700000000',
    },
  })
  expect(ran.status, ran.stdout + ran.stderr).toBe(0)
  return ran.outputs['image-ref']
}

async function config(imageRef: string): Promise<Record<string, unknown>> {
  const auth = `Basic ${Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')}`
  const [name, digest] = imageRef.split('@')
  const repository = name.slice(env.MI_REGISTRY.length + 1)
  const get = async (what: string): Promise<Record<string, unknown>> => {
    const response = await fetch(`http://${env.MI_REGISTRY}/v2/${repository}/${what}`, {
      headers: { Authorization: auth, Accept: MANIFEST_TYPES },
    })
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, unknown>
  }
  const manifest = await get(`manifests/${digest}`)
  return get(`blobs/${(manifest.config as { digest: string }).digest}`)
}

/** The files under `roots` in the image's filesystem (docker export of a created container): mode, owner, bytes. */
async function files(imageRef: string, roots: string[]): Promise<Record<string, string>> {
  docker(env, ['pull', '-q', imageRef])
  const id = docker(env, ['create', imageRef]).trim()
  try {
    const found: Record<string, string> = {}
    const child = spawn(env.DOCKER_BIN, ['export', id], {
      env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONFIG: env.MI_DOCKER_CONFIG },
    })
    const tar = extract()
    tar.on('entry', (header, stream, next) => {
      const name = `/${header.name.replace(/\/$/, '')}`
      const wanted = roots.some((root) => name === root || name.startsWith(`${root}/`))
      const hash = createHash('sha256')
      stream.on('data', (chunk: unknown) => hash.update(chunk as Uint8Array))
      stream.on('end', () => {
        if (wanted) {
          const bytes = header.type === 'file' ? hash.digest('hex').slice(0, 16) : header.type
          found[name] = `${(header.mode ?? 0).toString(8)} ${header.uid}:${header.gid} ${bytes}`
        }
        next()
      })
      stream.resume()
    })
    await new Promise<void>((resolve, reject) => {
      tar.on('finish', resolve)
      tar.on('error', reject)
      child.stdout.pipe(tar)
    })
    return found
  } finally {
    docker(env, ['rm', id])
  }
}

const comparable = (json: Record<string, unknown>) => {
  const facts = configFacts(json)
  const labels = { ...facts.labels }
  for (const name of ['org.opencontainers.image.title', 'io.migration-image.content-key']) delete labels[name]
  return { ...facts, labels }
}

describe('registry engine = buildx engine, for every preset', () => {
  for (const tool of ['atlas', 'golang-migrate', 'flyway', 'liquibase', 'dbmate', 'goose', 'psql']) {
    it(`${tool}: same files, same config`, async () => {
      const sha = randomSha()
      const id = randomSha().slice(0, 8)
      const built = publish(tool, `acme/eq-${tool}-buildx-${id}`, 'buildx', sha)
      const assembled = publish(tool, `acme/eq-${tool}-registry-${id}`, 'registry', sha)
      expect(comparable(await config(assembled))).toEqual(comparable(await config(built)))
      const preset = getPreset(tool)
      const roots = [preset.migrationsDir, ...(preset.runner ? [preset.runner.path] : [])]
      const [a, b] = [await files(built, roots), await files(assembled, roots)]
      expect(Object.keys(a).length).toBeGreaterThan(1)
      expect(b).toEqual(a)
    })
  }
})
