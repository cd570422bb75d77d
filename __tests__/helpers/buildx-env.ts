import { spawnSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { CacheService } from './gha-cache-service.js'
import { runActionAsync, runPost, type ActionRun } from './runner.js'
import { MANIFEST_TYPES, realEnv, type RealEnv } from './real-env.js'
import { independentSum, makeDir, ROOT, type Ran } from './tmp.js'

/** The buildx part scripts/test-env-buildx.sh started (Docker Engine 28.5 ×2, buildx 0.29, a remote BuildKit). */
export interface BuildxEnv extends RealEnv {
  /** docker 28.5, containerd 2.1…: goes first on the action's PATH, so its `docker` is this client. */
  MI_BUILDX_BIN_DIR: string
  MI_BUILDX_DOCKER_BIN: string
  MI_BUILDX_PLUGIN: string
  /** The plugin, logged in to the registry: for the tests' own pulls. */
  MI_BUILDX_LOGIN_CONFIG: string
  MI_ENGINE_CLASSIC_HOST: string
  MI_ENGINE_CONTAINERD_HOST: string
  /** The containerd-store engine's BuildKit for buildx's remote driver (scripts/buildkit-proxy.mjs). */
  MI_BUILDKIT_REMOTE_ENDPOINT: string
  /** linux/amd64 + linux/arm64. */
  MI_BASE_BUSYBOX_MULTI: string
  MI_BUILDX_VERSION: string
  MI_ENGINE_VERSION: string
}

export function buildxEnv(): BuildxEnv {
  const values = realEnv() as unknown as BuildxEnv
  if (!values.MI_BUILDX_DOCKER_BIN)
    throw new Error('the env file has no buildx part: run scripts/test-env.sh up (without MI_TEST_ENV_BUILDX=0)')
  return values
}

export type Engine = 'classic' | 'containerd'

/** A runner machine's docker side: a HOME whose ~/.docker has the buildx plugin, one engine, maybe a builder. */
export interface Runner {
  readonly home: string
  readonly dockerConfig: string
  readonly dockerHost: string
  /** The builder a setup-buildx-action step left current (`--use`), when asked for. */
  readonly builder?: string
  /** The environment the runner gives every step (PATH with docker 28.5, HOME, DOCKER_HOST). */
  readonly env: NodeJS.ProcessEnv
  docker(args: string[]): Ran
}

export function runnerMachine(
  env: BuildxEnv,
  engine: Engine,
  options: { remoteBuilder?: 'current' | 'idle' } = {},
): Runner {
  const home = makeDir()
  const dockerConfig = path.join(home, '.docker')
  mkdirSync(path.join(dockerConfig, 'cli-plugins'), { recursive: true })
  symlinkSync(env.MI_BUILDX_PLUGIN, path.join(dockerConfig, 'cli-plugins', 'docker-buildx'))
  const dockerHost = engine === 'classic' ? env.MI_ENGINE_CLASSIC_HOST : env.MI_ENGINE_CONTAINERD_HOST
  const docker = (args: string[]): Ran => {
    const ran = spawnSync(env.MI_BUILDX_DOCKER_BIN, args, {
      env: { PATH: process.env.PATH, HOME: home, DOCKER_HOST: dockerHost, DOCKER_CONFIG: dockerConfig },
      encoding: 'utf8',
    })
    return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr }
  }
  let builder: string | undefined
  if (options.remoteBuilder) {
    // what docker/setup-buildx-action does (with a remote endpoint instead of a docker-container BuildKit)
    builder = `builder-${randomBytes(4).toString('hex')}`
    const use = options.remoteBuilder === 'current' ? ['--use'] : []
    const created = docker([
      'buildx',
      'create',
      '--name',
      builder,
      '--driver',
      'remote',
      ...use,
      env.MI_BUILDKIT_REMOTE_ENDPOINT,
    ])
    if (created.status !== 0) throw new Error(`buildx create failed: ${created.stderr}`)
    const booted = docker(['buildx', 'inspect', '--bootstrap', builder])
    if (booted.status !== 0) throw new Error(`buildx inspect --bootstrap failed: ${booted.stderr}`)
  }
  return {
    home,
    dockerConfig,
    dockerHost,
    builder,
    env: { PATH: `${env.MI_BUILDX_BIN_DIR}:${process.env.PATH ?? ''}`, HOME: home, DOCKER_HOST: dockerHost },
    docker,
  }
}

export interface Trigger {
  readonly event: 'push' | 'pull_request'
  readonly sha: string
  readonly ref: string
  readonly payload: object
  readonly cwd: string
}

export const pushToMain = (sha: string, cwd: string): Trigger => ({
  event: 'push',
  sha,
  ref: 'refs/heads/main',
  payload: { repository: { default_branch: 'main', full_name: 'acme/api' } },
  cwd,
})

