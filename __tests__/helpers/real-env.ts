import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'

/** The real parts scripts/test-env.sh started (dockerd, registry, PostgreSQL, base images), read from its env file. */
export interface RealEnv {
  DOCKER_HOST: string
  DOCKER_BIN: string
  MI_DOCKER_CONFIG: string
  MI_REGISTRY: string
  MI_REGISTRY_USER: string
  MI_REGISTRY_PASSWORD: string
  MI_PG_URL: string
  MI_BASE_PSQL: string
  MI_BASE_BUSYBOX: string
  MI_BASE_DBMATE: string
  MI_BASE_LIQUIBASE: string
  MI_PG_PORT: string
  MI_PG_USER: string
  MI_PG_PASSWORD: string
  /** Database server images for the apply check (scripts/test-env-db.sh). */
  MI_DB_POSTGRES: string
  MI_DB_MARIADB: string
}

export function realEnv(): RealEnv & { PATH: string } {
  const dir = process.env.MI_TEST_ENV_DIR ?? path.join(tmpdir(), 'migration-image-test-env')
  const values = Object.fromEntries(
    readFileSync(path.join(dir, 'env'), 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as unknown as RealEnv
  // The docker client that talks to this dockerd goes first on PATH, as `docker` (the e2e setup links it).
  const bin = path.join(dir, 'test-bin')
  return { ...values, PATH: `${bin}:${process.env.PATH ?? ''}` }
}

/** docker with the test engine and the test's logged-in config (for pulls and inspection). */
export function docker(env: RealEnv, args: string[], input?: string): string {
  return execFileSync(env.DOCKER_BIN, args, {
    env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONFIG: env.MI_DOCKER_CONFIG },
    encoding: 'utf8',
    input,
    stdio: ['pipe', 'pipe', 'pipe'],
  })
}

export function dockerStatus(env: RealEnv, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const ran = spawnSync(env.DOCKER_BIN, args, {
    env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONFIG: env.MI_DOCKER_CONFIG },
    encoding: 'utf8',
  })
  return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr }
}

/** What a registry may answer a manifest request with: single images and indexes, Docker's and OCI's. */
export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ')

/** The registry's own answer (HTTP API v2): the manifest digest of name:tag, or undefined when the tag is absent. */
export async function registryDigest(env: RealEnv, repository: string, tag: string): Promise<string | undefined> {
  const auth = Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')
  const response = await fetch(`http://${env.MI_REGISTRY}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Authorization: `Basic ${auth}`, Accept: MANIFEST_TYPES },
  })
  if (response.status === 404) return undefined
  if (!response.ok) throw new Error(`registry answered ${response.status} for ${repository}:${tag}`)
  return response.headers.get('docker-content-digest') ?? undefined
}

export const randomSha = (): string => randomBytes(20).toString('hex')

/** A database of its own for one test (the test role may CREATEDB), as a postgres:// URL with that name. */
export function freshDatabase(env: RealEnv): { url: string; name: string } {
  const name = `e2e_${randomBytes(6).toString('hex')}`
  execFileSync('psql', [env.MI_PG_URL, '-X', '-q', '-c', `CREATE DATABASE ${name}`])
  return { name, url: env.MI_PG_URL.replace(/\/app\?/, `/${name}?`) }
}

/** psql against a database, quiet, unaligned. */
export function psqlAt(url: string, sql: string): string {
  return execFileSync('psql', [url, '-X', '-q', '-At', '-c', sql], {
    encoding: 'utf8',
    env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
  }).trim()
}
