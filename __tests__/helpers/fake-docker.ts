import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** One canned answer: the first whose pattern matches the joined argv is used. */
export interface Answer {
  /** A regular expression source, tested against argv joined with spaces. */
  readonly match: string
  readonly code?: number
  readonly stdout?: string
  /** Print this many bytes of 'x' (no newline) on stdout before exiting. */
  readonly flood?: number
  /** Never answer (sleep until killed). */
  readonly hang?: boolean
  /** Exit without reading stdin. */
  readonly skipStdin?: boolean
}

export interface DockerCall {
  readonly argv: string[]
  readonly env: Record<string, string>
  readonly stdin: string
  /** The Dockerfile a build was given (`--file`), as it was when docker ran. */
  readonly dockerfile?: string
}

/**
 * A recording `docker` stand-in: a small node script put first on PATH. It appends {argv, env, stdin} to a log file
 * and prints the canned answer for its argv (default: exit 0, no output). No engine is needed.
 */
export class FakeDocker {
  readonly bin: string
  private readonly log: string
  private readonly answers: string

  constructor(parent: string, answers: Answer[] = []) {
    this.bin = path.join(parent, 'fake-bin')
    mkdirSync(this.bin, { recursive: true })
    this.log = path.join(parent, 'docker-calls.jsonl')
    this.answers = path.join(parent, 'docker-answers.json')
    writeFileSync(this.answers, JSON.stringify(answers))
    const script = `#!${process.execPath}
const fs = require('node:fs')
const argv = process.argv.slice(2)
const answers = JSON.parse(fs.readFileSync(${JSON.stringify(this.answers)}, 'utf8'))
const answer = answers.find((a) => new RegExp(a.match).test(argv.join(' '))) || {}
let stdin = ''
if (!answer.skipStdin) { try { stdin = fs.readFileSync(0, 'utf8') } catch {} }
const fileAt = argv.indexOf('--file')
let dockerfile
try { dockerfile = fileAt === -1 ? undefined : fs.readFileSync(argv[fileAt + 1], 'utf8') } catch {}
fs.appendFileSync(${JSON.stringify(this.log)}, JSON.stringify({ argv, env: process.env, stdin, dockerfile }) + '\\n')
if (answer.hang) setInterval(() => {}, 1000)
else {
  if (answer.stdout) process.stdout.write(answer.stdout)
  if (answer.flood) { const chunk = 'x'.repeat(1 << 20); for (let i = 0; i < answer.flood >> 20; i++) fs.writeSync(1, chunk) }
  process.exitCode = answer.code || 0
}
`
    writeFileSync(path.join(this.bin, 'docker'), script)
    chmodSync(path.join(this.bin, 'docker'), 0o755)
  }

  /** PATH with the stand-in first. */
  path(): string {
    return `${this.bin}:${process.env.PATH}`
  }

  calls(): DockerCall[] {
    if (!existsSync(this.log)) return []
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as DockerCall)
  }
}

/** docker without buildx: `docker build` then `docker push` per tag (the simplest plan to record). */
export const noBuildx: Answer = { match: '^buildx', code: 1, stdout: '' }

/**
 * The workflow commands the runner would run from this output: every `::name …::` line outside
 * `::stop-commands::TOKEN` … `::TOKEN::` fences.
 */
export function runnerCommands(stdout: string): string[] {
  const commands: string[] = []
  let fence: string | undefined
  for (const raw of stdout.split(/\r\n|\r|\n/)) {
    const line = raw.trimStart()
    if (fence !== undefined) {
      if (line === `::${fence}::`) fence = undefined
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(line)
    if (stop) fence = stop[1]
    else if (line.startsWith('::')) commands.push(line)
  }
  return commands
}

/**
 * Commands this action itself issues: annotations titled migration-image, the failure line, groups, the mask. A
 * command anything else issued came from foreign text.
 */
export function foreignCommands(stdout: string): string[] {
  return runnerCommands(stdout).filter(
    (line) =>
      !/^::(?:error|warning|notice)(?: [^:]*title=migration-image[^:]*)?::/.test(line) &&
      !/^::(?:error|warning|notice)::/.test(line) &&
      !/^::(?:group::|endgroup::|add-mask::|debug::)/.test(line),
  )
}
