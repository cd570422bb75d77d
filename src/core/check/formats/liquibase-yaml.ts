import {
  ChangelogError,
  empty,
  firstLine,
  nestedTooDeep,
  parserWords,
  readEntries,
  tooManyElements,
  type Changelog,
  type Entry,
} from './liquibase-changelog.js'
import { flowCollections, MAX_ELEMENTS, YAML_ALIAS_LIMIT, YAML_NESTING_LIMIT } from './liquibase-limits.js'

/*
 * YAML and JSON changelogs (liquibase/liquibase v4.33.0, liquibase-standard/src/main/java/liquibase/parser/core/yaml/
 * YamlChangeLogParser.java), read with the `yaml` package as YAML 1.1, as SnakeYAML reads both.
 */

interface YamlApi {
  parseDocument: typeof import('yaml').parseDocument
  LineCounter: typeof import('yaml').LineCounter
  isSeq: typeof import('yaml').isSeq
  isMap: typeof import('yaml').isMap
  isPair: typeof import('yaml').isPair
}

/**
 * The `yaml` package, loaded only when a YAML or JSON changelog is there. It is CommonJS for Node: a dynamic import
 * of it from an esbuild ESM chunk yields only `default` (the module.exports object), while Node's own loader also
 * copies the named exports; read the API from `default` when it is there so both work.
 */
async function yamlApi(): Promise<YamlApi> {
  const module = (await import('yaml')) as unknown as YamlApi & { default?: YamlApi }
  return module.default?.parseDocument ? module.default : module
}

/**
 * YAML and JSON (JsonChangeLogParser extends YamlChangeLogParser; SnakeYAML reads both as YAML 1.1). The root is a
 * map with a `databaseChangeLog` list of one-key maps (YamlChangeLogParser.java:44-61).
 */
export async function readYaml(source: string): Promise<Changelog> {
  const { parseDocument, LineCounter, isSeq, isMap, isPair } = await yamlApi()
  const flow = flowCollections(source)
  if (flow.depth > YAML_NESTING_LIMIT) throw nestedTooDeep()
  if (flow.count > MAX_ELEMENTS) throw tooManyElements()
  const lineCounter = new LineCounter()
  const document = parseDocument(source, { version: '1.1', lineCounter, uniqueKeys: false })
  if (document.errors.length > 0) {
    const [first] = document.errors
    throw new ChangelogError(`syntax error: ${parserWords(first.message.split('\n')[0])}`, first.linePos?.[0].line)
  }
  // Block collections too (SnakeYAML counts every collection it composes; an alias is not composed again).
  const pending: { node: unknown; depth: number }[] = [{ node: document.contents, depth: 0 }]
  let collections = 0
  while (pending.length > 0) {
    const { node, depth } = pending.pop()!
    if (!isMap(node) && !isSeq(node)) continue
    if (depth + 1 > YAML_NESTING_LIMIT) {
      const start = (node as { range?: [number] }).range?.[0]
      throw nestedTooDeep(start === undefined ? undefined : lineCounter.linePos(start).line)
    }
    if (++collections > MAX_ELEMENTS) throw tooManyElements()
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        pending.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 })
      } else pending.push({ node: item, depth: depth + 1 })
    }
  }
  let root: unknown
  try {
    root = document.toJS({ maxAliasCount: YAML_ALIAS_LIMIT })
  } catch (error) {
    // yaml throws a ReferenceError on an alias bomb ("Excessive alias count").
    throw new ChangelogError(
      `expands more than ${YAML_ALIAS_LIMIT} YAML aliases: read as an alias bomb (${firstLine(error)})`,
      undefined,
      'write the values out instead of nesting aliases',
    )
  }
  // YamlChangeLogParser.java:44-46 "Empty file"; :49-51 "Could not find databaseChangeLog node".
  if (root === null || root === undefined || (typeof root === 'object' && Object.keys(root).length === 0)) {
    throw new ChangelogError('is empty: Liquibase stops with "Empty file"')
  }
  if (typeof root !== 'object' || Array.isArray(root) || !('databaseChangeLog' in root)) {
    throw new ChangelogError('has no databaseChangeLog node', 1, 'start the file with databaseChangeLog:')
  }
  const list = root.databaseChangeLog
  if (list === null || list === undefined) return empty()
  // :59-61: databaseChangeLog must hold a list.
  if (!Array.isArray(list)) {
    throw new ChangelogError(
      'databaseChangeLog does not hold a list of entries',
      1,
      "begin each entry with '- changeSet:' or '- include:'",
    )
  }
  const node = (document.contents as { get?: (key: string, keepScalar: boolean) => unknown })?.get?.(
    'databaseChangeLog',
    true,
  )
  const itemLines = isSeq(node)
    ? node.items.map((item) => {
        const start = (item as { range?: [number] }).range?.[0]
        return start === undefined ? undefined : lineCounter.linePos(start).line
      })
    : []
  const toEntry = (name: string, value: unknown, line?: number): Entry => {
    const attributes: Record<string, unknown> = {}
    const children: Entry[] = []
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
        if (Array.isArray(inner)) {
          const listed: Entry[] = []
          for (const item of inner)
            if (item && typeof item === 'object' && !Array.isArray(item))
              for (const [childName, childValue] of Object.entries(item as Record<string, unknown>))
                listed.push(toEntry(childName, childValue, line))
          if (key === 'rollback') children.push({ name: 'rollback', attributes: {}, children: listed, line })
          else children.push(...listed)
        } else if (inner && typeof inner === 'object') {
          children.push(toEntry(key, inner, line))
        } else {
          attributes[key] = inner
        }
      }
    }
    return { name, attributes, children, line }
  }
  const entries: Entry[] = []
  for (const [index, item] of list.entries()) {
    if (!item || typeof item !== 'object' || Array.isArray(item)) continue
    for (const [name, value] of Object.entries(item as Record<string, unknown>))
      entries.push(toEntry(name, value, itemLines[index]))
  }
  return readEntries(entries)
}
