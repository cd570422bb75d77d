import { showName } from '../escape.js'
import type { Note } from './plan.js'

/** One of the new tags as the registry has it before this run, read through its HTTP API by src/io/registry.ts. */
export interface TagFacts {
  /** The full reference (`name:tag`). */
  readonly reference: string
  /** The manifest (or index) digest it points to; undefined when the tag does not exist. */
  readonly digest?: string
  /** Its `io.migration-image.content-key` label. */
  readonly contentKey?: string
  /** Its `org.opencontainers.image.revision` label: the commit it was built from. */
  readonly revision?: string
  /** Why the registry could not be read for this tag (then it counts as not matching). */
  readonly error?: string
}

export interface ReuseFacts {
  /** This run's content key; undefined when it could not be made (then there is nothing to compare). */
  readonly contentKey?: string
  /** Why there is no content key (the base's digest was not to be had). */
  readonly noKey?: string
  /** The new tags as the registry has them now, in the order of the references (the commit's tag first). */
  readonly tags: readonly TagFacts[]
}

export type ReuseDecision =
  | { readonly kind: 'build'; readonly note?: Note }
  | {
      readonly kind: 're-tag'
      /** The image to tag: its manifest digest, and the tag it was found under. */
      readonly digest: string
      readonly from: string
      /** The commit the existing image was built from (a checked hex sha), for "unchanged since <sha>". */
      readonly since?: string
      /** Every new reference (the ones already there again: a manifest PUT is idempotent). */
      readonly references: readonly string[]
      readonly note: Note
    }

const DIGEST = /^sha256:[a-f0-9]{64}$/
const SHA = /^[a-f0-9]{7,64}$/

/**
 * Build, or add the new tags to an image the registry already holds with the same content key. Only when pushing,
 * and only on an exact key match with a well-formed digest; on every engine (the key holds every input, so the image
 * under it has this run's files and config, whichever engine made it), decided before any engine is probed, so an
 * unchanged re-publish spawns no docker process. Anything unclear builds: a build is always correct, a wrong re-tag
 * is not.
 */
export function decideReuse(wish: { push: boolean; references: readonly string[] }, facts: ReuseFacts): ReuseDecision {
  if (!wish.push) return { kind: 'build' }
  if (facts.contentKey === undefined) {
    return facts.noKey
      ? {
          kind: 'build',
          note: {
            level: 'info',
            text: `building: the base image's digest could not be read, so an unchanged image cannot be recognised — ${showName(facts.noKey)}`,
          },
        }
      : { kind: 'build' }
  }
  const match = facts.tags.find(
    (tag) => tag.contentKey === facts.contentKey && tag.digest !== undefined && DIGEST.test(tag.digest),
  )
  if (!match?.digest) return { kind: 'build' }
  const since = match.revision && SHA.test(match.revision) ? match.revision : undefined
  const name = match.reference
  return {
    kind: 're-tag',
    digest: match.digest,
    from: name,
    since,
    references: [...wish.references],
    note: {
      level: 'notice',
      text: `unchanged since ${since ? since.slice(0, 12) : showName(name)}, re-tagged: ${name} (${match.digest}) has the same content key, so its image gets the new tags (no build)`,
    },
  }
}

/** The summary's words for a re-tag: "unchanged since <sha>, re-tagged". */
export const unchangedSince = (since: string | undefined, from: string): string =>
  `unchanged since ${since ?? from}, re-tagged`
