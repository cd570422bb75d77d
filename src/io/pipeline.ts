import { writeRegular } from '../core/check/safe-read.js'
import { validateDirectory, withProblems, type ValidateOptions, type Validation } from '../core/check/validate.js'
import { DirectoryError, UsageError } from '../core/errors.js'
import { checkEngine } from '../core/build/engine.js'
import { planImage } from '../core/image/plan.js'
import { getPreset, type Preset } from '../core/image/presets.js'
import { nameOptions, OPTION } from '../core/option-names.js'
import type { Problem } from '../core/check/problems.js'
import type { ImageRequest, Request } from '../core/request.js'
import type { CleanupStore } from './cleanup.js'
import type { ApplyResult } from '../core/apply/result.js'
import { runApplyCheck } from './apply-check.js'
import { checkAgainstBase, commitAt, type BaseCheck } from './git-base.js'
import type { Log } from './log.js'
import { publish, type PublishResult } from './publish.js'

/** What the pipeline talks to: the log, the store of what the post step removes, the environment, the temp dir. */
export interface Ports {
  readonly log: Log
  readonly cleanup: CleanupStore
  /** The environment docker and git inherit (the cache service's variables included). */
  readonly env: NodeJS.ProcessEnv
  /** RUNNER_TEMP in the action, the system's temp dir in the CLI. */
  readonly tempDir: string
}

/** What one run found and did, for the adapter to report (outputs, summary, text or JSON). */
export interface Outcome {
  readonly preset: Preset
  /** The directory as its tool sees it, with the base-branch problems added. */
  readonly validation: Validation
  /** The base-branch checks, when they ran. */
  readonly base?: BaseCheck & { readonly name: string }
  /** `hash`: the atlas.sum path written; undefined when the directory cannot be hashed (`validation.unhashable`). */
  readonly wrote?: string
  /** `dockerfile` and `build`: the Dockerfile. */
  readonly dockerfile?: string
  /** `build`: the image. */
  readonly image?: PublishResult
  /** The apply check, when it ran (apply-check: true, the CLI's apply-check). */
  readonly apply?: ApplyResult
  /** Why the build, the push or the apply check failed, after a validation that passed: reported after the rest. */
  readonly failure?: Error
}

/**
 * One run, for the action and the CLI alike: validate → base-branch checks → (hash) → plan the image → build and
 * push. It stops after the validation when the directory is invalid: nothing is built or pushed then.
 */
