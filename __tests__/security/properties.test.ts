import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { renderDockerfile } from '../../src/core/image/dockerfile.js'
import { MigrationImageError } from '../../src/core/errors.js'
import { fenceCommands, markdownCell, markdownCode, showName } from '../../src/core/escape.js'
import { formatNames, getFormat } from '../../src/core/check/formats/index.js'
import { readRunContext, sourceDateEpoch } from '../../src/core/github/event.js'
import { assertTag, parseBaseImage, parseImageName } from '../../src/core/image/image-ref.js'
import { getPreset } from '../../src/core/image/presets.js'
import { parseSize } from '../../src/core/check/safe-read.js'
import { parseSumFile } from '../../src/core/check/sum-file.js'
import { clipped, hasControlCharacter } from '../../src/core/text.js'
import { runnerCommands } from '../helpers/fake-docker.js'

// Property-based: hostile strings (control characters, lone surrogates, `::`, markdown and HTML) thrown at the
// parsers and escapers. A parser either answers or raises one of this project's typed errors; an escaper's output
// never holds a control sequence.

const RUNS = { numRuns: 400 }

/** Strings biased to what breaks things: control characters, separators, markup, surrogates. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({
    unit: fc.constantFrom(
      '\n',
      '\r',
      '\t',
      '\u0000',
      '\u001b',
      '\u007f',
      '\u2028',
      '\u202e',
      '\u2066',
      ':',
      '::',
      '|',
      '<',
      '>',
      '&',
      '@',
      '`',
      '*',
      '_',
      '\\',
      '-',
      '/',
      'a',
      '1',
      ' ',
      'h1:',
      '.sql',
      '\ud800',
    ),
    maxLength: 40,
  }),
)

/** Runs `f`; anything thrown must be a typed error. */
function onlyTypedErrors(f: () => unknown): void {
  try {
    f()
  } catch (error) {
    expect(error).toBeInstanceOf(MigrationImageError)
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/

describe('parsers: an answer or a typed error, never another throw', () => {
  it('atlas.sum parser', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(typeof parseSumFile(text).ok).toBe('boolean')
      }),
      RUNS,
    )
  })

  it("each tool's name parser", () => {
    fc.assert(
      fc.property(hostile, fc.constantFrom(...formatNames), (name, format) => {
        const parsed = getFormat(format).parseName(name)
        if (parsed !== undefined) expect(typeof parsed.description).toBe('string')
      }),
      RUNS,
    )
  })

  it('image names, tags, base images, sizes, SOURCE_DATE_EPOCH', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        onlyTypedErrors(() => parseImageName(text))
        onlyTypedErrors(() => assertTag(text))
        onlyTypedErrors(() => parseBaseImage(text))
        onlyTypedErrors(() => parseSize(text, 'input max-file-size'))
        onlyTypedErrors(() => sourceDateEpoch({ SOURCE_DATE_EPOCH: text }))
      }),
      RUNS,
    )
  })

  it('runner variables: refused by name, or free of control characters', () => {
    const names = ['GITHUB_REPOSITORY', 'GITHUB_REF', 'GITHUB_SHA', 'GITHUB_EVENT_NAME', 'GITHUB_SERVER_URL']
    fc.assert(
      fc.property(hostile, fc.constantFrom(...names), (value, name) => {
        let ctx
        try {
          ctx = readRunContext({ [name]: value })
        } catch (error) {
          expect(error).toBeInstanceOf(MigrationImageError)
          expect((error as Error).message.startsWith(name)).toBe(true)
          expect((error as Error).message).not.toMatch(CONTROL)
          return
        }
        // Accepted values hold no C0 control or DEL (bidi characters are legal in refs; reports escape them).
        for (const field of Object.values(ctx))
          if (typeof field === 'string') expect(hasControlCharacter(field)).toBe(false)
      }),
      RUNS,
    )
  })
})

describe('escapers: no control sequence survives', () => {
  it('showName: one printable line', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        expect(showName(text)).not.toMatch(CONTROL)
      }),
      RUNS,
    )
  })

  it('clipped: at most its limit, the whole value when it fits, its start and end kept', () => {
    expect(clipped('a'.repeat(200))).toBe('a'.repeat(200))
    expect(clipped('a'.repeat(201))).toHaveLength(200)
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), fc.integer({ min: 40, max: 400 }), (text, max) => {
        const shown = clipped(text, max)
        if (text.length <= max) expect(shown).toBe(text)
        else {
          expect(shown.length).toBeLessThanOrEqual(max)
          expect(shown).toContain(`…(${text.length} characters)…`)
          expect(text.startsWith(shown.slice(0, shown.indexOf('…(')))).toBe(true)
          expect(text.endsWith(shown.slice(shown.indexOf(')…') + 2))).toBe(true)
        }
      }),
    )
  })

  it('markdown cell: no tag, no unescaped pipe, no mention, no line break', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const cell = markdownCell(text)
        expect(cell).not.toMatch(CONTROL)
        expect(cell).not.toMatch(/[<>]/)
        expect(cell).not.toMatch(/(^|[^\\])(\\\\)*\|/) // every | escaped by an odd number of backslashes
        expect(cell).not.toMatch(/@(?!\u200b)/)
      }),
      RUNS,
    )
  })

  it('markdown code: only its own tags, no pipe, no mention, no line break', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const code = markdownCode(text).slice('<code>'.length, -'</code>'.length)
        expect(code).not.toMatch(CONTROL)
        expect(code).not.toMatch(/[<>|]/)
        expect(code).not.toMatch(/@(?!\u200b)/)
      }),
      RUNS,
    )
  })

  it('the stop-commands fence: the runner reads no command from any text inside it', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const token = `f${Math.random().toString(16).slice(2).padEnd(16, '0')}`
        expect(runnerCommands(fenceCommands(text, token))).toEqual([])
      }),
      RUNS,
    )
  })

  it('label values: a typed error, or the Dockerfile keeps its shape (no line or instruction added)', () => {
    const preset = getPreset('atlas')
    const base = parseBaseImage(preset.baseImage)
    const shape = renderDockerfile({ preset, base, labels: { 'org.example.x': 'x' } }).split('\n').length
    fc.assert(
      fc.property(hostile, (value) => {
        let rendered: string
        try {
          rendered = renderDockerfile({ preset, base, labels: { 'org.example.x': value } })
        } catch (error) {
          expect(error).toBeInstanceOf(MigrationImageError)
          expect((error as Error).message).toMatch(/^LABEL org\.example\.x value has a control character/)
          expect((error as Error).message).not.toMatch(CONTROL)
          return
        }
        expect(rendered.split('\n').length).toBe(shape)
        expect(rendered).not.toContain('\r') // Docker's parser splits lines on \n only (U+2028 stays in the value)
      }),
      RUNS,
    )
  })
})
