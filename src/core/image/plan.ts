import type { Validation } from '../check/validate.js'
import type { Note } from '../build/plan.js'
import type { ImageRequest } from '../request.js'
import { renderSpec } from './dockerfile.js'
import { parseBaseImage } from './image-ref.js'
import { imageLabels } from './labels.js'
import type { Preset } from './presets.js'
import { PSQL_RUNNER } from './psql-runner.js'
import { describeImage, type ImageSpec } from './spec.js'

/** What goes into the image, decided before anything runs: the Dockerfile, and what the user should know of it. */
export interface ImagePlan {
  /** The image, described once: both engines build from it. */
  readonly spec: ImageSpec
  /** The spec as a Dockerfile (what buildx and docker build build). */
  readonly dockerfile: string
  /** The Dockerfile without the revision and created labels (nor a content key): what the content key hashes. */
  readonly keyDockerfile: string
  readonly notes: Note[]
}

/**
 * The Dockerfile for a validated directory (the `dockerfile` command prints it; `build` builds it). Labels come from
 * the request alone — the commit, its time — so the same input renders the same Dockerfile, and builds the same image.
 */
export function planImage(
  image: Pick<ImageRequest, 'name' | 'baseImage' | 'revision' | 'created' | 'source' | 'selfCheck'>,
  preset: Preset,
  validation: Validation,
  contentKey?: string,
): ImagePlan {
  const notes: Note[] = []
  const base = parseBaseImage(image.baseImage || preset.baseImage)
  if (image.baseImage && !base.pinned) {
    notes.push({
      level: 'warning',
      text: `base image ${base.reference} is not pinned by digest; pin it (${base.reference}@sha256:…) so a re-tag upstream cannot change your image`,
    })
  }
  if (image.selfCheck && !preset.selfCheck) {
    notes.push({
      level: 'notice',
      text: `${preset.tool} has no offline self-check (it needs a database): self-check skipped`,
    })
  }
  const labels = (commit: boolean, key?: string): Record<string, string> =>
    imageLabels({
      validation,
      tool: preset.tool,
      source: image.source,
      revision: commit ? image.revision : undefined,
      created: commit ? image.created : undefined,
      title: image.name.name,
      contentKey: key,
    })
  // Liquibase: the master changelog is the first shipped file; its path is relative to the search path.
  const changelog = preset.changelogEnv && validation.shipped[0] ? { [preset.changelogEnv]: validation.shipped[0] } : {}
  const describe = (commit: boolean, key?: string): ImageSpec =>
    describeImage({
      preset,
      base,
      labels: labels(commit, key),
      env: changelog,
      selfCheck: image.selfCheck,
      created: commit ? image.created : undefined,
      runnerText: PSQL_RUNNER,
    })
  const spec = describe(true, contentKey)
  return { spec, dockerfile: renderSpec(spec), keyDockerfile: renderSpec(describe(false)), notes }
}
