import type { CachePlan } from './cache.js'
import { atLeast } from './versions.js'

export interface Builder {
  /** `docker buildx version`, undefined when buildx is not installed. */
  readonly buildxVersion?: string
  /** `--builder NAME` (an input, or a docker-container builder this run created). */
  readonly name?: string
  /** Driver of the builder used: docker, docker-container, remote, kubernetes… */
  readonly driver?: string
}

export interface BuildRequest {
  readonly context: string
  readonly dockerfile: string
  /** Full references, `name:tag`. */
  readonly tags: readonly string[]
  readonly push: boolean
  /** Keep the result in the local image store when not pushing (the CLI); the action does not need it. */
  readonly load: boolean
  readonly metadataFile: string
  readonly platforms: readonly string[]
  /** `--provenance` value: false (default: plain single manifest), true, mode=min|max. */
  readonly provenance: string
  readonly cache: CachePlan
}

export interface BuildPlan {
  readonly kind: 'buildx' | 'docker'
  /** docker argv lists: the build, then (docker path) the pushes, which may run at the same time. */
  readonly build: string[]
  readonly pushes: string[][]
  /** Whether the buildx metadata file will hold the digest. */
  readonly metadata: boolean
}

const gha = (cache: CachePlan, to: boolean): string =>
  to ? `type=gha,scope=${cache.scope},mode=max,ignore-error=true` : `type=gha,scope=${cache.scope}`

/** The docker commands for a build: one `docker buildx build`, or `docker build` + `docker push` per tag. */
export function planBuild(request: BuildRequest, builder: Builder): BuildPlan {
  if (builder.buildxVersion === undefined) return planLegacy(request)
  const argv = ['buildx', 'build']
  if (builder.name) argv.push('--builder', builder.name)
  argv.push('--file', request.dockerfile)
  for (const tag of request.tags) argv.push('--tag', tag)
  if (request.platforms.length > 0) argv.push('--platform', request.platforms.join(','))
  if (atLeast(builder.buildxVersion, '0.10.0')) argv.push(`--provenance=${request.provenance}`)
  const metadata = atLeast(builder.buildxVersion, '0.6.0')
  if (metadata) argv.push('--metadata-file', request.metadataFile)
  if (request.cache.from) argv.push('--cache-from', gha(request.cache, false))
  if (request.cache.to) argv.push('--cache-to', gha(request.cache, true))
  if (request.push) argv.push('--push')
  else if (request.load && request.platforms.length <= 1 && builder.driver !== 'docker') argv.push('--load')
  argv.push(request.context)
  return { kind: 'buildx', build: argv, pushes: [], metadata }
}

function planLegacy(request: BuildRequest): BuildPlan {
  const build = ['build', '--file', request.dockerfile]
  for (const tag of request.tags) build.push('--tag', tag)
  if (request.platforms.length === 1) build.push('--platform', request.platforms[0])
  build.push(request.context)
  const pushes = request.push ? request.tags.map((tag) => ['push', tag]) : []
  return { kind: 'docker', build, pushes, metadata: false }
}

/**
 * `docker buildx create` for the temporary cache-capable builder. With `--bootstrap` (buildx ≥ 0.8) it starts now,
 * so a builder that cannot start (no BuildKit image, no privileges) is caught here and the build falls back.
 */
export function containerBuilderArgv(name: string, buildxVersion: string): string[] {
  const argv = ['buildx', 'create', '--driver', 'docker-container', '--name', name]
  if (atLeast(buildxVersion, '0.8.0')) argv.push('--bootstrap')
  return argv
}
