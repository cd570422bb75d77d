import { writeFileSync } from 'node:fs'
import type { Validation } from '../core/check/validate.js'
import { chooseEngine, type ChosenEngine } from '../core/build/engine.js'
import { decideReuse, unchangedSince } from '../core/build/reuse.js'
import { MigrationImageError, PushError } from '../core/errors.js'
import { STAGED_MTIME } from '../core/image/content-key.js'
import { parseBaseImage } from '../core/image/image-ref.js'
import { planImage, type ImagePlan } from '../core/image/plan.js'
import type { Preset } from '../core/image/presets.js'
import type { OptionNames } from '../core/option-names.js'
import type { ImageRequest } from '../core/request.js'
import type { CleanupStore } from './cleanup.js'
import { buildWithDocker } from './docker-build.js'
import { Docker, DockerMissingError, lastLines } from './docker.js'
import type { Log } from './log.js'
import { buildOnRegistry } from './registry-build.js'
import { readTagsBefore, reTag } from './registry-state.js'
import { RegistryClient, splitReference, type Credentials } from './registry.js'
import { fixTimes } from './reproducible.js'
import { removeContext, stageContext } from './stage.js'

export { PushError }

/** The registry, as publish talks to it: a client for one repository (a test may hand in its own). */
export type RegistryPort = (
  registry: string,
  repository: string,
  credentials: Credentials | undefined,
  options: { pullFrom?: readonly string[] },
) => RegistryClient

/** What the publish step needs from its caller: the log, the post step's store, the environment, and the engines. */
export interface PublishPorts {
  readonly log: Log
  readonly cleanup: CleanupStore
  /** The environment docker inherits (without INPUT_* and STATE_*; the cache service's variables stay). */
  readonly env: NodeJS.ProcessEnv
  /** Where the staged context, the metadata file and the private docker config go (RUNNER_TEMP in the action). */
  readonly tempDir: string
  /** How notes name the options (the action's inputs or the CLI's flags). */
  readonly names: OptionNames
  /** The docker CLI for an environment; the real one by default. */
  readonly docker?: (env: NodeJS.ProcessEnv) => Docker
  /** A registry client; the real one by default. */
  readonly registry?: RegistryPort
}

export interface PublishResult {
  readonly image: string
  readonly references: string[]
  /** References that are in the registry now (all of them after a push, none without one). */
  readonly pushedReferences: string[]
  /** The manifest (or index) digest: of what was pushed, or of what the registry engine assembled. */
  readonly digest?: string
  /** name@digest, for pulling exactly what was pushed (only after a push). */
  readonly imageRef?: string
  readonly pushed: boolean
  /** Whether the image is in the local Docker engine's store now (the CLI's build without --push, on buildx). */
  readonly local: boolean
  /** The OCI image archive the registry engine wrote (the CLI's --output). */
  readonly archive?: string
  readonly engine: ChosenEngine
  readonly builder: 'buildx' | 'docker' | 'registry'
  readonly cache: string
  readonly files: string[]
  /** The platforms the registry engine built (empty for buildx: the builder's own or the platforms input). */
  readonly platforms: readonly string[]
  /** How many docker processes the publish spawned (a benchmark figure). */
  readonly dockerProcesses: number
  /** Bytes the registry engine and the re-tag moved through the registries' API (a benchmark figure). */
  readonly bytes?: { readonly up: number; readonly down: number }
  /** Set when nothing was built: "unchanged since <sha>, re-tagged" (the image with the same content key). */
  readonly unchanged?: string
}

const realRegistry: RegistryPort = (registry, repository, credentials, options) =>
  new RegistryClient(registry, repository, credentials, options)

/**
 * Stage → (when pushing) read the new tags and the content key from the registry → re-tag an unchanged image, or
 * pick the engine → build on docker (buildx) or assemble on the registry → the result. The caller has validated
 * the directory; src/core decides what to build.
 */
