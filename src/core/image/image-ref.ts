import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import { OPTION } from '../option-names.js'

// The distribution reference grammar (docker/distribution `reference`), split in the parts we check.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?)`
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const NAME = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)$`)
const TAG = /^[\w][\w.-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/

export interface ImageName {
  /** Registry host (with port), e.g. `ghcr.io`; `docker.io` when the name has none. */
  readonly registry: string
  /** Repository path inside the registry, e.g. `acme/api-migrations`. */
  readonly repository: string
  /** As written (registry included when it was), for tags: `ghcr.io/acme/api-migrations`. */
  readonly name: string
}

/** Docker's rule: the first component is a registry when it has a `.` or `:` or is `localhost`. */
function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf('/')
  if (slash === -1) return { path: name }
  const first = name.slice(0, slash)
  if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
    return { registry: first, path: name.slice(slash + 1) }
  }
  return { path: name }
}

/**
 * Parses an image name without tag. Registries reject uppercase repository paths (ghcr.io included), and
 * `${{ github.repository }}` is often mixed-case, so the path is lowercased and `lowercased` says so.
 */
export function parseImageName(input: string, what = 'image'): ImageName & { lowercased: boolean } {
  const trimmed = input.trim()
  const { registry, path } = splitRegistry(trimmed)
  // The registry is where the password goes: it is used exactly as written, never lowercased after it was chosen.
  if (registry !== undefined && registry !== registry.toLowerCase()) {
    throw new UsageError(`${what} '${showName(input)}': registry host '${showName(registry)}' has uppercase letters`, {
      fix: `write the host in lowercase (${registry.toLowerCase()}/…), or drop it for Docker Hub; a mixed-case first part is a host to docker`,
    })
  }
  const lower = path.toLowerCase()
  const name = registry ? `${registry}/${lower}` : lower
  if (trimmed.includes('@') || /:[^/]*$/.test(path) || !NAME.test(name)) {
    throw new UsageError(`${what} '${showName(input)}' is not an image name`, {
      fix: `use a name without tag, like ghcr.io/owner/repo-migrations (tags go in ${OPTION.tags})`,
    })
  }
  return { registry: registry ?? 'docker.io', repository: lower, name, lowercased: lower !== path }
}

export function assertTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new UsageError(`tag '${showName(tag)}' is not a valid image tag`, {
      fix: 'use letters, digits, _, . and - (at most 128, not starting with . or -)',
    })
  }
  return tag
}

export interface BaseImage {
  readonly reference: string
  readonly pinned: boolean
}

/**
 * A base image reference for `FROM`: `name:tag`, `name@sha256:…` or both. A bare name or `:latest` is refused
 * (it changes under you); the strict grammar also means no value can add a Dockerfile instruction or a flag.
 */
export function parseBaseImage(input: string, pinned?: string): BaseImage {
  const reference = input.trim()
  const [nameAndTag, digest, ...rest] = reference.split('@')
  const refuse = (why: string): never => {
    throw new UsageError(`base-image '${showName(input)}' ${why}`, {
      fix: `use a versioned tag, ideally pinned by digest, like the tool's default: ${pinned ?? 'postgres:17-alpine@sha256:…'}`,
    })
  }
  if (rest.length > 0 || (digest !== undefined && !DIGEST.test(digest))) refuse('has an invalid digest')
  const colon = nameAndTag.lastIndexOf(':')
  const tag = colon > nameAndTag.lastIndexOf('/') ? nameAndTag.slice(colon + 1) : undefined
  const name = tag === undefined ? nameAndTag : nameAndTag.slice(0, colon)
  const { registry, path } = splitRegistry(name)
  if (!NAME.test(registry ? `${registry}/${path}` : path)) refuse('is not an image reference')
  if (tag !== undefined && !TAG.test(tag)) refuse('has an invalid tag')
  if (tag === undefined && digest === undefined) refuse('has no tag')
  if (tag === 'latest' && digest === undefined) refuse("uses 'latest', which changes under you")
  return { reference, pinned: digest !== undefined }
}
