#!/usr/bin/env node
// bench/safety: the cost of deploy safety. `migration-image validate` of 1,000 migrations holding 10,000 statements
// (each migration creates a table, then alters, indexes and constrains tables the earlier ones made) with deploy
// safety on (the default, `--safety warn`) against the same run with `--safety off`, both through dist/cli.js,
// alternated, page cache warm. Prints the medians and the ratio (the goal: at most 1.3).
// Usage: node bench/safety.mjs [--files N] [--runs R]
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

const root = path.resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: { files: { type: 'string', default: '1000' }, runs: { type: 'string', default: '7' } },
})
const files = Number(values.files)
const runs = Number(values.runs)
const cli = path.join(root, 'dist/cli.js')

/** Ten statements a migration: what real schema changes look like, half of them with something to say. */
function migration(i) {
  const t = `t${i}`
  const prev = `t${Math.max(0, i - 1)}`
  return [
    `CREATE TABLE ${t} (id bigint PRIMARY KEY, name text, n int, ref bigint, created timestamptz DEFAULT now())`,
    `CREATE INDEX ${t}_name ON ${t} (name)`,
    `ALTER TABLE ${prev} ADD COLUMN extra_${i} text`,
    `CREATE INDEX ${prev}_extra_${i} ON ${prev} (extra_${i})`,
    `ALTER TABLE ${t} ADD CONSTRAINT ${t}_ref FOREIGN KEY (ref) REFERENCES ${prev} (id)`,
    `ALTER TABLE ${prev} ALTER COLUMN n TYPE bigint`,
    `INSERT INTO ${t} (id, name) VALUES (1, 'a'), (2, 'b')`,
    `UPDATE ${prev} SET name = lower(name) WHERE id < 100`,
    `COMMENT ON TABLE ${t} IS 'migration ${i}'`,
    `ALTER TABLE ${t} ALTER COLUMN name SET NOT NULL`,
  ]
    .map((statement) => `${statement};\n`)
    .join('')
}

function fixture() {
  const dir = path.join(root, '.bench', `safety-${files}`)
  if (!existsSync(path.join(dir, 'atlas.sum'))) {
    mkdirSync(dir, { recursive: true })
    for (let i = 0; i < files; i++) writeFileSync(path.join(dir, `${i + 1}_m${i}.up.sql`), migration(i))
    execFileSync(process.execPath, [cli, 'hash', dir, '--tool', 'psql'])
  }
  return dir
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function time(args) {
  const started = process.hrtime.bigint()
  const ran = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (ran.status !== 0) throw new Error(`validate failed (${ran.status}): ${ran.stderr.slice(0, 500)}`)
  return { ms, out: ran.stdout }
}

const dir = fixture()
const common = ['validate', dir, '--tool', 'psql', '--json']
const on = []
const off = []
let findings = 0
time([...common, '--safety', 'off']) // warm the page cache
for (let run = 0; run < runs; run++) {
  off.push(time([...common, '--safety', 'off']).ms)
  const ran = time(common)
  on.push(ran.ms)
  findings = JSON.parse(ran.out).safety.findings.length
}
const [withSafety, without] = [median(on), median(off)]
console.log(`${files} migrations, ${files * 10} statements, ${findings} findings; median of ${runs} alternated runs`)
console.log(`validate --safety off: ${without.toFixed(0)} ms`)
console.log(`validate (safety on):  ${withSafety.toFixed(0)} ms`)
console.log(`ratio: ${(withSafety / without).toFixed(2)} (goal: at most 1.3)`)
