import { UsageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import { containerBuilderArgv, type Builder } from '../core/build/argv.js'
import { parseBuildxVersion } from '../core/build/versions.js'
import { tail, type Docker } from './docker.js'
import type { Log } from './log.js'

/** `docker buildx version`: undefined when the plugin is missing (distro Docker, some self-hosted runners). */
export async function detectBuildx(docker: Docker): Promise<string | undefined> {
  const result = await docker.run(['buildx', 'version'], { probe: 1 })
  return result.code === 0 ? parseBuildxVersion(result.stdout) : undefined
}

/** The driver of a builder (`docker buildx inspect [NAME]` prints `Driver: docker-container`). */
export async function builderDriver(docker: Docker, name?: string): Promise<string | undefined> {
  const result = await docker.run(['buildx', 'inspect', ...(name ? [name] : [])], { probe: 1 })
  return /^Driver:\s*(\S+)/m.exec(result.stdout)?.[1]
}

/**
 * The default `docker` driver cannot export cache; create (and start) a temporary docker-container builder, removed
 * by the post step. When it cannot be created or started, it is removed now and the caller builds without cache.
 */
export async function createContainerBuilder(
  docker: Docker,
  log: Log,
  buildxVersion: string,
): Promise<Builder | undefined> {
  const name = `migration-image-${process.pid}-${Date.now().toString(36)}`
  // Starting it may pull the BuildKit image: a longer bound than a probe.
  const result = await docker.run(containerBuilderArgv(name, buildxVersion), { probe: 10 })
  if (result.code !== 0) {
    await removeBuilder(docker, name).catch(() => undefined)
    log.warning(
      `could not start a docker-container builder for the cache (${tail(result.stderr + result.stdout, 2)}): building without the cache`,
    )
    return undefined
  }
  return { buildxVersion, name, driver: 'docker-container' }
}

/** The names createContainerBuilder gives: the post step removes a builder only when its name is one of these. */
export const GENERATED_BUILDER = /^migration-image-\d+-[0-9a-z]+$/

export async function removeBuilder(docker: Docker, name: string): Promise<void> {
  await docker.run(['buildx', 'rm', name], { probe: 1 })
}

/** A builder name given by the user (the builder input): never an option, never a line break. */
export function assertBuilderName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new UsageError(`builder '${showName(name)}' is not a buildx builder name`, {
      fix: 'use the name docker buildx ls shows (letters, digits, _ . -; not starting with -)',
    })
  }
  return name
}
