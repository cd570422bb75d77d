import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { GO_ACTIONS_CACHE_VERSION, startCacheService, type CacheService } from '../helpers/gha-cache-service.js'

// The cache stand-in's own protocol edges, spoken over HTTP as go-actions-cache (BuildKit's gha client) speaks them;
// the end-to-end files check it against real BuildKit. No real parts needed.
let service: CacheService
beforeAll(async () => {
  service = await startCacheService()
})
afterAll(async () => {
  await service.close()
})

const version = GO_ACTIONS_CACHE_VERSION
const writer = (): string => service.token([{ Scope: 'refs/heads/main', Permission: 3 }])

interface Answer {
  ok?: boolean
  signed_upload_url?: string
  signed_download_url?: string
  matched_key?: string
  code?: string
}

async function rpc(method: string, token: string, body: object): Promise<{ status: number; json: Answer; id: string }> {
  const response = await fetch(`${service.url}twirp/github.actions.results.api.v1.CacheService/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  return {
    status: response.status,
    json: (await response.json()) as Answer,
    id: response.headers.get('x-ms-request-id') ?? '',
  }
}

async function save(token: string, key: string, data: Buffer, blocks = false): Promise<void> {
  const created = await rpc('CreateCacheEntry', token, { key, version })
  expect(created.json.ok).toBe(true)
  const url = created.json.signed_upload_url ?? ''
  if (blocks) {
    const ids = ['YmxvY2stMQ==', 'YmxvY2stMg==']
    const half = Math.ceil(data.length / 2)
    for (const [i, id] of ids.entries()) {
      const put = await fetch(`${url}&comp=block&blockid=${encodeURIComponent(id)}`, {
        method: 'PUT',
        body: data.subarray(i * half, (i + 1) * half),
      })
      expect(put.status).toBe(201)
    }
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`
    expect((await fetch(`${url}&comp=blocklist`, { method: 'PUT', body: list })).status).toBe(201)
  } else {
    const put = await fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: data })
    expect(put.status).toBe(201)
    expect(put.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f]{32}$/)
  }
  const done = await rpc('FinalizeCacheEntryUpload', token, { key, version, size_bytes: data.length })
  expect(done.json).toMatchObject({ ok: true })
}

