import { lstatSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { showName } from '../core/escape.js'
import { GENERATED_BUILDER, removeBuilder } from './builder.js'
import { APPLY_PREFIX, removeApplyParts } from './apply-parts.js'
import { Docker } from './docker.js'
import { DOCKER_CONFIG_PREFIX, privateEnv, removeDockerConfig } from './docker-config.js'

/** Name of the saved state the post step reads. */
export const CLEANUP_STATE = 'cleanup'

/** What a run leaves behind until the post step (or the CLI's finally) removes it. */
export interface CleanupState {
  dockerConfig?: string
  registry?: string
  builder?: string
  /** The apply check's name prefix: its containers (by label) and network. */
  apply?: string
}

/**
 * Where a run records what it leaves behind, as soon as it exists: the action's saved state (read back by the post
 * step), or the CLI's own memory (cleaned up before it exits).
 */
export interface CleanupStore {
  add(part: CleanupState): void
}

/** The CLI's store: what the run made, in memory, for `cleanUp` in its `finally`. */
export class MemoryCleanupStore implements CleanupStore {
  readonly state: CleanupState = {}
  add(part: CleanupState): void {
    Object.assign(this.state, part)
  }
}

/** A registry host as image-ref accepts it (lowercase, optional port): never an option. */
const REGISTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d+)?$/

export interface TrustedCleanup {
  readonly state: CleanupState
  /** Why parts of the saved state were ignored (one line each). */
  readonly ignored: string[]
}

/**
 * The saved state is untrusted (another step can write GITHUB_STATE): only what this run could have created is kept.
 * The docker config must be a directory this action made directly under `tempParent` (exact name pattern, same real
 * path, not a link); the builder must carry a generated name; logout happens only inside that private config.
 */
export function trustedCleanup(saved: unknown, tempParent: string | undefined): TrustedCleanup {
  const ignored: string[] = []
  const state: CleanupState = {}
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved)) {
    return { state, ignored: ['the saved cleanup state is not an object'] }
  }
  const { dockerConfig, registry, builder, apply } = saved as Record<string, unknown>
  if (dockerConfig !== undefined) {
    const why = ownDockerConfig(dockerConfig, tempParent)
    if (why === undefined) state.dockerConfig = dockerConfig as string
    else ignored.push(`docker config ${shown(dockerConfig)}: ${why}`)
  }
  if (builder !== undefined) {
    if (typeof builder === 'string' && GENERATED_BUILDER.test(builder)) state.builder = builder
    else ignored.push(`builder ${shown(builder)}: not a name this action generates`)
  }
  if (apply !== undefined) {
    if (typeof apply === 'string' && APPLY_PREFIX.test(apply)) state.apply = apply
    else ignored.push(`apply check ${shown(apply)}: not a name this action generates`)
  }
  if (registry !== undefined) {
    if (typeof registry !== 'string' || !REGISTRY.test(registry)) {
      ignored.push(`registry ${shown(registry)}: not a registry host`)
    } else if (state.dockerConfig === undefined) {
      ignored.push(`registry ${registry}: no private docker config of this run to log out of`)
    } else {
      state.registry = registry
    }
  }
  return { state, ignored }
}

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
  return `'${showName(text).slice(0, 200)}'`
}

function ownDockerConfig(value: unknown, tempParent: string | undefined): string | undefined {
  if (typeof value !== 'string') return 'not a path'
  if (!tempParent) return 'no temporary directory (RUNNER_TEMP) to hold it'
  const name = path.basename(value)
  if (!new RegExp(`^${DOCKER_CONFIG_PREFIX}[A-Za-z0-9]{6}$`).test(name)) return 'not a name this action generates'
  if (path.resolve(value) !== path.join(path.resolve(tempParent), name))
    return 'not directly in the temporary directory'
  try {
    const stat = lstatSync(value)
    if (stat.isSymbolicLink() || !stat.isDirectory()) return 'not a directory (a link or a file)'
    if (realpathSync(value) !== path.join(realpathSync(tempParent), name))
      return 'resolves outside the temporary directory'
  } catch {
    return 'does not exist (already removed)'
  }
  return undefined
}

/**
 * Removes the apply check's containers and network, logs out, removes the builder this run created and the private
 * docker config; safe to call twice.
 */
export async function cleanUp(state: CleanupState, env: NodeJS.ProcessEnv): Promise<string[]> {
  const done: string[] = []
  const docker = new Docker(state.dockerConfig ? privateEnv(env, state.dockerConfig) : env)
  if (state.apply) done.push(...(await removeApplyParts(docker, state.apply)))
  if (state.builder) {
    await removeBuilder(docker, state.builder).catch(() => undefined)
    done.push(`removed builder ${state.builder}`)
  }
  // Logout only inside the private config: the user's own config (and logins) is never touched.
  if (state.registry && state.dockerConfig) {
    await docker.run(['logout', state.registry], { timeoutProbes: 1 }).catch(() => undefined)
    done.push(`logged out of ${state.registry}`)
  }
  if (state.dockerConfig) {
    removeDockerConfig(state.dockerConfig)
    done.push('removed the temporary docker config')
  }
  return done
}
