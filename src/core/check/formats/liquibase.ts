import path from 'node:path'
import { DirectoryError, errnoCode, MigrationImageError } from '../../errors.js'
import { readTextBounded } from '../safe-read.js'
import { toolRules, type Problem } from '../problems.js'
import { atlasFormat } from './atlas.js'
import type { FormatOptions, MigrationFormat, RuleInput } from './format.js'
import { isFormattedSql, readFormattedSql } from './liquibase-sql.js'
import { checkSchema } from './liquibase-xsd.js'
import { getPreset } from '../../image/presets.js'

/** Liquibase's rules, each with its stable code (`liquibase/<rule>`). */
const RULE = toolRules('liquibase', {
  noChangelog: 'no-changelog',
  parseError: 'parse-error',
  xmlSchema: 'xml-schema',
  parseWarning: 'parse-warning',
  includeTwice: 'include-twice',
  includeAgainLogicalPath: 'include-again-logical-path',
  includeOutside: 'include-outside',
  includeMissing: 'include-missing',
  includeMissingOptional: 'include-missing-optional',
  includeUnknownType: 'include-unknown-type',
  includeAllEmpty: 'include-all-empty',
  includeAllEmptyOptional: 'include-all-empty-optional',
  includeAllUnknownType: 'include-all-unknown-type',
  changesetWithoutId: 'changeset-without-id',
  changesetDuplicate: 'changeset-duplicate',
  propertyInPath: 'property-in-path',
  sqlFileMissing: 'sql-file-missing',
  propertiesMissing: 'properties-missing',
  propertiesMissingOptional: 'properties-missing-optional',
})

/*
 * Liquibase, as 4.33.0 (the preset's version) loads a changelog tree. Sources, liquibase/liquibase at v4.33.0, under
 * liquibase-standard/src/main/java/liquibase/: changelog/DatabaseChangeLog.java (DCL), parser/ChangeLogParserFactory
 * .java, parser/core/xml/XMLChangeLogSAXParser.java and XMLChangeLogSAXHandler.java, parser/core/yaml/
 * YamlChangeLogParser.java, parser/core/sql/SqlChangeLogParser.java, change/core/SQLFileChange.java,
 * changelog/visitor/ValidatingVisitor.java (VV); formatted SQL in ./liquibase-sql.ts.
 * Verdicts: an error where Liquibase stops (parsing the tree, or validating it before `update` runs anything), a
 * notice where it skips a file with a warning.
 */

const MASTERS = ['changelog.xml', 'changelog.yaml', 'changelog.yml', 'changelog.json', 'changelog.sql'].flatMap(
  (name) => [name, `db.${name.replace('changelog', 'changelog-master')}`],
)

/** Changelog files are read whole; this bounds what one hostile file can cost. */
const MAX_CHANGELOG_BYTES = 16 * 1024 * 1024

/** The master changelog: the one named, or the first of the usual names that exists. */
function masterChangelog(names: readonly string[], options: FormatOptions): string | undefined {
  if (options.changelog) return names.includes(options.changelog) ? options.changelog : undefined
  return MASTERS.find((name) => names.includes(name))
}

type Kind = 'xml' | 'yaml' | 'json' | 'sql' | 'unknown'

/**
 * The parser Liquibase picks (ChangeLogParserFactory.java:50-60, by priority): XML when the lower-cased name ends in
 * `xml` (XMLChangeLogSAXParser.java:64-66, no dot), YAML `.yaml`/`.yml` and JSON `.json`
 * (parser/core/ParserSupportedFileExtension.java:17-19, YamlParser.java:26-31), SQL `.sql` (formatted or raw, both
 * case-insensitive: FormattedSqlChangeLogParser.java:65-67, SqlChangeLogParser.java:38-40). Anything else has no
 * parser: UnknownChangelogFormatException.
 */
