import { parseBuildxVersion } from './versions.js'

/**
 * What the I/O layer probed before the publish plan is made: the buildx plugin, the builder that would run the build,
 * and the GitHub Actions cache service the runner handed to this step. The planner decides from these alone.
 */
export interface BuildFacts {
  /** `docker buildx version`; undefined when the plugin is not installed (docker build + docker push then). */
  readonly buildxVersion?: string
  /** The builder the build would use: the `builder` input, or buildx's current one. Undefined when not probed. */
  readonly builder?: BuilderInfo
  /**
   * Every builder buildx knows (`docker buildx ls --format json`), probed only when the current one cannot do what is
   * asked and the plan would otherwise create one: an existing capable builder (setup-buildx-action with `use: false`)
   * is used instead.
   */
  readonly builders?: readonly BuilderInfo[]
  /** The GitHub Actions cache service, as the runner exposes it to node actions. */
  readonly cacheService: CacheService
  /**
   * Name for a temporary docker-container builder, should the plan need one (made by the I/O layer: it holds the
   * process id and the time). The post step removes only builders named this way.
   */
  readonly temporaryBuilderName: string
  /** Set when creating the temporary builder failed: the plan is made again without it, saying why. */
  readonly temporaryBuilderFailed?: string
}

/** A buildx builder, from `docker buildx inspect [NAME]`. */
export interface BuilderInfo {
  readonly name: string
  /** docker, docker-container, remote, kubernetes, … */
  readonly driver: string
  /**
   * `BuildKit version` of its first node, as major.minor.patch (`v0.25.1` → `0.25.1`, `v0.8+unknown` → `0.8.0`; a
   * distribution build's `v0.0.0+unknown` stays `0.0.0`, which counts as new). Undefined when buildx does not say:
   * BuildKit before 0.11 has no Info call to say it with.
   */
  readonly buildkitVersion?: string
  /**
   * The docker driver on an engine with the containerd image store: it exports and imports cache and builds several
   * platforms. buildx's own signal is the worker label `org.mobyproject.buildkit.worker.snapshotter`.
   */
  readonly containerdStore: boolean
  /** Platforms its nodes can build (`linux/amd64`, …). */
  readonly platforms: readonly string[]
  /** Its first node answers (`Status: running`); undefined when buildx did not say. */
  readonly running?: boolean
}

export interface CacheService {
  /** ACTIONS_RUNTIME_TOKEN (a JWT whose `ac` claim lists the cache scopes and permissions). */
  readonly token?: string
  /** ACTIONS_CACHE_SERVICE_V2 parses as true: buildx uses ACTIONS_RESULTS_URL and the v2 (Twirp) protocol. */
  readonly v2: boolean
  /** The URL buildx will use: ACTIONS_RESULTS_URL for v2, ACTIONS_CACHE_URL (v1, GitHub Enterprise Server) else. */
  readonly url?: string
}

/** buildx turns the runner's variables into gha attributes itself; this reads them the way it does. */
export function readCacheService(env: Readonly<Record<string, string | undefined>>): CacheService {
  const v2 = /^(1|t|true)$/i.test(env.ACTIONS_CACHE_SERVICE_V2 ?? '')
  const url = v2 ? env.ACTIONS_RESULTS_URL : (env.ACTIONS_CACHE_URL ?? env.ACTIONS_RESULTS_URL)
  return { token: env.ACTIONS_RUNTIME_TOKEN || undefined, v2, url: url || undefined }
}

export { parseBuildxVersion }

const SNAPSHOTTER_LABEL = 'org.mobyproject.buildkit.worker.snapshotter'

/**
 * `docker buildx inspect [NAME]`:
 * ```
 * Name:          default
 * Driver:        docker
 * Nodes:
 * Name:             default
 * BuildKit version: v0.25.1
 * Platforms:        linux/amd64, linux/386
 * Labels:
 *  org.mobyproject.buildkit.worker.snapshotter: overlayfs
 * ```
 * Undefined when the output names no driver (buildx failed, or the builder does not exist).
 */
export function parseBuilderInspect(output: string): BuilderInfo | undefined {
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, 'm').exec(output)?.[1] || undefined
  const driver = field('Driver')
  if (!driver || !/^[a-z][\w.-]*$/.test(driver)) return undefined
  const buildkit = field('BuildKit version') ?? field('Buildkit')
  return {
    name: field('Name') ?? 'default',
    driver,
    buildkitVersion: buildkitVersion(buildkit),
    containerdStore:
      driver === 'docker' && output.split('\n').some((line) => line.trim().startsWith(`${SNAPSHOTTER_LABEL}:`)),
    platforms: (field('Platforms') ?? '')
      .split(',')
      .map((platform) => platform.trim().replace(/\*$/, ''))
      .filter(Boolean),
  }
}

function buildkitVersion(text: string | undefined): string | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text ?? '')
  return match ? `${match[1]}.${match[2]}.${match[3] ?? '0'}` : undefined
}

interface ListedBuilder {
  Name?: unknown
  Driver?: unknown
  Nodes?: { Status?: unknown; Version?: unknown; Platforms?: unknown; Labels?: unknown }[]
}

/**
 * `docker buildx ls --format json` (buildx >= 0.13): one JSON object per line and builder. Lines that are not such an
 * object, and builders with a name or driver buildx would not print, are left out.
 */
export function parseBuilderList(output: string): BuilderInfo[] {
  const builders: BuilderInfo[] = []
  for (const line of output.split('\n')) {
    let entry: ListedBuilder
    try {
      entry = JSON.parse(line) as ListedBuilder
    } catch {
      continue
    }
    if (typeof entry !== 'object' || entry === null) continue
    const { Name: name, Driver: driver } = entry
    if (typeof name !== 'string' || !/^[A-Za-z0-9][\w.-]*$/.test(name)) continue
    if (typeof driver !== 'string' || !/^[a-z][\w.-]*$/.test(driver)) continue
    const node = Array.isArray(entry.Nodes) ? entry.Nodes[0] : undefined
    const labels = typeof node?.Labels === 'object' && node.Labels !== null ? Object.keys(node.Labels) : []
    builders.push({
      name,
      driver,
      buildkitVersion: buildkitVersion(typeof node?.Version === 'string' ? node.Version : undefined),
      containerdStore: driver === 'docker' && labels.includes(SNAPSHOTTER_LABEL),
      platforms: Array.isArray(node?.Platforms) ? node.Platforms.filter((p): p is string => typeof p === 'string') : [],
      running: node?.Status === undefined ? undefined : node.Status === 'running',
    })
  }
  return builders
}
