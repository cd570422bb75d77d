import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { COMMANDS, FLAGS } from '../src/core/options.js'
import { ROOT } from './helpers/tmp.js'

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string; post: string }
}
interface Workflow {
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>
}

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')

/** The rows of the markdown table whose header starts with `| <header> |`, as [name, second cell]. */
function tableRows(header: string): [string, string][] {
  const lines = readme.split('\n')
  const start = lines.findIndex((line) => new RegExp(`^\\|\\s*${header}\\s*\\|`).test(line))
  expect(start, `README table '${header}'`).toBeGreaterThan(-1)
  const rows: [string, string][] = []
  for (const line of lines.slice(start + 2)) {
    const match = /^\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|/.exec(line)
    if (!match) break
    rows.push([match[1], match[2]])
  }
  return rows
}
const tableNames = (header: string): string[] => tableRows(header).map(([name]) => name)

describe('action.yml', () => {
  it('runs on node24 with a main and a post step that exist in dist/', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/post.js' })
    expect(existsSync(path.join(ROOT, action.runs.main))).toBe(true)
    expect(existsSync(path.join(ROOT, action.runs.post))).toBe(true)
  })

  it('every input and output is in the README tables, and nothing else is', () => {
    expect(tableNames('input').sort()).toEqual(Object.keys(action.inputs).sort())
    expect(tableNames('output').sort()).toEqual(Object.keys(action.outputs).sort())
  })

  it('the README defaults match action.yml', () => {
    for (const [name, fallback] of tableRows('input')) {
      expect(fallback, name).toBe(`\`${action.inputs[name].default}\``)
    }
  })
})

describe('workflows', () => {
  const dir = path.join(ROOT, '.github', 'workflows')
  const files = readdirSync(dir).filter((name) => name.endsWith('.yml'))

  it('ci, check-dist and e2e exist, and dependabot covers npm and actions', () => {
    expect(files.sort()).toEqual(['check-dist.yml', 'ci.yml', 'e2e.yml'])
    const dependabot = parse(readFileSync(path.join(ROOT, '.github', 'dependabot.yml'), 'utf8')) as {
      updates: { 'package-ecosystem': string }[]
    }
    expect(dependabot.updates.map((update) => update['package-ecosystem']).sort()).toEqual(['github-actions', 'npm'])
  })

  it.each(files)('%s parses, and its uses: ./ steps give only inputs action.yml has', (file) => {
    const workflow = parse(readFileSync(path.join(dir, file), 'utf8')) as Workflow
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps) {
        if (step.uses !== './') continue
        for (const input of Object.keys(step.with ?? {}))
          expect(Object.keys(action.inputs), `${file}: ${input}`).toContain(input)
      }
    }
  })

  it('e2e.yml dogfoods the action: publishes, then Atlas validates the published image', () => {
    const text = readFileSync(path.join(dir, 'e2e.yml'), 'utf8')
    expect(text).toContain('uses: ./')
    expect(text).toContain('migrate validate --dir file:///migrations')
    expect(text).toContain('packages: write')
  })
})

describe("the README's CLI options", () => {
  it('lists every flag of the option table with the commands it goes with, and nothing else', () => {
    const listed = tableRows('option').map(([usage, commands]) => [usage.split(' ')[0], commands] as const)
    const expected = [...FLAGS].flatMap(([name, [, flag]]) => {
      const commands = flag.commands.length === COMMANDS.length ? 'all' : flag.commands.join(', ')
      return [[`--${name}`, commands] as const, ...(flag.negatable ? [[`--no-${name}`, commands] as const] : [])]
    })
    expect(listed.sort()).toEqual(expected.sort())
  })
})
