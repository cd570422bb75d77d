import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { formatNames, getFormat } from '../src/core/check/formats/index.js'
import { CHECK_CODES } from '../src/core/check/problems.js'
import { fixtureCases, readExpected } from './helpers/fixtures.js'
import { ROOT } from './helpers/tmp.js'

// Every tool rule has its own code, `<tool>/<rule>`, declared once in the tool's format (`toolRules`): a user tells
// rules apart in `--json` and in the annotation's title, and a fixture whose problem comes from the wrong rule fails.

const declared = formatNames.flatMap((name) => getFormat(name).ruleCodes)

describe('rule codes', () => {
  it('each format declares its own codes, `<tool>/<rule>`, and no two rules share one', () => {
    for (const name of formatNames) {
      const codes = getFormat(name).ruleCodes
      expect(codes.length, name).toBeGreaterThan(0)
      for (const code of codes) expect(code).toMatch(new RegExp(`^${name}/[a-z][a-z-]*[a-z]$`))
    }
    expect(new Set(declared).size).toBe(declared.length)
  })

  it('every fixture expects declared codes only', () => {
    const known = new Set<string>([...declared, ...CHECK_CODES])
    for (const [tool, name] of fixtureCases()) {
      for (const { code } of readExpected(tool, name).problems)
        expect(known.has(code), `${tool}/${name}: ${code}`).toBe(true)
    }
  })

  it("the README's list holds exactly the declared codes", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const section = readme.slice(
      readme.indexOf('**Rule codes.**'),
      readme.indexOf('**Files `atlas.sum` does not cover.**'),
    )
    expect(section.length).toBeGreaterThan(0)
    const tools = formatNames.join('|')
    const listed = [...section.matchAll(new RegExp(`\`((?:${tools})/[a-z-]+)\``, 'g'))].map(([, code]) => code)
    expect(new Set(listed)).toEqual(new Set(declared))
    for (const code of CHECK_CODES) expect(section, code).toContain(`\`${code}\``)
  })
})
