import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints every skipped test with the reason it gave (`skip(condition, reason)`), after the run: a skip is never
 * silent. The default reporter shows a skipped test's name only in its verbose mode, and the JSON report drops the
 * reason.
 */
export default class SkipNotes implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    const lines: string[] = []
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result()
        if (result.state !== 'skipped') continue
        lines.push(`  skipped: ${test.fullName} — ${result.note ?? 'no reason given'}`)
      }
    }
    if (lines.length > 0) process.stdout.write(`\n${lines.length} skipped, with their reasons:\n${lines.join('\n')}\n`)
  }
}