function kindOf(name: string): Kind {
  const lower = name.toLowerCase()
  if (lower.endsWith('xml')) return 'xml'
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml'
  if (lower.endsWith('.json')) return 'json'
  if (lower.endsWith('.sql')) return 'sql'
  return 'unknown'
}

interface Include {
  readonly path: string
  readonly all: boolean
  readonly relative: boolean
  /** include: errorIfMissing (DCL:647-648); includeAll: errorIfMissingOrEmpty (DCL:620-621). Both default true. */
  readonly errorIfMissing: boolean
  /** includeAll's endsWithFilter (DCL:630). */
  readonly endsWith: string
  /** logicalFilePath on the include: the included changesets' identity path (DCL:1129-1147). */
  readonly logicalPath?: string
  readonly line?: number
}

interface SqlFileRef {
  readonly path: string
  readonly relative: boolean
  /** Inside a rollback: read only by `rollback`, not validated before `update`. */
  readonly rollback: boolean
  readonly line?: number
}

interface ChangeSetRef {
  readonly id: string
  readonly author: string
  /** logicalFilePath set on the changeset: its identity's path instead of the file's. */
  readonly logicalPath?: string
  readonly line?: number
  readonly ignored: boolean
  readonly dbms: boolean
}

interface PropertyFile {
  readonly file: string
  readonly relative: boolean
  readonly errorIfMissing: boolean
  readonly line?: number
}

interface Changelog {
  readonly includes: Include[]
  readonly changeSets: ChangeSetRef[]
  readonly sqlFiles: SqlFileRef[]
  readonly properties: PropertyFile[]
}

interface ParseFailure {
  readonly message: string
  readonly line?: number
  readonly fix: string
  /** The rule, when it is not a parse error (a schema violation). */
  readonly rule?: (typeof RULE)[keyof typeof RULE]
}

class ChangelogError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly fix = 'fix the changelog syntax',
  ) {
    super(message)
  }
}

const empty = (): Changelog => ({ includes: [], changeSets: [], sqlFiles: [], properties: [] })

/**
 * ParsedNode.getChildValue(…, Boolean) converts with Boolean.valueOf(value.toString()) (parser/core/ParsedNode.java
 * :257-258): only `true` (any case) is true; an absent attribute keeps the default.
 */
function flag(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback
  return text(value)?.toLowerCase() === 'true'
}

/** A scalar attribute as text; lists and maps are not one. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return undefined
}

/** One changelog entry, whatever the syntax: its name, attributes, nested entries and line. */
interface Entry {
  readonly name: string
  /** The XML tag as written (with its namespace prefix). */
  readonly tag?: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly children: readonly Entry[]
  readonly line?: number
}

