import { setFlagsFromString } from 'node:v8'
import { gunzipSync } from 'node:zlib'

/*
 * XML changelogs against the dbchangelog XSD, as Liquibase 4.33.0 validates them. Sources, liquibase/liquibase at
 * v4.33.0, under liquibase-standard/src/main/java/liquibase/parser/core/xml/: XMLChangeLogSAXParser.java:43-48 (a
 * validating, namespace-aware parser with the W3C XML Schema language while VALIDATE_XML_CHANGELOG_FILES is true, its
 * default), :97-113 (the error handler throws on warnings and errors alike, so the first violation stops the parse)
 * and LiquibaseEntityResolver.java:46-76 (the schema location, lower-cased, `migrator/` read as `dbchangelog/`, the
 * scheme dropped, is looked up in the jar; a location it does not hold stops the parse while secure parsing is on).
 *
 * The validator is libxml2's (libxml2-wasm: the C library's XML Schema implementation compiled to WebAssembly, no
 * native build, no network), loaded only when an XML changelog is read. Its messages are given Xerces' wording, which
 * is what Liquibase prints (`cvc-complex-type.4: Attribute 'author' must appear on element 'changeSet'.`).
 */

/** What one XSD check found: Xerces' message and the line, or that the location is not one Liquibase holds. */
export type SchemaCheck =
  | { readonly kind: 'checked'; readonly xsd: string; readonly violations: readonly Violation[] }
  | { readonly kind: 'unknown-location'; readonly path: string }

export interface Violation {
  readonly message: string
  readonly line?: number
}

interface Schemas {
  readonly newest: string
  readonly files: Readonly<Record<string, number>>
  readonly texts: readonly string[]
}

