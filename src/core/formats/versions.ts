/** Numeric version order for tools that read versions as integers (golang-migrate, goose, the psql runner). */
export function compareIntegers(a: string, b: string): number {
  const x = BigInt(a)
  const y = BigInt(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** `0042` and `42` are one version to an integer-reading tool. */
export const integerKey = (version: string): string => BigInt(version).toString()

/** Flyway reads `1_2` as `1.2` and compares numeric parts; `[1] < [1, 0]`. */
export function flywayParts(version: string): bigint[] {
  return version.split(/[._]/).map((part) => BigInt(part))
}

export function compareFlyway(a: string, b: string): number {
  const x = flywayParts(a)
  const y = flywayParts(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1
  }
  return x.length - y.length
}

export const flywayKey = (version: string): string => flywayParts(version).join('.')