/** What the entries under databaseChangeLog say (DCL:467-507 handleChildNodeHelper). */
function readEntries(entries: readonly Entry[]): Changelog {
  const changelog = empty()
  for (const entry of entries) {
    const a = entry.attributes
    if (entry.name === 'include') {
      const file = text(a.file)
      // DCL:637-639: an include without `file` stops Liquibase.
      if (file === undefined) throw new ChangelogError("an include has no 'file' attribute", entry.line)
      changelog.includes.push({
        path: file.replaceAll('\\', '/'),
        all: false,
        relative: flag(a.relativeToChangelogFile, false),
        errorIfMissing: flag(a.errorIfMissing, true),
        endsWith: '',
        logicalPath: text(a.logicalFilePath) || undefined,
        line: entry.line,
      })
    } else if (entry.name === 'includeAll') {
      const dir = text(a.path)
      // DCL:832-834: "No path attribute for includeAll".
      if (dir === undefined) throw new ChangelogError("an includeAll has no 'path' attribute", entry.line)
      changelog.includes.push({
        path: dir.replaceAll('\\', '/'),
        all: true,
        relative: flag(a.relativeToChangelogFile, false),
        errorIfMissing: flag(a.errorIfMissingOrEmpty, true),
        endsWith: (text(a.endsWithFilter) ?? '').trim(),
        logicalPath: text(a.logicalFilePath) || undefined,
        line: entry.line,
      })
    } else if (entry.name === 'property') {
      const file = text(a.file)
      // DCL:527-556: a properties file, missing → error unless errorIfMissing is false.
      if (file !== undefined)
        changelog.properties.push({
          file,
          relative: flag(a.relativeToChangelogFile, false),
          errorIfMissing: flag(a.errorIfMissing, true),
          line: entry.line,
        })
    } else if (entry.name === 'changeSet') {
      changelog.changeSets.push({
        id: text(a.id) ?? '',
        author: text(a.author) ?? '',
        logicalPath: text(a.logicalFilePath) || undefined,
        line: entry.line,
        ignored: flag(a.ignore, false),
        dbms: text(a.dbms) !== undefined,
      })
      const walk = (children: readonly Entry[], rollback: boolean): void => {
        for (const child of children) {
          if (child.name === 'sqlFile') {
            const target = text(child.attributes.path)
            if (target !== undefined)
              changelog.sqlFiles.push({
                path: target,
                relative: flag(child.attributes.relativeToChangelogFile, false),
                rollback,
                line: child.line ?? entry.line,
              })
          }
          walk(child.children, rollback || child.name === 'rollback')
        }
      }
      walk(entry.children, false)
    }
  }
  return changelog
}

/** Line numbers of character offsets, by binary search over the line starts. */
function lineFinder(source: string): (offset: number) => number {
  const starts = [0]
  for (let index = source.indexOf('\n'); index >= 0; index = source.indexOf('\n', index + 1)) starts.push(index + 1)
  return (offset) => {
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (starts[middle] <= offset) low = middle
      else high = middle - 1
    }
    return low + 1
  }
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * XML with a real parser (fast-xml-parser): comments are not read, both quote styles work, namespaces prefixes are
 * dropped as the namespace-aware SAX parser does (XMLChangeLogSAXParser.java:44). Entity expansion is off and
 * DOCTYPE external entities are refused (the parser throws), so a changelog cannot make this tool read other files
 * or blow up in memory; only the five predefined entities are decoded in attribute values.
 */
