import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'

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
