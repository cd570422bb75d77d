/** `github.com/docker/buildx v0.10.5 <rev>` → `0.10.5`; dev builds (`0.0.0+unknown`) count as new enough. */
export function parseBuildxVersion(output: string): string | undefined {
  const match = /\bv?(\d+\.\d+\.\d+)(?:[-+][\w.+-]*)?/.exec(output)
  return match?.[1]
}

/** True when `version` ≥ `minimum` (major.minor.patch); a dev build 0.0.0 is treated as the newest. */
export function atLeast(version: string | undefined, minimum: string): boolean {
  if (version === undefined) return false
  if (version === '0.0.0') return true
  const a = version.split('.').map(Number)
  const b = minimum.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0)
  }
  return true
}
