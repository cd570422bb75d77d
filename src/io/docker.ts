import { spawn } from 'node:child_process'
import { MigrationImageError, UsageError } from '../core/errors.js'
import { showName } from '../core/escape.js'

export interface DockerResult {
  readonly code: number
  /** The tail of what docker printed (at most OUTPUT_CAP characters each). */
  readonly stdout: string
  readonly stderr: string
  /** True when `timeoutMs` ended the run. */
  readonly timedOut?: boolean
}

export interface RunOptions {
  /** Written to stdin (the only way a password reaches docker). */
  readonly input?: string
  /** Stream output to this sink while capturing it (builds, pushes). */
  readonly echo?: (chunk: string) => void
  /**
   * How many probe timeouts (MIGRATION_IMAGE_PROBE_TIMEOUT, 60 s by default) the command may take before it is killed
   * with an error naming it: 1 for a probe (version, inspect, login), more for a builder's start. Builds and pushes
   * have no limit.
   */
  readonly timeoutProbes?: number
  /**
   * A hard limit in milliseconds (the apply check's runs): the docker CLI is killed and `timedOut` is set, with no
   * error (the caller removes the container the CLI started).
   */
  readonly timeoutMs?: number
}

/** How long a probe may take: docker answers these in well under a second when the engine is there. */
const PROBE_TIMEOUT_MS = 60_000

/** MIGRATION_IMAGE_PROBE_TIMEOUT (seconds) overrides the probe timeout, for slow engines (and the tests). */
function probeTimeoutMs(env: NodeJS.ProcessEnv): number {
  const value = env.MIGRATION_IMAGE_PROBE_TIMEOUT
  if (value === undefined || value === '') return PROBE_TIMEOUT_MS
  if (!/^\d{1,6}(?:\.\d{1,3})?$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`MIGRATION_IMAGE_PROBE_TIMEOUT is not a number of seconds: '${showName(value)}'`, {
      fix: 'set it to e.g. 120, or unset it for the default of 60',
    })
  }
  return Number(value) * 1000
}

/** Captured output keeps only its tail: docker can print hundreds of MB (a build log), the errors are at the end. */
const OUTPUT_CAP = 1 << 20

/** The last `cap` characters of a stream (docker's output: its errors are at the end). */
class LastChars {
  private text = ''
  constructor(private readonly cap: number) {}
  add(chunk: string): void {
    this.text += chunk
    if (this.text.length > 2 * this.cap) this.text = this.text.slice(-this.cap)
  }
  toString(): string {
    return this.text.length > this.cap ? this.text.slice(-this.cap) : this.text
  }
}

/**
 * The environment docker runs with: the caller's, without the action's inputs (INPUT_PASSWORD and the rest) and
 * the runner's saved state (STATE_*): a child process has no use for them. ACTIONS_RUNTIME_TOKEN and the cache
 * URLs stay: buildx's type=gha cache reads them from its environment (never from argv).
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(INPUT|STATE)_/i.test(name)))
}

/** Spawns the docker CLI with a fixed environment and counts the processes (a benchmark figure). */
export class Docker {
  spawned = 0
  readonly env: NodeJS.ProcessEnv
  readonly probeTimeoutMs: number

  constructor(
    env: NodeJS.ProcessEnv,
    readonly bin = 'docker',
  ) {
    this.env = childEnv(env)
    this.probeTimeoutMs = probeTimeoutMs(env)
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<DockerResult> {
    this.spawned++
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, argv, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] })
      const stdout = new LastChars(OUTPUT_CAP)
      const stderr = new LastChars(OUTPUT_CAP)
      let timedOut = false
      const timeoutMs =
        options.timeoutProbes === undefined ? options.timeoutMs : options.timeoutProbes * this.probeTimeoutMs
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true
              child.kill('SIGKILL')
            }, timeoutMs)
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout.add(chunk)
        options.echo?.(chunk)
      })
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr.add(chunk)
        options.echo?.(chunk)
      })
      // A docker that exits before reading its stdin (buildx version can) makes the write fail with EPIPE: its exit
      // code says what happened, so the write error is not one.
      child.stdin.on('error', () => undefined)
      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer)
        reject(
          error.code === 'ENOENT'
            ? new DockerMissingError(`'${this.bin}' was not found on PATH`, {
                fix: 'install Docker (or run on a runner that has it); validation and the Dockerfile need no engine',
              })
            : new DockerMissingError(`'${this.bin}' cannot be started: ${error.message}`),
        )
      })
      child.on('close', (code) => {
        clearTimeout(timer)
        if (timedOut && options.timeoutProbes === undefined) {
          resolve({ code: code ?? 137, stdout: stdout.toString(), stderr: stderr.toString(), timedOut: true })
          return
        }
        if (timedOut) {
          reject(
            new DockerTimeoutError(
              `'docker ${argv.slice(0, 2).join(' ')}' did not answer within ${Math.round((timeoutMs ?? 0) / 1000)} s`,
              { fix: 'check that the Docker engine is up and responsive (docker info), then re-run' },
            ),
          )
          return
        }
        resolve({ code: code ?? 1, stdout: stdout.toString(), stderr: stderr.toString() })
      })
      child.stdin.end(options.input ?? '')
    })
  }
}

/** No docker CLI, or no engine behind it: the build step cannot run here. */
export class DockerMissingError extends MigrationImageError {}

/** A docker probe that never answered. */
class DockerTimeoutError extends MigrationImageError {}

/** The last meaningful lines of docker's output, for an error message: one line, control characters shown. */
export function lastLines(text: string, lines = 5): string {
  return text
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-lines)
    .map(showName)
    .join(' | ')
}

/** docker's output without buildx's progress lines (`#12 …`, `------`, ` > [stage]`, `=> …`): what is left says why. */
export function withoutProgress(output: string): string {
  return output
    .split(/\r?\n/)
    .filter((line) => !/^\s*(#\d+\s|-{3,}|>|\d+ \||\[\+\]|=>)/.test(line))
    .join('\n')
}