async function readXml(name: string, source: string): Promise<{ changelog: Changelog; failures: ParseFailure[] }> {
  const { XMLParser, XMLValidator } = await import('fast-xml-parser')
  const valid = XMLValidator.validate(source)
  if (valid !== true) throw new ChangelogError(`is not well-formed XML: ${valid.err.msg}`, valid.err.line)
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    htmlEntities: false,
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    captureMetaData: true,
  })
  let tree: unknown
  try {
    tree = parser.parse(source)
  } catch (error) {
    throw new ChangelogError(`cannot be read as XML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const meta = XMLParser.getMetaDataSymbol() as unknown as string
  const lineAt = lineFinder(source)
  const toEntry = (node: Record<string, unknown>): Entry | undefined => {
    const tag = Object.keys(node).find((key) => key !== ':@' && key !== '#text')
    if (tag === undefined) return undefined
    // Namespace prefixes are dropped (the SAX handler reads local names, XMLChangeLogSAXHandler.java:75-83).
    const name = tag.slice(tag.indexOf(':') + 1)
    const raw = (node[':@'] ?? {}) as Record<string, string>
    const attributes = Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [
        key,
        String(value).replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => XML_ENTITIES[entity]),
      ]),
    )
    const start = (node[meta] as { startIndex?: number } | undefined)?.startIndex
    const children = ((node[tag] as Record<string, unknown>[]) ?? []).map(toEntry).filter((entry) => !!entry)
    return { name, tag, attributes, children, line: start === undefined ? undefined : lineAt(start) }
  }
  const roots = (tree as Record<string, unknown>[]).map(toEntry).filter((entry) => !!entry)
  const root = roots[0]
  // XMLChangeLogSAXHandler.java:90-93: the root element must be databaseChangeLog.
  if (root?.name !== 'databaseChangeLog') {
    throw new ChangelogError('"databaseChangeLog" expected as root element', root?.line)
  }
  const location = schemaLocation(root)
  if (location === undefined) {
    throw new ChangelogError(
      `does not declare Liquibase's XML schema: Liquibase validates XML changelogs against it and stops ("Cannot find the declaration of element 'databaseChangeLog'")`,
      root.line,
      `give the root xmlns="${CHANGELOG_NAMESPACE}" and an xsi:schemaLocation naming a dbchangelog XSD (Liquibase's image validates XML unless LIQUIBASE_VALIDATE_XML_CHANGELOG_FILES=false)`,
    )
  }
  const check = await checkSchema(name, source, location)
  if (check.kind === 'unknown-location') {
    // LiquibaseEntityResolver.java:65-71: not in the jar, and secure parsing forbids fetching it.
    throw new ChangelogError(
      `names the XSD '${location}', which Liquibase ${LIQUIBASE_VERSION} does not hold: it stops ("Unable to resolve xml entity ${location}")`,
      root.line,
      `name ${CHANGELOG_NAMESPACE}/dbchangelog-latest.xsd (or a version up to ${LIQUIBASE_VERSION.split('.').slice(0, 2).join('.')})`,
    )
  }
  const failures = check.violations.map(({ message, line }) => ({
    message: `does not match Liquibase's XML schema (${check.xsd}), and Liquibase stops: ${message}`,
    line,
    fix: `fix the changelog as ${check.xsd} requires`,
    rule: RULE.xmlSchema,
  }))
  return { changelog: readEntries(root.children), failures }
}

const CHANGELOG_NAMESPACE = 'http://www.liquibase.org/xml/ns/dbchangelog'
/** The preset's Liquibase: the XSD versions it holds. */
const LIQUIBASE_VERSION = getPreset('liquibase').baseImage.split(':')[1]

/**
 * XMLChangeLogSAXParser.java:43 turns on a validating parser (VALIDATE_XML_CHANGELOG_FILES defaults to true,
 * configuration/GlobalConfiguration.java) and errors and warnings both throw (:97-113). The root element then has to
 * be declared by the dbchangelog XSD: in its namespace, with an xsi:schemaLocation that maps the namespace to an XSD
 * (LiquibaseEntityResolver.java serves the dbchangelog-*.xsd files from the jar). Without it Liquibase stops with
 * "cvc-elt.1.a: Cannot find the declaration of element 'databaseChangeLog'" (checked against Liquibase 4.28).
 */
function schemaLocation(root: Entry): string | undefined {
  const prefix = root.tag?.includes(':') ? root.tag.slice(0, root.tag.indexOf(':')) : undefined
  const namespace = root.attributes[prefix === undefined ? 'xmlns' : `xmlns:${prefix}`]
  if (namespace !== CHANGELOG_NAMESPACE) return undefined
  const location = Object.entries(root.attributes).find(
    ([key]) => key === 'schemaLocation' || key.endsWith(':schemaLocation'),
  )
  const pairs = typeof location?.[1] === 'string' ? location[1].trim().split(/\s+/) : []
  const at = pairs.findIndex((token, index) => index % 2 === 0 && token === CHANGELOG_NAMESPACE)
  return at >= 0 ? pairs[at + 1] : undefined
}

