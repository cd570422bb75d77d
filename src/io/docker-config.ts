import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { readBounded } from '../core/check/safe-read.js'

/** The private config's directory name, before mkdtemp's six random characters (the post step checks it). */
export const DOCKER_CONFIG_PREFIX = 'migration-image-docker-'

/**
 * A private DOCKER_CONFIG for this run, so credentials never land in the user's ~/.docker and are removed after.
 * The user's CLI plugins (buildx), contexts and current context stay visible, and BUILDX_CONFIG keeps pointing at
 * the user's builders (e.g. the one docker/setup-buildx-action created).
 */
export function createDockerConfig(parent: string, env: NodeJS.ProcessEnv): { dir: string; env: NodeJS.ProcessEnv } {
  const original = env.DOCKER_CONFIG ?? path.join(homedir(), '.docker')
  const dir = mkdtempSync(path.join(parent, DOCKER_CONFIG_PREFIX))
  const config: Record<string, unknown> = {}
  try {
    const current = (
      JSON.parse(readFileSync(path.join(original, 'config.json'), 'utf8')) as { currentContext?: unknown }
    ).currentContext
    if (typeof current === 'string') config.currentContext = current
  } catch {
    // no user config: nothing to carry over
  }
  writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(config)}\n`, { mode: 0o600 })
  for (const shared of ['cli-plugins', 'contexts']) {
    if (existsSync(path.join(original, shared))) symlinkSync(path.join(original, shared), path.join(dir, shared))
  }
  return { dir, env: privateEnv(env, dir) }
}

/** The environment docker runs with: the private config, the user's buildx state. */
export function privateEnv(env: NodeJS.ProcessEnv, dir: string): NodeJS.ProcessEnv {
  const original = env.DOCKER_CONFIG ?? path.join(homedir(), '.docker')
  return { ...env, DOCKER_CONFIG: dir, BUILDX_CONFIG: env.BUILDX_CONFIG ?? path.join(original, 'buildx') }
}

export function removeDockerConfig(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** The user's docker config holds at most this much (a config is a few kB). */
const MAX_CONFIG = 1 << 20

/**
 * The login the user's docker config holds for a registry (`docker login` without a credential helper writes
 * `auths.<host>.auth`, base64 of `user:password`), for a private base image the run's own login does not cover.
 * Undefined when there is none, or when a credential helper keeps it (the registry engine runs no helper binary:
 * the error for the base then says to pass a login).
 */
export function dockerConfigLogin(
  env: NodeJS.ProcessEnv,
  registry: string,
): { username: string; password: string } | undefined {
  const file = path.join(env.DOCKER_CONFIG ?? path.join(env.HOME ?? homedir(), '.docker'), 'config.json')
  let auths: unknown
  try {
    auths = (JSON.parse(readBounded(file, MAX_CONFIG).toString('utf8')) as { auths?: unknown }).auths
  } catch {
    return undefined
  }
  if (typeof auths !== 'object' || auths === null) return undefined
  const keys = registry === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'] : [registry]
  for (const [key, value] of Object.entries(auths)) {
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '')
    if (!keys.includes(key) && !keys.includes(host)) continue
    const auth = (value as { auth?: unknown } | null)?.auth
    if (typeof auth !== 'string') continue
    const text = Buffer.from(auth, 'base64').toString('utf8')
    const colon = text.indexOf(':')
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) }
  }
  return undefined
}

/**
 * The login for the base image's registry: the run's when it is the image's registry, else the user's docker login
 * for it (docker/login-action's, in an earlier step). The build and the check for an unchanged image read the base
 * with the same one.
 */
export function baseLogin(
  credentials: { username: string; password: string } | undefined,
  imageRegistry: string,
  baseRegistry: string,
  env: NodeJS.ProcessEnv,
): { username: string; password: string } | undefined {
  return credentials && baseRegistry === imageRegistry ? credentials : dockerConfigLogin(env, baseRegistry)
}
