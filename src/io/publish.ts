import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { Validation } from '../core/check/validate.js'
import { MigrationImageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import { readCacheService, type BuildFacts } from '../core/build/facts.js'
import { planPublish, type Note, type PublishPlan, type PublishWish } from '../core/build/plan.js'
import { contentKey, epochSeconds, STAGED_MTIME } from '../core/image/content-key.js'
import { withoutLink } from '../core/image/dockerfile.js'
import { parseBaseImage } from '../core/image/image-ref.js'
import { planImage, type ImagePlan } from '../core/image/plan.js'
import { decideReuse, unchangedSince, type ReuseDecision, type TagFacts } from '../core/build/reuse.js'
import type { Preset } from '../core/image/presets.js'
import type { OptionNames } from '../core/option-names.js'
import type { ImageRequest } from '../core/request.js'
import { createBuilder, detectBuildx, inspectBuilder, listBuilders, temporaryBuilderName } from './builder.js'
import type { CleanupStore } from './cleanup.js'
import { Docker, DockerMissingError, tail, withoutProgress, type DockerResult } from './docker.js'
import { createDockerConfig } from './docker-config.js'
import type { Log } from './log.js'
import { fixTimes, readStaged } from './reproducible.js'
import { readTag, RegistryClient, resolveBase, type Manifest } from './registry.js'
import { removeContext, stageContext, type StagedContext } from './stage.js'

/** What the publish step needs from its caller: where to log, where to record what the post step removes. */
export interface PublishPorts {
  readonly log: Log
  readonly cleanup: CleanupStore
  /** The environment docker inherits (without INPUT_* and STATE_*; the cache service's variables stay). */
  readonly env: NodeJS.ProcessEnv
  /** Where the staged context, the metadata file and the private docker config go (RUNNER_TEMP in the action). */
  readonly tempDir: string
  /** How notes name the options (the action's inputs or the CLI's flags). */
  readonly names: OptionNames
}

export interface PublishResult {
  readonly image: string
  readonly references: string[]
  /** References that are in the registry now (all of them after a push, none without one). */
  readonly pushedReferences: string[]
  readonly digest?: string
  readonly imageRef?: string
  readonly pushed: boolean
  readonly builder: 'buildx' | 'docker'
  readonly cache: string
  readonly files: string[]
  /** How many docker processes the publish spawned (a benchmark figure). */
  readonly dockerProcesses: number
  /** Set when nothing was built: "unchanged since <sha>, re-tagged" (the image with the same content key). */
  readonly unchanged?: string
}

/**
 * Stage → log in while probing → plan (src/core/build/plan.ts decides) → create a builder if the plan says so →
 * build (and push) → read the digest. The caller has validated the directory; nothing here decides what to build.
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
  const context = stageContext(ports.tempDir, validation, imagePlan.spec)
  let metadataDir: string | undefined
  try {
    // Reproducible: fixed mtimes in the context (COPY keeps them) and SOURCE_DATE_EPOCH for buildx, which passes it
    // to BuildKit as the build argument that fixes the config's and history's times. Same input, same digest.
    fixTimes(context.dir, STAGED_MTIME)
    let dockerEnv: NodeJS.ProcessEnv =
      image.created === undefined ? ports.env : { ...ports.env, SOURCE_DATE_EPOCH: String(epochSeconds(image.created)) }
    // Credentials go to a private docker config; without any, the user's own config (and logins) are used.
    if (image.credentials?.password) {
      const config = createDockerConfig(ports.tempDir, dockerEnv)
      ports.cleanup.add({ dockerConfig: config.dir })
      dockerEnv = config.env
    }
    const docker = new Docker(dockerEnv)
    const registry = image.name.registry
    if (!image.credentials?.password && image.push) {
      log.warning(`no password for ${registry}: pushing with whatever credentials the engine already has`)
    }
    // The login runs while the probes run (and, for docker build, while it builds): see below.
    const loggedIn = image.credentials?.password
      ? login(docker, registry, image.credentials, image.push, log).then(() => ports.cleanup.add({ registry }))
      : Promise.resolve()
    loggedIn.catch(() => undefined) // awaited below; this only keeps an early failure from counting as unhandled

    metadataDir = mkdtempSync(path.join(ports.tempDir, 'migration-image-meta-'))
    const wish: PublishWish = {
      image: image.name.name,
      tool: preset.tool,
      references: image.tags.map((tag) => `${image.name.name}:${tag}`),
      push: image.push,
      load: image.load,
      platforms: image.platforms,
      provenance: image.provenance,
      cache: image.cache,
      runsCommands: image.selfCheck && preset.selfCheck !== undefined,
      builder: image.builder,
      context: context.dir,
      dockerfile: context.dockerfile,
      metadataFile: path.join(metadataDir, 'metadata.json'),
      names: ports.names,
    }
    // When pushing, the registry is asked (side by side with the probes) whether a new tag already holds an image
    // with this content; the Dockerfile gets the content key label either way.
    const [probed, lookup] = await Promise.all([
      probe(docker, wish, ports.env),
      image.push ? lookUp(image, preset, validation, imagePlan, context) : Promise.resolve(undefined),
    ])
    let facts = probed
    const reuse = decideReuse(wish, { buildxVersion: facts.buildxVersion, ...lookup, tags: lookup?.tags ?? [] })
    if (reuse.kind === 're-tag' && lookup) {
      for (const note of imagePlan.notes) say(log, note)
      const done = await reTag(reuse, lookup, image, log)
      if (done) {
        await loggedIn
        return {
          image: wish.references[0],
          references: [...wish.references],
          pushedReferences: [...wish.references],
          digest: reuse.digest,
          imageRef: `${image.name.name}@${reuse.digest}`,
          pushed: true,
          builder: 'buildx',
          cache: 'not used (nothing built)',
          files: context.files,
          dockerProcesses: docker.spawned,
          unchanged: unchangedSince(reuse.since, reuse.from),
        }
      }
    } else if (reuse.note) {
      say(log, reuse.note)
    }
    let plan = planPublish(wish, facts)
    // Before creating a builder, look for an existing one that can do it (only now: it is one more probe).
    if (plan.createBuilder && facts.buildxVersion !== undefined) {
      facts = { ...facts, builders: await listBuilders(docker, facts.buildxVersion) }
      plan = planPublish(wish, facts)
    }
    if (plan.createBuilder) {
      const failed = await createBuilder(docker, plan.createBuilder.argv, plan.createBuilder.name)
      if (failed === undefined) ports.cleanup.add({ builder: plan.createBuilder.name })
      else plan = planPublish(wish, { ...facts, temporaryBuilderFailed: failed })
    }
    for (const note of [...imagePlan.notes, ...plan.notes]) say(log, note)
    // The legacy builder and BuildKit before 0.10 refuse `COPY --link`: they build the same file without it.
    if (!plan.link) writeFileSync(context.dockerfile, withoutLink(readFileSync(context.dockerfile, 'utf8')))

    const build = (): Promise<DockerResult> =>
      log.group(`docker ${plan.build.slice(0, plan.kind === 'buildx' ? 2 : 1).join(' ')}`, () =>
        docker.run(plan.build, { echo: (chunk) => log.output(chunk) }),
      )
    // buildx reads the credentials when it starts, so it waits for the login. docker build needs them only to pull
    // a base image from the logged-in registry: it starts at once, and runs again after the login if that failed it.
    if (plan.kind === 'buildx') await loggedIn
    let built = await build()
    await loggedIn
    if (built.code !== 0 && plan.kind === 'docker' && AUTH_FAILURE.test(built.stderr + built.stdout))
      built = await build()
    if (built.code !== 0) throw dockerError('build', built.stderr + built.stdout, registry)
    const pushed = await pushAll(docker, plan, log, registry)
    let digest = pushed.map((result) => /digest: (sha256:[a-f0-9]{64})/.exec(result.stdout)?.[1]).find(Boolean)
    if (plan.metadata) digest = readDigest(wish.metadataFile) ?? digest
    return {
      image: wish.references[0],
      references: [...wish.references],
      pushedReferences: image.push ? [...wish.references] : [],
      digest: image.push ? digest : undefined,
      imageRef: image.push && digest ? `${image.name.name}@${digest}` : undefined,
      pushed: image.push,
      builder: plan.kind,
      cache: plan.cache.to
        ? `gha (scope ${plan.cache.scope})`
        : plan.cache.from
          ? `gha read-only (scope ${plan.cache.scope})`
          : 'off',
      files: context.files,
      dockerProcesses: docker.spawned,
    }
  } finally {
    // Temporary directories go on every path; the private docker config goes in the post step (it holds the login).
    removeContext(context)
    if (metadataDir) rmSync(metadataDir, { recursive: true, force: true })
  }
}

interface Lookup {
  readonly contentKey?: string
  readonly noKey?: string
  readonly tags: (TagFacts & { manifest?: Manifest })[]
  readonly client: RegistryClient
}

/**
 * The content key of what was staged (the base resolved to its digest by the registry) and what the new tags hold
 * now, read through the registry's API with the run's login. The staged Dockerfile gets the key as a label. Never
 * fails the run: without a key or a registry answer, the image is built as always.
 */
async function lookUp(
  image: ImageRequest,
  preset: Preset,
  validation: Validation,
  imagePlan: ImagePlan,
  context: StagedContext,
): Promise<Lookup> {
  const client = new RegistryClient(image.name.registry, image.name.repository, image.credentials)
  const login = image.credentials ? { registry: image.name.registry, ...image.credentials } : undefined
  const baseReference = parseBaseImage(image.baseImage || preset.baseImage).reference
  const [base, tags] = await Promise.all([
    resolveBase(baseReference, login).then(
      (resolved) => ({ resolved }),
      (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
    ),
    Promise.all(image.tags.map((tag) => readTag(client, `${image.name.name}:${tag}`, tag))),
  ])
  if (!('resolved' in base)) return { noKey: base.error, tags, client }
  const key = contentKey({
    checksum: validation.checksum,
    tool: preset.tool,
    base: base.resolved,
    dockerfile: imagePlan.keyDockerfile,
    files: readStaged(context.dir, context.dockerfile),
    platforms: image.platforms,
    provenance: image.provenance,
  })
  writeFileSync(context.dockerfile, planImage(image, preset, validation, key).dockerfile)
  fixTimes(context.dir, STAGED_MTIME)
  return { contentKey: key, tags, client }
}

/** The new tags onto the existing image (a manifest PUT each, side by side); false (with a note) when that failed. */
async function reTag(
  decision: Extract<ReuseDecision, { kind: 're-tag' }>,
  lookup: Lookup,
  image: ImageRequest,
  log: Log,
): Promise<boolean> {
  const manifest = lookup.tags.find((tag) => tag.digest === decision.digest)?.manifest
  if (!manifest) return false
  try {
    await log.group(`re-tag ${decision.from} (${image.tags.length} tags)`, () =>
      Promise.all(image.tags.map((tag) => lookup.client.putTag(tag, manifest))),
    )
  } catch (error) {
    log.warning(
      `re-tagging ${decision.from} failed (${error instanceof Error ? error.message : String(error)}): building instead`,
    )
    return false
  }
  say(log, decision.note)
  return true
}

/** The probes the plan needs, side by side: buildx's version and, only when it matters, the builder's facts. */
async function probe(docker: Docker, wish: PublishWish, env: NodeJS.ProcessEnv): Promise<BuildFacts> {
  const cacheService = readCacheService(env)
  const [buildxVersion, builder] = await Promise.all([
    detectBuildx(docker),
    // Always: the builder's driver and BuildKit version decide the cache, the platforms and `COPY --link`.
    inspectBuilder(docker, wish.builder),
  ])
  return { buildxVersion, builder, cacheService, temporaryBuilderName: temporaryBuilderName() }
}

function say(log: Log, note: Note): void {
  log[note.level](note.text)
}

/** One image, several tags (the legacy path): the pushes share layers, so they run side by side. */
async function pushAll(docker: Docker, plan: PublishPlan, log: Log, registry: string): Promise<DockerResult[]> {
  if (plan.pushes.length === 0) return []
  const pushed = await log.group(`docker push (${plan.pushes.length} tags)`, () =>
    Promise.all(plan.pushes.map((argv) => docker.run(argv, { echo: (chunk) => log.output(chunk) }))),
  )
  // Each tag's own result: a push that fails for one tag still says which tags are in the registry.
  const failed = pushed.flatMap((result, index) => (result.code === 0 ? [] : [index]))
  if (failed.length === 0) return pushed
  const tagOf = (argv: readonly string[]): string => argv[argv.length - 1]
  const done = plan.pushes.filter((_, index) => !failed.includes(index)).map(tagOf)
  const first = pushed[failed[0]]
  const error = dockerError('push', first.stderr + first.stdout, registry)
  throw new PushError(
    `${error.message} (failed: ${failed.map((index) => tagOf(plan.pushes[index])).join(', ')}; pushed: ${done.join(', ') || 'none'})`,
    done,
    { fix: error.fix },
  )
}

/** A push that failed for some tags: `pushed` names the references that did reach the registry. */
export class PushError extends MigrationImageError {
  constructor(
    message: string,
    readonly pushed: string[],
    where: { fix?: string } = {},
  ) {
    super(message, where)
  }
}

async function login(
  docker: Docker,
  registry: string,
  { username, password }: { username: string; password: string },
  required: boolean,
  log: Log,
): Promise<void> {
  const result = await docker.run(['login', `--username=${username}`, '--password-stdin', '--', registry], {
    input: password,
    probe: 1,
  })
  if (result.code === 0) return
  assertEngine(result.stderr)
  const message = `docker login to ${registry} as ${showName(username)} failed: ${tail(result.stderr)}`
  if (!required) {
    log.warning(`${message}; continuing without login (nothing is pushed)`)
    return
  }
  throw new MigrationImageError(message, { fix: registryFix(registry) })
}

function registryFix(registry: string): string {
  return registry === 'ghcr.io'
    ? "give the job 'permissions: packages: write' (and, for an existing package, grant this repository access under the package's 'Manage Actions access')"
    : `check the username and password for ${registry}`
}

function readDigest(file: string): string | undefined {
  try {
    const metadata = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    const digest = metadata['containerimage.digest']
    return typeof digest === 'string' ? digest : undefined
  } catch {
    return undefined
  }
}

/** docker talks to the engine for login and builds; when there is none, say that, not "login failed". */
function assertEngine(output: string): void {
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i.test(output)) {
    throw new DockerMissingError(`no Docker engine is reachable: ${tail(output, 1)}`, {
      fix: 'start Docker (or point DOCKER_HOST at an engine); validate and dockerfile need no engine',
    })
  }
}

/** What docker prints when a registry wants credentials it was not given. */
const AUTH_FAILURE = /denied|unauthorized|403 Forbidden|authentication required|no basic auth credentials/i

/**
 * A failed build (with --push, buildx pushes too: the output says which part failed) or push. buildx's progress
 * lines (`#12 …`, `------`, ` > [stage]`) are left out of the message: the log above has them in full.
 */
function dockerError(what: 'build' | 'push', output: string, registry: string): MigrationImageError {
  assertEngine(output)
  const denied = AUTH_FAILURE.test(output)
  const pushing = what === 'push' || /exporting to image|pushing layers|failed to push|push access denied/i.test(output)
  return new MigrationImageError(
    `docker ${pushing && denied ? 'push' : what} failed: ${tail(withoutProgress(output))}`,
    {
      fix: denied ? registryFix(registry) : 'see the docker output above',
    },
  )
}
