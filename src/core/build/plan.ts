import { containerBuilderArgv, planBuild } from './argv.js'
import { atLeast } from './versions.js'
import { UsageError } from '../errors.js'
import { cacheScope, planCache, type CachePlan } from './cache.js'
import type { BuildFacts, BuilderInfo } from './facts.js'
import { nameOptions, OPTION, type OptionNames } from '../option-names.js'

/** Something the run tells the user about a decision: its cause and, where there is one, the fix. */
export interface Note {
  readonly level: 'info' | 'notice' | 'warning'
  readonly text: string
}

/** What the user asked of the build (the publish part of the request), with the paths the I/O layer staged. */
export interface PublishRequest {
  /** Image name without tag (`ghcr.io/acme/api-migrations`). */
  readonly image: string
  /** The tool, for the per-image cache scope. */
  readonly tool: string
  /** Full references (`name:tag`), the sha tag first. */
  readonly references: readonly string[]
  readonly push: boolean
  /** Keep the image in the local store when not pushing (the CLI's build). */
  readonly load: boolean
  readonly platforms: readonly string[]
  /** `--provenance` value: `false` (the default: one plain manifest), `true`, `mode=min`, `mode=max`. */
  readonly provenance: string
  /** The GitHub Actions cache: `auto`, `true` or `false` (cacheWanted says what auto means). */
  readonly cache: CacheMode
  /** The Dockerfile runs a command (the self-check stage): the only layers the cache can save work on. */
  readonly runsCommands: boolean
  /** The `builder` input: an existing buildx builder, used as it is. */
  readonly builder?: string
  readonly context: string
  readonly dockerfile: string
  readonly metadataFile: string
  /** How the notes and errors name the options (the action's inputs or the CLI's flags). */
  readonly names: OptionNames
}

export interface PublishPlan {
  /** `buildx`: one `docker buildx build`; `docker`: `docker build` then one `docker push` per tag. */
  readonly kind: 'buildx' | 'docker'
  /** A temporary docker-container builder to create first (and remove in the post step). */
  readonly createBuilder?: { readonly name: string; readonly argv: string[] }
  readonly cache: CachePlan
  readonly build: string[]
  /** docker pushes, which may run side by side (the legacy path only). */
  readonly pushes: string[][]
  /** Whether buildx's metadata file will hold the digest. */
  readonly metadata: boolean
  /**
   * Build the Dockerfile as rendered, `COPY --link` included (BuildKit >= 0.10); false: the legacy builder or an older
   * BuildKit, which get the file without the flag.
   */
  readonly link: boolean
  /** One note per decision that is not the plain default, in the order they were made. */
  readonly notes: Note[]
}

export type CacheMode = 'auto' | 'true' | 'false'

/**
 * `auto`: the cache only for a build that runs a command. A COPY-only image's layers are the base's and one COPY:
 * measured on real buildx (bench/publish-buildx), the cache uploads the base's layers (hundreds of MB for Flyway or
 * Liquibase) on the first publish and saves nothing later, since a changed COPY layer still pulls the base from its
 * registry and an unchanged image is re-tagged without a build.
 */
const cacheWanted = (wish: Pick<PublishRequest, 'cache' | 'runsCommands'>): boolean =>
  wish.cache === 'true' || (wish.cache === 'auto' && wish.runsCommands)

const attests = (provenance: string): boolean => !/^(false|0|)$/i.test(provenance.trim())

/**
 * The docker driver builds one platform into the classic image store and can neither export cache nor attach
 * attestations; on the containerd image store (and every other driver) it can.
 */
export const capable = (builder: BuilderInfo): boolean => builder.driver !== 'docker' || builder.containerdStore

function describeBuilder(builder: BuilderInfo | undefined, input: boolean): string {
  if (!builder) return 'the current builder'
  const what = input ? `builder '${builder.name}'` : `the current builder (${builder.name})`
  if (builder.driver !== 'docker') return `${what} (driver ${builder.driver})`
  return `${what} (docker driver on the ${builder.containerdStore ? 'containerd' : 'classic'} image store)`
}

/**
 * Every decision of a publish, from what was asked and what was probed: the builder (the input as is; the current
 * one when it can do what is asked; else a temporary docker-container builder), the GitHub Actions cache (on, read
 * only, or off — and why), and the docker commands. Pure: the I/O layer probes, calls this, and runs the result.
 */
export function planPublish(wish: PublishRequest, facts: BuildFacts): PublishPlan {
  try {
    const plan = decide(wish, facts)
    return { ...plan, notes: plan.notes.map((note) => ({ ...note, text: nameOptions(note.text, wish.names) })) }
  } catch (error) {
    if (error instanceof UsageError && error.fix !== undefined) {
      throw new UsageError(error.message, { fix: nameOptions(error.fix, wish.names) })
    }
    throw error
  }
}

