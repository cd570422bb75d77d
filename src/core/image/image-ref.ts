import { UsageError } from '../errors.js'
import { showName } from '../escape.js'
import { OPTION } from '../option-names.js'

// The distribution reference grammar (github.com/distribution/reference v0.6.0, regexp.go, and its checks in
// reference.go), checked part by part so each error names the part and its limit. Docker parses every reference with
// it: what it refuses is refused here, before anything runs.
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/ // regexp.go: domainNameComponent
const IPV6 = /^\[[a-fA-F0-9:]+\]$/ // regexp.go: ipv6address
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/ // regexp.go: pathComponent (alphanumeric, separator)
const TAG = /^[\w][\w.-]*$/ // regexp.go: tag = [\w][\w.-]{0,127}; the length is checked apart, to say so
const DIGEST = /^sha256:[a-f0-9]{64}$/
/** reference.go: NameTotalLengthMax, the registry and path together ("repository name must not be more than 255"). */
export const NAME_MAX = 255
/** regexp.go: the tag's {0,127} after its first character. */
export const TAG_MAX = 128

const SHAPES = {
  tag: `letters, digits, _, . and - (at most ${TAG_MAX}, not starting with . or -)`,
  path: 'lowercase letters and digits, parts separated by ., _, __ or - (e.g. acme/api-migrations)',
  host: 'letters, digits and - in dot-separated labels, then an optional :port (e.g. ghcr.io, localhost:5000)',
}

/** The reasons a name (registry and path, no tag) breaks the grammar; none when it holds. */
function nameProblem(registry: string | undefined, path: string): { why: string; fix: string } | undefined {
  const name = registry === undefined ? path : `${registry}/${path}`
  if (name.length > NAME_MAX) {
    return {
      why: `is ${name.length} characters long: docker refuses a name (registry and path) over ${NAME_MAX}`,
      fix: `shorten the name to at most ${NAME_MAX} characters`,
    }
  }
  if (registry !== undefined) {
    const port = /:([^:\]]*)$/.exec(registry)
    const host = port ? registry.slice(0, port.index) : registry
    const hostOk = IPV6.test(host) || host.split('.').every((label) => DOMAIN_COMPONENT.test(label))
    if (!hostOk)
      return { why: `has an invalid registry host '${showName(host)}'`, fix: `write the host as ${SHAPES.host}` }
    if (port && !(/^[0-9]+$/.test(port[1]) && Number(port[1]) >= 1 && Number(port[1]) <= 65535)) {
      return {
        why: `has an invalid registry port '${showName(port[1])}'`,
        fix: 'a port is a number from 1 to 65535 (e.g. localhost:5000)',
      }
    }
  }
  const bad = path.split('/').find((part) => !PATH_COMPONENT.test(part))
  if (bad !== undefined) {
    return {
      why: bad === '' ? 'has an empty path component' : `has an invalid path component '${showName(bad)}'`,
      fix: `write the path as ${SHAPES.path}`,
    }
  }
  return undefined
}

/** The reason a tag breaks the grammar; none when it holds. */
function tagProblem(tag: string): string | undefined {
  if (tag.length > TAG_MAX) return `is ${tag.length} characters long: a tag has at most ${TAG_MAX}`
  if (!TAG.test(tag)) return `may hold only ${SHAPES.tag}`
  return undefined
}

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
  if (trimmed.includes('@') || /:[^/]*$/.test(path)) {
    throw new UsageError(`${what} '${showName(input)}' is not an image name: it holds a tag or digest`, {
      fix: `use a name without tag, like ghcr.io/owner/repo-migrations (tags go in ${OPTION.tags})`,
    })
  }
  const problem = nameProblem(registry, lower)
  if (problem)
    throw new UsageError(`${what} '${showName(input)}' is not an image name: it ${problem.why}`, { fix: problem.fix })
  // distribution/reference normalize.go (splitDockerDomain): Docker Hub's legacy name is Docker Hub, so a login, a
  // base in the same registry and the registry API all see one host.
  const host = registry === undefined || registry === 'index.docker.io' ? 'docker.io' : registry
  return { registry: host, repository: lower, name, lowercased: lower !== path }
}

/** A tag by the grammar; `what` names where it came from (the tags input, --tag, the commit sha, the release tag). */
export function assertTag(tag: string, what = 'tags'): string {
  const problem = tagProblem(tag)
  if (problem) {
    throw new UsageError(`${what}: tag '${showName(tag)}' is not a valid image tag: it ${problem}`, {
      fix: `use ${SHAPES.tag}`,
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
export function parseBaseImage(input: string, pinned?: string, what = 'base-image'): BaseImage {
  const reference = input.trim()
  const [nameAndTag, digest, ...rest] = reference.split('@')
  const refuse = (why: string, fix?: string): never => {
    throw new UsageError(`${what} '${showName(input)}' ${why}`, {
      fix:
        fix ??
        `use a versioned tag, ideally pinned by digest, like the tool's default: ${pinned ?? 'postgres:17-alpine@sha256:…'}`,
    })
  }
  if (rest.length > 0 || (digest !== undefined && !DIGEST.test(digest))) {
    refuse('has an invalid digest', 'a digest is sha256: and 64 lowercase hex digits (the only algorithm pinned here)')
  }
  const colon = nameAndTag.lastIndexOf(':')
  const tag = colon > nameAndTag.lastIndexOf('/') ? nameAndTag.slice(colon + 1) : undefined
  const name = tag === undefined ? nameAndTag : nameAndTag.slice(0, colon)
  const { registry, path } = splitRegistry(name)
  if (path === '') refuse('is not an image reference: it has no name')
  const problem = nameProblem(registry, path)
  if (problem) refuse(`is not an image reference: it ${problem.why}`, problem.fix)
  const tagWrong = tag === undefined ? undefined : tagProblem(tag)
  if (tagWrong) refuse(`has an invalid tag: it ${tagWrong}`, `use ${SHAPES.tag}`)
  if (tag === undefined && digest === undefined) refuse('has no tag')
  if (tag === 'latest' && digest === undefined) refuse("uses 'latest', which changes under you")
  return { reference, pinned: digest !== undefined }
}

/** An optional base-image value checked by the grammar as it is read (before anything runs); kept as written. */
export function checkedBaseImage(value: string | undefined, what: string, pinned: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined
  parseBaseImage(value, pinned, what)
  return value
}
