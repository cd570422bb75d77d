import { readPassword } from './stdin.js'
import { runCli } from './run.js'

process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  password: () => readPassword((text) => process.stderr.write(text)),
})
