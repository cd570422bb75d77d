#!/usr/bin/env node
// bench/apply-check: what the apply check adds on top of the build, split into database start, base apply, new
// apply, round trip and schema dumps (the CLI's own figures), against the same work run by hand with plain docker:
// an internal network, the database container and a readiness poll, the tool's image with the base's files mounted,
// the image as is, rollback and up again, four pg_dumps. Overhead = the check's time − the hand-run time; the goal
// is ≤ 1 s beyond the database's own start and the tool's own runs. dbmate (its real binary, a down direction) on
// the test env's PostgreSQL image. Needs the real parts: it runs scripts/test-env.sh up.
// Usage: node bench/apply-check.mjs [--runs R]
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { root, testEnv } from './test-env.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } })
const runs = Number(values.runs)
const env = testEnv()
const work = mkdtempSync(path.join(tmpdir(), 'mi-bench-apply-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))
const dockerEnv = { ...process.env, DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONFIG: env.MI_DOCKER_CONFIG }
const shim = path.join(env.MI_TEST_ENV_DIR, 'test-bin')
const childEnv = { ...dockerEnv, PATH: `${shim}:${process.env.PATH}` }

// A repository: main holds one migration, the pull request adds two.
const repo = path.join(work, 'repo')
const dir = path.join(repo, 'db/migrations')
mkdirSync(dir, { recursive: true })
const migration = (up, down) => `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`
writeFileSync(
  path.join(dir, '20240101000000_users.sql'),
  migration('CREATE TABLE users (id bigint PRIMARY KEY);', 'DROP TABLE users;'),
)
const git = (...args) =>
  execFileSync('git', ['-C', repo, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@example.invalid',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@example.invalid',
    },
    stdio: 'ignore',
  })
git('init', '-q', '-b', 'main')
git('add', '-A')
git('commit', '-qm', 'base')
const baseCopy = path.join(work, 'base-migrations')
mkdirSync(baseCopy)
execFileSync('cp', ['-a', `${dir}/.`, baseCopy])
git('checkout', '-qb', 'feature')
writeFileSync(
  path.join(dir, '20240102000000_orders.sql'),
  migration('CREATE TABLE orders (id bigint, user_id bigint REFERENCES users (id));', 'DROP TABLE orders;'),
)
writeFileSync(
  path.join(dir, '20240103000000_note.sql'),
  migration('ALTER TABLE users ADD COLUMN note text;', 'ALTER TABLE users DROP COLUMN note;'),
)
git('add', '-A')
git('commit', '-qm', 'feature')
// The check applies the new migrations one at a time (base + the first mounted, then the image): so does the hand run.
const firstCopy = path.join(work, 'first-migrations')
mkdirSync(firstCopy)
for (const name of ['20240101000000_users.sql', '20240102000000_orders.sql'])
  execFileSync('cp', [path.join(dir, name), firstCopy])

const cli = (command, extra = []) => {
  const started = process.hrtime.bigint()
  const ran = spawnSync(
    process.execPath,
    [
      path.join(root, 'dist/cli.js'),
      command,
      'db/migrations',
      '--tool',
      'dbmate',
      '--base-image',
      env.MI_BASE_DBMATE,
      '--image',
      'mi-bench-apply:1',
      ...extra,
    ],
    { cwd: repo, env: childEnv, encoding: 'utf8' },
  )
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (ran.status !== 0) throw new Error(`${command} failed: ${ran.stdout}${ran.stderr}`)
  return { ms, out: ran.stdout }
}
const seconds = (text, pattern) => Number(pattern.exec(text)?.[1] ?? NaN) * 1000

/** The same work by hand: network, database, readiness, base apply (mounted), new apply, rollback ×2, up, 4 dumps. */
function handRun() {
  const id = randomBytes(4).toString('hex')
  const net = `mi-bench-apply-${id}`
  const pw = randomBytes(12).toString('hex')
  const docker = (args, extraEnv = {}) => {
    const ran = spawnSync(env.DOCKER_BIN, args, { env: { ...dockerEnv, ...extraEnv }, encoding: 'utf8' })
    return ran
  }
  const timed = (fn) => {
    const started = process.hrtime.bigint()
    fn()
    return Number(process.hrtime.bigint() - started) / 1e6
  }
  const parts = {}
  try {
    parts.database = timed(() => {
      docker(['network', 'create', '--internal', net])
      docker(
        [
          'run',
          '-d',
          '--name',
          `${net}-db`,
          '--network',
          net,
          '-e',
          'POSTGRES_PASSWORD',
          '-e',
          'POSTGRES_DB=migrations',
          env.MI_DB_POSTGRES,
        ],
        { POSTGRES_PASSWORD: pw },
      )
      for (;;) {
        if (
          docker(['exec', `${net}-db`, 'pg_isready', '-q', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'migrations'])
            .status === 0
        )
          break
      }
    })
    const ip = docker([
      'inspect',
      '--format',
      '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
      `${net}-db`,
    ]).stdout.trim()
    const url = `postgres://postgres:${pw}@${ip}:5432/migrations?sslmode=disable`
    const tool = (args, mount) =>
      docker(
        [
          'run',
          '--rm',
          '--network',
          net,
          '-e',
          'DATABASE_URL',
          ...(mount ? ['--mount', `type=bind,source=${mount},target=/db/migrations,readonly`] : []),
          'mi-bench-apply:1',
          ...args,
        ],
        { DATABASE_URL: url },
      )
    const dump = () =>
      docker(
        [
          'exec',
          '-e',
          'PGPASSWORD',
          `${net}-db`,
          'pg_dump',
          '--schema-only',
          '-h',
          '127.0.0.1',
          '-U',
          'postgres',
          '-d',
          'migrations',
        ],
        { PGPASSWORD: pw },
      )
    parts.base = timed(() => tool(['--no-dump-schema', 'up'], baseCopy))
    parts.dumps = timed(dump)
    parts.fresh = timed(() => {
      tool(['--no-dump-schema', 'up'], firstCopy)
      tool(['--no-dump-schema', 'up'])
    })
    parts.dumps += timed(dump)
    parts.roundTrip = timed(() => {
      tool(['--no-dump-schema', 'rollback'])
      tool(['--no-dump-schema', 'rollback'])
    })
    parts.dumps += timed(dump)
    parts.roundTrip += timed(() => tool(['--no-dump-schema', 'up']))
    parts.dumps += timed(dump)
  } finally {
    docker(['rm', '-f', '-v', `${net}-db`])
    docker(['network', 'rm', net])
  }
  return parts
}

cli('build') // warm the build cache: both sides then build nothing
const rows = []
for (let run = 0; run < runs; run++) {
  const build = cli('build').ms
  const check = cli('apply-check', ['--database', env.MI_DB_POSTGRES, '--base', 'main'])
  const hand = handRun()
  const text = check.out
  rows.push({
    build,
    check: check.ms - build,
    total: seconds(text, /passed \(([\d.]+) s;/),
    database: seconds(text, /database ready in ([\d.]+) s/),
    dumps: seconds(text, /schema dumps ([\d.]+) s/),
    base: seconds(text, /base: \d+ migrations \(([\d.]+) s\)/),
    fresh:
      seconds(text, /20240102000000_orders\.sql \(([\d.]+) s\)/) +
      seconds(text, /20240103000000_note\.sql \(([\d.]+) s\)/),
    roundTrip: seconds(text, /round trip: [^(]*\(([\d.]+) s\)/) + seconds(text, /then up again \(([\d.]+) s\)/),
    hand,
    handTotal: Object.values(hand).reduce((a, b) => a + b, 0),
  })
}
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
const s = (ms) => `${(ms / 1000).toFixed(2)} s`
const pick = (key) => median(rows.map((row) => row[key]))
const hand = (key) => median(rows.map((row) => row.hand[key]))
console.log(`apply check (dbmate, 1 base + 2 new migrations, ${runs} runs, medians)`)
console.log(`  build alone (cached)        ${s(pick('build'))}`)
console.log(`  apply-check − build         ${s(pick('check'))} (the check's own total: ${s(pick('total'))})`)
console.log(`  part            check        by hand`)
for (const [label, key, handKey] of [
  ['database start', 'database', 'database'],
  ['base apply', 'base', 'base'],
  ['new apply', 'fresh', 'fresh'],
  ['round trip', 'roundTrip', 'roundTrip'],
  ['dumps', 'dumps', 'dumps'],
]) {
  console.log(`  ${label.padEnd(15)} ${s(pick(key)).padEnd(12)} ${s(hand(handKey))}`)
}
console.log(`  all             ${s(pick('total')).padEnd(12)} ${s(pick('handTotal'))}`)
console.log(`overhead beyond the hand-run work: ${s(pick('total') - pick('handTotal'))} (goal ≤ 1 s)`)
