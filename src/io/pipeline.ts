import path from 'node:path'
import { reconcileFixes } from '../core/check/advice.js'
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
import { checkSafety, establishedKeys, safetyProblems, type UnitSource } from '../core/safety/collect.js'
import { withMeasurements } from '../core/safety/measured.js'
import { BOOKKEEPING_TABLES } from '../core/apply/tools.js'
import { DEFAULT_MAX_FILE_SIZE } from '../core/check/safe-read.js'
import type { Log } from './log.js'
import { publish, type PublishResult } from './publish.js'
import { stageContext } from './stage.js'

/** What the pipeline talks to: the log, the store of what the post step removes, the environment, the temp dir. */
export interface RunServices {
  readonly log: Log
  readonly cleanup: CleanupStore
  /** The environment docker and git inherit (the cache service's variables included). */
  readonly env: NodeJS.ProcessEnv
  /** RUNNER_TEMP in the action, the system's temp dir in the CLI. */
  readonly tempDir: string
  /** Told the validation's outcome before anything is built, so the verdict comes first in the log. */
  readonly validated?: (validation: Validation) => void
}

/** Milliseconds each step took (the summary shows them); a step that did not run is absent. */
export interface Durations {
  readonly validate: number
  readonly base?: number
  readonly image?: number
  readonly apply?: number
}

/** What one run found and did, for the adapter to report (outputs, summary, text or JSON). */
export interface Outcome {
  readonly preset: Preset
  /** The directory as its tool sees it, with the base-branch problems added. */
  readonly validation: Validation
  /** The base-branch checks, when they ran. */
  readonly base?: Omit<BaseCheck, 'head'> & { readonly name: string }
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
  readonly durations: Durations
}

/**
 * One run, for the action and the CLI alike: validate → base-branch checks → (hash) → plan the image → build and
 * push. It stops after the validation when the directory is invalid: nothing is built or pushed then.
 */
export async function runPipeline(request: Request, ports: RunServices): Promise<Outcome> {
  const preset = getPreset(request.check.tool)
  const options: ValidateOptions = {
    format: request.check.format,
    checksum: request.check.checksum,
    changelog: request.check.changelog,
    maxFileSize: request.check.maxFileSize,
  }
  // What the engine cannot do is a usage error before anything is read.
  if (request.command === 'build' && request.image) checkEngine(request.image, request.names)
  const started = Date.now()
  const own = withNamedFixes(await validateDirectory(request.check.dir, options), request)
  if (request.command === 'hash') {
    // What makes validate refuse the sum (a name atlas.sum cannot hold, a link, a directory named like a migration)
    // stops hash before anything is written.
    if (own.unhashable.length > 0) return { preset, validation: own, durations: { validate: Date.now() - started } }
    if (own.crlf.length > 0) {
      // Hashing converted line endings writes an atlas.sum that fails on every other checkout.
      throw new DirectoryError(
        `has CRLF line endings: an atlas.sum hashed over them fails on every checkout with LF endings (Linux runners, Atlas on CI); nothing was written`,
        {
          file: path.join(request.check.dir, own.crlf[0]),
          fix: `fix the line endings first (add '*.sql text eol=lf' to .gitattributes, run 'git add --renormalize .' and check out again${own.crlf.length > 1 ? `; ${own.crlf.length} files have them` : ''}), then run hash`,
        },
      )
    }
    // Never through a link: a symlinked atlas.sum could point at any file the user can write.
    writeRegular(own.sumPath, own.sumFile)
    return { preset, validation: own, wrote: own.sumPath, durations: { validate: Date.now() - started } }
  }
  let validation = own
  let base: Outcome['base']
  let established: ReadonlySet<string> | undefined
  const validated = Date.now()
  if (request.base) {
    const { head: rejudged, ...checked } = await checkAgainstBase({
      head: own,
      options,
      baseRef: request.base.ref,
      baseName: request.base.name,
      headRef: request.base.headRef,
      allowOutOfOrder: request.base.allowOutOfOrder,
      tempDir: ports.tempDir,
      log: ports.log,
      missingFix: request.base.missingFix,
      inspectBase: safetyRuns(request)
        ? (baseDir, baseValidation) => establishedKeys(unitSource(request, baseDir, baseValidation))
        : undefined,
    })
    established = checked.inspected
    base = {
      ...withoutInspected(checked),
      problems: checked.problems.map((problem) => nameFix(problem, request)),
      name: request.base.name,
    }
    // Judged again when the base showed which file of a refused pair is the new one.
    const head = rejudged ? withNamedFixes(rejudged, request) : own
    const merged = withProblems(replaced(head, checked.mergeOnly), base.problems)
    validation = withProblems({ ...merged, problems: reconcileFixes(merged.problems, request.base.name) }, [])
  }
  validation = await withSafety(validation, request, established)
  const durations: Durations = {
    validate: validated - started,
    ...(request.base ? { base: Date.now() - validated } : {}),
  }
  if (!validation.valid || request.command === 'validate' || !request.image) {
    ports.validated?.(validation)
    return { preset, validation, base, durations }
  }
  if (request.command === 'build' && validation.migrations.length === 0 && validation.shipped.length === 0) {
    throw new DirectoryError(`holds no migrations for ${preset.tool}: there is nothing to build`, {
      file: request.check.dir,
      fix: nameOptions(`check ${OPTION.dir} and the tool`, request.names),
    })
  }
  ports.validated?.(validation)
  const imageRequest = withCommit(request.image, request)
  const imagePlan = planImage(imageRequest, preset, validation)
  if (request.command === 'dockerfile') {
    for (const note of imagePlan.notes) ports.log[note.level](note.text)
    if (imageRequest.contextDir !== undefined) {
      // The very context build stages (files, modes, owners, the Dockerfile), kept for the user to build it.
      const staged = stageContext(imageRequest.contextDir, validation, imagePlan.spec)
      ports.log.info(
        `wrote the build context to ${staged.dir}: 'docker buildx build ${staged.dir}' builds this Dockerfile (BuildKit reads its COPY --link; its modes are the image's: 'chmod -R u+w' before removing it)`,
      )
    }
    return { preset, validation, base, dockerfile: imagePlan.dockerfile, durations }
  }
  ports.log.info(`${imageRequest.push ? 'pushing' : 'not pushing'}: ${imageRequest.pushReason}`)
  const building = Date.now()
  let image: PublishResult | undefined
  let imageTime: number | undefined
  let applyTime: number | undefined
  const outcome = (more: Pick<Outcome, 'apply' | 'failure'> = {}): Outcome => ({
    preset,
    validation,
    base,
    dockerfile: imagePlan.dockerfile,
    image,
    ...more,
    durations: {
      ...durations,
      image: imageTime ?? Date.now() - building,
      ...(applyTime === undefined ? {} : { apply: applyTime }),
    },
  })
  try {
    image = await publish(imageRequest, preset, validation, imagePlan, { ...ports, names: request.names })
    imageTime = Date.now() - building
    if (!request.apply) return outcome()
    if (imageRequest.platforms.length > 1) {
      ports.log.warning('apply check skipped: an image built for several platforms cannot be loaded into the engine')
      return outcome()
    }
    if (!image.pushed && image.builder === 'registry') {
      ports.log.warning('apply check skipped: the registry engine built no image in a Docker engine to run')
      return outcome()
    }
    const applying = Date.now()
    // Pushed images run by digest (pulled); the others were loaded into the engine's store by the build.
    const apply = await runApplyCheck(
      {
        request: request.apply,
        preset,
        image: image.pushed ? (image.imageRef ?? image.image) : image.image,
        spec: imagePlan.spec,
        head: validation,
        options,
        base: request.base
          ? {
              ref: request.base.ref,
              allowOutOfOrder: request.base.allowOutOfOrder,
              missingFix: request.base.missingFix,
            }
          : undefined,
        trace: safetyRuns(request),
      },
      ports,
    )
    applyTime = Date.now() - applying
    if (apply.trace && validation.safety) {
      const measured = measuredSafety(validation, apply, request)
      validation = measured.validation
      return outcome({ apply: measured.apply })
    }
    return outcome({ apply })
  } catch (error) {
    if (imageTime === undefined) imageTime = Date.now() - building
    return outcome({ failure: error instanceof Error ? error : new Error(String(error)) })
  }
}