export async function runPipeline(request: Request, ports: Ports): Promise<Outcome> {
  const preset = getPreset(request.check.tool)
  const options: ValidateOptions = {
    format: request.check.format,
    checksum: request.check.checksum,
    changelog: request.check.changelog,
    maxFileSize: request.check.maxFileSize,
  }
  // What the engine cannot do is a usage error before anything is read.
  if (request.command === 'build' && request.image) checkEngine(request.image, request.names)
  const own = named(await validateDirectory(request.check.dir, options), request)
  if (request.command === 'hash') {
    // What makes validate refuse the sum (a name atlas.sum cannot hold, a link, a directory named like a migration)
    // stops hash before anything is written.
    if (own.unhashable.length > 0) return { preset, validation: own }
    // Never through a link: a symlinked atlas.sum could point at any file the user can write.
    writeRegular(own.sumPath, own.sumFile)
    return { preset, validation: own, wrote: own.sumPath }
  }
  let validation = own
  let base: Outcome['base']
  if (request.base) {
    const checked = await checkAgainstBase({
      head: own,
      options,
      baseRef: request.base.ref,
      baseName: request.base.name,
      headRef: request.base.headRef,
      allowOutOfOrder: request.base.allowOutOfOrder,
      tempDir: ports.tempDir,
      log: ports.log,
    })
    base = {
      ...checked,
      problems: checked.problems.map((problem) => nameFix(problem, request)),
      name: request.base.name,
    }
    validation = withProblems(replaced(own, checked.mergeOnly), base.problems)
  }
  if (!validation.valid || request.command === 'validate' || !request.image) return { preset, validation, base }
  if (request.command === 'build' && validation.migrations.length === 0 && validation.shipped.length === 0) {
    throw new DirectoryError(`holds no migrations for ${preset.tool}: there is nothing to build`, {
      file: request.check.dir,
      fix: nameOptions(`check ${OPTION.dir} and the tool`, request.names),
    })
  }
  const imageRequest = withCommit(request.image, request)
  const imagePlan = planImage(imageRequest, preset, validation)
  if (request.command === 'dockerfile') {
    for (const note of imagePlan.notes) ports.log[note.level](note.text)
    return { preset, validation, base, dockerfile: imagePlan.dockerfile }
  }
  ports.log.info(`${imageRequest.push ? 'pushing' : 'not pushing'}: ${imageRequest.pushReason}`)
  let image: PublishResult | undefined
  try {
    image = await publish(imageRequest, preset, validation, imagePlan, { ...ports, names: request.names })
    if (!request.apply) return { preset, validation, base, dockerfile: imagePlan.dockerfile, image }
    if (imageRequest.platforms.length > 1) {
      ports.log.warning('apply check skipped: an image built for several platforms cannot be loaded into the engine')
      return { preset, validation, base, dockerfile: imagePlan.dockerfile, image }
    }
    if (!image.pushed && image.builder === 'registry') {
      ports.log.warning('apply check skipped: the registry engine built no image in a Docker engine to run')
      return { preset, validation, base, dockerfile: imagePlan.dockerfile, image }
    }
    // Pushed images run by digest (pulled); the others were loaded into the engine's store by the build.
    const apply = await runApplyCheck(
      {
        request: request.apply,
        preset,
        image: image.pushed ? (image.imageRef ?? image.image) : image.image,
        spec: imagePlan.spec,
        head: validation,
        options,
        base: request.base ? { ref: request.base.ref, allowOutOfOrder: request.base.allowOutOfOrder } : undefined,
      },
      ports,
    )
    return { preset, validation, base, dockerfile: imagePlan.dockerfile, image, apply }
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error))
    return { preset, validation, base, dockerfile: imagePlan.dockerfile, image, failure }
  }
}

/** The fixes name the options as this adapter's user sets them (an input, or a flag). */
function named(validation: Validation, request: Request): Validation {
  return { ...validation, problems: validation.problems.map((problem) => nameFix(problem, request)) }
}

const nameFix = (problem: Problem, request: Request): Problem =>
  problem.fix === undefined ? problem : { ...problem, fix: nameOptions(problem.fix, request.names) }

function replaced(validation: Validation, mergeOnly: BaseCheck['mergeOnly']): Validation {
  if (!mergeOnly) return validation
  const problems = validation.problems.map((problem) =>
    problem.code === mergeOnly.problem.code && problem.file === mergeOnly.problem.file
      ? mergeOnly.replacement
      : problem,
  )
  return withProblems({ ...validation, problems }, [])
}

/**
 * The facts git holds about the image's commit: its time (the created label, unless SOURCE_DATE_EPOCH set it) and,
 * when the request builds from the checkout's HEAD (the CLI), its sha as the revision and the first tag.
 */
function withCommit(image: ImageRequest, request: Request): ImageRequest {
  const needed = image.fromHead || (image.revision !== undefined && image.created === undefined)
  const commit = needed ? commitAt(request.check.dir, image.fromHead ? 'HEAD' : image.revision) : undefined
  const revision = image.fromHead ? commit?.sha : image.revision
  const tags = [...new Set([...(image.fromHead && commit ? [commit.sha] : []), ...image.tags])]
  if (request.command === 'build' && tags.length === 0) {
    throw new UsageError('no tag: DIR is not in a git checkout and no tag was given', {
      fix: nameOptions(`give a tag (${OPTION.tags})`, request.names),
    })
  }
  return { ...image, revision, created: image.created ?? commit?.time, tags }
}