interface YamlApi {
  parseDocument: typeof import('yaml').parseDocument
  LineCounter: typeof import('yaml').LineCounter
  isSeq: typeof import('yaml').isSeq
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
async function readYaml(source: string): Promise<Changelog> {
  const { parseDocument, LineCounter, isSeq } = await yamlApi()
  const lineCounter = new LineCounter()
  const document = parseDocument(source, { version: '1.1', lineCounter, uniqueKeys: false })
  if (document.errors.length > 0) {
    const [first] = document.errors
    throw new ChangelogError(`syntax error: ${first.message.split('\n')[0]}`, first.linePos?.[0].line)
  }
  const root = document.toJS({ maxAliasCount: 1000 }) as unknown
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

/** Reads one file of the directory: no links followed, regular files only, bounded. */
/** A changelog's text: no link, no special file, at most MAX_CHANGELOG_BYTES (the shared bounded reader). */
function readChangelogText(dir: string, name: string): string {
  try {
    return readTextBounded(path.join(dir, name), MAX_CHANGELOG_BYTES)
  } catch (error) {
    if (error instanceof DirectoryError) throw new ChangelogError(error.message, undefined, error.fix)
    throw error
  }
}

/** A changelog read by the parser Liquibase would pick, or what it stops at. */
async function readChangelog(
  dir: string,
  name: string,
): Promise<{ changelog: Changelog; failures?: ParseFailure[]; warning?: ParseFailure }> {
  let source: string
  try {
    // BomAwareInputStream (XMLChangeLogSAXParser.java:127) and StreamUtil drop a byte order mark.
    source = readChangelogText(dir, name).replace(/^\uFEFF/, '')
  } catch (error) {
    if (error instanceof ChangelogError)
      return { changelog: empty(), failures: [{ message: error.message, fix: error.fix }] }
    throw new MigrationImageError(`cannot be read (${errnoCode(error) ?? String(error)})`, {
      file: path.join(dir, name),
    })
  }
  try {
    switch (kindOf(name)) {
      case 'xml': {
        return await readXml(name, source)
      }
      case 'yaml':
      case 'json':
        return { changelog: await readYaml(source) }
      case 'sql': {
        if (!isFormattedSql(source)) {
          // SqlChangeLogParser.java:60-67: an empty file stops the parse; otherwise the whole file is one changeset
          // whose SQL must not be blank (AbstractSQLChange.java:122-126).
          if (source.trim() === '')
            return {
              changelog: empty(),
              failures: [
                {
                  message: 'is empty: Liquibase stops with "Unable to parse empty file"',
                  fix: 'add SQL, or remove the file and its include',
                },
              ],
            }
          // SqlChangeLogParser.java:79-86: one changeset, its id made from the path, author "includeAll".
          return {
            changelog: {
              ...empty(),
              changeSets: [{ id: `raw:${name}`, author: 'includeAll', ignored: false, dbms: false }],
            },
          }
        }
        const sql = readFormattedSql(source)
        const changelog = { ...empty(), changeSets: sql.changeSets }
        return sql.error ? { changelog, failures: [sql.error] } : { changelog, warning: sql.warning }
      }
      default:
        return { changelog: empty() }
    }
  } catch (error) {
    if (error instanceof ChangelogError)
      return { changelog: empty(), failures: [{ message: error.message, line: error.line, fix: error.fix }] }
    throw error
  }
}

/**
 * Where an include points, as a slash path inside the directory. Non-relative paths resolve against Liquibase's
 * search path, which the image sets to the migrations directory; relative ones against the including file
 * (DCL:1047-1054 resolveSibling + normalizePath). undefined: the path leaves the directory.
 */
function resolve(from: string, target: string, relative: boolean): string | undefined {
  const cleaned = target.replace(/^classpath\*?:/, '').replaceAll('\\', '/')
  // A leading `/` does not make a path absolute: Liquibase looks it up in the search path too (a real Liquibase does
  // not find `/liquibase/changelog/x.sql` in the search path /liquibase/changelog).
  const joined = relative ? path.posix.join(path.posix.dirname(from), cleaned) : cleaned.replace(/^\/+/, '')
  const normal = path.posix
    .normalize(joined)
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '')
  if (normal === '..' || normal.startsWith('../') || path.posix.isAbsolute(normal)) return undefined
  return normal === '.' ? '' : normal
}

/** `${name}` in a path: Liquibase expands changelog properties there (DCL:469 expandExpressions) at run time. */
const hasProperty = (text: string): boolean => text.includes('${')

interface Tree {
  /** Changelogs in the order Liquibase loads them (master first), then sqlFile targets and properties files. */
  readonly files: string[]
  readonly problems: Problem[]
}

type ProblemFactory = RuleInput['problem']

/** Follows the master changelog the way DatabaseChangeLog does, collecting what Liquibase reads and refuses. */
async function changelogTree(
  dir: string,
  names: readonly string[],
  options: FormatOptions,
  problem: ProblemFactory,
): Promise<Tree> {
  const problems: Problem[] = []
  const master = masterChangelog(names, options)
  if (!master) {
    problems.push(
      problem(
        RULE.noChangelog,
        options.changelog ?? '.',
        options.changelog
          ? `the changelog '${options.changelog}' is not in the directory`
          : 'no master changelog (changelog.xml, .yaml, .yml, .json or .sql)',
        options.changelog ? 'check the changelog input' : 'add one, or name it with the changelog input',
      ),
    )
    return { files: [], problems }
  }
  const available = new Set(names)
  const loaded = new Set<string>()
  const extra = new Set<string>()
  /** filePath::id::author of every changeset Liquibase validates (ChangeSet.java:1252-1255, VV:134-140). */
  const seen = new Map<string, string>()
  const queue: { name: string; from?: string; line?: number; logicalPath?: string }[] = [{ name: master }]
  /** Each load of a file under the identity path its changesets get. */
  const loads = new Set<string>()
  /** Whether loading a file again adds changesets (its own, or through its includes). */
  const contributes = new Map<string, boolean>()
  while (queue.length > 0) {
    const { name, from, line, logicalPath } = queue.shift()!
    const load = `${logicalPath ?? ''}\0${name}`
    if (loaded.has(name) && !contributes.get(name)) continue // nothing to run twice
    if (loaded.has(name) && !loads.has(load)) {
      // Under another logicalFilePath the changesets are new ones to Liquibase: it validates, and runs them again.
      loads.add(load)
      problems.push(
        problem(
          RULE.includeAgainLogicalPath,
          from ?? name,
          `includes ${name} again under another logicalFilePath: Liquibase runs its changesets a second time`,
          'include each changelog once',
          line,
          'warning',
        ),
      )
      continue
    }
    loads.add(load)
    if (loaded.has(name) && contributes.get(name)) {
      // Liquibase has no include-once rule: the file's changesets load again under the same path, and validation
      // reports them as duplicates (VV:134-140, checked at VV:209-211).
      problems.push(
        problem(
          RULE.includeTwice,
          from ?? name,
          `includes ${name} a second time: Liquibase fails validation with duplicate changesets`,
          'include each changelog once',
          line,
        ),
      )
      continue
    }
    loaded.add(name)
    const { changelog, failures = [], warning } = await readChangelog(dir, name)
    if (failures.length > 0) {
      for (const failure of failures)
        problems.push(problem(failure.rule ?? RULE.parseError, name, failure.message, failure.fix, failure.line))
      continue
    }
    if (warning) problems.push(problem(RULE.parseWarning, name, warning.message, warning.fix, warning.line, 'warning'))
    contributes.set(name, changelog.includes.length > 0 || changelog.changeSets.some(({ ignored }) => !ignored))
    for (const changeSet of changelog.changeSets) {
      if (changeSet.ignored) continue // VV:99-102: ignored changesets are not validated.
      // VV:188-206 areChangeSetAttributesValid (strict mode is off by default): the id must not be blank.
      if (changeSet.id.trim() === '') {
        problems.push(
          problem(
            RULE.changesetWithoutId,
            name,
            changeSet.author === '' ? 'a changeset has no id and no author' : 'a changeset has no id',
            'give every changeset an id (and an author)',
            changeSet.line,
          ),
        )
        continue
      }
      if (changeSet.dbms) continue // a DbmsChangeSetFilter decides at run time whether it is validated.
      const key = `${changeSet.logicalPath ?? name}::${changeSet.id}::${changeSet.author}`
      const twin = seen.get(key)
      if (twin !== undefined) {
        problems.push(
          problem(
            RULE.changesetDuplicate,
            name,
            `changeset ${changeSet.author}:${changeSet.id} is defined twice in this file (also at line ${twin}): Liquibase fails validation`,
            'give one of them a new id',
            changeSet.line,
          ),
        )
      } else seen.set(key, String(changeSet.line ?? '?'))
    }
    const unchecked = (what: string, line?: number): void => {
      problems.push(
        problem(
          RULE.propertyInPath,
          name,
          `${what} uses a changelog property: Liquibase expands it at run time, so it is not checked or shipped here`,
          'write the path without ${…} to have it checked and shipped',
          line,
          'warning',
        ),
      )
    }
    for (const ref of changelog.sqlFiles) {
      if (hasProperty(ref.path)) {
        unchecked(`sqlFile '${ref.path}'`, ref.line)
        continue
      }
      const target = resolve(name, ref.path, ref.relative)
      if (target !== undefined && available.has(target)) {
        extra.add(target)
        continue
      }
      // SQLFileChange.java:118-135: validation fails when the file does not exist; a rollback's file is read by
      // `rollback` only.
      problems.push(
        problem(
          RULE.sqlFileMissing,
          name,
          target === undefined
            ? `sqlFile '${ref.path}' is outside the migrations directory: it would be missing from the image`
            : `sqlFile '${ref.path}' does not exist in the directory`,
          'fix the path or add the file',
          ref.line,
          ref.rollback ? 'warning' : 'error',
        ),
      )
    }
    for (const property of changelog.properties) {
      if (hasProperty(property.file)) {
        unchecked(`properties file '${property.file}'`, property.line)
        continue
      }
      const target = resolve(name, property.file, property.relative)
      if (target !== undefined && available.has(target)) {
        extra.add(target)
      } else if (property.errorIfMissing) {
        problems.push(
          problem(
            RULE.propertiesMissing,
            name,
            `properties file '${property.file}' does not exist in the directory`,
            'fix the path or add the file',
            property.line,
          ),
        )
      } else {
        // DCL:551-555: errorIfMissing="false" → a warning, and the properties are not set.
        problems.push(
          problem(
            RULE.propertiesMissingOptional,
            name,
            `properties file '${property.file}' is missing: Liquibase skips it (errorIfMissing="false")`,
            'add the file or remove the property',
            property.line,
            'notice',
          ),
        )
      }
    }
    for (const include of changelog.includes) {
      if (hasProperty(include.path)) {
        unchecked(`${include.all ? 'includeAll' : 'include'} '${include.path}'`, include.line)
        continue
      }
      const target = resolve(name, include.path, include.relative)
      if (target === undefined) {
        problems.push(
          problem(
            RULE.includeOutside,
            name,
            `includes '${include.path}', outside the migrations directory: it would be missing from the image`,
            'move the file into the directory',
            include.line,
          ),
        )
        continue
      }
      if (!include.all) {
        // DCL:1043-1045: `.svn` and `cvs` are skipped.
        if (/^(\.svn|cvs)$/i.test(include.path)) continue
        if (!available.has(target)) {
          // DCL:1067-1074: a missing file is an error, unless errorIfMissing="false" (then a warning).
          problems.push(
            include.errorIfMissing
              ? problem(
                  RULE.includeMissing,
                  name,
                  `includes '${include.path}', which does not exist in the directory`,
                  include.path.startsWith('/')
                    ? 'write the path relative to the migrations directory (Liquibase looks it up in its search path)'
                    : 'fix the path or add the file',
                  include.line,
                )
              : problem(
                  RULE.includeMissingOptional,
                  name,
                  `includes '${include.path}', which does not exist: Liquibase skips it (errorIfMissing="false")`,
                  'add the file or remove the include',
                  include.line,
                  'notice',
                ),
          )
          continue
        }
        // DCL:1076 + ChangeLogParserFactory.java:59 with OnUnknownFileFormat.FAIL (DCL:654, 1099-1102): no parser, no run.
        if (kindOf(target) === 'unknown') {
          problems.push(
            problem(
              RULE.includeUnknownType,
              name,
              `includes '${include.path}': Liquibase has no parser for this file type and stops`,
              'include .xml, .yaml, .yml, .json or .sql changelogs only',
              include.line,
            ),
          )
          continue
        }
        queue.push({ name: target, from: name, line: include.line, logicalPath: include.logicalPath })
        continue
      }
      // includeAll: every file below the path (DCL:895-906, 933 ResourceAccessor.search, recursive by default), in
      // path order (the standard comparator compares path strings), filtered by endsWithFilter.
      const prefix = target === '' ? '' : `${target}/`
      const found = names
        .filter((candidate) => candidate.startsWith(prefix))
        .filter(
          (candidate) => include.endsWith === '' || candidate.toLowerCase().endsWith(include.endsWith.toLowerCase()),
        )
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      if (found.length === 0) {
        // DCL:837-840, 909-912 and 934-937: missing or empty → error, unless errorIfMissingOrEmpty="false".
        problems.push(
          include.errorIfMissing
            ? problem(
                RULE.includeAllEmpty,
                name,
                `includeAll '${include.path}' finds no files: Liquibase stops ("directory was empty")`,
                'add changelogs there, fix the path, or set errorIfMissingOrEmpty="false"',
                include.line,
              )
            : problem(
                RULE.includeAllEmptyOptional,
                name,
                `includeAll '${include.path}' finds no files: Liquibase includes nothing (errorIfMissingOrEmpty="false")`,
                'add changelogs there or remove the includeAll',
                include.line,
                'notice',
              ),
        )
        continue
      }
      for (const file of found) {
        // DCL:846-847 and 1099-1110: includeAll includes with OnUnknownFileFormat.WARN: unknown types are skipped with a warning.
        if (kindOf(file) === 'unknown') {
          problems.push(
            problem(
              RULE.includeAllUnknownType,
              file,
              `includeAll '${include.path}' finds this file, but Liquibase has no parser for it and skips it`,
              'move it out of the folder, or ignore this notice',
              undefined,
              'notice',
            ),
          )
          continue
        }
        queue.push({ name: file, from: name, line: include.line, logicalPath: include.logicalPath })
      }
    }
  }
  for (const name of loaded) extra.delete(name)
  return { files: [...loaded, ...extra], problems }
}

const silent: ProblemFactory = (code, name, message, fix, line, severity = 'error') => ({
  code,
  severity,
  file: name,
  line,
  message,
  fix,
})

/**
 * Liquibase: a master changelog and everything it loads. atlas.sum covers the top-level `*.sql` files, as Atlas's
 * liquibase format does; the image gets the whole tree (changelogs, sqlFile targets, properties files).
 * Liquibase files carry no version in their name.
 */
export const liquibaseFormat: MigrationFormat = {
  ...atlasFormat,
  name: 'liquibase',
  ruleCodes: Object.values(RULE),
  recursive: true,
  select: (names) => atlasFormat.select(names),
  parseName: (name) => ({ description: name }),
  rules: async (input) => (await changelogTree(input.dir, input.names, input.options, input.problem)).problems,
  async shipped(names, dir, options) {
    const tree = await changelogTree(dir, names, options, silent)
    if (tree.files.length === 0) throw new MigrationImageError('no master changelog to ship', { file: dir })
    return tree.files
  },
  nameRule: 'a changelog file',
  nameExample: 'changelog.xml',
}
