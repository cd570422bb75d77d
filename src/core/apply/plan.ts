import { compareUtf8 } from '../check/byte-order.js'
import { getFormat } from '../check/formats/index.js'
import type { Migration } from '../check/validate.js'

/** One run of the tool on top of what ran before. */
export interface ApplyStep {
  /** The pull request's new migrations this run adds (the whole directory on a push). */
  readonly adds: readonly string[]
  /**
   * The head's migrations staged over the image's migrations directory for this run (base ∪ the new ones so far);
   * undefined runs the image as it was built (the last run: what ships).
   */
  readonly subset?: readonly string[]
}

export interface ApplyPlan {
  /** The base branch's migrations, applied first from the base's own tree (empty without a base). */
  readonly base: readonly string[]
  /** The pull request's new migrations, in the tool's order. */
  readonly added: readonly string[]
  readonly steps: readonly ApplyStep[]
  /** New migrations the tool will never apply, as production would not (golang-migrate's out-of-order). */
  readonly neverApplied: readonly { readonly file: string; readonly why: string }[]
}

/** More new migrations than this run as one step (each step is a container start). */
export const MAX_STEPS = 10

export interface PlanInput {
  readonly tool: string
  readonly format: string
  /** The head's migrations in the tool's order. */
  readonly head: readonly Migration[]
  /** The base's migration names; undefined on a push (no base: the whole directory is new). */
  readonly base?: readonly string[]
}

/**
 * Production's order: the base's migrations (already applied there), then the pull request's new ones one at a
 * time, each on top of the last, the last run being the image itself. Liquibase's changesets live in changelogs,
 * not one file each: its new changesets run as one step.
 */
export function planApplyCheck(input: PlanInput): ApplyPlan {
  if (input.base === undefined) {
    return {
      base: [],
      added: input.head.map(({ name }) => name),
      steps: [{ adds: input.head.map(({ name }) => name) }],
      neverApplied: [],
    }
  }
  const baseNames = new Set(input.base)
  const base = input.head.filter(({ name }) => baseNames.has(name)).map(({ name }) => name)
  const added = input.head.filter(({ name }) => !baseNames.has(name))
  const addedNames = added.map(({ name }) => name)
  const neverApplied: { file: string; why: string }[] = []
  if (input.tool === 'golang-migrate') {
    // golang-migrate keeps one version per database and applies only the files above it (migrate.go read/up):
    // a new file whose version is at or below the base's latest is skipped silently, in production too.
    const compare = getFormat(input.format).compareVersions ?? compareUtf8
    const latest = input.head
      .filter(({ name }) => baseNames.has(name))
      .map(({ version }) => version)
      .filter((version): version is string => version !== undefined)
      .sort(compare)
      .at(-1)
    for (const migration of added) {
      if (latest !== undefined && migration.version !== undefined && compare(migration.version, latest) <= 0) {
        neverApplied.push({
          file: migration.name,
          why: `golang-migrate never applies version ${migration.version}: databases are at ${latest} already and it only applies versions above the current one`,
        })
      }
    }
  }
  if (added.length <= 1 || added.length > MAX_STEPS || input.tool === 'liquibase') {
    return { base, added: addedNames, steps: [{ adds: addedNames }], neverApplied }
  }
  const steps: ApplyStep[] = added.map((migration, index) => ({
    adds: [migration.name],
    subset: index === added.length - 1 ? undefined : [...base, ...addedNames.slice(0, index + 1)],
  }))
  return { base, added: addedNames, steps, neverApplied }
}
