import { describe, expect, it } from 'vitest'
import { decideReuse, type ReuseFacts, type TagFacts } from '../src/core/build/reuse.js'
import { contentKey, epochSeconds, type ContentKeyInput } from '../src/core/image/content-key.js'
import { imageLabels } from '../src/core/image/labels.js'
import { planImage } from '../src/core/image/plan.js'
import { getPreset } from '../src/core/image/presets.js'
import { parseImageName } from '../src/core/image/image-ref.js'
import type { Validation } from '../src/core/check/validate.js'

const KEY = `sha256:${'a'.repeat(64)}`
const OTHER = `sha256:${'b'.repeat(64)}`
const DIGEST = `sha256:${'d'.repeat(64)}`
const OLD_SHA = '0123456789abcdef0123456789abcdef01234567'
const REFS = ['r/app:newsha', 'r/app:latest']
const absent = (reference: string): TagFacts => ({ reference })
const latest = (contentKey?: string, extra: Partial<TagFacts> = {}): TagFacts => ({
  reference: 'r/app:latest',
  digest: DIGEST,
  contentKey,
  revision: OLD_SHA,
  ...extra,
})
const facts = (over: Partial<ReuseFacts> = {}): ReuseFacts => ({
  contentKey: KEY,
  tags: [absent('r/app:newsha'), latest(KEY)],
  ...over,
})

describe('decideReuse: re-tag only an exact key match, when pushing (any engine)', () => {
  const table: [string, boolean, ReuseFacts, 're-tag' | 'build'][] = [
    ['latest has the same key', true, facts(), 're-tag'],
    [
      'the sha tag itself has it (a re-run)',
      true,
      facts({ tags: [latest(KEY, { reference: 'r/app:newsha' })] }),
      're-tag',
    ],
    ['not pushing (pull request)', false, facts(), 'build'],
    ['no key (base digest unknown)', true, facts({ contentKey: undefined, noKey: 'offline' }), 'build'],
    ['latest has another key', true, facts({ tags: [absent('r/app:newsha'), latest(OTHER)] }), 'build'],
    ['latest has no key label (built before keys)', true, facts({ tags: [latest(undefined)] }), 'build'],
    ['no tag exists yet (first publish)', true, facts({ tags: REFS.map(absent) }), 'build'],
    ['the registry failed for latest', true, facts({ tags: [{ reference: 'r/app:latest', error: '500' }] }), 'build'],
    ['a malformed digest', true, facts({ tags: [latest(KEY, { digest: 'sha256:xyz' })] }), 'build'],
  ]
  it.each(table)('%s', (_, push, given, kind) => {
    expect(decideReuse({ push, references: REFS }, given).kind).toBe(kind)
  })

  it('a re-tag names the old commit, the digest and every new reference', () => {
    const decision = decideReuse({ push: true, references: REFS }, facts())
    expect(decision).toMatchObject({ kind: 're-tag', digest: DIGEST, from: 'r/app:latest', since: OLD_SHA })
    if (decision.kind !== 're-tag') throw new Error('unreachable')
    expect(decision.references).toEqual(REFS)
    expect(decision.note.text).toMatch(/^unchanged since 0123456789ab, re-tagged/)
  })

  it('a revision label that is not a commit sha is not repeated (the tag is named instead)', () => {
    const decision = decideReuse(
      { push: true, references: REFS },
      facts({ tags: [latest(KEY, { revision: '::warning::x' })] }),
    )
    expect(decision.kind === 're-tag' && decision.since).toBe(undefined)
    expect(decision.kind === 're-tag' && decision.note.text).toMatch(/^unchanged since r\/app:latest, re-tagged/)
  })

  it('says why it builds when there is no key', () => {
    const decision = decideReuse({ push: true, references: REFS }, facts({ contentKey: undefined, noKey: 'no digest' }))
    expect(decision).toMatchObject({ kind: 'build', note: { level: 'info' } })
    // Plain words, no jargon, no brackets inside brackets when the reason has its own.
    const offline = decideReuse(
      { push: true, references: REFS },
      facts({ contentKey: undefined, noKey: 'registry r: GET manifest b:1 failed (connect ECONNREFUSED)' }),
    )
    expect(offline.kind === 'build' && offline.note?.text).toBe(
      "building: the base image's digest could not be read, so an unchanged image cannot be recognised — registry r: GET manifest b:1 failed (connect ECONNREFUSED)",
    )
  })
})

