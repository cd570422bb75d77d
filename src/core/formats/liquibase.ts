import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { MigrationImageError } from '../errors.js'
import type { Problem } from '../problems.js'
import { atlasFormat } from './atlas.js'
import type { FormatOptions, MigrationFormat, RuleInput } from './format.js'

const MASTERS = ['changelog.xml', 'changelog.yaml', 'changelog.yml', 'changelog.json', 'changelog.sql'].flatMap(
  (name) => [name, `db.${name.replace('changelog', 'changelog-master')}`],
)

interface Include {
  readonly path: string
  readonly relative: boolean
  readonly all: boolean
}

/** The master changelog: the one named, or the first of the usual names that exists. */
export function masterChangelog(names: readonly string[], options: FormatOptions): string | undefined {
  if (options.changelog) return names.includes(options.changelog) ? options.changelog : undefined
  return MASTERS.find((name) => names.includes(name))
}

/** `<include file=…>` / `<includeAll path=…>` in XML; `include: {file}` / `includeAll: {path}` in YAML and JSON. */
function includesOf(file: string, text: string, parseYaml: (text: string) => unknown): Include[] {
  if (file.endsWith('.xml')) {
    const found: Include[] = []
    for (const match of text.matchAll(/<(include|includeAll)\b([^>]*)>/g)) {
      const attribute = (attr: string): string | undefined =>
        new RegExp(`\\b${attr}\\s*=\\s*"([^"]*)"`).exec(match[2])?.[1]
      const target = attribute(match[1] === 'include' ? 'file' : 'path')
      if (target !== undefined)
        found.push({
          path: target,
          relative: attribute('relativeToChangelogFile') === 'true',
          all: match[1] === 'includeAll',
        })
    }
    return found
  }
  if (/\.(ya?ml|json)$/.test(file)) {
    const found: Include[] = []
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk)
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
          const spec = value as { file?: unknown; path?: unknown; relativeToChangelogFile?: unknown }
          if ((key === 'include' || key === 'includeAll') && spec && typeof spec === 'object') {
            const target = key === 'include' ? spec.file : spec.path
            if (typeof target === 'string')
              found.push({
                path: target,
                relative: spec.relativeToChangelogFile === true || spec.relativeToChangelogFile === 'true',
                all: key === 'includeAll',
              })
          } else walk(value)
        }
      }
    }
    walk(file.endsWith('.json') ? JSON.parse(text) : parseYaml(text))
    return found
  }
  return []
}

/**
 * Follows the master changelog's includes. Non-relative paths resolve against the directory itself (the image sets
 * Liquibase's search path to it). Problems: a missing master, an include that is missing or escapes the directory.
 */
type YamlParser = (text: string) => unknown

/** The YAML parser, loaded only when a YAML changelog is there (it is not small, and most runs never need it). */
async function yamlParserFor(names: readonly string[]): Promise<YamlParser> {
  if (!names.some((name) => /\.ya?ml$/.test(name))) return () => ({})
  const { parse } = await import('yaml')
  return (text) => parse(text) as unknown
}

async function changelogTree(
  dir: string,
  names: readonly string[],
  options: FormatOptions,
  problem?: RuleInput['problem'],
): Promise<{ files: string[]; problems: Problem[] }> {
  const parseYaml = await yamlParserFor(names)
  const problems: Problem[] = []
  const master = masterChangelog(names, options)
  if (!master) {
    const named = options.changelog
      ? `the changelog '${options.changelog}' is not in the directory`
      : 'no master changelog (changelog.xml, .yaml, .yml, .json or .sql)'
    if (problem)
      problems.push(
        problem(
          options.changelog ?? '.',
          named,
          options.changelog ? 'check the changelog input' : 'add one, or name it with the changelog input',
        ),
      )
    return { files: [], problems }
  }
  const files = new Set<string>([master])
  const queue = [master]
  while (queue.length > 0) {
    const file = queue.shift()!
    let includes: Include[]
    try {
      includes = includesOf(file, readFileSync(path.join(dir, file), 'utf8'), parseYaml)
    } catch (error) {
      if (problem)
        problems.push(
          problem(
            file,
            `cannot be parsed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
            'fix the changelog syntax',
          ),
        )
      continue
    }
    for (const include of includes) {
      const target = path.posix.normalize(
        include.relative ? path.posix.join(path.posix.dirname(file), include.path) : include.path.replace(/^\/+/, ''),
      )
      if (target === '..' || target.startsWith('../')) {
        if (problem)
          problems.push(
            problem(
              file,
              `includes '${include.path}', outside the migrations directory: it would be missing from the image`,
              'move the file into the directory',
            ),
          )
        continue
      }
      const found = include.all
        ? names.filter((name) => name.startsWith(`${target.replace(/\/$/, '')}/`))
        : names.includes(target)
          ? [target]
          : []
      if (found.length === 0) {
        const isDir =
          include.all && existsSync(path.join(dir, target)) && statSync(path.join(dir, target)).isDirectory()
        if (problem && !isDir)
          problems.push(
            problem(
              file,
              `includes '${include.path}', which does not exist in the directory`,
              'fix the path or add the file',
            ),
          )
      }
      for (const name of found) {
        if (files.has(name)) continue
        files.add(name)
        queue.push(name)
      }
    }
  }
  return { files: [...files], problems }
}

/**
 * Liquibase: a master changelog and the files it includes. atlas.sum covers the top-level `*.sql` files as Atlas's
 * liquibase format does; the image gets the whole changelog tree. Liquibase files carry no version in their name.
 */
export const liquibaseFormat: MigrationFormat = {
  ...atlasFormat,
  name: 'liquibase',
  recursive: true,
  select: (names) => atlasFormat.select(names),
  parseName: (name) => ({ description: name }),
  rules: async (input) => (await changelogTree(input.dir, input.names, input.options, input.problem)).problems,
  async shipped(names, dir, options) {
    const tree = await changelogTree(dir, names, options)
    if (tree.files.length === 0) throw new MigrationImageError('no master changelog to ship', { file: dir })
    return tree.files
  },
  nameRule: 'a changelog file',
  nameExample: 'changelog.xml',
}
