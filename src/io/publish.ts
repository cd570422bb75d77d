import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import path from 'node:path'
import { planBuild, type Builder } from '../core/build/argv.js'
import { renderDockerfile } from '../core/image/dockerfile.js'
import { MigrationImageError, UsageError } from '../core/errors.js'
import { readCacheService } from '../core/build/facts.js'
import { showName } from '../core/escape.js'
import { cacheScope, planCache } from '../core/build/cache.js'
import { sourceDate } from '../core/github/event.js'
import { parseBaseImage, type ImageName } from '../core/image/image-ref.js'
import { imageLabels } from '../core/image/labels.js'
import type { Preset } from '../core/image/presets.js'
import type { Validation } from '../core/check/validate.js'
import { assertBuilderName, builderDriver, createContainerBuilder, detectBuildx } from './builder.js'
import type { CleanupState } from './cleanup.js'
import { Docker, DockerMissingError, tail, type DockerResult } from './docker.js'
import { createDockerConfig } from './docker-config.js'
import type { Log } from './log.js'
import { removeContext, stageContext } from './stage.js'

export interface PublishOptions {
  readonly validation: Validation
  readonly preset: Preset
  readonly image: ImageName
  /** Tags, not references; the first is the sha tag. */
  readonly tags: readonly string[]
  readonly push: boolean
  readonly load: boolean
  readonly baseImage?: string
  readonly platforms: readonly string[]
  readonly provenance: string
  readonly cache: boolean
  /** An existing buildx builder to use as is. */
  readonly builder?: string
  readonly credentials?: { readonly username: string; readonly password: string }
  /** Run the tool's offline validation in a build stage (atlas, goose). */
  readonly selfCheck?: boolean
  readonly source?: string
  readonly revision?: string
  /** Where the private docker config and the staged context go (RUNNER_TEMP in the action). */
  readonly tempDir: string
  readonly env: NodeJS.ProcessEnv
  /** Called whenever there is something new for the post step to clean up. */
  readonly remember: (state: CleanupState) => void
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
  readonly dockerfile: string
  readonly files: string[]
  readonly dockerProcesses: number
}

/** The Dockerfile for a validated directory (the `dockerfile` command prints this). */
export function dockerfileFor(
  options: Pick<PublishOptions, 'validation' | 'preset' | 'baseImage' | 'source' | 'revision' | 'image' | 'selfCheck'>,
  env: NodeJS.ProcessEnv,
): string {
  const base = parseBaseImage(options.baseImage || options.preset.baseImage)
  const created = sourceDate(env)
  const labels = imageLabels({
    validation: options.validation,
    tool: options.preset.tool,
    source: options.source,
    revision: options.revision,
    created: created.toISOString(),
    title: options.image.name,
  })
  const { preset, validation } = options
  // Liquibase: the master changelog is the first shipped file; its path is relative to the search path.
  const changelog = preset.changelogEnv && validation.shipped[0] ? { [preset.changelogEnv]: validation.shipped[0] } : {}
  return renderDockerfile({ preset, base, labels, env: changelog, selfCheck: options.selfCheck })
}

