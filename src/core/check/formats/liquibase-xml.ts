import { getPreset } from '../../image/presets.js'
import { clipped } from '../../text.js'
import {
  ChangelogError,
  firstLine,
  parserWords,
  readEntries,
  tooManyElements,
  type Changelog,
  type Entry,
  type ParseFailure,
} from './liquibase-changelog.js'
import { MAX_ELEMENTS, xmlElementCount } from './liquibase-limits.js'
import { RULE } from './liquibase-rules.js'
import { checkSchema } from './liquibase-xsd.js'

/*
 * XML changelogs (liquibase/liquibase v4.33.0, liquibase-standard/src/main/java/liquibase/parser/core/xml/
 * XMLChangeLogSAXParser.java and XMLChangeLogSAXHandler.java), checked against their XSD in ./liquibase-xsd.ts.
 */

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
export async function readXml(
  name: string,
  source: string,
): Promise<{ changelog: Changelog; failures: ParseFailure[] }> {
  const { XMLParser, XMLValidator } = await import('fast-xml-parser')
  if (xmlElementCount(source) > MAX_ELEMENTS) throw tooManyElements()
  const valid = XMLValidator.validate(source)
  if (valid !== true) throw new ChangelogError(`is not well-formed XML: ${parserWords(valid.err.msg)}`, valid.err.line)
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
    throw new ChangelogError(`cannot be read as XML: ${firstLine(error)}`)
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
    const content = (node[tag] as Record<string, unknown>[]) ?? []
    const children = content.map(toEntry).filter((entry) => !!entry)
    const texts = content.map((child) => child['#text']).filter((value) => value !== undefined)
    const text =
      texts.length > 0
        ? texts
            .map(String)
            .join('')
            .replace(/&(amp|lt|gt|quot|apos);/g, (_, entity: string) => XML_ENTITIES[entity])
        : undefined
    return { name, tag, attributes, children, line: start === undefined ? undefined : lineAt(start), text }
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
      `names the XSD '${clipped(location)}', which Liquibase ${LIQUIBASE_VERSION} does not hold: it stops ("Unable to resolve xml entity ${clipped(location)}")`,
      root.line,
      `name ${CHANGELOG_NAMESPACE}/dbchangelog-latest.xsd (or a version up to ${LIQUIBASE_VERSION.split('.').slice(0, 2).join('.')})`,
    )
  }
  if (check.kind === 'malformed')
    throw new ChangelogError(`cannot be read as XML: ${parserWords(check.message)}`, check.line)
  const failures = check.violations.map(({ message, line }) => ({
    message: `does not match Liquibase's XML schema (${check.xsd}), and Liquibase stops: ${parserWords(message)}`,
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
