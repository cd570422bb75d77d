import { pipeWriter } from './pipe.js'
import { readPassword } from './stdin.js'
import { runCli } from './run.js'

const out = pipeWriter(process.stdout)
const err = pipeWriter(process.stderr)

process.exitCode = await runCli(process.argv.slice(2), {
  out,
  err,
  password: () => readPassword(err),
})
