// The dbchangelog XSDs that Liquibase validates XML changelogs with, taken at build time from a Liquibase
// distribution: the npm registry's `liquibase` package (4.28.1, the newest there) ships Liquibase 4.28.0, whose
// liquibase-core.jar holds www.liquibase.org/xml/ns/dbchangelog/dbchangelog-{1.0…4.28,latest,ext}.xsd. The preset's
// Liquibase (4.33.0) has 4.29…4.33 too, which no distribution on the registries this build can reach ships: they
// are derived here from 4.28's by the attributes each release added (ADDED below, read from liquibase/liquibase's
// git history; 4.33 itself only added a documentation annotation, which does not change what validates), and
// `latest` is 4.33's. The result is one module (gzip + base64 of a JSON map) that esbuild bundles into dist/ and
// Vitest serves to the unit tests: `virtual:liquibase-xsd`.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { unzipSync } from 'fflate'

export const VIRTUAL_ID = 'virtual:liquibase-xsd'

/** The distribution the XSDs come from, pinned by the registry's integrity of its tarball. */
const DISTRIBUTION = {
  spec: 'liquibase@4.28.1',
  integrity: 'sha512-UZCRA3wWYd57mt/fWkYZCpgOGrPWX/C6UGMd4uDCKxWA46Y6170Xq/YWDzMffNTKB61aMNkHCxvXrx/Ps5XINg==',
  jar: 'package/dist/liquibase/internal/lib/liquibase-core.jar',
}
const XSD_DIR = 'www.liquibase.org/xml/ns/dbchangelog/'

/**
 * What each release after 4.28 added to dbchangelog-<version>.xsd (liquibase/liquibase, liquibase-standard/src/main/
 * resources/www.liquibase.org/xml/ns/dbchangelog/): in `within` (an element or attribute group's opening tag), the
 * `attribute` line after the first line containing `after`.
 */
const ADDED = {
  4.29: [
    {
      within: '<xsd:element name="createTable">',
      after: 'name="ifNotExists"',
      attribute: 'name="rowDependencies" type="xsd:boolean" default="false"',
    },
  ],
  '4.30': [
    {
      within: '<xsd:element name="include">',
      after: 'name="created"',
      attribute: 'name="logicalFilePath" type="xsd:string"',
    },
    {
      within: '<xsd:element name="includeAll">',
      after: 'name="ignore"',
      attribute: 'name="logicalFilePath" type="xsd:string"',
    },
    {
      within: '<xsd:attributeGroup name="column">',
      after: 'name="name"',
      attribute: 'name="included" type="booleanExp"',
    },
  ],
  4.31: [
    {
      within: '<xsd:element name="modifyChangeSets"',
      after: 'name="endDelimiter"',
      attribute: 'name="stripComments" type="xsd:boolean"',
    },
    {
      within: '<xsd:element name="loadData">',
      after: 'name="type"',
      attribute: 'name="nullPlaceholder" type="xsd:string"',
    },
  ],
  4.32: [
    {
      within: '<xsd:attributeGroup name="createIndex">',
      after: 'name="tablespace"',
      attribute: 'name="using" type="xsd:string"',
    },
    {
      within: '<xsd:element name="tagDatabase">',
      after: 'name="tag"',
      attribute: 'name="keepTagOnRollback" type="booleanExp"',
    },
  ],
  4.33: [],
}
export const NEWEST = '4.33'

const ROOT = new URL('..', import.meta.url).pathname
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'migration-image')

/** The distribution's tarball, fetched with `npm pack` (which checks it against the registry's integrity). */
function fetchDistribution(work) {
  const ran = spawnSync('npm', ['pack', DISTRIBUTION.spec, '--json', '--pack-destination', work], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  })
  if (ran.status !== 0) throw new Error(`npm pack ${DISTRIBUTION.spec} failed: ${ran.stderr.trim()}`)
  const [packed] = JSON.parse(ran.stdout)
  const tarball = path.join(work, packed.filename)
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
  if (integrity !== DISTRIBUTION.integrity)
    throw new Error(`${DISTRIBUTION.spec}: integrity ${integrity}, not the pinned one`)
  return tarball
}

