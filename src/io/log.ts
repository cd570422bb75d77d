/** Where the pipeline reports progress; the action maps it to @actions/core, the CLI to stderr. */
export interface Log {
  info(message: string): void
  notice(message: string): void
  warning(message: string): void
  /** Raw docker output, streamed as it comes. */
  output(chunk: string): void
  /** A foldable section in the Actions log around one step. */
  group<T>(title: string, run: () => Promise<T>): Promise<T>
}