export async function publish(
  image: ImageRequest,
  preset: Preset,
  validation: Validation,
  imagePlan: ImagePlan,
  ports: PublishPorts,
): Promise<PublishResult> {
  if (!validation.valid) throw new MigrationImageError('refusing to build an invalid directory')
  const { log } = ports
  const makeDocker = ports.docker ?? ((env: NodeJS.ProcessEnv) => new Docker(env))
  const registryPort = ports.registry ?? realRegistry
  const context = stageContext(ports.tempDir, validation, imagePlan.spec)
  try {
    fixTimes(context.dir, STAGED_MTIME)
    const references = image.tags.map((tag) => `${image.name.name}:${tag}`)
    const base = splitReference(parseBaseImage(image.baseImage || preset.baseImage).reference)
    // The target's token also reads the base's repository when both are in one registry (a cross-repository mount).
    const target = registryPort(image.name.registry, image.name.repository, image.credentials, {
      pullFrom: base.registry === image.name.registry ? [base.repository] : [],
    })
    const result = (fields: Partial<PublishResult> & Pick<PublishResult, 'engine' | 'builder' | 'cache'>) => ({
      image: references[0],
      references,
      pushedReferences: image.push ? [...references] : [],
      pushed: image.push,
      local: false,
      files: context.files,
      platforms: [],
      dockerProcesses: 0,
      ...fields,
    })

    // The registry first (no docker process): does a new tag already hold an image with this content?
    let plan = imagePlan
    if (image.push) {
      const before = await readTagsBefore(target, image, preset, validation, imagePlan, context, ports.env)
      const reuse = decideReuse({ push: image.push, references }, before)
      if (reuse.kind === 're-tag' && (await reTag(reuse, before, target, image, log))) {
        for (const note of imagePlan.notes) log[note.level](note.text)
        return result({
          engine: image.engine === 'registry' ? 'registry' : 'buildx',
          builder: image.engine === 'registry' ? 'registry' : 'buildx',
          cache: 'not used (nothing built)',
          digest: reuse.digest,
          imageRef: `${image.name.name}@${reuse.digest}`,
          bytes: { ...target.traffic },
          unchanged: unchangedSince(reuse.since, reuse.from),
        })
      }
      if (reuse.kind === 'build' && reuse.note) log[reuse.note.level](reuse.note.text)
      // Both engines label the image with its content key, for the next run to find.
      if (before.contentKey) {
        plan = planImage(image, preset, validation, before.contentKey)
        writeFileSync(context.dockerfile, plan.dockerfile)
        fixTimes(context.dir, STAGED_MTIME)
      }
    }
    for (const note of imagePlan.notes) log[note.level](note.text)

    const engine = await pickEngine(image, makeDocker(ports.env), log)
    if (engine === 'registry') {
      const built = await buildOnRegistry(image, plan.spec, context, target, ports.env, log)
      return result({
        engine,
        builder: 'registry',
        cache: 'not used (registry engine)',
        // As buildx: a digest for what exists somewhere (the registry, the archive), not for a dry assembly.
        digest: built.pushed || built.archive ? built.digest : undefined,
        imageRef: built.pushed ? `${image.name.name}@${built.digest}` : undefined,
        archive: built.archive,
        platforms: built.platforms,
        bytes: built.traffic,
        dockerProcesses: image.engine === 'auto' ? 1 : 0,
      })
    }
    const built = await buildWithDocker(image, preset, context, {
      ...ports,
      docker: makeDocker,
      baseRegistry: base.registry,
    })
    return result({
      engine,
      builder: built.builder,
      cache: built.cache,
      digest: built.digest,
      imageRef: image.push && built.digest ? `${image.name.name}@${built.digest}` : undefined,
      local: image.load && !image.push,
      dockerProcesses: built.dockerProcesses + (image.engine === 'auto' ? 1 : 0),
    })
  } finally {
    // Temporary directories go on every path; the private docker config goes in the post step (it holds the login).
    removeContext(context)
  }
}

/** `auto` asks docker whether an engine answers (one probe); the others are what they say. */
async function pickEngine(image: ImageRequest, docker: Docker, log: Log): Promise<ChosenEngine> {
  if (image.engine !== 'auto') return image.engine
  if (image.output !== undefined) return chooseEngine(image.engine, false, image.selfCheck, true)
  let why: string | undefined
  try {
    const answer = await docker.run(['version', '--format', '{{.Server.Version}}'], { timeoutProbes: 1 })
    if (answer.code !== 0) why = lastLines(answer.stderr, 1) || `docker version exited with ${answer.code}`
  } catch (error) {
    if (!(error instanceof DockerMissingError) && !(error instanceof MigrationImageError)) throw error
    why = error.message
  }
  const engine = chooseEngine(image.engine, why === undefined, image.selfCheck)
  if (engine === 'registry' && image.load && !image.push && image.output === undefined) {
    throw new DockerMissingError(`no Docker engine is reachable to build the image into (${why ?? ''})`, {
      fix: 'start Docker (or point DOCKER_HOST at an engine), or build on the registry: --push, or --output FILE.tar',
    })
  }
  if (engine === 'registry') {
    log.notice(`engine auto: no Docker engine is reachable (${why ?? ''}): assembling the image on the registry`)
  } else if (why !== undefined) {
    log.notice(`engine auto: no Docker engine is reachable (${why}), but self-check needs one: building with docker`)
  }
  return engine
}
