import { compareUtf8 } from '../byte-order.js'

const INT64_MAX = (1n << 63n) - 1n
const INT64_MIN = -(1n << 63n)
const UINT64_MAX = (1n << 64n) - 1n

/** Numeric version order for tools that read versions as integers (golang-migrate, goose, the psql runner). */
export function compareIntegers(a: string, b: string): number {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** `0042` and `42` are one version to an integer-reading tool. */
export const integerKey = (version: string): string => BigInt(version).toString()

/**
 * Go's strconv.ParseUint(s, 10, 64): ASCII digits only, no sign; undefined when it fails (out of range included).
 * golang-migrate reads versions this way (v4.19.1 source/parse.go:28).
 */
export function parseUint64(text: string): bigint | undefined {
  if (!/^[0-9]+$/.test(text)) return undefined
  const value = BigInt(text)
  return value <= UINT64_MAX ? value : undefined
}

/**
 * Go's strconv.ParseInt(s, 10, 64): an optional `+` or `-`, then ASCII digits; undefined when it fails (out of
 * range included). goose reads versions this way (v3.27.3 migration.go:372).
 */
export function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined
  const value = BigInt(text)
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined
}

/**
 * Flyway's MigrationVersion (flyway 13.0.0 MigrationVersion.java:103-107, 303-325): `_` reads as `.`, parts split at
 * a dot followed by a digit, each part a BigInteger (an optional sign, then digits), trailing zero parts dropped (so
 * `1.0` is `1`). Undefined when Flyway throws ("Version may only contain 0..9 and . (dot)").
 */
export function flywayParts(version: string): bigint[] | undefined {
  const parts: bigint[] = []
  for (const part of version.replace(/_/g, '.').split(/\.(?=[0-9])/)) {
    if (!/^[+-]?[0-9]+$/.test(part)) return undefined
    parts.push(BigInt(part))
  }
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop()
  return parts
}

/** Flyway's MigrationVersion.compareTo (MigrationVersion.java:281-290): missing parts count as zero. */
export function compareFlyway(a: string, b: string): number {
  const x = flywayParts(a) ?? []
  const y = flywayParts(b) ?? []
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? 0n
    const q = y[i] ?? 0n
    if (p !== q) return p < q ? -1 : 1
  }
  return 0
}

/** One key per version Flyway treats as equal (`1.1`, `1_1`, `1.1.0`, `01.1`). */
export const flywayKey = (version: string): string => (flywayParts(version) ?? [version]).join('.')

/** Go's string comparison (`<` on strings): byte-wise over UTF-8. */
export const goLess = (a: string, b: string): boolean => compareUtf8(a, b) < 0

/**
 * Go's strconv.Atoi as Atlas's flywayVersionCompare uses it (ariga/atlas v1.2.3 sql/sqltool/tool.go:563-570): a part
 * that is not an optional sign and digits counts as 0; out-of-range values are clamped to int64, as ParseInt returns
 * them with its range error.
 */
function atoiOrZero(text: string): bigint {
  if (!/^[+-]?[0-9]+$/.test(text)) return 0n
  const value = BigInt(text)
  return value > INT64_MAX ? INT64_MAX : value < INT64_MIN ? INT64_MIN : value
}

/**
 * Atlas's flywayVersionCompare (tool.go:562-574): `_` reads as `.`, split at every `.`, each part Atoi'd (0 when not
 * a number), then slices.Compare (a shorter prefix sorts first: `1` < `1.0`).
 */
export function compareAtlasFlyway(a: string, b: string): number {
  const x = a.replace(/_/g, '.').split('.').map(atoiOrZero)
  const y = b.replace(/_/g, '.').split('.').map(atoiOrZero)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
  }
  return x.length - y.length
}

/**
 * fs.WalkDir's order for slash paths: each directory's entries by name bytes, a directory's contents right after
 * its own entry. So paths compare segment by segment (`a/x` before `a-b`, unlike a byte sort of whole paths).
 */
export function compareWalkOrder(a: string, b: string): number {
  const x = a.split('/')
  const y = b.split('/')
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return compareUtf8(x[i], y[i])
  }
  return x.length - y.length
}