/** Stage → login → pick the builder → build (and push) → read the digest. Nothing runs for an invalid directory. */
export async function publish(options: PublishOptions, log: Log): Promise<PublishResult> {
  if (!options.validation.valid) throw new MigrationImageError('refusing to build an invalid directory')
  const base = parseBaseImage(options.baseImage || options.preset.baseImage)
  if (options.baseImage && !base.pinned) {
    log.warning(
      `base image ${base.reference} is not pinned by digest; pin it (${base.reference}@sha256:…) so a re-tag upstream cannot change your image`,
    )
  }
  if (options.selfCheck && !options.preset.selfCheck) {
    log.notice(`${options.preset.tool} has no offline self-check (it needs a database): self-check skipped`)
  }
  if (options.builder) assertBuilderName(options.builder)
  const dockerfile = dockerfileFor(options, options.env)
  const context = stageContext(options.tempDir, options.validation, options.preset, dockerfile)
  const state: CleanupState = {}
  let metadataDir: string | undefined
  try {
    // Credentials go to a private docker config; without any, the user's own config (and logins) are used.
    let dockerEnv = options.env
    if (options.credentials?.password) {
      const config = createDockerConfig(options.tempDir, options.env)
      state.dockerConfig = config.dir
      options.remember(state)
      dockerEnv = config.env
    }
    const docker = new Docker(dockerEnv)
    const registry = options.image.registry
    if (!options.credentials?.password && options.push) {
      log.warning(`no password for ${registry}: pushing with whatever credentials the engine already has`)
    }
    // The login runs while the builder is chosen (and, for docker build, while it builds): see below.
    const loggedIn = options.credentials?.password
      ? login(docker, registry, options.credentials, options.push, log).then(() => {
          state.registry = registry
          options.remember(state)
        })
      : Promise.resolve()
    loggedIn.catch(() => undefined) // awaited below; this only keeps an early failure from counting as unhandled
    const buildxVersion = await detectBuildx(docker)
    // Whether the GitHub Actions cache can be used decides whether a cache-capable builder is worth creating.
    const scope = cacheScope(options.image.name, options.preset.tool)
    let cache = planCache({ wanted: options.cache, service: readCacheService(options.env), buildxVersion, scope })
    const builder = await chooseBuilder(docker, buildxVersion, cache.from || cache.to, options, state, log)
    if (builder.driver === 'docker' && (cache.from || cache.to)) {
      const text = "the buildx 'docker' driver cannot use the GitHub Actions cache: building without it"
      cache = { from: false, to: false, scope, note: { level: 'warning', text } }
    }
    if (cache.note) log[cache.note.level](cache.note.text)
    if (builder.buildxVersion === undefined && options.platforms.length > 1) {
      throw new UsageError(`building for ${options.platforms.join(', ')} needs docker buildx, which is not installed`, {
        fix: 'install buildx (docker/setup-buildx-action) or build one platform',
      })
    }
    const references = options.tags.map((tag) => `${options.image.name}:${tag}`)
    metadataDir = mkdtempSync(path.join(options.tempDir, 'migration-image-meta-'))
    const metadataFile = path.join(metadataDir, 'metadata.json')
    const plan = planBuild(
      {
        context: context.dir,
        dockerfile: context.dockerfile,
        tags: references,
        push: options.push,
        load: options.load,
        metadataFile,
        platforms: options.platforms,
        provenance: options.provenance,
        cache,
      },
      builder,
    )
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
    if (built.code !== 0) throw buildError(plan.build, built.stderr + built.stdout, registry)
    // One image, several tags: the pushes share layers, so they run side by side.
    const pushed =
      plan.pushes.length === 0
        ? []
        : await log.group(`docker push (${plan.pushes.length} tags)`, () =>
            Promise.all(plan.pushes.map((argv) => docker.run(argv, { echo: (chunk) => log.output(chunk) }))),
          )
    // Each tag's own result: a push that fails for one tag still says which tags are in the registry.
    const failed = pushed.flatMap((result, index) => (result.code === 0 ? [] : [index]))
    if (failed.length > 0) {
      const tagOf = (argv: readonly string[]): string => argv[argv.length - 1]
      const done = plan.pushes.filter((_, index) => !failed.includes(index)).map(tagOf)
      const first = failed[0]
      const error = buildError(plan.pushes[first], pushed[first].stderr + pushed[first].stdout, registry)
      throw new PushError(
        `${error.message} (failed: ${failed.map((index) => tagOf(plan.pushes[index])).join(', ')}; pushed: ${done.join(', ') || 'none'})`,
        done,
        { fix: error.fix },
      )
    }
    let digest = pushed.map((result) => /digest: (sha256:[a-f0-9]{64})/.exec(result.stdout)?.[1]).find(Boolean)
    if (plan.metadata) digest = readDigest(metadataFile) ?? digest
    return {
      image: references[0],
      references,
      pushedReferences: options.push ? references : [],
      digest: options.push ? digest : undefined,
      imageRef: options.push && digest ? `${options.image.name}@${digest}` : undefined,
      pushed: options.push,
      builder: plan.kind,
      cache: cache.to ? `gha (scope ${cache.scope})` : cache.from ? `gha read-only (scope ${cache.scope})` : 'off',
      dockerfile,
      files: context.files,
      dockerProcesses: docker.spawned,
    }
  } finally {
    // Temporary directories go on every path; the private docker config goes in the post step (it holds the login).
    removeContext(context)
    if (metadataDir) rmSync(metadataDir, { recursive: true, force: true })
  }
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
    : `check the username and password inputs for ${registry}`
}

/**
 * The builder: none without buildx (docker build); the `builder` input as is; otherwise the current one, or — when
 * the cache is usable and the current builder uses the `docker` driver, which cannot export cache — a temporary
 * docker-container builder. Without a usable cache nothing is inspected or created.
 */
async function chooseBuilder(
  docker: Docker,
  buildxVersion: string | undefined,
  cacheUsable: boolean,
  options: PublishOptions,
  state: CleanupState,
  log: Log,
): Promise<Builder> {
  if (buildxVersion === undefined) return {} // planCache says what this means for the cache
  if (options.builder)
    return { buildxVersion, name: options.builder, driver: await builderDriver(docker, options.builder) }
  if (!cacheUsable) return { buildxVersion }
  const driver = await builderDriver(docker)
  if (driver !== 'docker') return { buildxVersion, driver }
  const created = await createContainerBuilder(docker, log, buildxVersion)
  if (!created) return { buildxVersion, driver }
  state.builder = created.name
  options.remember(state)
  return created
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

function buildError(argv: readonly string[], output: string, registry: string): MigrationImageError {
  assertEngine(output)
  const denied = AUTH_FAILURE.test(output)
  const what = argv[0] === 'push' || argv.includes('--push') ? 'push' : 'build'
  return new MigrationImageError(`docker ${what} failed: ${tail(output)}`, {
    fix: denied ? registryFix(registry) : 'see the docker output above',
  })
}
