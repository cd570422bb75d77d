import type { CacheService } from './facts.js'
import { atLeast } from './versions.js'

export interface CachePlan {
  /** `--cache-from type=gha,…` */
  readonly from: boolean
  /** `--cache-to type=gha,…` */
  readonly to: boolean
  readonly scope: string
  /** Why the cache is partly or wholly off, for a notice or warning. */
  readonly note?: { readonly level: 'notice' | 'warning'; readonly text: string }
}

/** The runtime token's `ac` claim lists cache scopes with a permission bit (2 = write); no write scope → read-only. */
export function tokenCanWriteCache(token: string): boolean {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { ac?: unknown }
    if (typeof payload.ac !== 'string') return true
    const scopes = JSON.parse(payload.ac) as { Permission?: number }[]
    return scopes.some(({ Permission }) => ((Permission ?? 0) & 2) === 2)
  } catch {
    return true // not a JWT we understand: let buildx try (ignore-error keeps a refusal harmless)
  }
}

/** Per-image scope: the default `buildkit` scope makes every image in a repository overwrite the others' index. */
export function cacheScope(imageName: string, tool: string): string {
  return `migration-image-${imageName}-${tool}`.replace(/[^a-zA-Z0-9._-]+/g, '-')
}

export interface CacheInput {
  readonly wanted: boolean
  readonly service: CacheService
  readonly buildxVersion?: string
  readonly scope: string
}

/**
 * Whether the GitHub Actions cache can be used. The runner hands the token and URLs only to node actions; buildx
 * reads them from the environment it inherits, and silently drops a gha entry that lacks them, so say so here.
 */
export function planCache({ wanted, service, buildxVersion, scope }: CacheInput): CachePlan {
  const off = (level: 'notice' | 'warning', text: string): CachePlan => ({
    from: false,
    to: false,
    scope,
    note: { level, text },
  })
  if (!wanted) return { from: false, to: false, scope }
  if (buildxVersion === undefined) {
    return off(
      'warning',
      'docker buildx is not installed: building with docker build and docker push, without the GitHub Actions cache',
    )
  }
  const { token, url, v2 } = service
  if (!token || !url) {
    return off(
      'notice',
      'no GitHub Actions cache service in this environment (ACTIONS_RUNTIME_TOKEN / cache URL unset): building without cache',
    )
  }
  if (v2 && !atLeast(buildxVersion, '0.21.0')) {
    return off(
      'warning',
      `GitHub's cache service v2 needs buildx >= 0.21 (found ${buildxVersion}): building without cache; update buildx (docker/setup-buildx-action)`,
    )
  }
  if (!tokenCanWriteCache(token)) {
    return {
      from: true,
      to: false,
      scope,
      note: {
        level: 'notice',
        text: 'the runtime token is read-only for the cache (untrusted trigger): reading the cache, not writing it',
      },
    }
  }
  return { from: true, to: true, scope }
}