let schemas: Schemas | undefined
async function bundledSchemas(): Promise<Schemas> {
  // The XSD files come from a Liquibase distribution at build time (scripts/liquibase-xsd.mjs), never from src/.
  const packed = (await import('virtual:liquibase-xsd')).default
  schemas ??= JSON.parse(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')) as Schemas
  return schemas
}

const JAR_DIR = 'www.liquibase.org/xml/ns/dbchangelog/'

/** LiquibaseEntityResolver.java:46-48: the resource path a schema location is looked up under. */
export function resourcePath(location: string): string {
  return location
    .toLowerCase()
    .replace('http://www.liquibase.org/xml/ns/migrator/', 'http://www.liquibase.org/xml/ns/dbchangelog/')
    .replace(/^https?:\/\//, '')
}

type Libxml = typeof import('libxml2-wasm')
let libxml: Promise<Libxml> | undefined

/**
 * libxml2-wasm, compiled by V8's baseline WebAssembly compiler only: a run validates a few changelogs and exits, and
 * the optimising tier costs more than it saves (compiling the dbchangelog XSD takes ~4x longer with it, measured on
 * the Liquibase fixtures). The flag only changes how WebAssembly compiled from now on is compiled.
 */
function loadLibxml(): Promise<Libxml> {
  setFlagsFromString('--liftoff-only')
  return import('libxml2-wasm')
}
const validators = new Map<string, InstanceType<Libxml['XsdValidator']>>()

/** Validates `source` (a changelog named `name`) against the XSD that `location` names. */
export async function checkSchema(name: string, source: string, location: string): Promise<SchemaCheck> {
  const path = resourcePath(location)
  const { files, texts } = await bundledSchemas()
  const xsd = path.startsWith(JAR_DIR) ? path.slice(JAR_DIR.length) : undefined
  const index = xsd === undefined ? undefined : files[xsd]
  if (xsd === undefined || index === undefined) return { kind: 'unknown-location', path }
  libxml ??= loadLibxml()
  const { XmlDocument, XsdValidator, XmlLibError, ParseOption } = await libxml
  let validator = validators.get(xsd)
  if (!validator) {
    const schema = XmlDocument.fromString(texts[index], { url: xsd })
    validator = XsdValidator.fromDoc(schema)
    schema.dispose()
    validators.set(xsd, validator)
  }
  let document: InstanceType<Libxml['XmlDocument']>
  try {
    // No entity substitution, no DTD loading, no network: what the document holds is what is validated.
    document = XmlDocument.fromString(source, { url: name, option: ParseOption.XML_PARSE_NONET })
  } catch (error) {
    const [first] = error instanceof XmlLibError ? error.details : []
    return {
      kind: 'checked',
      xsd,
      violations: [{ message: `not well-formed: ${clean(first?.message ?? String(error))}`, line: first?.line }],
    }
  }
  try {
    validator.validate(document)
    return { kind: 'checked', xsd, violations: [] }
  } catch (error) {
    if (!(error instanceof XmlLibError)) throw error
    return {
      kind: 'checked',
      xsd,
      violations: error.details.map((detail) => ({
        message: xercesMessage(detail.message),
        line: detail.line > 0 ? detail.line : undefined,
      })),
    }
  } finally {
    document.dispose()
  }
}

/** libxml2's message on one line, namespace URIs dropped (`{http://…}changeSet` reads `changeSet`). */
function clean(message: string): string {
  return message.trim().replace(/\{[^{}]*\}/g, '')
}

const local = (qualified: string): string => qualified.replace(/^\{[^{}]*\}/, '')

/**
 * libxml2's wording of a schema violation in Xerces' (the messages Liquibase's parser prints: Xerces'
 * XMLSchemaMessages.properties), for the violations a changelog meets; anything else keeps libxml2's words.
 */
export function xercesMessage(libxml2: string): string {
  const text = libxml2.trim()
  let match = /^Element '([^']+)': The attribute '([^']+)' is required but missing\.$/.exec(text)
  if (match) return `cvc-complex-type.4: Attribute '${match[2]}' must appear on element '${local(match[1])}'.`
  match = /^Element '([^']+)', attribute '([^']+)': The attribute '[^']+' is not allowed\.$/.exec(text)
  if (match)
    return `cvc-complex-type.3.2.2: Attribute '${local(match[2])}' is not allowed to appear in element '${local(match[1])}'.`
  // libxml2's list of what it expected is not Xerces' (which lists every change type): the first sentence only.
  match = /^Element '([^']+)': This element is not expected\. Expected is (?:one of )?\( (.*) \)\.$/.exec(text)
  if (match) return `cvc-complex-type.2.4.a: Invalid content was found starting with element '${local(match[1])}'.`
  match = /^Element '([^']+)': This element is not expected\.$/.exec(text)
  if (match)
    return `cvc-complex-type.2.4.d: Invalid content was found starting with element '${local(match[1])}'. No child element is expected at this point.`
  match = /^Element '([^']+)': Missing child element\(s\)\. Expected is (?:one of )?\( (.*) \)\.$/.exec(text)
  if (match)
    return `cvc-complex-type.2.4.b: The content of element '${local(match[1])}' is not complete. One of '${expected(match[2])}' is expected.`
  match = /^Element '[^']+'(?:, attribute '[^']+')?: '(.*)' is not a valid value of the union type '([^']+)'\.$/s.exec(
    text,
  )
  if (match) return `cvc-datatype-valid.1.2.3: '${match[1]}' is not a valid value of union type '${local(match[2])}'.`
  match = /^Element '[^']+'(?:, attribute '[^']+')?: '(.*)' is not a valid value of the atomic type '([^']+)'\.$/s.exec(
    text,
  )
  if (match)
    return `cvc-datatype-valid.1.2.1: '${match[1]}' is not a valid value for '${local(match[2]).replace(/^xs:/, '')}'.`
  match = /^Element '([^']+)': No matching global declaration available for the validation root\.$/.exec(text)
  if (match) return `cvc-elt.1.a: Cannot find the declaration of element '${local(match[1])}'.`
  match =
    /^Element '([^']+)': Character content other than whitespace is not allowed because the content type is 'element-only'\.$/.exec(
      text,
    )
  if (match)
    return `cvc-complex-type.2.3: Element '${local(match[1])}' cannot have character [children], because the type's content type is element-only.`
  return clean(text)
}

/** libxml2's expected list (`{ns}a, {ns}b, ##other{ns}*`) as local names, at most ten of them. */
function expected(list: string): string {
  const names = list.split(', ').map((name) => (name.startsWith('##other') ? 'any other namespace' : local(name)))
  return names.length > 10 ? `${names.slice(0, 10).join(', ')}, … (${names.length - 10} more)` : names.join(', ')
}
