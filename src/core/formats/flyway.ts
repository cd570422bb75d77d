import path from 'node:path'
import { sortByUtf8 } from '../byte-order.js'
import type { MigrationFormat, MigrationName } from './format.js'
import { compareFlyway, flywayKey } from './versions.js'

const VERSIONED = /^([VUB])(\d+(?:[._]\d+)*)__(.+)\.sql$/s
const REPEATABLE = /^R__(.+)\.sql$/s
const base = (name: string): string => path.posix.basename(name)

function parse(name: string): MigrationName | undefined {
  const file = base(name)
  const versioned = VERSIONED.exec(file)
  if (versioned) return { kind: versioned[1], version: versioned[2], description: versioned[3] }
  const repeatable = REPEATABLE.exec(file)
  return repeatable ? { kind: 'R', description: repeatable[1] } : undefined
}

/** Files Atlas's flyway format counts: V, B and R prefixed `*.sql` (no U undo files) of base length ≥ 4. */
const counted = (name: string): boolean =>
  /^[VBR]/.test(base(name)) && name.endsWith('.sql') && base(name).length - 4 >= 4

/**
 * Flyway: recursive (hidden directories skipped), slash paths. atlas.sum order is Flyway's apply order: the latest
 * baseline first, then the versioned files above it by numeric version parts, then the repeatables.
 */
export const flywayFormat: MigrationFormat = {
  name: 'flyway',
  recursive: true,
  select(names) {
    const files = names.filter(counted).map((name) => ({ name, parsed: parse(name) }))
    const byVersion = (a: (typeof files)[number], b: (typeof files)[number]): number =>
      compareFlyway(a.parsed?.version ?? '0', b.parsed?.version ?? '0')
    const baselines = files.filter(({ parsed }) => parsed?.kind === 'B').sort(byVersion)
    const baseline = baselines.at(-1)
    const versioned = files
      .filter(({ parsed }) => parsed?.kind === 'V')
      .filter(({ parsed }) => !baseline || compareFlyway(parsed!.version!, baseline.parsed!.version!) > 0)
      .sort(byVersion)
    const repeatable = sortByUtf8(
      files.filter(({ parsed }) => parsed?.kind === 'R'),
      ({ name }) => name,
    )
    const unparsed = sortByUtf8(
      files.filter(({ parsed }) => parsed === undefined),
      ({ name }) => name,
    )
    return [...(baseline ? [baseline] : []), ...versioned, ...repeatable, ...unparsed].map(({ name }) => name)
  },
  parseName: parse,
  compareVersions: compareFlyway,
  versionKey: flywayKey,
  rules({ names, problem }) {
    const problems = []
    for (const name of names) {
      const file = base(name)
      if (!file.endsWith('.sql') || parse(name) || counted(name)) continue // counted ones get the generic name error
      if (/^[VUBR]/.test(file)) {
        problems.push(
          problem(
            name,
            'file name does not match V<version>__<description>.sql (two underscores after the version)',
            'rename it like V2__add_orders.sql or R__views.sql',
          ),
        )
      } else {
        problems.push(
          problem(
            name,
            `'${file[0]}' is not a Flyway prefix (V, U, B or R): Flyway will not run this file`,
            'rename it with a V, U, B or R prefix, or move it out of the directory',
          ),
        )
      }
    }
    return problems
  },
  shipped: (names) => names.filter((name) => /^U/.test(base(name)) && parse(name) !== undefined),
  nameRule: 'V<version>__<description>.sql',
  nameExample: 'V2__add_orders.sql',
}
