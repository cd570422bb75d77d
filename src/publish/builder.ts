import type { Builder } from '../core/build-plan.js'
import { parseBuildxVersion } from '../core/buildx-version.js'
import type { Docker } from './docker.js'
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
 * The default `docker` driver cannot export cache; create a temporary docker-container builder (removed by the
 * post step). When that fails, the caller builds without cache export.
 */
export async function createContainerBuilder(
  docker: Docker,
  log: Log,
  buildxVersion: string,
): Promise<Builder | undefined> {
  const name = `migration-image-${process.pid}-${Date.now().toString(36)}`
  const result = await docker.run(['buildx', 'create', '--driver', 'docker-container', '--name', name])
  if (result.code !== 0) {
    log.warning(
      `could not create a docker-container builder for the cache (${result.stderr.trim()}): building without cache export`,
    )
    return undefined
  }
  return { buildxVersion, name, driver: 'docker-container' }
}

export async function removeBuilder(docker: Docker, name: string): Promise<void> {
  await docker.run(['buildx', 'rm', name])
}
