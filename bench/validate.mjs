#!/usr/bin/env node
// bench/validate: `migration-image validate` on a synthetic 10,000-file, ~200 MB directory against
// `cat <files in byte order> | sha256sum` over the same bytes, in the same process, page cache warm.
// Prints the median wall-time ratio and the peak RSS of the validate run (GNU time's %M).
// Usage: node bench/validate.mjs [--files N] [--size BYTES] [--runs R]
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'

const root = path.resolve(import.meta.dirname, '..')
const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    size: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '5' },
  },
})
const files = Number(values.files)
const size = Number(values.size)
const runs = Number(values.runs)
const dir = path.join(root, '.bench', `validate-${files}x${size}`)

if (!existsSync(path.join(dir, 'atlas.sum'))) {
  mkdirSync(dir, { recursive: true })
  const line = 'INSERT INTO events (id, payload) VALUES (1, \'{"k": "v"}\');\n'
  for (let i = 0; i < files; i++) {
    const body = `-- migration ${i}\n` + line.repeat(Math.ceil(size / line.length)).slice(0, size)
    writeFileSync(path.join(dir, `${String(20240101000000 + i)}_m${i}.sql`), body)
  }
  execFileSync(process.execPath, [path.join(root, 'dist/cli.js'), 'hash', dir])
}
const names = readdirSync(dir)
  .filter((n) => n.endsWith('.sql'))
  .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))

function timed(command, args, options = {}) {
  const start = process.hrtime.bigint()
  const ran = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (ran.status !== 0) throw new Error(`${command} failed: ${ran.stderr}`)
  return { ms, stderr: ran.stderr }
}
const baseline = () => timed('sh', ['-c', 'cat -- "$@" | sha256sum >/dev/null', 'sh', ...names], { cwd: dir })
const ours = () =>
  timed('/usr/bin/time', ['-f', '%M', process.execPath, path.join(root, 'dist/cli.js'), 'validate', dir])

baseline()
ours() // warm the page cache for both
const base = []
const mine = []
let peakKb = 0
for (let i = 0; i < runs; i++) {
  base.push(baseline().ms)
  const run = ours()
  mine.push(run.ms)
  peakKb = Math.max(peakKb, Number(run.stderr.trim().split('\n').at(-1)))
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const mb = (names.length * size) / 1e6
console.log(`directory: ${names.length} files, ${mb.toFixed(0)} MB (${path.relative(root, dir)})`)
console.log(`cat | sha256sum       median ${median(base).toFixed(0)} ms over ${runs} runs`)
console.log(`migration-image validate median ${median(mine).toFixed(0)} ms over ${runs} runs`)
console.log(`ratio validate / sha256sum: ${(median(mine) / median(base)).toFixed(2)} (goal <= 1.30)`)
console.log(`peak RSS of validate: ${(peakKb / 1024).toFixed(0)} MB (goal <= 150 MB)`)
