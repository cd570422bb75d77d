// A stand-in for GitHub's Actions cache service: THE ONE FAKED GITHUB SEAM of the buildx end-to-end tests.
//
// Everything else in those tests is real (buildx, Docker Engine's BuildKit, the registry); GitHub's cache service
// cannot run here, so this speaks its protocol the way BuildKit's `type=gha` client (tonistiigi/go-actions-cache,
// used by moby/buildkit cache/remotecache/gha) talks to it, and records every request for the tests to assert on:
//
// - v2 (github.com since 2025): Twirp JSON POSTs to `/twirp/github.actions.results.api.v1.CacheService/<rpc>`
//   (go-actions-cache cache_v2.go: reserveV2, commitV2, loadV2), errors as Twirp's `{code, msg}` with the HTTP status
//   Twirp maps the code to (go-actions-cache cache.go checkResponse reads `code`; `already_exists` is how SaveMutable
//   learns an index number is taken). The signed URLs point at an Azure-blob-like endpoint below.
// - v1 (GitHub Enterprise Server may still hand it out): `GET _apis/artifactcache/cache?keys=…&version=…` (204 on a
//   miss), `POST caches` to reserve, `PATCH caches/{id}` with `Content-Range`, `POST caches/{id}` to commit
//   (go-actions-cache cache.go loadV1, reserveV1, uploadChunk, commitV1).
// - Blob endpoint (Azure blob REST as azblob's blockblob client uses it): one `PUT` with `x-ms-blob-type: BlockBlob`,
//   or `PUT ?comp=block&blockid=…` per block then `PUT ?comp=blocklist` (XML list of block ids); `GET` with
//   `x-ms-range` or `Range`. Every answer carries `x-ms-request-id`: go-actions-cache's uploadV2 dereferences
//   `resp.RequestID` unchecked, so BuildKit crashes on an endpoint without it.
//
// Matching as GitHub documents it for restore keys: for each readable scope of the token, in the token's order, the
// primary key exactly, then each key as a prefix (newest entry first); an entry matches only with the same
// `version`. The token is a JWT whose `ac` claim is a JSON list of `{Scope, Permission}` (1 = read, 2 = write):
// entries are written under the write scope, CreateCacheEntry without one is `permission_denied`. The signature is
// not checked (go-actions-cache does not either; GitHub's real service does, and this stand-in only needs to tell
// the scopes apart). Listens on 127.0.0.1 only.
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/'
const V1_PREFIX = '/_apis/artifactcache/'
const BLOB_PREFIX = '/blob/'
/** Bodies larger than this are refused (a cache blob of the test images is a few MB at most). */
const MAX_BODY = 512 * 1024 * 1024
const MAX_JSON = 64 * 1024

/** What the tests see: one line per request, in order. */
export interface CacheRequest {
  readonly api: 'v2' | 'v1' | 'blob'
  /** Twirp method, v1 operation (lookup, reserve, upload, commit) or blob operation (put, block, blocklist, get). */
  readonly op: string
  readonly status: number
  readonly key?: string
  /** For lookups: the key that matched. */
  readonly matched?: string
  /** Twirp error code or v1 error type, when the answer is an error. */
  readonly code?: string
  /** The scope an entry was written under, or the token's scopes for a lookup. */
  readonly scope?: string
  readonly bytes?: number
  readonly range?: string
}

export interface CacheEntry {
  readonly id: number
  readonly key: string
  readonly version: string
  readonly scope: string
  /** Set once finalized (v2) or committed (v1): only then can it be found. */
  finalized: boolean
  data: Buffer
  readonly blocks: Map<string, Buffer>
  readonly created: number
}

export interface TokenScope {
  readonly Scope: string
  /** 1 = read, 2 = write, 3 = both. */
  readonly Permission: number
}

