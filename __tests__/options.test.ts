import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { parseCliArgs } from '../src/cli/args.js'
import { commandHelp } from '../src/cli/help.js'
import { ACTION_NAMES, CLI_NAMES, nameOptions, OPTION } from '../src/core/option-names.js'
import { COMMANDS, FLAGS, OPTION_LIST, OPTIONS } from '../src/core/options.js'
import { readOption } from '../src/core/option-values.js'
import { formatNames } from '../src/core/check/formats/index.js'
import { toolNames } from '../src/core/image/presets.js'
import { ROOT } from './helpers/tmp.js'

interface Input {
  description?: string
  required?: boolean
  default?: string
}

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, Input> }

describe('the option table and action.yml', () => {
  const declared = new Map(OPTION_LIST.flatMap(([, spec]) => (spec.input ? [[spec.input, spec] as const] : [])))

  it('declares every input of action.yml, and action.yml every input of the table', () => {
    expect([...declared.keys()].sort()).toEqual(Object.keys(action.inputs).sort())
  })

  it.each(Object.entries(action.inputs))('%s: same default and description, not required', (name, input) => {
    const spec = declared.get(name)
    expect(spec, `${name} is not in src/core/options.ts`).toBeDefined()
    expect(input.default ?? '').toBe(spec?.default ?? '')
    expect(input.description).toBe(spec?.description)
    expect(input.required).toBe(false)
  })

  it('gives every choice input a default among its choices', () => {
    for (const [key, spec] of OPTION_LIST) {
      if (spec.kind !== 'choice' || !spec.default) continue
      expect(spec.choices, key).toContain(spec.default)
    }
  })
})

describe('the table is a leaf module, and what it lists by hand is held to the code', () => {
  it('names every tool and every format in their help, in order', () => {
    expect(OPTIONS.tool.flag.help).toContain(`: ${toolNames.join(', ')} (`)
    expect(OPTIONS.format.flag.help).toContain(`: ${formatNames.join(', ')} (`)
  })

  it('imports nothing (the fix names, imported by the errors, read it at load time)', () => {
    expect(readFileSync(path.join(ROOT, 'src/core/options.ts'), 'utf8')).not.toMatch(/^import /m)
  })
})

describe('the CLI derives from the table', () => {
  const env = {}
  const readPassword = () => 'pw'

  it("lists each command's flags in its help, and only those", () => {
    for (const command of COMMANDS) {
      const help = commandHelp(command)
      for (const [name, [, flag]] of FLAGS) {
        const listed = new RegExp(`^  --${name}\\b`, 'm').test(help)
        expect(listed, `${command} --help and --${name}`).toBe(flag.commands.includes(command))
      }
    }
  })

  it('parses every flag for the commands it goes with, and refuses it for the others', () => {
    for (const [name, [key, flag]] of FLAGS) {
      const spec = OPTIONS[key]
      const samples: Record<string, string> = {
        tool: 'dbmate',
        format: 'dbmate',
        image: 'acme/api',
        username: 'me',
        database: 'postgres:17-alpine',
        databaseUrl: 'postgres://u:p@127.0.0.1/db',
        applyTimeout: '90s',
        baseImage: 'postgres:17-alpine',
        postgresVersion: '16',
      }
      const sample = spec.kind === 'choice' ? spec.choices[0] : spec.kind === 'size' ? '1MB' : (samples[key] ?? 'x')
      const words = flag.value === undefined ? [`--${name}`] : [`--${name}`, sample]
      for (const command of COMMANDS) {
        const extra = command === 'build' && name !== 'image' ? ['--image', 'acme/api'] : []
        const base = name === 'allow-out-of-order' ? ['--base', 'main'] : []
        const parse = () => parseCliArgs([command, 'dir', ...words, ...extra, ...base], { env, readPassword })
        if (flag.commands.includes(command)) expect(parse, `${command} --${name}`).not.toThrow()
        else expect(parse, `${command} --${name}`).toThrow(`--${name} does not go with ${command}`)
      }
    }
  })

  it('a negatable flag and its --no- twin together are a usage error', () => {
    expect(() =>
      parseCliArgs(['build', 'dir', '--image', 'a/b', '--cache', '--no-cache'], { env, readPassword }),
    ).toThrow('--cache and --no-cache say opposite things')
    const parsed = parseCliArgs(['build', 'dir', '--image', 'a/b', '--no-cache'], { env, readPassword })
    expect(parsed.kind === 'run' && parsed.request.image?.cache).toBe('false')
  })
})

describe('values are checked by their kind, naming where they came from', () => {
  it.each([
    ['provenance', 'yes', 'input provenance', "input provenance must be false, true, mode=min or mode=max, not 'yes'"],
    ['checksum', 'maybe', '--checksum', "--checksum must be required or optional, not 'maybe'"],
    ['selfCheck', 'on', 'input self-check', "input self-check must be true or false, not 'on'"],
    ['maxFileSize', '-1', '--max-file-size', "--max-file-size must be a size in bytes (or with KB, MB, GB), not '-1'"],
    ['base', '--upload-pack=x', '--base', "--base '--upload-pack=x' is not a branch, tag or commit"],
    ['changelog', 'a\nb', 'input changelog', 'input changelog has a control character'],
  ] as const)('%s %j', (key, raw, who, message) => {
    expect(() => readOption(key, raw, who)).toThrow(message)
  })

  it('reads empty as unset, lists split on commas and newlines, choices in any case', () => {
    expect(readOption('provenance', '', 'input provenance')).toBeUndefined()
    expect(readOption('tags', 'a, b\nc', 'input tags')).toEqual(['a', 'b', 'c'])
    expect(readOption('tags', ['a,b', 'c'], '--tag')).toEqual(['a', 'b', 'c'])
    expect(readOption('cache', 'TRUE', 'input cache')).toBe('true')
    expect(readOption('maxFileSize', '4MB', '--max-file-size')).toBe(4 * 1024 * 1024)
  })
})

describe('fixes name the option as each adapter sets it', () => {
  it('names every option in both adapters', () => {
    for (const [key] of OPTION_LIST) {
      expect(ACTION_NAMES[key], key).not.toMatch(/\?|undefined/)
      expect(CLI_NAMES[key], key).not.toMatch(/\?|undefined/)
    }
  })

  it('replaces each placeholder', () => {
    const fix = `raise ${OPTION.maxFileSize}, or set ${OPTION.allowOutOfOrder} or ${OPTION.cache}`
    expect(nameOptions(fix, ACTION_NAMES)).toBe(
      'raise the max-file-size input, or set allow-out-of-order: true or cache: true',
    )
    expect(nameOptions(fix, CLI_NAMES)).toBe('raise --max-file-size, or set --allow-out-of-order or --cache')
    expect(nameOptions(`check ${OPTION.dir}`, CLI_NAMES)).toBe('check DIR (relative to the current directory)')
  })
})
