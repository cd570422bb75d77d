import type { Validation } from '../core/check/validate.js'
import { contentKey } from '../core/image/content-key.js'
import { parseBaseImage } from '../core/image/image-ref.js'
import type { ImagePlan } from '../core/image/plan.js'
import type { Preset } from '../core/image/presets.js'
import type { ReuseDecision, TagFacts } from '../core/build/reuse.js'
import type { ImageRequest } from '../core/request.js'
import type { Log } from './log.js'
import { baseLogin } from './docker-config.js'
import { readTag, resolveBase, splitReference, type Manifest, type RegistryClient } from './registry.js'
import { readStaged } from './reproducible.js'
import type { StagedContext } from './stage.js'

/** What the registry holds for this run before anything is built: this run's content key and the new tags' state. */
export interface TagsBefore {
  readonly contentKey?: string
  /** Why there is no content key (the base's digest could not be had). */
  readonly noKey?: string
  readonly tags: (TagFacts & { manifest?: Manifest })[]
}

/**
 * The content key of what was staged (the base resolved to its digest by the registry) and what the new tags hold
 * now, read through the registry's API with the run's login. Never fails the run: without a key or a registry
 * answer, the image is built as always.
 */
export async function readTagsBefore(
  target: RegistryClient,
  image: ImageRequest,
  preset: Preset,
  validation: Validation,
  imagePlan: ImagePlan,
  context: StagedContext,
  env: NodeJS.ProcessEnv,
): Promise<TagsBefore> {
  const baseReference = parseBaseImage(image.baseImage || preset.baseImage).reference
  const baseRegistry = splitReference(baseReference).registry
  const login = baseLogin(image.credentials, image.name.registry, baseRegistry, env)
  const [base, tags] = await Promise.all([
    resolveBase(baseReference, login ? { registry: baseRegistry, ...login } : undefined).then(
      (resolved) => ({ resolved }),
      (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
    ),
    Promise.all(image.tags.map((tag) => readTag(target, `${image.name.name}:${tag}`, tag))),
  ])
  if (!('resolved' in base)) return { noKey: base.error, tags }
  const key = contentKey({
    checksum: validation.checksum,
    tool: preset.tool,
    base: base.resolved,
    dockerfile: imagePlan.keyDockerfile,
    files: readStaged(context.dir, context.dockerfile),
    platforms: image.platforms,
    provenance: image.provenance,
  })
  return { contentKey: key, tags }
}

/** The new tags onto the existing image (a manifest PUT each, side by side); false (with a warning) when that failed. */
export async function reTag(
  decision: Extract<ReuseDecision, { kind: 're-tag' }>,
  before: TagsBefore,
  target: RegistryClient,
  image: ImageRequest,
  log: Log,
): Promise<boolean> {
  const manifest = before.tags.find((tag) => tag.digest === decision.digest)?.manifest
  if (!manifest) return false
  try {
    await log.group(`re-tag ${decision.from} (${image.tags.length} tags)`, () =>
      Promise.all(image.tags.map((tag) => target.putTag(tag, manifest))),
    )
  } catch (error) {
    log.warning(
      `re-tagging ${decision.from} failed (${error instanceof Error ? error.message : String(error)}): building instead`,
    )
    return false
  }
  log[decision.note.level](decision.note.text)
  return true
}
