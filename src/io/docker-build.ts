import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { readCacheService, type BuildFacts } from '../core/build/facts.js'
import { planPublish, type PublishPlan, type PublishRequest } from '../core/build/plan.js'
import { epochSeconds } from '../core/image/content-key.js'
import { withoutLink } from '../core/image/dockerfile.js'
import { MigrationImageError, PushError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import type { Preset } from '../core/image/presets.js'
import type { OptionNames } from '../core/option-names.js'
import type { ImageRequest } from '../core/request.js'
import { createBuilder, detectBuildx, inspectBuilder, listBuilders, temporaryBuilderName } from './builder.js'
import type { CleanupStore } from './cleanup.js'
import { Docker, DockerMissingError, lastLines, withoutProgress, type DockerResult } from './docker.js'
import { createDockerConfig } from './docker-config.js'
import type { Log } from './log.js'
import type { StagedContext } from './stage.js'

/** What the docker path needs from the run: the log, the post step's store, the environment, the temp dir. */
export interface DockerBuildIo {
  readonly log: Log
  readonly cleanup: CleanupStore
  readonly env: NodeJS.ProcessEnv
  readonly tempDir: string
  readonly names: OptionNames
  /** The docker CLI for an environment (a private config when logging in); the real one unless a test gives one. */
  readonly docker: (env: NodeJS.ProcessEnv) => Docker
  /** The registry the base image is pulled from (a run that pushes nothing logs in only for a pull from there). */
  readonly baseRegistry: string
}

/** What the docker path built: its digest (when pushed), the builder kind, the cache, the processes it spawned. */
export interface DockerBuild {
  readonly digest?: string
  readonly builder: 'buildx' | 'docker'
  readonly cache: string
  readonly dockerProcesses: number
}

/**
 * The buildx engine (and the legacy docker build without buildx): log in while probing → plan
 * (src/core/build/plan.ts decides) → create a builder if the plan says so → build (and push) → read the digest.
 */
export async function buildWithDocker(
  image: ImageRequest,
  preset: Preset,
  context: StagedContext,
  io: DockerBuildIo,
): Promise<DockerBuild> {
  const { log } = io
  const ports = io
  // Reproducible: fixed mtimes in the context (COPY keeps them) and SOURCE_DATE_EPOCH for buildx, which passes it
  // to BuildKit as the build argument that fixes the config's and history's times. Same input, same digest.
  let dockerEnv: NodeJS.ProcessEnv =
    image.created === undefined ? ports.env : { ...ports.env, SOURCE_DATE_EPOCH: String(epochSeconds(image.created)) }
  const registry = image.name.registry
  // A run that pushes nothing needs the login only to pull a private base image from that registry.
  const credentials = image.credentials?.password ? image.credentials : undefined
  const loginNeeded = credentials !== undefined && (image.push || io.baseRegistry === registry)
  if (credentials && !loginNeeded) {
    log.info(`no docker login to ${registry}: nothing is pushed, and the base image comes from ${io.baseRegistry}`)
  }
  // Credentials go to a private docker config; without any, the user's own config (and logins) are used.
  if (loginNeeded) {
    const config = createDockerConfig(ports.tempDir, dockerEnv)
    ports.cleanup.add({ dockerConfig: config.dir })
    dockerEnv = config.env
  }
  const docker = io.docker(dockerEnv)
  if (!credentials && image.push) {
    log.warning(`no password for ${registry}: pushing with whatever credentials the engine already has`)
  }
  // The login runs while the probes run (and, for docker build, while it builds): see below.
  const loggedIn = loginNeeded
    ? login(docker, registry, credentials, image.push, log).then(() => ports.cleanup.add({ registry }))
    : Promise.resolve()
  loggedIn.catch(() => undefined) // awaited below; this only keeps an early failure from counting as unhandled

  const metadataDir = mkdtempSync(path.join(ports.tempDir, 'migration-image-meta-'))
  try {
    return await buildIn(metadataDir)
  } finally {
    rmSync(metadataDir, { recursive: true, force: true })
  }
  async function buildIn(metadataDir: string): Promise<DockerBuild> {
    const wish: PublishRequest = {
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
    let facts = await probe(docker, wish, ports.env)
    let plan = planPublish(wish, facts)
    // Before creating a builder, look for an existing one that can do it (only now: it is one more probe).
    if (plan.createBuilder && facts.buildxVersion !== undefined) {
      facts = { ...facts, builders: await listBuilders(docker, facts.buildxVersion) }
      plan = planPublish(wish, facts)
    }
    if (plan.createBuilder) {
      const made = await createBuilder(docker, plan.createBuilder.argv, plan.createBuilder.name)
      if (made.created) ports.cleanup.add({ builder: plan.createBuilder.name })
      else plan = planPublish(wish, { ...facts, temporaryBuilderFailed: made.reason })
    }
    for (const note of plan.notes) log[note.level](note.text)
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
      digest: image.push ? digest : undefined,
      builder: plan.kind,
      cache: plan.cache.to
        ? `gha (scope ${plan.cache.scope})`
        : plan.cache.from
          ? `gha read-only (scope ${plan.cache.scope})`
          : 'off',
      dockerProcesses: docker.spawned,
    }
  }
}

/** The probes the plan needs, side by side: buildx's version and, only when it matters, the builder's facts. */
async function probe(docker: Docker, wish: PublishRequest, env: NodeJS.ProcessEnv): Promise<BuildFacts> {
  const cacheService = readCacheService(env)
  const [buildxVersion, builder] = await Promise.all([
    detectBuildx(docker),
    // Always: the builder's driver and BuildKit version decide the cache, the platforms and `COPY --link`.
    inspectBuilder(docker, wish.builder),
  ])
  return { buildxVersion, builder, cacheService, temporaryBuilderName: temporaryBuilderName() }
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

async function login(
  docker: Docker,
  registry: string,
  { username, password }: { username: string; password: string },
  required: boolean,
  log: Log,
): Promise<void> {
  const result = await docker.run(['login', `--username=${username}`, '--password-stdin', '--', registry], {
    input: password,
    timeoutProbes: 1,
  })
  if (result.code === 0) return
  assertEngine(result.stderr)
  const message = `docker login to ${registry} as ${showName(username)} failed: ${lastLines(result.stderr)}`
  if (!required) {
    log.warning(
      `${message}; continuing without login (nothing is pushed; a private base image from ${registry} cannot be pulled)`,
    )
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
    throw new DockerMissingError(`no Docker engine is reachable: ${lastLines(output, 1)}`, {
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
    `docker ${pushing && denied ? 'push' : what} failed: ${lastLines(withoutProgress(output))}`,
    {
      fix: denied ? registryFix(registry) : 'see the docker output above',
    },
  )
}
