import { createHash } from 'node:crypto'
import { CONTENT_KEY_LABEL, REVISION_LABEL } from '../core/image/content-key.js'
import { parseImageName } from '../core/image/image-ref.js'
import type { TagFacts } from '../core/build/reuse.js'

// The registry's HTTP API (the OCI distribution spec), spoken directly for the few reads and writes a re-tag needs:
// a docker process per manifest would cost more than the whole unchanged re-publish may take. Everything the
// registry answers is hostile: sizes are capped, JSON is checked field by field, digests are computed here.

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')
const MAX_DOCUMENT = 4 << 20
const TIMEOUT_MS = 10_000
const DIGEST = /^sha256:[a-f0-9]{64}$/

export interface Credentials {
  readonly username: string
  readonly password: string
}

/** A manifest as the registry holds it: the bytes (what a re-tag PUTs again) and their type. */
export interface Manifest {
  readonly digest: string
  readonly mediaType: string
  readonly bytes: Buffer
}

/** Docker's rules for where a host's API is: Docker Hub's API host, plain HTTP for loopback registries only. */
function apiBase(registry: string): string {
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry
  const loopback = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/.test(host)
  return `${loopback ? 'http' : 'https'}://${host}/v2/`
}

const hubPath = (registry: string, repository: string): string =>
  registry === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository

/** One registry, one repository: requests with the login the run already has (Basic, or a Bearer token for it). */
export class RegistryClient {
  private authorization?: string
  private pending?: Promise<string | undefined>
  /** A Bearer token is scoped: one asked for `pull` cannot push; Basic can do what the login can. */
  private canWrite = false
  private readonly base: string
  readonly repository: string

  constructor(
    private readonly registry: string,
    repository: string,
    private readonly credentials?: Credentials,
  ) {
    this.base = apiBase(registry)
    this.repository = hubPath(registry, repository)
  }

