import { spawn } from 'node:child_process'
import { MigrationImageError } from '../core/errors.js'

export interface DockerResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Written to stdin (the only way a password reaches docker). */
  readonly input?: string
  /** Stream output to this sink while capturing it (builds, pushes). */
  readonly echo?: (chunk: string) => void
}

/** Spawns the docker CLI with a fixed environment and counts the processes (a benchmark figure). */
export class Docker {
  spawned = 0

  constructor(
    readonly env: NodeJS.ProcessEnv,
    readonly bin = 'docker',
  ) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<DockerResult> {
    this.spawned++
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, argv, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
        options.echo?.(chunk)
      })
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
        options.echo?.(chunk)
      })
      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new DockerMissingError(`'${this.bin}' was not found on PATH`, {
                fix: 'install Docker (or run on a runner that has it); validation and the Dockerfile need no engine',
              })
            : error,
        )
      })
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
      child.stdin.end(options.input ?? '')
    })
  }
}

/** No docker CLI, or no engine behind it: the build step cannot run here. */
export class DockerMissingError extends MigrationImageError {}

/** The last meaningful lines of docker's output, for an error message. */
export function tail(text: string, lines = 5): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ')
}
