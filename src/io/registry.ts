import { createHash } from 'node:crypto'
import { CONTENT_KEY_LABEL, REVISION_LABEL } from '../core/image/content-key.js'
import { parseImageName } from '../core/image/image-ref.js'
import type { TagFacts } from '../core/build/reuse.js'
import { MigrationImageError } from '../core/errors.js'
import { showName } from '../core/escape.js'

// The registry's HTTP API (the OCI distribution spec), spoken directly: the re-tag of an unchanged image and the
// registry engine (src/io/assemble.ts) read and write manifests and blobs without a docker process. Everything the
// registry answers is hostile: documents are capped, JSON is checked field by field, digests are computed here,
// and the login never goes to a host the registry redirects to. Flaky is normal: resets, 5xx and 429 are retried.

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ')
/** Manifests, indexes and configs: a real one is a few kB (ghcr.io refuses manifests over 4 MiB). */
export const MAX_DOCUMENT = 4 << 20
const TIMEOUT_MS = 30_000
const DIGEST = /^sha256:[a-f0-9]{64}$/
const MAX_REDIRECTS = 5

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

/** How hard a client tries: attempts per request and the first back-off (doubled each time). */
export interface RetryPolicy {
  readonly attempts: number
  readonly backoffMs: number
  /** The longest Retry-After honoured; a registry asking for more gets an error instead. */
  readonly maxWaitMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 250, maxWaitMs: 60_000 }

/** What a registry answered when the run gave up: the registry, the step, the status. */
export class RegistryError extends MigrationImageError {
  constructor(
    readonly registry: string,
    readonly step: string,
    readonly status: number | undefined,
    detail: string,
  ) {
    super(
      `registry ${registry}: ${step} ${status === undefined ? 'failed' : `answered ${status}`}${detail ? ` (${detail})` : ''}`,
      { fix: registryFix(registry, status) },
    )
  }
}

function registryFix(registry: string, status: number | undefined): string {
  if (status === 401 || status === 403) {
    return registry === 'ghcr.io'
      ? "give the job 'permissions: packages: write' (and, for an existing package, grant this repository access under the package's 'Manage Actions access')"
      : `check the login for ${registry}: the username and password (a private base in another registry reads the docker config's login for it), and that it may push to the image's repository`
  }
  if (status === 404) return 'check the image name and tag (and that the login can see a private repository)'
  if (status === 429)
    return `${registry} limits requests: wait, log in (anonymous pulls are limited more), or pin the base`
  return `check that ${registry} is reachable and healthy, then re-run`
}

/** Docker's rules for where a host's API is: Docker Hub's API host, plain HTTP for loopback registries only. */
export function apiBase(registry: string): string {
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry
  const loopback = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/.test(host)
  return `${loopback ? 'http' : 'https'}://${host}/v2/`
}

const hubPath = (registry: string, repository: string): string =>
  registry === 'docker.io' && !repository.includes('/') ? `library/${repository}` : repository

/** Bytes moved through a client (a benchmark figure): request bodies sent, response bodies read. */
export interface Traffic {
  up: number
  down: number
}

interface Call {
  readonly accept?: string
  readonly body?: Buffer | ReadableStream<Uint8Array>
  readonly type?: string
  readonly length?: number
  /** What the request is, for an error: `GET manifest 1.2`. */
  readonly step: string
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A connection reset, a refused connection, a timeout, a body cut short: worth another try. */
function transient(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return true
  const cause = (error as { cause?: { code?: unknown } }).cause
  const code = typeof cause?.code === 'string' ? cause.code : ''
  // A host the resolver says does not exist stays so (a typo, a name that is gone); EAI_AGAIN is the passing kind.
  if (code === 'ENOTFOUND') return false
  return (
    error.message === 'fetch failed' ||
    error.message === 'terminated' ||
    /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_)/.test(code) ||
    error instanceof TransientError
  )
}

/** A document or blob that ended early or did not hash to its digest: fetched again. */
export class TransientError extends Error {}

/** Seconds or an HTTP date, as Retry-After says it; undefined when absent or unreadable. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined
  if (/^\d{1,6}$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined
}

/** One registry, one repository: requests with the login the run has (Basic, or a Bearer token for it). */
export class RegistryClient {
  private authorization?: string
  private pending?: Promise<string | undefined>
  /** A Bearer token is scoped: one asked for `pull` cannot push; Basic can do what the login can. */
  private canWrite = false
  private readonly base: string
  readonly repository: string
  readonly traffic: Traffic = { up: 0, down: 0 }

