import { describe, expect, it } from 'vitest'
import { publishOnPush } from '../helpers/publish.js'
import { docker, freshDatabase, psqlAt, realEnv, registryDigest } from '../helpers/real-env.js'

// Real migration tools from the registries, as local base images laid out like the official ones
// (scripts/test-env.sh): dbmate's static binary (npm @dbmate/linux-x64) and Liquibase 4 (npm liquibase, on a
// Debian JRE). The preset's image runs against the real PostgreSQL.
const env = realEnv()

function publish(tool: string, dir: string, base: string) {
  return publishOnPush(env, { dir, tool, image: `${env.MI_REGISTRY}/real/${tool}`, 'base-image': base })
}

const tables = (url: string): string =>
  psqlAt(
    url,
    "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'",
  )

describe('real tools against the real PostgreSQL', () => {
  it('dbmate: the preset image migrates, and a second run applies nothing', async () => {
    const { main, sha } = publish('dbmate', 'examples/dbmate/db/migrations', env.MI_BASE_DBMATE)
    expect(main.status, main.stdout + main.stderr).toBe(0)
    expect(await registryDigest(env, 'real/dbmate', sha)).toBe(main.outputs.digest)
    const db = freshDatabase(env)
    const migrate = (): string =>
      docker(env, ['run', '--rm', '--network', 'host', '-e', `DATABASE_URL=${db.url}`, main.outputs['image-ref'], 'up'])
    const first = migrate()
    expect(first).toContain('Applying: 20240101120000_create_users.sql')
    expect(first).toContain('Applying: 20240102090000_create_orders.sql')
    expect(tables(db.url)).toBe('orders,schema_migrations,users')
    expect(migrate()).not.toContain('Applying')
    expect(psqlAt(db.url, "SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations")).toBe(
      '20240101120000,20240102090000',
    )
  })

  it('liquibase: the preset image updates from the master changelog, and a second run applies nothing', async () => {
    const { main, sha } = publish('liquibase', 'examples/liquibase/changelog', env.MI_BASE_LIQUIBASE)
    expect(main.status, main.stdout + main.stderr).toBe(0)
    expect(await registryDigest(env, 'real/liquibase', sha)).toBe(main.outputs.digest)
    const db = freshDatabase(env)
    const update = (): string =>
      docker(env, [
        'run',
        '--rm',
        '--network',
        'host',
        '-e',
        `LIQUIBASE_COMMAND_URL=jdbc:postgresql://127.0.0.1:${env.MI_PG_PORT}/${db.name}`,
        '-e',
        `LIQUIBASE_COMMAND_USERNAME=${env.MI_PG_USER}`,
        '-e',
        `LIQUIBASE_COMMAND_PASSWORD=${env.MI_PG_PASSWORD}`,
        '-e',
        'JAVA_OPTS=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
        main.outputs['image-ref'],
        'update',
      ])
    expect(update()).toMatch(/Run:\s+2/)
    expect(tables(db.url)).toBe('databasechangelog,databasechangeloglock,orders,users')
    expect(update()).toMatch(/Run:\s+0/)
    expect(psqlAt(db.url, 'SELECT count(*) FROM databasechangelog')).toBe('2')
  }, 180_000)
})