describe('contentKey', () => {
  const input: ContentKeyInput = {
    checksum: 'h1:abc=',
    tool: 'atlas',
    base: `busybox@${DIGEST}`,
    dockerfile: 'FROM busybox\n',
    files: [
      { name: 'migrations/1.sql', mode: 0o444, bytes: Buffer.from('create table a;') },
      { name: 'migrations/atlas.sum', mode: 0o444, bytes: Buffer.from('h1:abc=') },
    ],
    platforms: ['linux/amd64'],
    provenance: 'false',
  }
  it('is a sha256, the same for the same input (file order does not matter)', () => {
    expect(contentKey(input)).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(contentKey({ ...input, files: [...input.files].reverse() })).toBe(contentKey(input))
  })
  const changes: [string, Partial<ContentKeyInput>][] = [
    ['checksum', { checksum: 'h1:abd=' }],
    ['tool', { tool: 'goose' }],
    ['base digest', { base: `busybox@${OTHER}` }],
    ['Dockerfile', { dockerfile: 'FROM busybox\nUSER 1\n' }],
    ['a file byte', { files: [{ ...input.files[0], bytes: Buffer.from('create table b;') }, input.files[1]] }],
    ['a file name', { files: [{ ...input.files[0], name: 'migrations/2.sql' }, input.files[1]] }],
    ['a file mode', { files: [{ ...input.files[0], mode: 0o644 }, input.files[1]] }],
    ['one file more', { files: [...input.files, { name: 'x', mode: 0o444, bytes: Buffer.alloc(0) }] }],
    ['platforms', { platforms: ['linux/amd64', 'linux/arm64'] }],
    ['provenance', { provenance: 'mode=max' }],
    // Framing: moving bytes from one field to the next must not give the same key.
    ['field boundaries', { checksum: 'h1:abc=a', tool: 'tlas' }],
  ]
  it.each(changes)('changes with the %s', (_, change) => {
    expect(contentKey({ ...input, ...change })).not.toBe(contentKey(input))
  })
})

describe('the content key label, and a Dockerfile the key hashes without the commit', () => {
  const validation = {
    migrations: [{ name: '1.sql', version: '1' }],
    shipped: [],
    checksum: 'h1:abc=',
    latestVersion: '1',
  } as unknown as Validation
  const image = {
    name: parseImageName('registry.example/acme/app'),
    revision: OLD_SHA,
    created: '2024-01-01T00:00:00.000Z',
    source: 'https://github.com/acme/api',
    selfCheck: false,
    baseImage: `busybox:1@${DIGEST}`,
  }
  it('labels carry the key only when one is given', () => {
    const base = { validation, tool: 'atlas', title: 't' }
    expect(imageLabels(base)).not.toHaveProperty(['io.migration-image.content-key'])
    expect(imageLabels({ ...base, contentKey: KEY })['io.migration-image.content-key']).toBe(KEY)
  })
  it('keyDockerfile leaves out revision and created; the same for another commit', () => {
    const preset = getPreset('atlas')
    const plan = planImage(image, preset, validation)
    expect(plan.dockerfile).toContain(OLD_SHA)
    expect(plan.keyDockerfile).not.toContain(OLD_SHA)
    expect(plan.keyDockerfile).not.toContain('org.opencontainers.image.created')
    const later = planImage({ ...image, revision: 'f'.repeat(40), created: '2025-01-01T00:00:00Z' }, preset, validation)
    expect(later.keyDockerfile).toBe(plan.keyDockerfile)
    expect(planImage(image, preset, validation, KEY).dockerfile).toContain(`io.migration-image.content-key="${KEY}"`)
  })
  it('epochSeconds: the created time in whole seconds, 0 without one', () => {
    expect(epochSeconds('2023-11-14T22:13:20.000Z')).toBe(1_700_000_000)
    expect(epochSeconds(undefined)).toBe(0)
    expect(epochSeconds('not a date')).toBe(0)
  })
})
