import type { Docker } from './docker.js'

/** The name prefix of everything one apply check starts: `migration-image-apply-<12 hex>` (network, containers). */
export const APPLY_PREFIX = /^migration-image-apply-[0-9a-f]{12}$/

/** The label every container of one check carries (the post step finds them by it). */
export const applyLabel = (prefix: string): string => `migration-image.apply=${prefix}`

/**
 * Removes the containers (with their anonymous volumes) and the network of one apply check; safe to call twice and
 * on parts that never existed. Returns what it removed.
 */
export async function removeApplyParts(docker: Docker, prefix: string): Promise<string[]> {
  if (!APPLY_PREFIX.test(prefix)) return []
  const done: string[] = []
  const listed = await docker
    .run(['ps', '-aq', '--filter', `label=${applyLabel(prefix)}`], { timeoutProbes: 1 })
    .catch(() => undefined)
  const ids = (listed?.stdout ?? '').split('\n').filter((id) => /^[0-9a-f]{12,64}$/.test(id))
  if (ids.length > 0) {
    await docker.run(['rm', '-f', '-v', ...ids], { timeoutProbes: 1 }).catch(() => undefined)
    done.push(`removed ${ids.length} apply-check container${ids.length === 1 ? '' : 's'}`)
  }
  const network = await docker.run(['network', 'rm', prefix], { timeoutProbes: 1 }).catch(() => undefined)
  if (network?.code === 0) done.push(`removed network ${prefix}`)
  return done
}