/** The main step (async: the cache stand-in serves the engine meanwhile), then the post step, as the runner runs them. */
export async function runOnRunner(
  env: BuildxEnv,
  runner: Runner,
  trigger: Trigger,
  inputs: Record<string, string>,
  cache?: { service: CacheService; token: string },
): Promise<{ main: ActionRun; post: Ran }> {
  const stepEnv: NodeJS.ProcessEnv = {
    ...runner.env,
    GITHUB_EVENT_NAME: trigger.event,
    GITHUB_REF: trigger.ref,
    GITHUB_SHA: trigger.sha,
    GITHUB_REPOSITORY: 'acme/api',
    GITHUB_ACTOR: 'octocat',
    GITHUB_SERVER_URL: 'https://github.com',
    ...(cache ? cache.service.runnerEnv(cache.token) : {}),
  }
  const main = await runActionAsync({
    cwd: trigger.cwd,
    inputs: { username: env.MI_REGISTRY_USER, password: env.MI_REGISTRY_PASSWORD, ...inputs },
    payload: trigger.payload,
    env: stepEnv,
  })
  const post = runPost(main, stepEnv, trigger.cwd)
  return { main, post }
}

/**
 * A checkout like this repository's with one migration of its own in examples/atlas/migrations (atlas.sum remade):
 * a push of it changes the image, so it is built. A push that changes nothing is re-tagged instead (no build).
 */
export function changedCheckout(): string {
  const dir = makeDir()
  const migrations = path.join(dir, 'examples/atlas/migrations')
  cpSync(path.join(ROOT, 'examples/atlas/migrations'), migrations, { recursive: true })
  const table = `run_${randomBytes(6).toString('hex')}`
  writeFileSync(path.join(migrations, '20991231000000_run.sql'), `CREATE TABLE ${table} (id int);\n`)
  writeFileSync(path.join(migrations, 'atlas.sum'), independentSum(migrations))
  return dir
}

export const randomName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`

/** The index key BuildKit's gha exporter writes: `index-<scope>-1-<first 8 hex of sha256(write scope)>`. */
export const indexKeyPrefix = (scope: string, writeScope: string): string =>
  `index-${scope}-1-${createHash('sha256').update(writeScope).digest('hex').slice(0, 8)}`

/** The registry's manifest (or index) for repository:reference, from its HTTP API. */
export async function registryManifest(
  env: RealEnv,
  repository: string,
  reference: string,
): Promise<{ mediaType?: string; manifests?: { platform?: { os: string; architecture: string } }[] } | undefined> {
  const auth = Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')
  const response = await fetch(`http://${env.MI_REGISTRY}/v2/${repository}/manifests/${reference}`, {
    headers: { Authorization: `Basic ${auth}`, Accept: MANIFEST_TYPES },
  })
  if (response.status === 404) return undefined
  if (!response.ok) throw new Error(`registry answered ${response.status} for ${repository}:${reference}`)
  return (await response.json()) as { mediaType?: string }
}

/** Every file under a directory, for a search for leftovers (links are not followed). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile())
}

/** Files under these directories that contain a secret. */
export function filesHolding(secret: string, ...dirs: string[]): string[] {
  return dirs.flatMap(filesUnder).filter((file) => {
    try {
      return readFileSync(file).includes(secret)
    } catch {
      return false
    }
  })
}

/** Builders named like the action's temporary ones (`migration-image-…`), from `docker buildx ls`. */
export function temporaryBuilders(runner: Runner): string[] {
  const listed = runner.docker(['buildx', 'ls', '--format', '{{.Name}}'])
  return listed.stdout.split('\n').filter((name) => name.startsWith('migration-image-'))
}

import { git } from './git.js'
export { git }

/**
 * A pull request in real git history, checked out shallow as actions/checkout does: main holds the example atlas
 * migrations under `subdir`, the `feature` branch adds one. Returns the base and head commits and the checkout.
 */
export function pullRequestCheckout(subdir: string): { base: string; head: string; checkout: string } {
  const origin = makeDir()
  cpSync(path.join(ROOT, 'examples/atlas/migrations'), path.join(origin, subdir), { recursive: true })
  git(origin, 'init', '-q', '-b', 'main')
  git(origin, 'add', '.')
  git(origin, 'commit', '-qm', 'main')
  const base = git(origin, 'rev-parse', 'HEAD')
  git(origin, 'checkout', '-qb', 'feature')
  const dir = path.join(origin, subdir)
  writeFileSync(path.join(dir, '20240201000000_add_tags.sql'), 'CREATE TABLE tags (id int);\n')
  writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
  git(origin, 'add', '-A')
  git(origin, 'commit', '-qm', 'feature')
  const head = git(origin, 'rev-parse', 'HEAD')
  const checkout = path.join(makeDir(), 'checkout')
  git(ROOT, 'clone', '-q', '--depth=1', '--branch=feature', `file://${origin}`, checkout)
  return { base, head, checkout }
}