/**
 * Deploy safety's findings with what the apply check's trace measured: confirmed, corrected or added. A finding only
 * the trace found fails the check under `safety: error`, as a static one fails the validation.
 */
function measuredSafety(
  validation: Validation,
  apply: ApplyResult,
  request: Request,
): { validation: Validation; apply: ApplyResult } {
  const report = withMeasurements(validation.safety!, apply.trace!, {
    bookkeeping: BOOKKEEPING_TABLES[request.check.tool] ?? [],
    refiledAttributable: apply.runs.length === 1,
  })
  const others = validation.problems.filter(({ code }) => !code.startsWith('safety/'))
  const problems = safetyProblems(report, request.check.dir).map((problem) => nameFix(problem, request))
  const failing = report.findings.filter((finding) => finding.measuredOnly && finding.severity === 'error')
  const failures = [
    ...apply.failures,
    ...failing.map((finding) => ({
      file: finding.file,
      line: finding.line,
      message: `${finding.code}: ${finding.message}`,
      title: 'deploy safety (measured)',
    })),
  ]
  return {
    validation: { ...validation, problems: [...others, ...problems], safety: report },
    apply: failing.length > 0 ? { ...apply, failures, ok: false } : apply,
  }
}

/** Whether deploy safety reads the migrations in this run. */
const safetyRuns = (request: Request): boolean =>
  request.check.safety !== undefined && request.check.safety.mode !== 'off' && !request.check.safety.skipped

const unitSource = (request: Request, dir: string, validation: Validation): UnitSource => ({
  tool: request.check.tool,
  dir,
  validation,
  changelog: request.check.changelog,
  maxFileSize: request.check.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
})

function withoutInspected(checked: Omit<BaseCheck, 'head'>): Omit<BaseCheck, 'head' | 'inspected'> {
  const { inspected: _inspected, ...rest } = checked
  void _inspected
  return rest
}

/**
 * Deploy safety over a directory whose tool rules hold: the new migrations (all of them without a base) judged
 * against what the base's migrations (or the earlier ones) made; its findings join the problems.
 */
async function withSafety(
  validation: Validation,
  request: Request,
  established: ReadonlySet<string> | undefined,
): Promise<Validation> {
  const settings = request.check.safety
  if (!settings || settings.mode === 'off' || !validation.valid || request.command === 'hash') return validation
  if (settings.skipped) {
    return {
      ...validation,
      safety: { postgresVersion: settings.postgresVersion, migrations: [], findings: [], notChecked: settings.skipped },
    }
  }
  const { report, problems } = await checkSafety(
    unitSource(request, request.check.dir, validation),
    settings,
    established,
  )
  return {
    ...withProblems(
      validation,
      problems.map((problem) => nameFix(problem, request)),
    ),
    safety: report,
  }
}

/** The fixes name the options as this adapter's user sets them (an input, or a flag). */
function withNamedFixes(validation: Validation, request: Request): Validation {
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
