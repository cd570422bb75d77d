/**
 * A writer for stdout or stderr that stops quietly when the reader has gone (`migration-image validate … | head -1`):
 * EPIPE ends the output, not the run, so the process still exits with the work's code and prints no stack.
 */
export function pipeWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let closed = false
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    closed = true
  })
  return (text) => {
    if (!closed) stream.write(text)
  }
}