export interface CacheService {
  /** `ACTIONS_RESULTS_URL` (v2) and `ACTIONS_CACHE_URL` (v1): both end with `/`, as the runner's do. */
  readonly url: string
  readonly log: CacheRequest[]
  readonly entries: CacheEntry[]
  /** A runtime token with these scopes (a JWT with an `ac` claim, valid for an hour). */
  token(scopes: readonly TokenScope[]): string
  /** The environment a runner hands a node action for this service (v2 unless told otherwise). */
  runnerEnv(token: string, v2?: boolean): Record<string, string>
  /** Finalized entries whose key starts with a prefix. */
  keys(prefix?: string): string[]
  close(): Promise<void>
}

/** The version go-actions-cache sends with every key: sha256 of `|go-actionscache-1.0` (cache.go `version`). */
export const GO_ACTIONS_CACHE_VERSION = createHash('sha256').update('|go-actionscache-1.0').digest('hex')

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** Twirp's error codes and the HTTP statuses Twirp maps them to. */
const TWIRP_STATUS: Record<string, number> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  internal: 500,
}
const twirpError = (code: string, message: string): Refusal => new Refusal(TWIRP_STATUS[code] ?? 500, code, message)

function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new Refusal(413, 'invalid_argument', `body over ${limit} bytes`))
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(request, MAX_JSON)
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}')
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // answered below
  }
  throw twirpError('invalid_argument', 'body is not a JSON object')
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '')

