import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { databaseServer } from '../../src/core/apply/database.js'
import { assertTag, NAME_MAX, parseBaseImage, parseImageName, TAG_MAX } from '../../src/core/image/image-ref.js'
import { FakeDocker } from '../helpers/fake-docker.js'
import { runAction } from '../helpers/runner.js'
import { independentSum, makeDir, runCli } from '../helpers/tmp.js'

// Image references by the distribution grammar (github.com/distribution/reference v0.6.0, regexp.go and
// reference.go), both sides of each edge; then through dist/ (the CLI and the action): the error names the input
// and the limit, and no docker process is started.
const SHA = 'a'.repeat(40)

/** A name of exactly `length` characters: `r.io/` and path components of 50 letters. */
function nameOf(length: number): string {
  let name = 'r.io/'
  while (name.length < length) {
    const room = length - name.length
    name += room > 51 ? `${'a'.repeat(50)}/` : 'a'.repeat(room)
  }
  return name
}

describe('the grammar, each edge from both sides', () => {
  it('a name (registry and path) of 255 characters is an image name; 256 is refused, saying the limit', () => {
    expect(nameOf(NAME_MAX)).toHaveLength(255)
    expect(parseImageName(nameOf(NAME_MAX)).name).toHaveLength(255)
    expect(() => parseImageName(nameOf(NAME_MAX + 1), 'input image')).toThrow(
      /^input image '.*' is not an image name: it is 256 characters long: docker refuses a name \(registry and path\) over 255$/,
    )
    expect(() => parseBaseImage(`${nameOf(NAME_MAX + 1)}:1`)).toThrow(/256 characters long.*over 255/)
  })

  it('a tag of 128 characters is a tag; 129 is refused, saying the limit; the first character is a word character', () => {
    expect(assertTag('t'.repeat(TAG_MAX))).toHaveLength(128)
    expect(() => assertTag('t'.repeat(TAG_MAX + 1), '--tag')).toThrow(
      /^--tag: tag 't+' is not a valid image tag: it is 129 characters long: a tag has at most 128$/,
    )
    for (const good of ['_x', 'v1.2.3', 'A-b_c.d', '1']) expect(assertTag(good)).toBe(good)
    for (const bad of ['.x', '-x', 'a:b', 'a/b', 'a b', '', 'é']) {
      expect(() => assertTag(bad, 'input tags'), bad).toThrow(/^input tags: tag '.*' is not a valid image tag/)
    }
    expect(() => parseBaseImage(`postgres:${'1'.repeat(TAG_MAX + 1)}`)).toThrow(/has an invalid tag: it is 129/)
    expect(parseBaseImage(`postgres:${'1'.repeat(TAG_MAX)}`).pinned).toBe(false)
  })

  it('path components: lowercase alphanumerics joined by one of . _ __ or a run of -', () => {
    for (const good of ['a/b', 'a.b', 'a_b', 'a__b', 'a-b', 'a---b', 'a/b/c/d/e/f', 'x0']) {
      expect(parseImageName(good).repository, good).toBe(good)
    }
    for (const bad of ['a___b', 'a..b', 'a.-b', '_a', 'a_', 'a//b', 'a/', '-a']) {
      expect(() => parseImageName(bad, 'input image'), bad).toThrow(
        /is not an image name: it has an (empty|invalid) path/,
      )
    }
    // Registries reject uppercase paths: a base is used as written, so it is refused there (the image is lowercased).
    expect(() => parseBaseImage('ghcr.io/Acme/base:1')).toThrow(/invalid path component 'Acme'/)
  })

  it('registry host and port: DNS labels or [IPv6], a port from 1 to 65535', () => {
    for (const good of ['localhost:5000/a', 'r.io:1/a', 'r.io:65535/a', '[::1]:5000/a', 'my-reg.example.com/a']) {
      expect(parseImageName(good).registry, good).toBe(good.slice(0, good.lastIndexOf('/')))
    }
    expect(() => parseImageName('r.io:65536/a')).toThrow(/invalid registry port '65536'/)
    expect(() => parseImageName('r.io:0/a')).toThrow(/invalid registry port '0'/)
    expect(() => parseImageName('r.io:/a')).toThrow(/invalid registry port ''/)
    expect(() => parseImageName('-r.io/a')).toThrow(/invalid registry host '-r.io'/)
    expect(() => parseImageName('r..io/a')).toThrow(/invalid registry host 'r..io'/)
    expect(() => parseBaseImage('r.io:99999/a:1')).toThrow(/base-image 'r.io:99999\/a:1' is not an image reference/)
  })

  it('digests: sha256 and 64 lowercase hex; anything else is refused before a pull', () => {
    expect(parseBaseImage(`postgres:17@sha256:${'a'.repeat(64)}`).pinned).toBe(true)
    expect(parseBaseImage(`postgres@sha256:${'a'.repeat(64)}`).pinned).toBe(true)
    for (const bad of [`sha256:${'a'.repeat(63)}`, `sha256:${'A'.repeat(64)}`, `md5:${'a'.repeat(32)}`, '']) {
      expect(() => parseBaseImage(`postgres:17@${bad}`), bad).toThrow(/has an invalid digest$/)
    }
    expect(() => parseBaseImage(`postgres@sha256:${'a'.repeat(64)}@sha256:${'b'.repeat(64)}`)).toThrow(/invalid digest/)
  })

  it('the database image goes by the same grammar and names its input', () => {
    expect(() => databaseServer('postgres:-17', 'x', '--database')).toThrow(
      /^--database 'postgres:-17' has an invalid tag/,
    )
    expect(() => databaseServer(`postgres:${'1'.repeat(129)}`, 'x', 'input database')).toThrow(
      /^input database .* 129 characters long: a tag has at most 128/,
    )
  })
})

