import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { readTag, RegistryClient, resolveBase } from '../src/io/registry.js'

// The registry client against a registry that answers as ghcr.io does: 401 with a Bearer challenge, a token
// endpoint that wants the login (Basic) and scopes tokens to pull or push. The e2e tests run it against the real
// registry (Basic auth); this covers the token dance the real one here does not speak.
const USER = 'octocat'
const PASSWORD = 'secret-token'
const config = Buffer.from(
  JSON.stringify({ config: { Labels: { 'io.migration-image.content-key': 'sha256:k', a: 'b' } } }),
)
const digestOf = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length },
    layers: [],
  }),
)
const TYPE = 'application/vnd.oci.image.manifest.v1+json'

let server: Server
let host: string
const tags = new Map<string, Buffer>([['latest', manifest]])
const seen: { method?: string; url?: string; authorization?: string }[] = []
let realm = ''

function body(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void (async () => {
      const auth = request.headers.authorization
      seen.push({ method: request.method, url: request.url, authorization: auth })
      const url = new URL(request.url ?? '/', 'http://x')
      if (url.pathname === '/token') {
        if (auth !== `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`) {
          response.writeHead(401).end()
          return
        }
        const scope = url.searchParams.get('scope') ?? ''
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ token: scope.endsWith(':pull,push') ? 'push-token' : 'pull-token' }))
        return
      }
      const write = request.method === 'PUT'
      const ok = auth === 'Bearer push-token' || (!write && auth === 'Bearer pull-token')
      if (!ok) {
        response.writeHead(401, {
          'www-authenticate': `Bearer realm="${realm}",service="registry.test",scope="repository:acme/app:${write ? 'pull,push' : 'pull'}"`,
        })
        response.end()
        return
      }
      const match = /^\/v2\/acme\/app\/(manifests|blobs)\/(.+)$/.exec(url.pathname)
      if (match?.[1] === 'blobs' && match[2] === digestOf(config)) {
        response.writeHead(200).end(config)
      } else if (match?.[1] === 'manifests' && write) {
        tags.set(match[2], await body(request))
        response.writeHead(201).end()
      } else if (match?.[1] === 'manifests' && tags.has(match[2])) {
        const bytes = tags.get(match[2]) as Buffer
        response.writeHead(200, { 'content-type': TYPE, 'docker-content-digest': digestOf(bytes) })
        response.end(request.method === 'HEAD' ? undefined : bytes)
      } else {
        response.writeHead(404).end()
      }
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  realm = `http://${host}/token`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe('RegistryClient with a Bearer token registry', () => {
  it('reads a tag (digest, labels) with a pull token, then re-tags with a push token', async () => {
    const client = new RegistryClient(host, 'acme/app', { username: USER, password: PASSWORD })
    const [absent, latest] = await Promise.all([readTag(client, 'r:new', 'new'), readTag(client, 'r:latest', 'latest')])
    expect(absent).toEqual({ reference: 'r:new' })
    expect(latest).toMatchObject({ reference: 'r:latest', digest: digestOf(manifest), contentKey: 'sha256:k' })
    if (!latest.manifest) throw new Error('no manifest')
    await client.putTag('new', latest.manifest)
    expect(tags.get('new')?.equals(manifest)).toBe(true)
    // the login went only to the token endpoint; the registry saw tokens
    const registryAuth = seen.filter((entry) => entry.url?.startsWith('/v2/')).map((entry) => entry.authorization)
    expect(registryAuth.every((value) => value === undefined || value.startsWith('Bearer '))).toBe(true)
  })

  it('resolves a base tag to its digest with a HEAD; a pinned base as written', async () => {
    const login = { registry: host, username: USER, password: PASSWORD }
    expect(await resolveBase(`${host}/acme/app:latest`, login)).toBe(`${host}/acme/app@${digestOf(manifest)}`)
    const pinned = `${host}/acme/app:1@sha256:${'a'.repeat(64)}`
    expect(await resolveBase(pinned, login)).toBe(pinned)
    await expect(resolveBase(`${host}/acme/app:missing`, login)).rejects.toThrow(/did not give the digest/)
  })

  it('never sends the login to a realm on another host over plain http', async () => {
    const saved = realm
    // the same server under another name: without the rule, the login would arrive at /token
    realm = `http://localhost:${host.split(':')[1]}/token`
    seen.length = 0
    try {
      const client = new RegistryClient(host, 'acme/app', { username: USER, password: PASSWORD })
      const found = await readTag(client, 'r:latest', 'latest')
      expect(found.error).toMatch(/401/)
      expect(seen.every((entry) => !entry.authorization?.startsWith('Basic'))).toBe(true)
    } finally {
      realm = saved
    }
  })
})

describe('RegistryClient retries what passes, not what stays', () => {
  it('a reset connection is tried again; a host that does not exist fails at once, without the back-off', async () => {
    let requests = 0
    const flaky = createServer((request, response) => {
      requests++
      if (requests === 1) {
        request.socket.destroy() // the first answer is a reset
        return
      }
      response.writeHead(404).end()
    })
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve))
    try {
      const at = `127.0.0.1:${(flaky.address() as AddressInfo).port}`
      const retried = new RegistryClient(at, 'acme/app', undefined, {
        retry: { attempts: 3, backoffMs: 10, maxWaitMs: 10 },
      })
      expect(await readTag(retried, 'r:x', 'x')).toEqual({ reference: 'r:x' })
      expect(requests).toBe(2)
    } finally {
      await new Promise<void>((resolve) => flaky.close(() => resolve()))
    }
    // The resolver's two answers, as undici gives them to fetch's caller (a real lookup's answer depends on the
    // machine's DNS): NXDOMAIN fails at once, even with a minute of back-off; a resolver that did not answer is
    // asked again.
    for (const [code, calls] of [
      ['ENOTFOUND', 1],
      ['EAI_AGAIN', 3],
    ] as const) {
      let made = 0
      vi.stubGlobal('fetch', () => {
        made++
        const cause = Object.assign(new Error(`getaddrinfo ${code} registry.invalid`), { code })
        return Promise.reject(new TypeError('fetch failed', { cause }))
      })
      try {
        const nowhere = new RegistryClient('registry.invalid', 'acme/app', undefined, {
          retry: { attempts: 3, backoffMs: code === 'ENOTFOUND' ? 60_000 : 1, maxWaitMs: 60_000 },
        })
        const found = await readTag(nowhere, 'r:x', 'x')
        expect(found.error).toMatch(new RegExp(`registry registry\\.invalid: .*${code}`))
        expect(made).toBe(calls)
      } finally {
        vi.unstubAllGlobals()
      }
    }
  })
})