  private async request(method: string, path: string, init: { accept?: string; body?: Buffer; type?: string } = {}) {
    const send = (authorization: string | undefined): Promise<Response> =>
      fetch(`${this.base}${this.repository}/${path}`, {
        method,
        headers: {
          ...(init.accept ? { Accept: init.accept } : {}),
          ...(init.type ? { 'Content-Type': init.type } : {}),
          ...(authorization ? { Authorization: authorization } : {}),
        },
        body: init.body,
        redirect: 'follow',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
    const used = this.authorization
    const response = await send(used)
    if (response.status !== 401) return response
    // Requests run side by side: one 401 answers the challenge (once), the others use what it got.
    const challenge = response.headers.get('www-authenticate') ?? ''
    await response.body?.cancel()
    const write = !(method === 'GET' || method === 'HEAD')
    if (this.authorization === used || (write && !this.canWrite)) {
      this.pending ??= this.authorize(challenge, write ? 'pull,push' : 'pull').finally(() => {
        this.pending = undefined
      })
      this.authorization = await this.pending
      if (write) this.canWrite = true
    }
    return send(this.authorization)
  }

  /** Answers a 401's challenge: Basic with the login, or a Bearer token from the realm the registry names. */
  private async authorize(challenge: string, actions: string): Promise<string | undefined> {
    const basic = this.credentials
      ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
      : undefined
    if (/^basic\b/i.test(challenge)) return basic
    if (!/^bearer\b/i.test(challenge)) return undefined
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1].toLowerCase(), match[2]]),
    )
    let realm: URL
    try {
      realm = new URL(params.realm ?? '')
    } catch {
      return undefined
    }
    // The login goes only to an https realm (or the loopback registry's own host): a challenge cannot redirect it.
    const sameHost = new URL(this.base).host === realm.host
    if (realm.protocol !== 'https:' && !(sameHost && realm.protocol === 'http:')) return undefined
    if (params.service) realm.searchParams.set('service', params.service)
    realm.searchParams.set('scope', `repository:${this.repository}:${actions}`)
    const answer = await fetch(realm, {
      headers: basic ? { Authorization: basic } : {},
      signal: AbortSignal.timeout(TIMEOUT_MS),
    })
    if (!answer.ok) {
      await answer.body?.cancel()
      return undefined
    }
    const body = parseJson(await readCapped(answer))
    const token = typeof body?.token === 'string' ? body.token : body?.access_token
    return typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined
  }

  /** The manifest a tag or digest names; undefined when there is none. */
  async manifest(reference: string): Promise<Manifest | undefined> {
    const response = await this.request('GET', `manifests/${reference}`, { accept: MANIFEST_TYPES })
    if (response.status === 404) {
      await response.body?.cancel()
      return undefined
    }
    if (!response.ok) throw await httpError(response, `manifest ${reference}`)
    const bytes = await readCapped(response)
    const json = parseJson(bytes)
    const type = response.headers.get('content-type')?.split(';')[0].trim() || json?.mediaType
    if (typeof type !== 'string' || !MANIFEST_TYPES.includes(type)) {
      throw new Error(`manifest ${reference} has an unknown type ${String(type).slice(0, 80)}`)
    }
    return { digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, mediaType: type, bytes }
  }

  /** The digest a tag names, from a HEAD (Docker Hub counts a GET of a manifest as a pull, a HEAD not). */
  async headDigest(reference: string): Promise<string | undefined> {
    const response = await this.request('HEAD', `manifests/${reference}`, { accept: MANIFEST_TYPES })
    await response.body?.cancel()
    if (!response.ok) return undefined
    const digest = response.headers.get('docker-content-digest') ?? ''
    return DIGEST.test(digest) ? digest : undefined
  }

  /** The labels of an image (of its first real platform, for an index: they all carry the same labels). */
  async labels(manifest: Manifest): Promise<Record<string, string>> {
    let json = parseJson(manifest.bytes)
    if (Array.isArray(json?.manifests)) {
      const entries = json.manifests as { digest?: unknown; platform?: { os?: unknown } }[]
      const first = entries.find((entry) => entry.platform?.os !== 'unknown' && typeof entry.digest === 'string')
      if (!first || !DIGEST.test(String(first.digest))) return {}
      const child = await this.manifest(String(first.digest))
      json = child ? parseJson(child.bytes) : undefined
    }
    const config = json?.config as { digest?: unknown } | undefined
    if (typeof config?.digest !== 'string' || !DIGEST.test(config.digest)) return {}
    const response = await this.request('GET', `blobs/${config.digest}`)
    if (!response.ok) throw await httpError(response, `config ${config.digest}`)
    const labels = (parseJson(await readCapped(response))?.config as { Labels?: unknown } | undefined)?.Labels
    if (!labels || typeof labels !== 'object') return {}
    return Object.fromEntries(
      Object.entries(labels as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
  }

  /** Points a tag at a manifest: the same bytes PUT again under the tag (the digest stays what it was). */
  async putTag(tag: string, manifest: Manifest): Promise<void> {
    const response = await this.request('PUT', `manifests/${tag}`, { body: manifest.bytes, type: manifest.mediaType })
    await response.body?.cancel()
    if (!response.ok) throw new Error(`the registry answered ${response.status} to the PUT of tag ${tag}`)
  }
}

/** What a new tag is now: its digest, content key and revision labels, and the manifest (for the re-tag). */
export async function readTag(
  client: RegistryClient,
  reference: string,
  tag: string,
): Promise<TagFacts & { manifest?: Manifest }> {
  try {
    const manifest = await client.manifest(tag)
    if (!manifest) return { reference }
    const labels = await client.labels(manifest)
    return {
      reference,
      digest: manifest.digest,
      contentKey: labels[CONTENT_KEY_LABEL],
      revision: labels[REVISION_LABEL],
      manifest,
    }
  } catch (error) {
    return { reference, error: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * The base image as `name@sha256:…`: as written when pinned, else the digest its registry gives for the tag (with
 * the run's login when the base is in the image's own registry). Throws with the reason when it cannot be had.
 */
export async function resolveBase(reference: string, login?: { registry: string } & Credentials): Promise<string> {
  const [nameAndTag, digest] = reference.split('@')
  if (digest !== undefined) return reference
  const colon = nameAndTag.lastIndexOf(':')
  const slash = nameAndTag.lastIndexOf('/')
  const name = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : 'latest'
  const parsed = parseImageName(name, 'base-image')
  const client = new RegistryClient(
    parsed.registry,
    parsed.repository,
    login && login.registry === parsed.registry ? login : undefined,
  )
  const found = await client.headDigest(tag)
  if (!found) throw new Error(`the registry did not give the digest of base image ${reference}`)
  return `${name}@${found}`
}

async function readCapped(response: Response): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > MAX_DOCUMENT) {
    await response.body?.cancel()
    throw new Error(`the registry sent ${declared} bytes for a document (at most ${MAX_DOCUMENT})`)
  }
  const chunks: Buffer[] = []
  let size = 0
  if (!response.body) return Buffer.alloc(0)
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    size += chunk.length
    if (size > MAX_DOCUMENT) throw new Error(`the registry sent more than ${MAX_DOCUMENT} bytes for a document`)
    chunks.push(Buffer.from(chunk))
  }
  return Buffer.concat(chunks)
}

function parseJson(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'))
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

async function httpError(response: Response, what: string): Promise<Error> {
  await response.body?.cancel()
  return new Error(`the registry answered ${response.status} for ${what}`)
}