describe('through dist/: refused before anything runs, naming the input and the limit', () => {
  function repo(): string {
    const root = makeDir()
    const dir = path.join(root, 'migrations')
    mkdirSync(dir)
    writeFileSync(path.join(dir, '1_a.sql'), 'SELECT 1;\n')
    writeFileSync(path.join(dir, 'atlas.sum'), independentSum(dir))
    return root
  }
  const longTag = 't'.repeat(TAG_MAX + 1)

  it('the CLI: --image, --tag, --base-image and --database', () => {
    const root = repo()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-ref-'))
    const docker = new FakeDocker(temp)
    const cases: [string[], RegExp][] = [
      [['--image', nameOf(NAME_MAX + 1)], /^error: --image '.*' is not an image name: it is 256 characters long/],
      [['--image', `acme/api:${longTag}`], /^error: --image: tag 't+' is not a valid image tag: it is 129 characters/],
      [['--image', 'acme/api', '--tag', '.x'], /^error: --tag: tag '.x' is not a valid image tag/],
      [['--image', 'localhost:70000/api'], /^error: --image .* invalid registry port '70000' — a port is a number/],
      [
        ['--image', 'acme/api', '--base-image', 'postgres:17@sha256:1'],
        /^error: --base-image .* has an invalid digest/,
      ],
    ]
    for (const [args, expected] of cases) {
      const ran = runCli(['build', 'migrations', ...args], { PATH: docker.path() }, root)
      expect(ran.status, args.join(' ')).toBe(2)
      expect(ran.stderr.split('\n')[0], args.join(' ')).toMatch(expected)
    }
    const apply = runCli(
      ['apply-check', 'migrations', '--tool', 'psql', '--database', `postgres:${longTag}`],
      {
        PATH: docker.path(),
      },
      root,
    )
    expect(apply.status).toBe(2)
    expect(apply.stderr.split('\n')[0]).toMatch(/^error: --database .* a tag has at most 128/)
    expect(docker.calls()).toEqual([])
  })

  it('the action: image, tags and base-image, each an error annotation naming the input; docker never runs', () => {
    const root = repo()
    const temp = mkdtempSync(path.join(tmpdir(), 'mi-ref-'))
    const docker = new FakeDocker(temp)
    const cases: [Record<string, string>, RegExp][] = [
      [{ image: nameOf(NAME_MAX + 1) }, /^::error::input image '.*' is not an image name: it is 256 characters/],
      [{ image: 'acme/api', tags: longTag }, /^::error::input tags: tag 't+' is not a valid image tag: it is 129/],
      [{ image: 'acme/api', 'base-image': 'Postgres:17' }, /^::error::input base-image 'Postgres:17' is not an image/],
    ]
    for (const [inputs, expected] of cases) {
      const ran = runAction({
        inputs: { push: 'false', ...inputs },
        env: { PATH: docker.path(), GITHUB_SHA: SHA, GITHUB_REPOSITORY: 'acme/api' },
        cwd: root,
      })
      expect(ran.status, JSON.stringify(inputs)).toBe(1)
      const errors = ran.stdout.split('\n').filter((line) => line.startsWith('::error'))
      expect(errors, JSON.stringify(inputs)).toEqual([expect.stringMatching(expected)])
    }
    expect(docker.calls()).toEqual([])
  })
})
