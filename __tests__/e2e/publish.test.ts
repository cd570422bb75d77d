import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runAction, runPost, type ActionRun } from '../helpers/runner.js'
import { docker, dockerStatus, freshDatabase, psqlAt, randomSha, realEnv, registryDigest } from '../helpers/real-env.js'
import { buildxEnv } from '../helpers/buildx-env.js'
import { makeDir, ROOT } from '../helpers/tmp.js'

// Real parts: dockerd, a registry with htpasswd auth, PostgreSQL and local base images (scripts/test-env.sh).
// Not faked: nothing. GitHub's cache service cannot run here, so these runs have no ACTIONS_RUNTIME_TOKEN (the
// cache-on paths are covered by the argv tests) and this engine has no buildx (the docker build + push path).
const env = realEnv()
const pushEvent = { repository: { default_branch: 'main', full_name: 'acme/api' } }

function publishRun(
  inputs: Record<string, string>,
  sha: string,
  extra: NodeJS.ProcessEnv = {},
  payload: object = pushEvent,
): ActionRun {
  return runAction({
    cwd: ROOT,
    inputs: { username: env.MI_REGISTRY_USER, password: env.MI_REGISTRY_PASSWORD, ...inputs },
    payload,
    env: {
      PATH: env.PATH,
      DOCKER_HOST: env.DOCKER_HOST,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'acme/api',
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      HOME: makeDir(),
      // The dir input must be inside the workspace: a temporary directory is the checkout here.
      ...(inputs.dir && path.isAbsolute(inputs.dir) ? { GITHUB_WORKSPACE: inputs.dir } : {}),
      ...extra,
    },
  })
}

/** Every file under a directory (the runner's temp), for a search for leftovers. */
function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile())
}

// Each PostgreSQL test migrates a database of its own.
let database = ''
const psql = (sql: string): string => psqlAt(database, sql)

describe('publish on a push to the default branch (atlas preset, stand-in base image)', () => {
  const sha = randomSha()
  // A repository of its own each run: the registry outlives the run, and an image already there is re-tagged.
  const repository = `acme/api-migrations-${sha.slice(0, 8)}`
  let main: ActionRun

  beforeAll(() => {
    main = publishRun(
      {
        dir: 'examples/atlas/migrations',
        image: `${env.MI_REGISTRY}/Acme/API-migrations-${sha.slice(0, 8)}`,
        'base-image': env.MI_BASE_BUSYBOX,
      },
      sha,
    )
  })

  it('succeeds and sets the outputs', () => {
    // The only place the password may appear is the runner's own masking command.
    const lines = (main.stderr + main.stdout).split('\n').filter((line) => line.includes(env.MI_REGISTRY_PASSWORD))
    expect(lines).toEqual([`::add-mask::${env.MI_REGISTRY_PASSWORD}`])
    expect(main.status, main.stdout + main.stderr).toBe(0)
    expect(main.outputs).toMatchObject({
      image: `${env.MI_REGISTRY}/${repository}:${sha}`,
      tags: `${env.MI_REGISTRY}/${repository}:${sha}\n${env.MI_REGISTRY}/${repository}:latest`,
      pushed: 'true',
      count: '3',
      valid: 'true',
    })
    expect(main.stdout).toContain('image name lowercased')
  })

  it("the sha tag and latest exist in the registry, and the digest output is the registry's manifest digest", async () => {
    const digest = await registryDigest(env, repository, sha)
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/)
    expect(main.outputs.digest).toBe(digest)
    expect(main.outputs['image-ref']).toBe(`${env.MI_REGISTRY}/${repository}@${digest}`)
    expect(await registryDigest(env, repository, 'latest')).toBe(digest)
  })

  it('the pulled image holds exactly the staged files, read-only, with the labels', () => {
    const ref = main.outputs['image-ref']
    docker(env, ['pull', ref])
    const listing = docker(env, [
      'run',
      '--rm',
      '--network',
      'host',
      '--entrypoint',
      '/bin/busybox',
      ref,
      'find',
      '/migrations',
      '-type',
      'f',
      '-exec',
      'stat',
      '-c',
      '%a %n',
      '{}',
      '+',
    ])
    expect(listing.trim().split('\n').sort()).toEqual([
      '444 /migrations/20240101120000_create_users.sql',
      '444 /migrations/20240102090000_create_posts.sql',
      '444 /migrations/20240115083000_add_users_display_name.sql',
      '444 /migrations/atlas.sum',
    ])
    const sum = docker(env, [
      'run',
      '--rm',
      '--network',
      'host',
      '--entrypoint',
      '/bin/busybox',
      ref,
      'cat',
      '/migrations/atlas.sum',
    ])
    expect(sum).toBe(readFileSync(path.join(ROOT, 'examples/atlas/migrations/atlas.sum'), 'utf8'))
    const labels = JSON.parse(docker(env, ['inspect', '--format', '{{json .Config.Labels}}', ref])) as Record<
      string,
      string
    >
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/api',
      'org.opencontainers.image.revision': sha,
      'io.migration-image.count': '3',
      'io.migration-image.latest-version': '20240115083000',
      'io.migration-image.checksum': main.outputs.checksum,
    })
    expect(JSON.stringify(labels)).not.toContain(env.MI_REGISTRY_PASSWORD)
  })

  it('the job summary shows the image, tags and digest', () => {
    expect(main.summary).toContain('### Image — 📦 pushed')
    expect(main.summary).toContain(`<code>${main.outputs.digest}</code>`)
    expect(main.summary).toContain('push to the default branch (main)')
  })

  it('after the post step no credentials remain on disk', () => {
    const saved = JSON.parse(main.state.cleanup) as { dockerConfig: string; registry: string }
    expect(saved.registry).toBe(env.MI_REGISTRY)
    expect(readFileSync(path.join(saved.dockerConfig, 'config.json'), 'utf8')).toContain(env.MI_REGISTRY)
    const post = runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
    expect(post.status).toBe(0)
    expect(post.stdout).toContain(`logged out of ${env.MI_REGISTRY}`)
    expect(existsSync(saved.dockerConfig)).toBe(false)
    const auth = Buffer.from(`${env.MI_REGISTRY_USER}:${env.MI_REGISTRY_PASSWORD}`).toString('base64')
    for (const file of allFiles(main.temp)) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toContain(env.MI_REGISTRY_PASSWORD)
      expect(text, file).not.toContain(auth)
    }
  })
})

