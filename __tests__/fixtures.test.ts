import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { fixtureCases, fixtureDir, readExpected, type Expected } from './helpers/fixtures.js'
import { independentSums, ROOT, runNodeAsync } from './helpers/tmp.js'

// One directory per rule edge, for every tool: __tests__/fixtures/<tool>/<case>/{migrations/, expect.json}.
// expect.json holds the verdict the tool itself gives (and the source line that proves it); each case runs through
// the bundled CLI, as a user runs it, so a rule that only breaks in the bundle fails here too.

interface JsonProblem {
  readonly code: string
  readonly file: string
  readonly line?: number
  readonly message: string
}

/** The tool's own verdict; `safety` is on for the examples (they show the safe way), off for the rule fixtures. */
async function verdict(tool: string, dir: string, safety = 'off') {
  const ran = await runNodeAsync('dist/cli.js', ['validate', dir, '--tool', tool, '--json', '--safety', safety])
  const json = JSON.parse(ran.stdout) as Record<'errors' | 'warnings' | 'notices', JsonProblem[]> & { valid: boolean }
  const problems = (['errors', 'warnings', 'notices'] as const)
    .flatMap((key) =>
      json[key].map(({ code, file, line, message }) => ({
        severity: key.slice(0, -1),
        code,
        file: path.relative(dir, file),
        line: line ?? null,
        message,
      })),
    )
    .sort((a, b) => (a.file + a.severity + a.code).localeCompare(b.file + b.severity + b.code))
  return { status: ran.status, valid: json.valid, problems }
}

/** Where a case names the rule that proves it (Liquibase's), that rule's problem says so: the message, not only the code. */
function expectProvingProblem(
  tool: string,
  problems: readonly { severity: string; code: string; message: string }[],
  expected: Expected,
): void {
  if (expected.verdict === undefined) return
  const own = problems.filter(({ code }) => code.startsWith(`${tool}/`))
  if (expected.verdict === 'ok') {
    expect(own).toEqual([])
    return
  }
  const proof = expected.message
  if (proof === undefined) throw new Error(`${expected.rule}: a '${expected.verdict}' case names its message`)
  const messages = own.filter(({ severity }) => severity === expected.verdict).map(({ message }) => message)
  expect(
    messages.some((message) => message.includes(proof)),
    messages.join('\n'),
  ).toBe(true)
}

describe('fixtures: each rule edge, judged as the tool judges it (through dist/cli.js)', () => {
  const cases = fixtureCases()
  // The independent sums of every fixture, in one Python run; the CLI runs side by side (each case its own process).
  let sums = new Map<string, string>()
  beforeAll(() => {
    sums = independentSums(cases.map(([tool, name]) => ({ dir: fixtureDir(tool, name), format: tool })))
  })

  it('there are fixtures for every tool this suite covers', () => {
    const tools = new Set(cases.map(([tool]) => tool))
    for (const tool of ['atlas', 'golang-migrate', 'flyway', 'goose', 'dbmate', 'psql']) expect(tools).toContain(tool)
  })

  it.concurrent.each(cases)('%s/%s', async (tool, name) => {
    const expected = readExpected(tool, name)
    const dir = fixtureDir(tool, name)
    const got = await verdict(tool, dir)
    const want = [...expected.problems].sort((a, b) =>
      (a.file + a.severity + a.code).localeCompare(b.file + b.severity + b.code),
    )
    expect(
      { valid: got.valid, problems: got.problems.map(({ message: _, ...where }) => where) },
      `${expected.rule} (${expected.source})`,
    ).toEqual({
      valid: expected.valid,
      problems: want,
    })
    expectProvingProblem(tool, got.problems, expected)
    expect(got.status).toBe(expected.valid ? 0 : 1)
    let sum: string | undefined
    try {
      sum = readFileSync(path.join(dir, 'atlas.sum'), 'utf8')
    } catch {
      sum = undefined
    }
    // A committed atlas.sum is the independent implementation's, so a valid verdict also proves the hashing.
    if (sum !== undefined) expect(sum).toBe(sums.get(dir))
    if (expected.entries && sum !== undefined) {
      expect(
        sum
          .split('\n')
          .slice(1, -1)
          .map((line) => line.slice(0, line.lastIndexOf(' h1:'))),
      ).toEqual(expected.entries)
    }
  })
})

describe('examples: every examples/ directory validates with its tool through dist/cli.js', () => {
  const examples = readdirSync(path.join(ROOT, 'examples'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map(({ name }): [string, string] => {
      const dir = path.join(ROOT, 'examples', name)
      const sub = readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((entry) => entry.endsWith('atlas.sum'))
      return [name, path.join(dir, path.dirname(sub ?? 'migrations/atlas.sum'))]
    })

  it('covers every tool', () => {
    expect(examples.map(([tool]) => tool).sort()).toEqual([
      'atlas',
      'dbmate',
      'flyway',
      'golang-migrate',
      'goose',
      'liquibase',
      'psql',
    ])
  })

  it.concurrent.each(examples)('%s', async (tool, dir) => {
    const got = await verdict(tool, dir, 'warn')
    expect(got.problems.filter(({ severity }) => severity !== 'notice')).toEqual([])
    expect(got.status).toBe(0)
  })
})
