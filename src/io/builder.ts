import { parseBuilderInspect, parseBuilderList, type BuilderInfo } from '../core/build/facts.js'
import { atLeast, parseBuildxVersion } from '../core/build/versions.js'
import { lastLines, withoutProgress, type Docker } from './docker.js'

/** `docker buildx version`: undefined when the plugin is missing (distro Docker, some self-hosted runners). */
export async function detectBuildx(docker: Docker): Promise<string | undefined> {
  const result = await docker.run(['buildx', 'version'], { timeoutProbes: 1 })
  return result.code === 0 ? parseBuildxVersion(result.stdout) : undefined
}

/** `docker buildx inspect [NAME]`: the builder's driver, BuildKit version, platforms and image store. */
export async function inspectBuilder(docker: Docker, name?: string): Promise<BuilderInfo | undefined> {
  const result = await docker.run(['buildx', 'inspect', ...(name ? ['--', name] : [])], { timeoutProbes: 1 })
  return result.code === 0 ? parseBuilderInspect(result.stdout) : undefined
}

/** Every builder buildx knows (`buildx ls --format json`, buildx >= 0.13); empty when it cannot say. */
export async function listBuilders(docker: Docker, buildxVersion: string): Promise<BuilderInfo[]> {
  if (!atLeast(buildxVersion, '0.13.0')) return []
  const result = await docker.run(['buildx', 'ls', '--format', 'json'], { timeoutProbes: 1 })
  return result.code === 0 ? parseBuilderList(result.stdout) : []
}

/** A name for a temporary builder: the post step removes a builder only when its name is of this form. */
export const temporaryBuilderName = (): string => `migration-image-${process.pid}-${Date.now().toString(36)}`
export const GENERATED_BUILDER = /^migration-image-\d+-[0-9a-z]+$/

/**
 * Creates (and starts) the temporary docker-container builder the plan asked for; when it cannot, says why (it is
 * removed again at once), for the plan to be made again without it.
 */
export async function createBuilder(
  docker: Docker,
  argv: readonly string[],
  name: string,
): Promise<{ readonly created: true } | { readonly created: false; readonly reason: string }> {
  // Starting it may pull the BuildKit image: a longer bound than a probe.
  const result = await docker.run(argv, { timeoutProbes: 10 })
  if (result.code === 0) return { created: true }
  await removeBuilder(docker, name).catch(() => undefined)
  return { created: false, reason: lastLines(withoutProgress(result.stderr + result.stdout), 2) }
}

export async function removeBuilder(docker: Docker, name: string): Promise<void> {
  await docker.run(['buildx', 'rm', name], { timeoutProbes: 1 })
}