describe('psql preset against the real PostgreSQL', () => {
  it('creates the schema on the first run and applies nothing on the second', async () => {
    const sha = randomSha()
    const main = publishRun(
      {
        dir: 'examples/psql/migrations',
        tool: 'psql',
        image: `${env.MI_REGISTRY}/acme/api-psql`,
        'base-image': env.MI_BASE_PSQL,
      },
      sha,
    )
    expect(main.status, main.stdout + main.stderr).toBe(0)
    expect(await registryDigest(env, 'acme/api-psql', sha)).toBe(main.outputs.digest)
    runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)

    database = freshDatabase(env).url
    const image = main.outputs['image-ref']
    const migrate = (): string =>
      docker(env, ['run', '--rm', '--network', 'host', '-e', `DATABASE_URL=${database}`, image])
    expect(migrate()).toBe(
      'applied 1_create_users.up.sql\napplied 2_create_orders.up.sql\napplied 10_add_users_name.up.sql\nmigrate: 3 applied, 0 already applied\n',
    )
    expect(
      psql(
        "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'users'",
      ),
    ).toBe('id,email,created_at,name')
    expect(psql('SELECT count(*) FROM orders')).toBe('0')
    expect(migrate()).toBe('migrate: 0 applied, 3 already applied\n')
    expect(psql("SELECT string_agg(version, ',' ORDER BY applied_at) FROM migration_image_versions")).toBe('1,2,10')

    const user = docker(env, ['inspect', '--format', '{{.Config.User}} {{json .Config.Entrypoint}}', image]).trim()
    expect(user).toBe('65534:65534 ["/usr/local/bin/migration-image-migrate"]')
  })

  it('a failing migration is rolled back and nothing after it runs', () => {
    const dir = makeDir({
      '1_ok.up.sql': 'CREATE TABLE e2e_ok (id int);\n',
      '2_broken.up.sql': 'CREATE TABLE e2e_broken (id int);\nSELECT * FROM no_such_table;\n',
      '3_after.up.sql': 'CREATE TABLE e2e_after (id int);\n',
    })
    execFileSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'hash', dir, '--tool', 'psql'])
    const sha = randomSha()
    const main = publishRun(
      { dir, tool: 'psql', image: `${env.MI_REGISTRY}/acme/broken-psql`, 'base-image': env.MI_BASE_PSQL },
      sha,
    )
    expect(main.status, main.stdout + main.stderr).toBe(0)
    runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
    database = freshDatabase(env).url
    const ran = dockerStatus(env, [
      'run',
      '--rm',
      '--network',
      'host',
      '-e',
      `DATABASE_URL=${database}`,
      '-e',
      'MIGRATIONS_TABLE=e2e_versions',
      main.outputs['image-ref'],
    ])
    expect(ran.status).toBe(1)
    expect(ran.stderr).toContain('relation "no_such_table" does not exist')
    expect(ran.stderr).toContain('migrate: 2_broken.up.sql failed; it was rolled back and nothing after it ran')
    expect(
      psql(
        "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_name LIKE 'e2e_%'",
      ),
    ).toBe('e2e_ok,e2e_versions')
  })

  it('without DATABASE_URL the runner says what to set', () => {
    const dir = makeDir({ '1_a.up.sql': 'SELECT 1;\n' })
    const main = publishRun(
      {
        dir,
        tool: 'psql',
        image: `${env.MI_REGISTRY}/acme/nourl-psql`,
        'base-image': env.MI_BASE_PSQL,
        checksum: 'optional',
      },
      randomSha(),
    )
    expect(main.status, main.stdout).toBe(0)
    expect(main.stdout).toContain('no atlas.sum')
    runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
    const ran = dockerStatus(env, ['run', '--rm', main.outputs['image-ref']])
    expect(ran.status).toBe(2)
    expect(ran.stderr).toContain('DATABASE_URL is not set')
  })
})