describe('cache service v2 stand-in', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(new URL(service.url).hostname).toBe('127.0.0.1')
  })

  it('saves with one PUT or with blocks + blocklist, and serves ranged GETs (x-ms-range or Range)', async () => {
    const data = Buffer.from('0123456789abcdefghij')
    await save(writer(), 'plain-key', data)
    await save(writer(), 'block-key', data, true)
    for (const key of ['plain-key', 'block-key']) {
      const found = await rpc('GetCacheEntryDownloadURL', writer(), { key, restore_keys: [key], version })
      expect(found.json).toMatchObject({ ok: true, matched_key: key })
      const whole = await fetch(found.json.signed_download_url ?? '')
      expect(Buffer.from(await whole.arrayBuffer())).toEqual(data)
      const ranged = await fetch(found.json.signed_download_url ?? '', { headers: { 'x-ms-range': 'bytes=10-' } })
      expect(ranged.status).toBe(206)
      expect(ranged.headers.get('content-range')).toBe('bytes 10-19/20')
      expect(await ranged.text()).toBe('abcdefghij')
      const plainRange = await fetch(found.json.signed_download_url ?? '', { headers: { Range: 'bytes=2-3' } })
      expect(await plainRange.text()).toBe('23')
    }
  })

  it('matches restore keys by prefix, newest first, and only with the same version', async () => {
    await save(writer(), 'index-s-1-abc#1', Buffer.from('one'))
    await save(writer(), 'index-s-1-abc#2', Buffer.from('two'))
    const found = await rpc('GetCacheEntryDownloadURL', writer(), {
      key: 'index-s-1-abc#',
      restore_keys: ['index-s-1-abc#'],
      version,
    })
    expect(found.json.matched_key).toBe('index-s-1-abc#2')
    const otherVersion = await rpc('GetCacheEntryDownloadURL', writer(), {
      key: 'index-s-1-abc#',
      restore_keys: ['index-s-1-abc#'],
      version: 'f'.repeat(64),
    })
    expect(otherVersion.json).toMatchObject({ ok: false })
  })

  it('answers already_exists, permission_denied and not_found as Twirp errors, each with x-ms-request-id', async () => {
    await save(writer(), 'taken', Buffer.from('x'))
    const again = await rpc('CreateCacheEntry', writer(), { key: 'taken', version })
    expect(again).toMatchObject({ status: 409, json: { code: 'already_exists' } })
    expect(again.id).not.toBe('')
    const reader = service.token([{ Scope: 'refs/heads/main', Permission: 1 }])
    const denied = await rpc('CreateCacheEntry', reader, { key: 'new', version })
    expect(denied).toMatchObject({ status: 403, json: { code: 'permission_denied' } })
    const missing = await rpc('FinalizeCacheEntryUpload', writer(), { key: 'never-created', version, size_bytes: 1 })
    expect(missing).toMatchObject({ status: 404, json: { code: 'not_found' } })
    expect(service.log.filter((entry) => entry.code).map((entry) => entry.code)).toEqual(
      expect.arrayContaining(['already_exists', 'permission_denied', 'not_found']),
    )
  })

  it('reads across the token’s scopes but writes only under its write scope', async () => {
    const pr = service.token([
      { Scope: 'refs/pull/1/merge', Permission: 3 },
      { Scope: 'refs/heads/main', Permission: 1 },
    ])
    const found = await rpc('GetCacheEntryDownloadURL', pr, { key: 'taken', restore_keys: ['taken'], version })
    expect(found.json.matched_key).toBe('taken')
    await save(pr, 'pr-only', Buffer.from('p'))
    expect(service.entries.find((entry) => entry.key === 'pr-only')?.scope).toBe('refs/pull/1/merge')
    const fromMain = await rpc('GetCacheEntryDownloadURL', writer(), { key: 'pr-only', restore_keys: [], version })
    expect(fromMain.json.ok).toBe(false)
  })

  it('refuses a blob URL whose signature does not match', async () => {
    const found = await rpc('GetCacheEntryDownloadURL', writer(), { key: 'taken', restore_keys: [], version })
    const forged = (found.json.signed_download_url ?? '').replace(/sig=[0-9a-f]+/, `sig=${'0'.repeat(64)}`)
    const response = await fetch(forged)
    expect(response.status).toBe(403)
    expect(response.headers.get('x-ms-request-id')).not.toBeNull()
  })
})

describe('cache service v1 stand-in (GitHub Enterprise Server)', () => {
  const headers = (token: string): Record<string, string> => ({
    Authorization: `Bearer ${token}`,
    Accept: 'application/json;api-version=6.0-preview.1',
  })

  it('reserve, PATCH with Content-Range, commit, then lookup by keys (204 on a miss)', async () => {
    const token = writer()
    const api = `${service.url}_apis/artifactcache/`
    const reserved = await fetch(`${api}caches`, {
      method: 'POST',
      headers: { ...headers(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: 'v1-key', version }),
    })
    const { cacheId } = (await reserved.json()) as { cacheId: number }
    expect(cacheId).toBeGreaterThan(0)
    for (const [range, body] of [
      ['bytes 3-5/*', 'def'],
      ['bytes 0-2/*', 'abc'],
    ]) {
      const patched = await fetch(`${api}caches/${cacheId}`, {
        method: 'PATCH',
        headers: { ...headers(token), 'Content-Range': range, 'Content-Type': 'application/octet-stream' },
        body,
      })
      expect(patched.status).toBe(204)
    }
    const committed = await fetch(`${api}caches/${cacheId}`, {
      method: 'POST',
      headers: { ...headers(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ size: 6 }),
    })
    expect(committed.status).toBe(204)
    const hit = await fetch(`${api}cache?keys=v1-k,other&version=${version}`, { headers: headers(token) })
    const entry = (await hit.json()) as { cacheKey: string; archiveLocation: string }
    expect(entry.cacheKey).toBe('v1-key')
    const ranged = await fetch(entry.archiveLocation, { headers: { Range: 'bytes=4-' } })
    expect(ranged.headers.get('content-range')).toBe('bytes 4-5/6')
    expect(await ranged.text()).toBe('ef')
    const miss = await fetch(`${api}cache?keys=absent&version=${version}`, { headers: headers(token) })
    expect(miss.status).toBe(204)
  })
})