  constructor(
    readonly registry: string,
    repository: string,
    private readonly credentials?: Credentials,
    private readonly options: {
      /** Repositories of the same registry to read from in the same token (a cross-repository mount's source). */
      readonly pullFrom?: readonly string[]
      readonly retry?: RetryPolicy
    } = {},
  ) {
    this.base = apiBase(registry)
    this.repository = hubPath(registry, repository)
  }

  private get retry(): RetryPolicy {
    return this.options.retry ?? DEFAULT_RETRY
  }

  /** The URL of a path in this repository (`manifests/x`), or a Location the registry gave (resolved against it). */
  private url(path: string): URL {
    return /^https?:\/\//i.test(path) || path.startsWith('/')
      ? new URL(path, this.base)
      : new URL(`${this.base}${this.repository}/${path}`)
  }

  /**
   * One request with redirects followed by hand: the login goes only to the registry's own origin, never to the
   * storage host a blob GET is sent to. Bodies are sent only to the registry itself (no redirect of an upload).
   */
  private async send(method: string, target: URL, init: Call, authorization?: string): Promise<Response> {
    let url = target
    const origin = new URL(this.base).origin
    for (let hop = 0; ; hop++) {
      const own = url.origin === origin
      const request: RequestInit & { duplex?: 'half' } = {
        method,
        headers: {
          ...(init.accept ? { Accept: init.accept } : {}),
          ...(init.type ? { 'Content-Type': init.type } : {}),
          ...(init.length !== undefined ? { 'Content-Length': String(init.length) } : {}),
          ...(authorization && own ? { Authorization: authorization } : {}),
        },
        body: hop === 0 ? init.body : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(TIMEOUT_MS),
        ...(init.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      }
      const response = await fetch(url, request)
      const location = response.headers.get('location')
      if (![301, 302, 303, 307, 308].includes(response.status) || !location || init.body) return response
      await response.body?.cancel()
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(this.registry, init.step, response.status, 'too many redirects')
      }
      const next = new URL(location, url)
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new RegistryError(this.registry, init.step, response.status, 'redirected to a non-HTTP URL')
      }
      // An https registry is not followed down to plain http.
      if (url.protocol === 'https:' && next.protocol === 'http:') {
        throw new RegistryError(this.registry, init.step, response.status, 'redirected from https to http')
      }
      url = next
    }
  }

  /**
   * A request with the login and retries: a 401 answers its challenge once; resets, 5xx and 429 are tried again
   * after a back-off (Retry-After when the registry sends one), as long as the body can be sent again.
   */
  async request(method: string, path: string, init: Call): Promise<Response> {
    const target = this.url(path)
    const replayable = !(init.body instanceof ReadableStream)
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.attempts || !replayable
      let response: Response
      try {
        const used = this.authorization
        response = await this.send(method, target, init, used)
        if (response.status === 401 && replayable) {
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
          response = await this.send(method, target, init, this.authorization)
        }
      } catch (error) {
        if (error instanceof RegistryError) throw error
        if (last || !transient(error)) {
          const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : ''
          throw new RegistryError(this.registry, init.step, undefined, showName(reason).slice(0, 200))
        }
        await sleep(this.retry.backoffMs * 2 ** (attempt - 1))
        continue
      }
      if ((response.status >= 500 || response.status === 429) && !last) {
        const wait = retryAfterMs(response.headers.get('retry-after'))
        await response.body?.cancel()
        if (wait !== undefined && wait > this.retry.maxWaitMs) {
          throw new RegistryError(
            this.registry,
            init.step,
            response.status,
            `it asks to wait ${Math.round(wait / 1000)} s`,
          )
        }
        await sleep(wait ?? this.retry.backoffMs * 2 ** (attempt - 1))
        continue
      }
      return response
    }
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
    realm.searchParams.append('scope', `repository:${this.repository}:${actions}`)
    // A cross-repository mount needs pull on the source in the same token (repeated `scope`).
    for (const from of this.options.pullFrom ?? []) realm.searchParams.append('scope', `repository:${from}:pull`)
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await fetch(realm, {
          headers: basic ? { Authorization: basic } : {},
          redirect: 'error',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        })
        if ((answer.status >= 500 || answer.status === 429) && attempt < this.retry.attempts) {
          await answer.body?.cancel()
          await sleep(this.retry.backoffMs * 2 ** (attempt - 1))
          continue
        }
        if (!answer.ok) {
          await answer.body?.cancel()
          return undefined
        }
        const body = parseJson(await readCapped(answer, this.traffic))
        const token = typeof body?.token === 'string' ? body.token : body?.access_token
        return typeof token === 'string' && token !== '' ? `Bearer ${token}` : undefined
      } catch (error) {
        if (attempt >= this.retry.attempts || !transient(error)) return undefined
        await sleep(this.retry.backoffMs * 2 ** (attempt - 1))
      }
    }
  }

  /**
   * A GET of a document (manifest, config) read whole, capped, retried when the body is cut short; `digest`, when
   * known, is checked (a body that does not hash to it is fetched again, then refused).
   */
  private async document(
    path: string,
    step: string,
    init: { accept?: string; digest?: string } = {},
  ): Promise<{ bytes: Buffer; type?: string } | undefined> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.request('GET', path, { accept: init.accept, step })
      if (response.status === 404) {
        await response.body?.cancel()
        return undefined
      }
      if (!response.ok) throw await httpError(response, this.registry, step)
      try {
        const bytes = await readCapped(response, this.traffic)
        if (init.digest && digestOf(bytes) !== init.digest)
          throw new TransientError('the body does not match its digest')
        return { bytes, type: response.headers.get('content-type')?.split(';')[0].trim() }
      } catch (error) {
        if (error instanceof RegistryError) throw error
        if (attempt >= this.retry.attempts || !transient(error)) {
          throw new RegistryError(this.registry, step, response.status, error instanceof Error ? error.message : '')
        }
        await sleep(this.retry.backoffMs * 2 ** (attempt - 1))
      }
    }
  }

  /** The manifest a tag or digest names; undefined when there is none. */
  async manifest(reference: string): Promise<Manifest | undefined> {
    const step = `GET manifest ${this.repository}:${reference}`
    const got = await this.document(`manifests/${reference}`, step, {
      accept: MANIFEST_TYPES,
      digest: DIGEST.test(reference) ? reference : undefined,
    })
    if (!got) return undefined
    const json = parseJson(got.bytes)
    const type = (got.type && MANIFEST_TYPES.includes(got.type) ? got.type : undefined) ?? json?.mediaType
    if (typeof type !== 'string' || !MANIFEST_TYPES.includes(type)) {
      throw new RegistryError(this.registry, step, 200, `an unknown type ${showName(String(type)).slice(0, 80)}`)
    }
    return { digest: digestOf(got.bytes), mediaType: type, bytes: got.bytes }
  }

  /** A small blob (a config) read whole, its digest checked. */
  async blobDocument(digest: string): Promise<Buffer> {
    const step = `GET blob ${this.repository}@${digest.slice(0, 19)}`
    const got = await this.document(`blobs/${digest}`, step, { digest })
    if (!got) throw new RegistryError(this.registry, step, 404, 'the blob is missing')
    return got.bytes
  }

  /** The digest a tag names, from a HEAD (Docker Hub counts a GET of a manifest as a pull, a HEAD not). */
  async headDigest(reference: string): Promise<string | undefined> {
    const response = await this.request('HEAD', `manifests/${reference}`, {
      accept: MANIFEST_TYPES,
      step: `HEAD manifest ${this.repository}:${reference}`,
    })
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
    const labels = (parseJson(await this.blobDocument(config.digest))?.config as { Labels?: unknown } | undefined)
      ?.Labels
    if (!labels || typeof labels !== 'object') return {}
    return Object.fromEntries(
      Object.entries(labels as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    )
  }

  /** Points a tag (or a digest) at a manifest: its bytes PUT under it. Returns the digest the registry holds. */
  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const step = `PUT manifest ${this.repository}:${reference}`
    const response = await this.request('PUT', `manifests/${reference}`, { body: bytes, type: mediaType, step })
    await response.body?.cancel()
    if (!response.ok) throw new RegistryError(this.registry, step, response.status, '')
    this.traffic.up += bytes.length
    const digest = digestOf(bytes)
    const said = response.headers.get('docker-content-digest')
    if (said && said !== digest) {
      throw new RegistryError(
        this.registry,
        step,
        response.status,
        `it stored ${showName(said).slice(0, 80)}, not ${digest}`,
      )
    }
    return digest
  }

  /** The re-tag: the same bytes PUT again under the tag (the digest stays what it was). */
  async putTag(tag: string, manifest: Manifest): Promise<void> {
    await this.putManifest(tag, manifest.bytes, manifest.mediaType)
  }

  /** Whether the repository holds a blob (HEAD). */
  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.request('HEAD', `blobs/${digest}`, {
      step: `HEAD blob ${this.repository}@${digest.slice(0, 19)}`,
    })
    await response.body?.cancel()
    return response.ok
  }

  /**
   * Starts an upload; with `from` (a repository of the same registry), asks for a cross-repository mount first.
   * `mounted`: the blob is there now. Else the Location to send the bytes to.
   */
  async startUpload(digest: string, from?: string): Promise<{ mounted: true } | { mounted: false; location: string }> {
    const query = from ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}` : ''
    const step = `${from ? 'mount' : 'start upload of'} blob ${digest.slice(0, 19)}${from ? ` from ${from}` : ''}`
    const response = await this.request('POST', `blobs/uploads/${query}`, { body: Buffer.alloc(0), step })
    await response.body?.cancel()
    if (response.status === 201 && from) return { mounted: true }
    const location = response.headers.get('location')
    if (response.status !== 202 || !location) throw new RegistryError(this.registry, step, response.status, '')
    return { mounted: false, location }
  }

  /**
   * The whole blob in one PUT to the upload's Location (monolithic: ghcr.io has refused chunked PATCHes over a few
   * MiB). `body` is bytes, or a stream of exactly `size` bytes (not retried here: the caller starts it again).
   */
  async finishUpload(
    location: string,
    digest: string,
    body: Buffer | ReadableStream<Uint8Array>,
    size: number,
  ): Promise<void> {
    const url = this.url(location)
    if (url.origin !== new URL(this.base).origin) {
      throw new RegistryError(
        this.registry,
        `upload blob ${digest.slice(0, 19)}`,
        202,
        'it sent the upload to another host',
      )
    }
    url.searchParams.set('digest', digest)
    const step = `upload blob ${digest.slice(0, 19)} (${size} bytes)`
    const response = await this.request('PUT', url.href, {
      body,
      length: size,
      type: 'application/octet-stream',
      step,
    })
    await response.body?.cancel()
    if (response.status !== 201 && response.status !== 204) {
      throw new RegistryError(this.registry, step, response.status, '')
    }
    if (Buffer.isBuffer(body)) this.traffic.up += size
  }

  /** A blob's bytes as a stream (the base's layers, copied to another registry without being unpacked or stored). */
  async blobStream(digest: string): Promise<{ body: ReadableStream<Uint8Array>; size?: number }> {
    const step = `GET blob ${this.repository}@${digest.slice(0, 19)}`
    const response = await this.request('GET', `blobs/${digest}`, { step })
    if (!response.ok || !response.body) throw await httpError(response, this.registry, step)
    const length = Number(response.headers.get('content-length') ?? NaN)
    return { body: response.body, size: Number.isSafeInteger(length) ? length : undefined }
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

/** A base image reference split: its registry and repository, and the tag or digest to ask for. */
export function splitReference(reference: string): {
  name: string
  registry: string
  repository: string
  tag?: string
  digest?: string
} {
  const [nameAndTag, digest] = reference.split('@')
  const colon = nameAndTag.lastIndexOf(':')
  const slash = nameAndTag.lastIndexOf('/')
  const name = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : digest === undefined ? 'latest' : undefined
  const parsed = parseImageName(name, 'base-image')
  return { name, registry: parsed.registry, repository: hubPath(parsed.registry, parsed.repository), tag, digest }
}

/**
 * The base image as `name@sha256:…`: as written when pinned, else the digest its registry gives for the tag (with
 * the run's login when the base is in the image's own registry). Throws with the reason when it cannot be had.
 */
export async function resolveBase(reference: string, login?: { registry: string } & Credentials): Promise<string> {
  const { name, registry, repository, tag, digest } = splitReference(reference)
  if (digest !== undefined) return reference
  const client = new RegistryClient(registry, repository, login && login.registry === registry ? login : undefined)
  const found = await client.headDigest(tag ?? 'latest')
  if (!found) throw new Error(`the registry did not give the digest of base image ${reference}`)
  return `${name}@${found}`
}

export const digestOf = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

async function readCapped(response: Response, traffic?: Traffic): Promise<Buffer> {
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
  if (traffic) traffic.down += size
  if (Number.isSafeInteger(declared) && declared > 0 && size !== declared) {
    throw new TransientError(`the body ended after ${size} of ${declared} bytes`)
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

async function httpError(response: Response, registry: string, step: string): Promise<RegistryError> {
  await response.body?.cancel()
  return new RegistryError(registry, step, response.status, '')
}