describe('what must not push', () => {
  it('a wrong password fails naming the registry, and pushes nothing', async () => {
    const sha = randomSha()
    const main = publishRun(
      {
        dir: 'examples/atlas/migrations',
        image: `${env.MI_REGISTRY}/acme/denied`,
        'base-image': env.MI_BASE_BUSYBOX,
        password: 'wrong-password',
      },
      sha,
    )
    expect(main.status).toBe(1)
    expect(main.stdout).toMatch(
      new RegExp(
        `::error::docker login to ${env.MI_REGISTRY.replace(/\./g, '\\.')} as ${env.MI_REGISTRY_USER} failed: .*401 Unauthorized`,
      ),
    )
    expect(main.stdout.replace('::add-mask::wrong-password', '')).not.toContain('wrong-password')
    expect(main.stdout.match(/^::error/gm)).toHaveLength(1)
    expect(await registryDigest(env, 'acme/denied', sha)).toBeUndefined()
    expect(main.outputs.pushed).toBe('false')
    runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
  })

  it('for ghcr.io the failure names the packages: write permission (login fails here: no network)', () => {
    const main = publishRun(
      { dir: 'examples/atlas/migrations', 'base-image': env.MI_BASE_BUSYBOX, username: '', password: 'wrong' },
      randomSha(),
    )
    expect(main.status).toBe(1)
    expect(main.stdout).toContain('docker login to ghcr.io as octocat failed')
    expect(main.stdout).toContain('permissions: packages: write')
    runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
  })

  it('an invalid directory builds and pushes nothing', async () => {
    const dir = makeDir({ '1_a.sql': 'A' })
    const sha = randomSha()
    const main = publishRun({ dir, image: `${env.MI_REGISTRY}/acme/invalid`, 'base-image': env.MI_BASE_BUSYBOX }, sha)
    expect(main.status).toBe(1)
    expect(main.stdout).toContain('checksum file not found')
    expect(main.stdout).toContain('nothing was built or pushed')
    expect(main.state).toEqual({})
    expect(await registryDigest(env, 'acme/invalid', sha)).toBeUndefined()
    expect(dockerStatus(env, ['image', 'inspect', `${env.MI_REGISTRY}/acme/invalid:${sha}`]).status).not.toBe(0)
  })

  it('a pull request builds the PR head sha and pushes nothing', async () => {
    const head = randomSha()
    const main = publishRun(
      { dir: 'examples/atlas/migrations', image: `${env.MI_REGISTRY}/acme/pr`, 'base-image': env.MI_BASE_BUSYBOX },
      randomSha(),
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' },
      { ...pushEvent, pull_request: { head: { sha: head, repo: { full_name: 'acme/api' } } } },
    )
    expect(main.status, main.stdout).toBe(0)
    expect(main.outputs).toMatchObject({ pushed: 'false', image: `${env.MI_REGISTRY}/acme/pr:${head}`, digest: '' })
    expect(main.summary).toContain('built, not pushed')
    expect(await registryDigest(env, 'acme/pr', head)).toBeUndefined()
    expect(docker(env, ['image', 'inspect', '--format', '{{.Id}}', `${env.MI_REGISTRY}/acme/pr:${head}`])).toMatch(
      /^sha256:/,
    )
    runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
  })
})

