import { readSync } from 'node:fs'
import { errnoCode, UsageError } from '../core/errors.js'

/** Largest password read from stdin: tokens are a few KB; more is a mistake (a file piped in), not a password. */
const STDIN_LIMIT = 1 << 20

const pause = (): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10)
}

/**
 * Standard input (the password for --username), bounded. A pipe may be non-blocking (EAGAIN): wait briefly and
 * read on, instead of failing with a stack trace.
 */
function readStdin(): string {
  const chunks: Buffer[] = []
  const buffer = Buffer.alloc(1 << 16)
  let total = 0
  for (;;) {
    let read: number
    try {
      read = readSync(0, buffer, 0, buffer.length, null)
    } catch (error) {
      if (errnoCode(error) === 'EAGAIN') {
        pause()
        continue
      }
      if (errnoCode(error) === 'EOF') break
      throw new UsageError(`cannot read the password from stdin: ${errnoCode(error) ?? String(error)}`)
    }
    if (read === 0) break
    total += read
    if (total > STDIN_LIMIT)
      throw new UsageError('the password on stdin is larger than 1 MB', { fix: 'pipe only the password' })
    chunks.push(Buffer.from(buffer.subarray(0, read)))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * The password: piped on stdin, or typed at a terminal after a prompt on stderr, without echo (raw mode: each key is
 * read as it is typed and nothing is shown). Enter ends it; Ctrl-C gives up.
 */
export function readPassword(err: (text: string) => void): string {
  if (!process.stdin.isTTY) return readStdin()
  // Raw mode first: a key typed as soon as the prompt shows must not be echoed.
  process.stdin.setRawMode(true)
  err('Password: ')
  const typed: number[] = []
  const byte = Buffer.alloc(1)
  try {
    for (;;) {
      let read: number
      try {
        read = readSync(0, byte, 0, 1, null)
      } catch (error) {
        if (errnoCode(error) === 'EAGAIN') {
          pause()
          continue
        }
        throw error
      }
      const key = byte[0]
      if (read === 0 || key === 0x0d || key === 0x0a || key === 0x04) break
      if (key === 0x03) throw new UsageError('cancelled at the password prompt')
      if (key === 0x7f || key === 0x08) typed.pop()
      else typed.push(key)
      if (typed.length > STDIN_LIMIT) throw new UsageError('the password is larger than 1 MB')
    }
  } finally {
    process.stdin.setRawMode(false)
    err('\n')
  }
  return Buffer.from(typed).toString('utf8')
}