/** The XSD files of liquibase-core.jar in the distribution, by file name. */
function distributionSchemas() {
  const work = mkdtempSync(path.join(tmpdir(), 'liquibase-xsd-'))
  try {
    const tarball = fetchDistribution(work)
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', work, DISTRIBUTION.jar], { encoding: 'utf8' })
    if (untar.status !== 0) throw new Error(`${DISTRIBUTION.spec} has no ${DISTRIBUTION.jar}: ${untar.stderr.trim()}`)
    const jar = unzipSync(readFileSync(path.join(work, DISTRIBUTION.jar)), {
      filter: ({ name }) => name.startsWith(XSD_DIR) && name.endsWith('.xsd'),
    })
    return Object.fromEntries(
      Object.entries(jar).map(([name, bytes]) => [name.slice(XSD_DIR.length), Buffer.from(bytes).toString('utf8')]),
    )
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** One added attribute, inserted with the indentation of the line it follows. */
function addAttribute(xsd, version, { within, after, attribute }) {
  const start = xsd.indexOf(within)
  if (start < 0 || xsd.indexOf(within, start + 1) >= 0) throw new Error(`${version}: '${within}' is not unique`)
  const anchor = xsd.indexOf(after, start)
  const lineStart = xsd.lastIndexOf('\n', anchor) + 1
  const lineEnd = xsd.indexOf('\n', anchor)
  if (anchor < 0 || lineEnd < 0) throw new Error(`${version}: no '${after}' in '${within}'`)
  const indent = /^\s*/.exec(xsd.slice(lineStart, lineEnd))[0]
  return `${xsd.slice(0, lineEnd + 1)}${indent}<xsd:attribute ${attribute}/>\n${xsd.slice(lineEnd + 1)}`
}

/** Every dbchangelog XSD the preset's Liquibase holds, by file name (dbchangelog-4.28.xsd, dbchangelog-latest.xsd…). */
function allSchemas() {
  const schemas = distributionSchemas()
  let current = schemas['dbchangelog-4.28.xsd']
  if (!current || schemas['dbchangelog-latest.xsd'] !== current) throw new Error('the distribution is not 4.28')
  for (const [version, added] of Object.entries(ADDED)) {
    current = added.reduce((xsd, addition) => addAttribute(xsd, version, addition), current)
    schemas[`dbchangelog-${version}.xsd`] = current
  }
  schemas['dbchangelog-latest.xsd'] = current
  return schemas
}

/**
 * The module's source: `export default` the base64 of a gzipped JSON `{ files: { name: index }, texts: [] }`
 * (identical schemas stored once). Cached in node_modules/.cache by the distribution and this script's own text.
 */
export function liquibaseSchemaModule() {
  const key = createHash('sha256')
    .update(DISTRIBUTION.integrity)
    .update(readFileSync(new URL(import.meta.url)))
    .digest('hex')
    .slice(0, 16)
  const cached = path.join(CACHE, `liquibase-xsd-${key}.js`)
  if (existsSync(cached)) return readFileSync(cached, 'utf8')
  const schemas = allSchemas()
  const texts = []
  const files = {}
  for (const name of Object.keys(schemas).sort()) {
    const at = texts.indexOf(schemas[name])
    files[name] = at >= 0 ? at : texts.push(schemas[name]) - 1
  }
  const packed = gzipSync(JSON.stringify({ newest: NEWEST, files, texts }), { level: 9 }).toString('base64')
  const source = `// dbchangelog XSDs from ${DISTRIBUTION.spec}'s liquibase-core.jar (scripts/liquibase-xsd.mjs)\nexport default ${JSON.stringify(packed)}\n`
  mkdirSync(CACHE, { recursive: true })
  writeFileSync(`${cached}.tmp`, source)
  renameSync(`${cached}.tmp`, cached)
  return source
}

/** The esbuild plugin that serves the module (scripts/bundle.mjs). */
export const liquibaseSchemaPlugin = {
  name: 'liquibase-xsd',
  setup(build) {
    build.onResolve({ filter: /^virtual:liquibase-xsd$/ }, () => ({ path: VIRTUAL_ID, namespace: 'liquibase-xsd' }))
    build.onLoad({ filter: /.*/, namespace: 'liquibase-xsd' }, () => ({
      contents: liquibaseSchemaModule(),
      loader: 'js',
    }))
  },
}

/** The same module for Vite (Vitest: unit tests that import src/). */
export const liquibaseSchemaVitePlugin = {
  name: 'liquibase-xsd',
  resolveId: (id) => (id === VIRTUAL_ID ? `\0${VIRTUAL_ID}` : undefined),
  load: (id) => (id === `\0${VIRTUAL_ID}` ? liquibaseSchemaModule() : undefined),
}