describe('cli build', () => {
  it('builds and pushes with the password on stdin', async () => {
    // A repository of its own: this checkout's commit may already be in a registry an earlier run left.
    const repository = `acme/cli-${randomSha().slice(0, 8)}`
    const tag = randomSha().slice(0, 12)
    const out = execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'dist/cli.js'),
        'build',
        'examples/atlas/migrations',
        '--image',
        `${env.MI_REGISTRY}/${repository}:${tag}`,
        '--base-image',
        env.MI_BASE_BUSYBOX,
        '--push',
        '--username',
        env.MI_REGISTRY_USER,
      ],
      {
        cwd: ROOT,
        input: env.MI_REGISTRY_PASSWORD,
        encoding: 'utf8',
        env: { ...process.env, PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST, HOME: makeDir() },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    )
    // The tag in --image is added to the commit's sha tag (the directory is in this repository's checkout).
    const head = execFileSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
    const digest = await registryDigest(env, repository, tag)
    expect(await registryDigest(env, repository, head)).toBe(digest)
    expect(out.trim()).toBe(
      `pushed ${env.MI_REGISTRY}/${repository}:${head} ${env.MI_REGISTRY}/${repository}:${tag} (${digest})`,
    )
  })

  it('dockerfile prints what build builds: the same labels (the commit and its time, never the clock)', () => {
    const cli = (command: string, extra: string[] = []): string =>
      execFileSync(
        process.execPath,
        [
          path.join(ROOT, 'dist/cli.js'),
          command,
          'examples/psql/migrations',
          '--tool',
          'psql',
          '--image',
          'acme/df:local',
          '--base-image',
          env.MI_BASE_PSQL,
          ...extra,
        ],
        { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST } },
      )
    const printed = cli('dockerfile')
    expect(printed).toMatch(/^FROM .*\nCOPY --link image\/ \/\nCOPY migrate.sh/)
    expect(cli('dockerfile')).toBe(printed) // no clock in it
    cli('build', ['--no-cache'])
    const labels = JSON.parse(docker(env, ['image', 'inspect', 'acme/df:local', '--format', '{{json .Config.Labels}}']))
    const head = execFileSync('git', ['-C', ROOT, 'log', '-1', '--format=%H %cI'], { encoding: 'utf8' })
      .trim()
      .split(' ')
    expect(labels['org.opencontainers.image.revision']).toBe(head[0])
    expect(labels['org.opencontainers.image.created']).toBe(new Date(head[1]).toISOString())
    for (const [key, value] of Object.entries(labels as Record<string, string>)) {
      if (key.startsWith('org.opencontainers') || key.startsWith('io.migration-image'))
        expect(printed).toContain(`${key}="${value}"`)
    }
  })

  it('dockerfile --context writes the context that Dockerfile builds: docker buildx build of it runs the migrations', () => {
    const parent = makeDir()
    const ran = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'dist/cli.js'),
        'dockerfile',
        'examples/psql/migrations',
        '--tool',
        'psql',
        '--image',
        'acme/ctx:local',
        '--base-image',
        env.MI_BASE_PSQL,
        '--context',
        parent,
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: env.PATH } },
    )
    expect(ran.status, ran.stderr).toBe(0)
    const written = /wrote the build context to (\S+): 'docker buildx build \1' builds this Dockerfile/.exec(
      ran.stderr + ran.stdout,
    )
    expect(written, ran.stderr).not.toBeNull()
    const context = written![1]
    expect(path.dirname(context)).toBe(parent)
    expect(readFileSync(path.join(context, 'Dockerfile'), 'utf8')).toBe(ran.stdout)
    // `docker buildx build`, as the message says (Docker Engine 28.5 with buildx: BuildKit reads COPY --link).
    const bx = buildxEnv()
    const engine = (args: string[]): string =>
      execFileSync(bx.MI_BUILDX_DOCKER_BIN, args, {
        env: { ...process.env, DOCKER_HOST: bx.MI_ENGINE_CLASSIC_HOST, DOCKER_CONFIG: bx.MI_BUILDX_LOGIN_CONFIG },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    const tag = `acme/ctx:${randomSha().slice(0, 12)}`
    engine(['buildx', 'build', '-q', '--load', '-t', tag, context])
    try {
      const db = freshDatabase(env)
      engine(['run', '--rm', '--network', 'host', '-e', `DATABASE_URL=${db.url}`, tag])
      expect(psqlAt(db.url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).not.toBe(
        '0',
      )
    } finally {
      engine(['rmi', '-f', tag])
    }
  })
})

describe('a base image that only the logged-in registry has', () => {
  it('builds: docker build starts beside the login and runs again once the login is there', async () => {
    const tag = randomSha().slice(0, 12)
    const base = `${env.MI_REGISTRY}/base/private-${tag}:1`
    docker(env, ['tag', env.MI_BASE_BUSYBOX, base])
    docker(env, ['push', base])
    docker(env, ['rmi', base]) // not in the engine any more: the build must pull it, with credentials
    const sha = randomSha()
    const main = publishRun(
      { dir: 'examples/atlas/migrations', image: `${env.MI_REGISTRY}/acme/private-base`, 'base-image': base },
      sha,
    )
    runPost(main, { PATH: env.PATH, DOCKER_HOST: env.DOCKER_HOST }, ROOT)
    expect(main.status, main.stdout + main.stderr).toBe(0)
    expect(await registryDigest(env, 'acme/private-base', sha)).toBe(main.outputs.digest)
  })
})