function decide(wish: PublishRequest, facts: BuildFacts): PublishPlan {
  const notes: Note[] = []
  const scope = cacheScope(wish.image, wish.tool)
  const multiPlatform = wish.platforms.length > 1
  const attest = attests(wish.provenance)
  const buildxVersion = facts.buildxVersion
  let cache = planCache({ wanted: cacheWanted(wish), service: facts.cacheService, buildxVersion, scope })
  if (wish.cache === 'auto' && !wish.runsCommands && facts.cacheService.token && facts.cacheService.url) {
    notes.push({
      level: 'info',
      text: `GitHub Actions cache not used (cache: auto): this image only copies files onto its base, so the cache would upload the base and save nothing; set ${OPTION.cache} to use it anyway`,
    })
  }
  const cacheOff = (text: string): void => {
    cache = { from: false, to: false, scope, note: { level: 'warning', text } }
  }

  if (buildxVersion === undefined) {
    if (multiPlatform) {
      throw new UsageError(`building for ${wish.platforms.join(', ')} needs docker buildx, which is not installed`, {
        fix: 'install buildx (docker/setup-buildx-action) or build one platform',
      })
    }
    if (cache.note) notes.push(cache.note)
    if (attest) {
      notes.push({
        level: 'warning',
        text: `provenance '${wish.provenance}' needs docker buildx, which is not installed: the image has no attestation`,
      })
    }
    return { cache, ...planBuild(buildRequest(wish, cache), {}), notes, link: false }
  }

  // What the build needs beyond the docker driver on the classic store, each with the reason.
  const needs = [
    ...(cache.from || cache.to ? ['use the GitHub Actions cache'] : []),
    ...(multiPlatform ? [`build several platforms (${wish.platforms.join(', ')})`] : []),
    ...(attest ? ['attach provenance attestations'] : []),
  ]
  let builderName = wish.builder
  let builder = facts.builder
  let createBuilder: PublishPlan['createBuilder']
  const refuseOrDropCache = (who: string, fix: string): void => {
    // Several platforms or attestations were asked for explicitly: failing beats a silently different image.
    if (multiPlatform || attest) {
      const what = needs.filter((need) => !need.startsWith('use the GitHub')).join(' and ')
      throw new UsageError(`${who} cannot ${what}`, { fix })
    }
    cacheOff(`${who} cannot export cache: building without the GitHub Actions cache; ${fix}`)
  }

  if (wish.builder !== undefined) {
    if (!builder) {
      throw new UsageError(`builder '${wish.builder}' was not found (docker buildx inspect ${wish.builder} failed)`, {
        fix: `create it before this step (docker/setup-buildx-action) or leave ${OPTION.builder} empty`,
      })
    }
    if (needs.length > 0 && !capable(builder)) {
      refuseOrDropCache(
        describeBuilder(builder, true),
        `give a docker-container builder (docker/setup-buildx-action), turn on the containerd image store, or leave ${OPTION.builder} empty`,
      )
    }
  } else if (needs.length > 0 && !(builder && capable(builder))) {
    const who = describeBuilder(builder, false)
    const existing = facts.builders?.find(
      (candidate) => candidate.running !== false && capable(candidate) && candidate.name !== builder?.name,
    )
    if (existing) {
      notes.push({
        level: 'info',
        text: `${who} cannot ${needs.join(' or ')}: using ${describeBuilder(existing, true)}, which can`,
      })
      builderName = existing.name
      builder = existing
    } else if (facts.temporaryBuilderFailed !== undefined) {
      refuseOrDropCache(
        `${who}, and a temporary docker-container builder could not start (${facts.temporaryBuilderFailed}),`,
        `set up a builder before this step (docker/setup-buildx-action) and pass it as ${OPTION.builder}`,
      )
    } else {
      builderName = facts.temporaryBuilderName
      builder = undefined
      createBuilder = { name: builderName, argv: containerBuilderArgv(builderName, buildxVersion) }
      notes.push({
        level: 'info',
        text: `${who} cannot ${needs.join(' or ')}: creating a temporary docker-container builder (the post step removes it)`,
      })
    }
  }

  // Cache service v2 is spoken by the builder's BuildKit (the engine's own, for the docker driver): it needs 0.20.
  // An old BuildKit ignores the gha attributes it does not know without a word, so the plan says it here. A builder
  // that names no version predates BuildKit 0.11 (no Info call); a temporary builder runs a current BuildKit.
  if ((cache.from || cache.to) && facts.cacheService.v2 && builder && !atLeast(builder.buildkitVersion, '0.20.0')) {
    const runs = builder.buildkitVersion
      ? `runs BuildKit ${builder.buildkitVersion}`
      : 'runs a BuildKit older than 0.11'
    const engine = builder.driver === 'docker' ? ', the engine\u2019s own (Docker Engine 28 has 0.20)' : ''
    cacheOff(
      `GitHub's cache service v2 needs BuildKit >= 0.20, and ${describeBuilder(builder, wish.builder !== undefined)} ${runs}${engine}: building without the cache; update the engine or use a docker-container builder (docker/setup-buildx-action)`,
    )
  }
  if (cache.note) notes.push(cache.note)
  const argv = planBuild(buildRequest(wish, cache), {
    buildxVersion,
    name: builderName,
    driver: createBuilder ? 'docker-container' : builder?.driver,
  })
  // A temporary builder runs a current BuildKit; an existing one says its version (none before 0.11).
  const link = createBuilder !== undefined || atLeast(builder?.buildkitVersion, '0.10.0')
  return { createBuilder, cache, ...argv, notes, link }
}

function buildRequest(wish: PublishRequest, cache: CachePlan): Parameters<typeof planBuild>[0] {
  return {
    context: wish.context,
    dockerfile: wish.dockerfile,
    tags: wish.references,
    push: wish.push,
    load: wish.load,
    metadataFile: wish.metadataFile,
    platforms: wish.platforms,
    provenance: wish.provenance,
    cache,
  }
}
