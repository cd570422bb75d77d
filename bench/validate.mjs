#!/usr/bin/env node
// bench/validate: `migration-image validate` on a synthetic 10,000-file, ~200 MB directory against one SHA-256 pass
// at hardware speed over the same bytes, `cat <files in byte order> | openssl dgst -sha256` (the goal: within
// 1.25x), and `| sha256sum` (coreutils) for reference; page cache warm. Prints the median wall-time ratios and the
// peak RSS of the validate run (GNU time's %M). With --scale it also validates a directory of --files small files
// and one of 10x as many, and prints the time per file of each: linear time means a ratio near 1.
// Usage: node bench/validate.mjs [--files N] [--size BYTES] [--runs R] [--scale]
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
    scale: { type: 'boolean', default: false },
  },
})
const files = Number(values.files)
const size = Number(values.size)
const runs = Number(values.runs)
const cli = path.join(root, 'dist/cli.js')

/** A directory of `count` migrations of `bytes` each, hashed once (kept under .bench/ between runs). */
function fixture(count, bytes) {
  const dir = path.join(root, '.bench', `validate-${count}x${bytes}`)
  if (!existsSync(path.join(dir, 'atlas.sum'))) {
    mkdirSync(dir, { recursive: true })
    const line = 'INSERT INTO events (id, payload) VALUES (1, \'{"k": "v"}\');\n'
    for (let i = 0; i < count; i++) {
      const body = `-- migration ${i}\n` + line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes)
      writeFileSync(path.join(dir, `${String(20240101000000 + i)}_m${i}.sql`), body)
    }
    execFileSync(process.execPath, [cli, 'hash', dir])
  }
  return dir
}

function timed(command, args, options = {}) {
  const start = process.hrtime.bigint()
  const ran = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 26, ...options })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (ran.status !== 0) throw new Error(`${command} failed: ${ran.stderr}`)
  return { ms, stderr: ran.stderr }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const validate = (dir) => timed('/usr/bin/time', ['-f', '%M %U %S', process.execPath, cli, 'validate', dir])
/** GNU time's last line: peak RSS in KB, then user and system CPU seconds (the pipeline's include its children). */
const measured = (run) => run.stderr.trim().split('\n').at(-1).split(' ').map(Number)
/** CPU time is less sensitive than wall time to a busy machine. */
const cpu = (run) => measured(run)[1] + measured(run)[2]

const dir = fixture(files, size)
const names = readdirSync(dir)
  .filter((n) => n.endsWith('.sql'))
  .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
const pipe = (hasher) => () =>
  timed('/usr/bin/time', ['-f', '%M %U %S', 'sh', '-c', `cat -- "$@" | ${hasher} >/dev/null`, 'sh', ...names], {
    cwd: dir,
  })
const openssl = pipe('openssl dgst -sha256')
const sha256sum = pipe('sha256sum')

openssl()
sha256sum()
validate(dir) // warm the page cache for all three
const times = { openssl: [], sha256sum: [], validate: [] }
const cpus = { openssl: [], validate: [] }
let peakKb = 0
for (let i = 0; i < runs; i++) {
  const base = openssl()
  times.openssl.push(base.ms)
  cpus.openssl.push(cpu(base))
  times.sha256sum.push(sha256sum().ms)
  const run = validate(dir)
  times.validate.push(run.ms)
  cpus.validate.push(cpu(run))
  peakKb = Math.max(peakKb, measured(run)[0])
}
const mb = (names.length * size) / 1e6
console.log(`directory: ${names.length} files, ${mb.toFixed(0)} MB (${path.relative(root, dir)})`)
console.log(`cat | openssl dgst -sha256  median ${median(times.openssl).toFixed(0)} ms over ${runs} runs`)
console.log(`cat | sha256sum             median ${median(times.sha256sum).toFixed(0)} ms`)
console.log(`migration-image validate    median ${median(times.validate).toFixed(0)} ms`)
console.log(
  `ratio validate / openssl: ${(median(times.validate) / median(times.openssl)).toFixed(2)} (goal <= 1.25); ` +
    `validate / sha256sum: ${(median(times.validate) / median(times.sha256sum)).toFixed(2)}`,
)
const cpuMs = (xs) => (median(xs) * 1000).toFixed(0)
console.log(
  `CPU time (user + sys): openssl pipeline ${cpuMs(cpus.openssl)} ms, validate ${cpuMs(cpus.validate)} ms, ` +
    `ratio ${(median(cpus.validate) / median(cpus.openssl)).toFixed(2)}`,
)
console.log(`peak RSS of validate: ${(peakKb / 1024).toFixed(0)} MB (goal < 150 MB)`)

if (values.scale) {
  // Linear time: the time per file of N and 10N small files (200 bytes each) should be about the same.
  const small = 200
  const perFile = (count) => {
    const at = fixture(count, small)
    validate(at)
    const ms = median(Array.from({ length: Math.max(3, Math.min(runs, 5)) }, () => validate(at).ms))
    return { ms, each: ms / count }
  }
  const few = perFile(files)
  const many = perFile(files * 10)
  console.log(
    `scale: ${files} files ${few.ms.toFixed(0)} ms (${(few.each * 1000).toFixed(1)} µs/file), ` +
      `${files * 10} files ${many.ms.toFixed(0)} ms (${(many.each * 1000).toFixed(1)} µs/file), ` +
      `per-file ratio ${(many.each / few.each).toFixed(2)} (linear: about 1)`,
  )
}
