#!/usr/bin/env node
// bench/trace: what the deploy-safety trace costs the apply check. `migration-image apply-check` of a pull request
// of 5 new dbmate migrations (each alters, indexes and constrains the base's table) on the test env's PostgreSQL,
// with deploy safety on (the trace: its install, event triggers firing in the tool's transactions, one read back
// and its removal) against the same check with `--safety off` (no trace, no static rules), alternated, same process,
// same engine. Prints the medians and the difference (the goal: at most 0.5 s).
// Needs the real parts: it runs scripts/test-env.sh up. Usage: node bench/trace.mjs [--runs R]
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { root, testEnv } from './test-env.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } })
const runs = Number(values.runs)
const env = testEnv()
const work = mkdtempSync(path.join(tmpdir(), 'mi-bench-trace-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))
const childEnv = { PATH: process.env.PATH, DOCKER_HOST: env.DOCKER_HOST, HOME: work }

const repo = path.join(work, 'repo')
const dir = path.join(repo, 'db/migrations')
mkdirSync(dir, { recursive: true })
const migration = (up, down) => `-- migrate:up\n${up}\n\n-- migrate:down\n${down}\n`
writeFileSync(
  path.join(dir, '20240101000000_users.sql'),
  migration(
    "CREATE TABLE users (id bigint PRIMARY KEY, org bigint, name text);\nINSERT INTO users SELECT g, g, 'u' FROM generate_series(1, 1000) g;",
    'DROP TABLE users;',
  ),
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
git('checkout', '-qb', 'feature')
for (let i = 1; i <= 5; i++) {
  writeFileSync(
    path.join(dir, `2024010${i}100000_m${i}.sql`),
    migration(
      `ALTER TABLE users ADD COLUMN c${i} int;\nCREATE INDEX users_c${i} ON users (c${i});\nALTER TABLE users ADD CONSTRAINT users_org${i} CHECK (org > 0);`,
      `ALTER TABLE users DROP CONSTRAINT users_org${i};\nALTER TABLE users DROP COLUMN c${i};`,
    ),
  )
}
git('add', '-A')
git('commit', '-qm', 'feature')

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]
function check(safety) {
  const args = [
    path.join(root, 'dist/cli.js'),
    'apply-check',
    dir,
    '--tool',
    'dbmate',
    '--checksum',
    'optional',
    '--base-image',
    env.MI_BASE_DBMATE,
    '--database',
    env.MI_DB_POSTGRES,
    '--base',
    'main',
    '--safety',
    safety,
    '--json',
  ]
  const started = process.hrtime.bigint()
  const ran = spawnSync(process.execPath, args, { cwd: repo, env: childEnv, encoding: 'utf8', maxBuffer: 64 << 20 })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (ran.status !== 0)
    throw new Error(`apply-check --safety ${safety} failed (${ran.status}): ${ran.stderr.slice(-800)}`)
  const report = JSON.parse(ran.stdout)
  return { ms, measured: report.safety?.measurement?.measured === true, findings: report.safety?.findings ?? [] }
}

check('off') // warm: the image is built once, the layers cached
const on = []
const off = []
let last
for (let run = 0; run < runs; run++) {
  off.push(check('off').ms)
  last = check('warn')
  if (!last.measured) throw new Error('the trace did not measure')
  on.push(last.ms)
}
const [traced, plain] = [median(on), median(off)]
console.log(
  `5 new dbmate migrations on PostgreSQL; ${last.findings.length} findings, ${last.findings.filter((f) => f.measured).length} measured; median of ${runs} alternated runs`,
)
console.log(`apply-check --safety off: ${(plain / 1000).toFixed(2)} s`)
console.log(`apply-check (traced):     ${(traced / 1000).toFixed(2)} s`)
console.log(`trace cost: ${((traced - plain) / 1000).toFixed(2)} s (goal: at most 0.5 s; includes the static rules)`)
