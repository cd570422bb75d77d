import { containerBuilderArgv, type Builder } from '../core/build-plan.js'
import { parseBuildxVersion } from '../core/buildx-version.js'
import { tail, type Docker } from './docker.js'
import type { Log } from './log.js'

/** `docker buildx version`: undefined when the plugin is missing (distro Docker, some self-hosted runners). */
export async function detectBuildx(docker: Docker): Promise<string | undefined> {
  const result = await docker.run(['buildx', 'version'])
  return result.code === 0 ? parseBuildxVersion(result.stdout) : undefined
}

/** The driver of a builder (`docker buildx inspect [NAME]` prints `Driver: docker-container`). */
export async function builderDriver(docker: Docker, name?: string): Promise<string | undefined> {
  const result = await docker.run(['buildx', 'inspect', ...(name ? [name] : [])])
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
  const result = await docker.run(containerBuilderArgv(name, buildxVersion))
  if (result.code !== 0) {
    await removeBuilder(docker, name).catch(() => undefined)
    log.warning(
      `could not start a docker-container builder for the cache (${tail(result.stderr + result.stdout, 2)}): building without the cache`,
    )
    return undefined
  }
  return { buildxVersion, name, driver: 'docker-container' }
}

export async function removeBuilder(docker: Docker, name: string): Promise<void> {
  await docker.run(['buildx', 'rm', name])
}