/** `bytes=START-[END]` from `x-ms-range` or `Range`; undefined for none. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined
  const match = /^bytes=(\d+)-(\d*)$/.exec(header.trim())
  if (!match) throw new Refusal(416, 'InvalidRange', `cannot parse range ${header}`)
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start >= size || end < start) throw new Refusal(416, 'InvalidRange', `range ${header} outside 0-${size - 1}`)
  return { start, end }
}

export async function startCacheService(): Promise<CacheService> {
  const log: CacheRequest[] = []
  const entries: CacheEntry[] = []
  const signingKey = randomBytes(32)
  let nextId = 1
  let clock = 0 // creation order: "newest" among prefix matches
  let base = ''

  const sign = (id: number): string => createHmac('sha256', signingKey).update(String(id)).digest('hex')
  const blobUrl = (entry: CacheEntry): string => `${base}blob/${entry.id}?sig=${sign(entry.id)}&sv=2025-01-05`

  function scopesOf(request: IncomingMessage): TokenScope[] {
    const header = request.headers.authorization ?? ''
    const token = /^Bearer (.+)$/.exec(header)?.[1]
    if (!token) throw twirpError('unauthenticated', 'no bearer token')
    try {
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        ac?: unknown
        exp?: unknown
      }
      if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now())
        throw twirpError('unauthenticated', 'token expired')
      const scopes = JSON.parse(text(claims.ac)) as TokenScope[]
      if (!Array.isArray(scopes)) throw new Error('ac is not a list')
      return scopes.filter((scope) => typeof scope.Scope === 'string' && typeof scope.Permission === 'number')
    } catch (error) {
      if (error instanceof Refusal) throw error
      throw twirpError('unauthenticated', 'the token is not a JWT with an ac claim')
    }
  }

  const writeScope = (scopes: TokenScope[]): string | undefined =>
    scopes.filter((scope) => (scope.Permission & 2) === 2).at(-1)?.Scope
  const readScopes = (scopes: TokenScope[]): string[] =>
    scopes.filter((scope) => (scope.Permission & 3) !== 0).map((scope) => scope.Scope)

  /** GitHub's restore order: per scope, the primary key exactly, then every key as a prefix, newest first. */
  function lookup(keys: string[], version: string, scopes: string[]): CacheEntry | undefined {
    for (const scope of scopes) {
      const usable = entries.filter((entry) => entry.finalized && entry.scope === scope && entry.version === version)
      const exact = usable.find((entry) => entry.key === keys[0])
      if (exact) return exact
      for (const key of keys) {
        const newest = usable
          .filter((entry) => entry.key.startsWith(key))
          .sort((a, b) => b.created - a.created)
          .at(0)
        if (newest) return newest
      }
    }
    return undefined
  }

  function create(key: string, version: string, scopes: TokenScope[]): CacheEntry {
    if (!key || !version) throw twirpError('invalid_argument', 'key and version are required')
    const scope = writeScope(scopes)
    if (scope === undefined) throw twirpError('permission_denied', 'the token has no write scope for the cache')
    if (entries.some((entry) => entry.scope === scope && entry.key === key && entry.version === version))
      throw twirpError('already_exists', `cache entry ${key} already exists`)
    const entry: CacheEntry = {
      id: nextId++,
      key,
      version,
      scope,
      finalized: false,
      data: Buffer.alloc(0),
      blocks: new Map(),
      created: clock++,
    }
    entries.push(entry)
    return entry
  }

  function sendJson(response: ServerResponse, status: number, value: unknown): void {
    const body = JSON.stringify(value)
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) })
    response.end(body)
  }

  async function v2(request: IncomingMessage, response: ServerResponse, rpc: string): Promise<CacheRequest> {
    if (request.method !== 'POST') throw twirpError('invalid_argument', 'Twirp methods are POSTs')
    const scopes = scopesOf(request)
    const body = await readJson(request)
    const key = text(body.key)
    const version = text(body.version)
    switch (rpc) {
      case 'GetCacheEntryDownloadURL': {
        const restore = Array.isArray(body.restore_keys) ? body.restore_keys.map(text).filter(Boolean) : []
        const found = lookup([key, ...restore.filter((k) => k !== key)], version, readScopes(scopes))
        sendJson(
          response,
          200,
          found
            ? { ok: true, signed_download_url: blobUrl(found), matched_key: found.key }
            : { ok: false, signed_download_url: '', matched_key: '' },
        )
        return { api: 'v2', op: rpc, status: 200, key, matched: found?.key, scope: readScopes(scopes).join(',') }
      }
      case 'CreateCacheEntry': {
        const entry = create(key, version, scopes)
        sendJson(response, 200, { ok: true, signed_upload_url: blobUrl(entry) })
        return { api: 'v2', op: rpc, status: 200, key, scope: entry.scope }
      }
      case 'FinalizeCacheEntryUpload': {
        const scope = writeScope(scopes)
        if (scope === undefined) throw twirpError('permission_denied', 'the token has no write scope for the cache')
        const entry = entries.find(
          (candidate) =>
            candidate.scope === scope && candidate.key === key && candidate.version === version && !candidate.finalized,
        )
        if (!entry) throw twirpError('not_found', `no cache entry ${key} is being uploaded`)
        const size = Number(body.size_bytes)
        if (entry.data.length !== size)
          throw twirpError('invalid_argument', `size_bytes ${size} but ${entry.data.length} bytes were uploaded`)
        entry.finalized = true
        sendJson(response, 200, { ok: true, entry_id: String(entry.id) })
        return { api: 'v2', op: rpc, status: 200, key, scope, bytes: size }
      }
      default:
        throw new Refusal(404, 'bad_route', `no method ${rpc}`)
    }
  }

  async function v1(request: IncomingMessage, response: ServerResponse, url: URL): Promise<CacheRequest> {
    const scopes = scopesOf(request)
    const rest = url.pathname.slice(V1_PREFIX.length)
    if (request.method === 'GET' && rest === 'cache') {
      const keys = (url.searchParams.get('keys') ?? '').split(',').filter(Boolean)
      const version = url.searchParams.get('version') ?? ''
      const found = lookup(keys, version, readScopes(scopes))
      if (!found) {
        response.writeHead(204).end()
      } else {
        sendJson(response, 200, { cacheKey: found.key, scope: found.scope, archiveLocation: blobUrl(found) })
      }
      return { api: 'v1', op: 'lookup', status: found ? 200 : 204, key: keys[0], matched: found?.key }
    }
    if (request.method === 'POST' && rest === 'caches') {
      const body = await readJson(request)
      const entry = create(text(body.key), text(body.version), scopes)
      sendJson(response, 201, { cacheId: entry.id })
      return { api: 'v1', op: 'reserve', status: 201, key: entry.key, scope: entry.scope }
    }
    const id = /^caches\/(\d+)$/.exec(rest)?.[1]
    const entry = entries.find((candidate) => String(candidate.id) === id && !candidate.finalized)
    if (id !== undefined && !entry) throw twirpError('not_found', `no reserved cache ${id}`)
    if (entry && entry.scope !== writeScope(scopes)) throw twirpError('permission_denied', 'not your cache entry')
    if (entry && request.method === 'PATCH') {
      const range = /^bytes (\d+)-(\d+)\/\*$/.exec(request.headers['content-range'] ?? '')
      if (!range) throw twirpError('invalid_argument', 'Content-Range must be bytes START-END/*')
      const chunk = await readBody(request, MAX_BODY)
      const start = Number(range[1])
      if (Number(range[2]) - start + 1 !== chunk.length)
        throw twirpError('invalid_argument', 'Content-Range does not match the body')
      const grown = Buffer.alloc(Math.max(entry.data.length, start + chunk.length))
      entry.data.copy(grown)
      chunk.copy(grown, start)
      entry.data = grown
      response.writeHead(204).end()
      return { api: 'v1', op: 'upload', status: 204, key: entry.key, bytes: chunk.length }
    }
    if (entry && request.method === 'POST') {
      const body = await readJson(request)
      if (Number(body.size) !== entry.data.length)
        throw twirpError('invalid_argument', `size ${String(body.size)} but ${entry.data.length} bytes were uploaded`)
      entry.finalized = true
      response.writeHead(204).end()
      return { api: 'v1', op: 'commit', status: 204, key: entry.key, scope: entry.scope, bytes: entry.data.length }
    }
    throw new Refusal(404, 'not_found', `no v1 route ${request.method ?? ''} ${rest}`)
  }

  async function blob(request: IncomingMessage, response: ServerResponse, url: URL): Promise<CacheRequest> {
    const id = Number(url.pathname.slice(BLOB_PREFIX.length))
    const entry = entries.find((candidate) => candidate.id === id)
    if (!entry || url.searchParams.get('sig') !== sign(id))
      throw new Refusal(403, 'AuthenticationFailed', 'signature does not match')
    const comp = url.searchParams.get('comp')
    if (request.method === 'PUT') {
      if (entry.finalized) throw new Refusal(409, 'BlobImmutable', 'the entry is finalized')
      if (comp === 'block') {
        const blockId = url.searchParams.get('blockid') ?? ''
        if (!blockId) throw new Refusal(400, 'InvalidQueryParameterValue', 'blockid is required')
        const data = await readBody(request, MAX_BODY)
        entry.blocks.set(blockId, data)
        response.writeHead(201).end()
        return { api: 'blob', op: 'block', status: 201, key: entry.key, bytes: data.length }
      }
      if (comp === 'blocklist') {
        const xml = (await readBody(request, MAX_JSON * 16)).toString('utf8')
        const ids = [...xml.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((match) => match[1])
        const missing = ids.find((blockId) => !entry.blocks.has(blockId))
        if (missing !== undefined) throw new Refusal(400, 'InvalidBlockList', `block ${missing} was not uploaded`)
        entry.data = Buffer.concat(ids.map((blockId) => entry.blocks.get(blockId) as Buffer))
        entry.blocks.clear()
        response.writeHead(201, { ETag: `"${entry.id}"` }).end()
        return { api: 'blob', op: 'blocklist', status: 201, key: entry.key, bytes: entry.data.length }
      }
      if (comp === null) {
        if (request.headers['x-ms-blob-type'] !== 'BlockBlob')
          throw new Refusal(400, 'MissingRequiredHeader', 'x-ms-blob-type: BlockBlob is required')
        entry.data = await readBody(request, MAX_BODY)
        response.writeHead(201, { ETag: `"${entry.id}"` }).end()
        return { api: 'blob', op: 'put', status: 201, key: entry.key, bytes: entry.data.length }
      }
      throw new Refusal(400, 'InvalidQueryParameterValue', `comp=${comp}`)
    }
    if (request.method === 'GET' || request.method === 'HEAD') {
      if (!entry.finalized) throw new Refusal(404, 'BlobNotFound', 'the entry is not finalized')
      const header = (request.headers['x-ms-range'] as string | undefined) ?? request.headers.range
      const range = parseRange(header, entry.data.length)
      const slice = range ? entry.data.subarray(range.start, range.end + 1) : entry.data
      const headers: Record<string, string | number> = {
        'Content-Type': 'application/octet-stream',
        'Content-Length': slice.length,
        'Accept-Ranges': 'bytes',
        'x-ms-blob-type': 'BlockBlob',
        ETag: `"${entry.id}"`,
      }
      if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${entry.data.length}`
      response.writeHead(range ? 206 : 200, headers)
      response.end(request.method === 'HEAD' ? undefined : slice)
      return { api: 'blob', op: 'get', status: range ? 206 : 200, key: entry.key, bytes: slice.length, range: header }
    }
    throw new Refusal(405, 'UnsupportedHttpVerb', `${request.method ?? ''} on a blob`)
  }

  const server: Server = createServer((request, response) => {
    // Azure answers every request with one; go-actions-cache dereferences it unchecked after an upload.
    response.setHeader('x-ms-request-id', randomBytes(16).toString('hex'))
    const url = new URL(request.url ?? '/', base)
    const api = url.pathname.startsWith(TWIRP_PREFIX)
      ? 'v2'
      : url.pathname.startsWith(V1_PREFIX)
        ? 'v1'
        : url.pathname.startsWith(BLOB_PREFIX)
          ? 'blob'
          : undefined
    const handled =
      api === 'v2'
        ? v2(request, response, url.pathname.slice(TWIRP_PREFIX.length))
        : api === 'v1'
          ? v1(request, response, url)
          : api === 'blob'
            ? blob(request, response, url)
            : Promise.reject(new Refusal(404, 'not_found', `no route ${url.pathname}`))
    handled.then(
      (entry) => log.push(entry),
      (error: unknown) => {
        const refusal = error instanceof Refusal ? error : new Refusal(500, 'internal', String(error))
        const op = api === 'v2' ? url.pathname.slice(TWIRP_PREFIX.length) : `${request.method ?? ''} ${url.pathname}`
        log.push({ api: api ?? 'v2', op, status: refusal.status, code: refusal.code })
        if (response.headersSent) return void response.destroy()
        if (api === 'blob') {
          response.writeHead(refusal.status, { 'x-ms-error-code': refusal.code, 'Content-Type': 'application/xml' })
          response.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${refusal.code}</Code></Error>`)
        } else if (api === 'v1') {
          // the Actions service's own error shape (go-actions-cache GithubAPIError)
          const typeKey = refusal.code === 'already_exists' ? 'ArtifactCacheItemAlreadyExistsException' : refusal.code
          sendJson(response, refusal.status, { message: refusal.message, typeKey, typeName: typeKey, errorCode: 0 })
        } else {
          sendJson(response, refusal.status, { code: refusal.code, msg: refusal.message })
        }
        request.resume()
      },
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

  const token = (scopes: readonly TokenScope[]): string => {
    const now = Math.floor(Date.now() / 1000)
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
    const claims = { ac: JSON.stringify(scopes), nbf: now - 60, iat: now - 60, exp: now + 3600, iss: 'stand-in' }
    return `${part({ typ: 'JWT', alg: 'HS256' })}.${part(claims)}.${randomBytes(32).toString('base64url')}`
  }

  return {
    url: base,
    log,
    entries,
    token,
    runnerEnv: (value, v2 = true) => ({
      ACTIONS_RUNTIME_TOKEN: value,
      ACTIONS_CACHE_URL: base,
      ACTIONS_RESULTS_URL: base,
      ...(v2 ? { ACTIONS_CACHE_SERVICE_V2: 'True' } : {}),
    }),
    keys: (prefix = '') =>
      entries.filter((entry) => entry.finalized && entry.key.startsWith(prefix)).map((entry) => entry.key),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
