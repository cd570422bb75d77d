import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { runNode, runNodeAsync, type Ran } from './tmp.js'

export interface ActionRun extends Ran {
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  /** RUNNER_TEMP of this run. */
  temp: string
}

export interface RunnerSetup {
  inputs?: Record<string, string>
  /** GITHUB_* and other variables the runner sets. */
  env?: NodeJS.ProcessEnv
  /** Written to a file and passed as GITHUB_EVENT_PATH. */
  payload?: object
  cwd: string
}

/** Files the runner reads back: GITHUB_OUTPUT and GITHUB_STATE use `name<<DELIM\nvalue\nDELIM` blocks. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (!match) continue
    const end = lines.indexOf(match[2], i + 1)
    values[match[1]] = lines.slice(i + 1, end).join('\n')
    i = end
  }
  return values
}

/**
 * The runtime the action runs on: node24 on GitHub, so the Node 24 binary scripts/test-env.sh fetched from the npm
 * registry; without the real parts (MI_SKIP_REAL_PARTS, GitHub's ci.yml on Node 24) the current Node.
 */
function actionNode(): string {
  const envFile = path.join(process.env.MI_TEST_ENV_DIR ?? path.join(tmpdir(), 'migration-image-test-env'), 'env')
  if (process.env.MI_SKIP_REAL_PARTS === '1' || !existsSync(envFile)) return process.execPath
  const line = readFileSync(envFile, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('MI_NODE24='))
  return line ? line.slice('MI_NODE24='.length) : process.execPath
}
export const ACTION_NODE = actionNode()

function prepare({ inputs = {}, env = {}, payload, cwd }: RunnerSetup): { temp: string; runnerEnv: NodeJS.ProcessEnv } {
  const temp = mkdtempSync(path.join(tmpdir(), 'mi-runner-'))
  const files = { GITHUB_OUTPUT: 'output', GITHUB_STEP_SUMMARY: 'summary', GITHUB_STATE: 'state' }
  // As on every runner: the workspace, the temp dir, the repository and the commit are always set.
  const runnerEnv: NodeJS.ProcessEnv = {
    GITHUB_WORKSPACE: cwd,
    RUNNER_TEMP: temp,
    GITHUB_REPOSITORY: 'acme/api',
    GITHUB_SHA: 'c0ffee0000000000000000000000000000000000',
    ...env,
  }
  for (const [variable, name] of Object.entries(files)) {
    runnerEnv[variable] = path.join(temp, name)
    writeFileSync(path.join(temp, name), '')
  }
  if (payload) {
    runnerEnv.GITHUB_EVENT_PATH = path.join(temp, 'event.json')
    writeFileSync(runnerEnv.GITHUB_EVENT_PATH, JSON.stringify(payload))
  }
  for (const [name, value] of Object.entries(inputs))
    runnerEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  return { temp, runnerEnv }
}

function collect(ran: Ran, temp: string): ActionRun {
  const read = (name: string): string => readFileSync(path.join(temp, name), 'utf8')
  return {
    ...ran,
    outputs: parseFileCommands(read('output')),
    state: parseFileCommands(read('state')),
    summary: read('summary'),
    temp,
  }
}

/** Runs dist/index.js as the runner does: inputs as INPUT_*, file commands in RUNNER_TEMP. */
export function runAction(setup: RunnerSetup): ActionRun {
  const { temp, runnerEnv } = prepare(setup)
  return collect(runNode('dist/index.js', [], runnerEnv, setup.cwd, ACTION_NODE), temp)
}

/** runAction without blocking the event loop (the test serves HTTP to the action). */
export async function runActionAsync(setup: RunnerSetup): Promise<ActionRun> {
  const { temp, runnerEnv } = prepare(setup)
  return collect(await runNodeAsync('dist/index.js', [], runnerEnv, setup.cwd, ACTION_NODE), temp)
}

/** Runs dist/post.js with the state the main step saved (the runner passes it as STATE_<name>). */
export function runPost(main: ActionRun, env: NodeJS.ProcessEnv, cwd: string): Ran {
  const stateEnv: NodeJS.ProcessEnv = { RUNNER_TEMP: main.temp, ...env }
  for (const [name, value] of Object.entries(main.state)) stateEnv[`STATE_${name}`] = value
  return runNode('dist/post.js', [], stateEnv, cwd, ACTION_NODE)
}

export const freshTemp = (): string => mkdtempSync(path.join(tmpdir(), 'mi-'))

/**
 * The event of a pull request into main of acme/api, as the runner writes it (`GITHUB_EVENT_PATH`); `headRepo` is
 * where the head lives (another name: a fork).
 */
export const pullRequestEvent = ({
  base,
  head,
  number = 7,
  headRepo = 'acme/api',
}: {
  base: string
  head: string
  number?: number
  headRepo?: string
}) => ({
  repository: { default_branch: 'main', full_name: 'acme/api' },
  pull_request: { number, base: { sha: base, ref: 'main' }, head: { sha: head, repo: { full_name: headRepo } } },
})
