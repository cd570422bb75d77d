import { randomBytes } from 'node:crypto'
import { chmodSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { readBounded, DEFAULT_MAX_FILE_SIZE } from '../core/check/safe-read.js'
import { SUM_FILE } from '../core/check/sum-file.js'
import { validateDirectory, type ValidateOptions, type Validation } from '../core/check/validate.js'
import {
  checkDatabaseName,
  createDatabaseSql,
  databaseServer,
  dropDatabaseSql,
  dumpCommand,
  parseDatabaseUrl,
  readinessCommand,
  sqlCommand,
  withDatabase,
  type ClientCommand,
  type DatabaseKind,
  type DatabaseTarget,
} from '../core/apply/database.js'
import { parseFailure, type Failure } from '../core/apply/failure.js'
import { parseTrace, type RunWindow, type Trace } from '../core/apply/trace.js'
import { NOT_SUPERUSER, traceInstallSql, traceReadSql, traceRemoveSql } from '../core/apply/trace-sql.js'
import { planApplyCheck, type ApplyPlan } from '../core/apply/plan.js'
import type { ApplyResult, RoundTrip, RunResult } from '../core/apply/result.js'
import { normaliseSchema, unifiedDiff } from '../core/apply/schema.js'
import { applyRun, BOOKKEEPING_TABLES, rollBack, type ToolRun } from '../core/apply/tools.js'
import { MigrationImageError } from '../core/errors.js'
import { showName } from '../core/escape.js'
import type { Preset } from '../core/image/presets.js'
import type { ImageSpec } from '../core/image/spec.js'
import type { ApplyRequest } from '../core/request.js'
import { applyLabel, removeApplyParts } from './apply-parts.js'
import type { CleanupStore } from './cleanup.js'
import { Docker, lastLines as tail, type DockerResult } from './docker.js'
import { ensureCommit, treeAt } from './git-base.js'
import type { Log } from './log.js'
import { removeContext, stageContext, type StagedContext } from './stage.js'

export interface ApplyPorts {
  readonly log: Log
  readonly cleanup: CleanupStore
  /** The environment docker inherits (the containers get none of it: only the variables named per run). */
  readonly env: NodeJS.ProcessEnv
  readonly tempDir: string
}

export interface ApplyCheckInput {
  readonly request: ApplyRequest
  readonly preset: Preset
  /** The image this run built, runnable from the engine's store (loaded, or pushed and pullable). */
  readonly image: string
  /** The image's layout (where the migrations go, the psql runner): staged copies follow it. */
  readonly spec: ImageSpec
  /** The directory as checked out, validated. */
  readonly head: Validation
  readonly options: ValidateOptions
  /** The base branch on pull requests (and --base): its migrations run first, from its own tree. */
  readonly base?: { readonly ref: string; readonly allowOutOfOrder: boolean; readonly missingFix: string }
  /** Trace what each new migration does to the database (deploy safety is on): PostgreSQL only. */
  readonly trace?: boolean
}

/** Resource limits of every container the check starts (strangers' SQL runs in them). */
const LIMITS = ['--memory=1g', '--pids-limit=512'] as const
/** The tool containers need no capability at all. */
const HARDENED = ['--cap-drop=ALL', '--security-opt=no-new-privileges'] as const
/** How long a started server may take to accept connections (within apply-timeout). */
const DATABASE_START_MS = 120_000
/** Above this a dump is cut by the docker runner's output tail: the diff says so instead of lying. */
const DUMP_CAP = (1 << 20) - 1

class CheckTimeout extends MigrationImageError {}

/** A database the tools reach, and how its own clients run (exec in the server, or a client container). */
interface Database {
  /** What the tools connect to. */
  readonly target: DatabaseTarget
  /** The same, as the clients see it. */
  readonly clientTarget: DatabaseTarget
  /** `--network …` for the tool containers. */
  readonly network: string
  readonly kind: DatabaseKind
  readonly shown: string
  /** Runs one of the database's own clients. */
  client(command: ClientCommand): Promise<DockerResult>
  /** Drops what the check created in a database it did not start. */
  readonly drop?: () => Promise<void>
}

/**
 * The apply check: a throwaway database (or `database-url`), the base's migrations from the base's own tree, then
 * the pull request's new ones one at a time (the last run is the image as built), a schema dump before and after,
 * and the down/up round trip where the tool has a down. Every container and the network go on every path; the
 * cleanup state names them for the post step too.
 */
export async function runApplyCheck(input: ApplyCheckInput, ports: ApplyPorts): Promise<ApplyResult> {
  const session = new Session(input, ports)
  ports.cleanup.add({ apply: session.prefix })
  try {
    return await session.run()
  } finally {
    await session.close()
  }
}

class Session {
  readonly prefix = `migration-image-apply-${randomBytes(6).toString('hex')}`
  private readonly started = Date.now()
  private readonly deadline: number
  private readonly staged: StagedContext[] = []
  private readonly dirs: string[] = []
  private database?: Database
  private runs = 0
  private networkCreated = false

  constructor(
    private readonly input: ApplyCheckInput,
    private readonly ports: ApplyPorts,
  ) {
    this.deadline = this.started + input.request.timeoutMs
  }

  private docker(env: Readonly<Record<string, string>> = {}): Docker {
    return new Docker({ ...this.ports.env, ...env })
  }

  private remaining(what: string): number {
    const left = this.deadline - Date.now()
    if (left <= 0) throw this.timeout(what)
    return left
  }

  private timeout(what: string): CheckTimeout {
    return new CheckTimeout(
      `apply-timeout (${Math.round(this.input.request.timeoutMs / 1000)} s) ended the check while ${what}`,
      { fix: 'make the migration finish (a lock wait or an endless loop?), or raise apply-timeout' },
    )
  }

  async run(): Promise<ApplyResult> {
    const { input } = this
    const { preset } = input
    const failures: ApplyResult['failures'][number][] = []
    const notes: string[] = []
    const runs: RunResult[] = []
    let base: ApplyResult['base']
    let roundTrip: RoundTrip = { kind: 'skipped', why: 'the new migrations did not all apply' }
    let schemaDiff: string | undefined
    let databaseMs = 0
    let timedOut: string | undefined
    let trace: Trace | undefined
    let shown = input.request.databaseUrl ? 'database-url' : input.request.database
    const bookkeeping = BOOKKEEPING_TABLES[preset.tool] ?? []
    try {
      const t0 = Date.now()
      const database = await this.startDatabase()
      this.database = database
      shown = database.shown
      databaseMs = Date.now() - t0
      const baseNames = input.base ? await this.baseMigrations(input.base.ref, input.base.missingFix) : undefined
      const plan = planApplyCheck({
        tool: preset.tool,
        format: input.head.format,
        head: input.head.migrations,
        base: baseNames?.validation.migrations.map(({ name }) => name),
      })
      for (const skipped of plan.neverApplied)
        failures.push({ file: skipped.file, message: skipped.why, title: 'never applied' })
      const toolOptions = { allowOutOfOrder: input.base?.allowOutOfOrder ?? false }
      const apply = applyRun(preset.tool, database.target, toolOptions)

      if (baseNames && plan.base.length > 0) {
        const context = await this.stage(baseNames.validation, false)
        const ran = await this.tool(apply, `base: ${plan.base.length} migrations`, context.migrations)
        const failure = ran.ok ? undefined : this.located(ran, baseNames.validation, plan.base)
        base = { adds: plan.base, count: plan.base.length, ms: ran.ms, ok: ran.ok, failure }
        if (failure) {
          failures.push({ ...failure, title: 'base migrations failed' })
          notes.push("the base branch's own migrations failed on this database: the new ones were not run")
          return this.result({ shown, databaseMs, base, runs, roundTrip, failures, notes })
        }
      } else if (baseNames) {
        base = { adds: [], count: 0, ms: 0, ok: true }
      }

      const before = await this.dump(database, bookkeeping)
      const changesetsBefore = preset.tool === 'liquibase' ? await this.countChangesets(database) : 0
      const tracing = input.trace && database.kind === 'postgres' ? await this.installTrace(database) : undefined
      if (tracing && 'why' in tracing) trace = { measured: false, why: tracing.why }
      const windows: RunWindow[] = []

      let allOk = plan.neverApplied.length === 0
      for (const step of plan.steps) {
        const label = step.adds.length === 1 ? step.adds[0] : `${step.adds.length} migrations`
        const context = step.subset ? await this.stage(this.subset(step.subset), true) : undefined
        const from = Date.now()
        const ran = await this.tool(
          apply,
          label,
          context?.migrations,
          step.adds.length === 1 ? step.adds[0] : undefined,
        )
        if (tracing && 'offset' in tracing)
          windows.push({ adds: step.adds, from: from + tracing.offset, to: Date.now() + tracing.offset })
        const failure = ran.ok ? undefined : this.located(ran, input.head, step.adds)
        runs.push({ adds: step.adds, ms: ran.ms, ok: ran.ok, failure })
        if (failure) {
          failures.push({ ...failure, title: 'migration failed' })
          allOk = false
          break
        }
      }
      if (tracing && 'offset' in tracing) trace = await this.readTrace(database, windows)
      if (!allOk) return this.result({ shown, databaseMs, base, runs, roundTrip, failures, notes, trace })

      const after = await this.dump(database, bookkeeping)
      schemaDiff = this.diff(before, after, 'base', 'with the new migrations')

      const count =
        preset.tool === 'liquibase' ? (await this.countChangesets(database)) - changesetsBefore : plan.added.length
      roundTrip = await this.roundTrip(database, apply, plan, count, { before, after }, bookkeeping, failures)
    } catch (error) {
      if (!(error instanceof CheckTimeout)) throw error
      timedOut = error.message
      const last = this.current
      failures.push({ file: last, message: `did not finish: ${error.message}`, title: 'apply-timeout' })
    }
    return this.result({ shown, databaseMs, base, runs, roundTrip, schemaDiff, failures, notes, timedOut, trace })
  }

  /** Whether the trace is in the database now (removed after the new migrations, or at the end). */
  private traceInstalled = false

  /**
   * The trace's snapshot and event triggers (src/core/apply/trace-sql.ts), and the server's clock against this
   * runner's (to give each event its run). Refused by a login that is not a superuser: the check then says so.
   */
  private async installTrace(database: Database): Promise<{ offset: number } | { why: string }> {
    const sent = Date.now()
    const installed = await database.client(
      sqlCommand(database.clientTarget, traceInstallSql(), database.clientTarget.name),
    )
    const received = Date.now()
    if (installed.code !== 0) {
      // psql -c sends the install as one query, one transaction: a refused install leaves nothing to remove.
      const output = installed.stdout + installed.stderr
      return {
        why: output.includes(NOT_SUPERUSER)
          ? `the login ${database.clientTarget.user} is not a superuser, and event triggers need one: what each migration does was not measured (the static findings stand)`
          : `the trace could not be set up (${tail(output, 1)}): what each migration does was not measured`,
      }
    }
    this.traceInstalled = true
    const clock = /MI_TRACE_CLOCK (\d+)/.exec(installed.stdout)
    return { offset: clock ? Number(clock[1]) - (sent + received) / 2 : 0 }
  }

  /**
   * What the trace saw, read once, and the trace removed in the same client run (before the schema dump: it never
   * shows in the diff); a failed read still removes it.
   */
  private async readTrace(database: Database, windows: readonly RunWindow[]): Promise<Trace> {
    const read = await database.client(
      sqlCommand(database.clientTarget, `${traceReadSql()}${traceRemoveSql()}`, database.clientTarget.name),
    )
    if (read.code !== 0) {
      await this.removeTrace(database)
      return {
        measured: false,
        why: `the trace could not be read back (${tail(read.stderr, 1)}): nothing was measured`,
      }
    }
    this.traceInstalled = false
    return parseTrace(read.stdout, windows)
  }

  private async removeTrace(database: Database): Promise<void> {
    const removed = await database.client(
      sqlCommand(database.clientTarget, traceRemoveSql(), database.clientTarget.name),
    )
    if (removed.code === 0) this.traceInstalled = false
    else
      this.ports.log.warning(`could not remove the deploy-safety trace from the database: ${tail(removed.stderr, 1)}`)
  }

  /** The migration being applied right now (for a timeout's annotation). */
  private current?: string

  private result(parts: {
    shown: string
    databaseMs: number
    base?: ApplyResult['base']
    runs: RunResult[]
    roundTrip: RoundTrip
    schemaDiff?: string
    failures: ApplyResult['failures'][number][]
    notes: string[]
    timedOut?: string
    trace?: Trace
  }): ApplyResult {
    const ok =
      parts.failures.length === 0 &&
      (parts.base?.ok ?? true) &&
      parts.runs.every((run) => run.ok) &&
      (parts.roundTrip.kind !== 'ran' || parts.roundTrip.ok) &&
      parts.timedOut === undefined
    return {
      database: parts.shown,
      databaseMs: parts.databaseMs,
      base: parts.base,
      runs: parts.runs,
      roundTrip: parts.roundTrip,
      schemaDiff: parts.schemaDiff,
      dumpMs: this.dumpMs,
      timedOut: parts.timedOut,
      failures: parts.failures,
      notes: parts.notes,
      ok,
      totalMs: Date.now() - this.started,
      ...(parts.trace ? { trace: parts.trace } : {}),
    }
  }

  private async roundTrip(
    database: Database,
    apply: ToolRun,
    plan: ApplyPlan,
    count: number,
    schema: { before: string; after: string },
    bookkeeping: readonly string[],
    failures: ApplyResult['failures'][number][],
  ): Promise<RoundTrip> {
    const back = rollBack(this.input.preset.tool, database.target, count)
    if (back.kind === 'none') return back
    const t0 = Date.now()
    for (const [index, run] of back.runs.entries()) {
      const ran = await this.tool(run, `down ${index + 1}/${back.runs.length}`)
      if (!ran.ok) {
        const failure = this.located(ran, this.input.head, plan.added)
        failures.push({ ...failure, title: 'down failed' })
        return {
          kind: 'ran',
          how: back.how,
          downMs: Date.now() - t0,
          upMs: 0,
          ok: false,
          problem: 'the down failed',
          failure,
        }
      }
    }
    const downMs = Date.now() - t0
    const afterDown = await this.dump(database, bookkeeping)
    if (afterDown !== schema.before) {
      const diff = this.diff(schema.before, afterDown, 'base', 'after the down')
      const problem = "the down migrations do not undo the up ones: the schema after the down is not the base's"
      failures.push({ file: plan.added.at(-1), message: problem, title: 'down does not undo up' })
      return { kind: 'ran', how: back.how, downMs, upMs: 0, ok: false, problem, diff }
    }
    const t1 = Date.now()
    const up = await this.tool(apply, 'up again')
    const upMs = Date.now() - t1
    if (!up.ok) {
      const failure = this.located(up, this.input.head, plan.added)
      failures.push({ ...failure, title: 'up after down failed' })
      return { kind: 'ran', how: back.how, downMs, upMs, ok: false, problem: 'the up failed after the down', failure }
    }
    const again = await this.dump(database, bookkeeping)
    if (again !== schema.after) {
      const problem = 'applied again after the down, the new migrations give another schema'
      failures.push({ file: plan.added.at(-1), message: problem, title: 'up after down differs' })
      return {
        kind: 'ran',
        how: back.how,
        downMs,
        upMs,
        ok: false,
        problem,
        diff: this.diff(schema.after, again, 'first up', 'second up'),
      }
    }
    return { kind: 'ran', how: back.how, downMs, upMs, ok: true }
  }

  private diff(before: string, after: string, a: string, b: string): string {
    if (before.length >= DUMP_CAP || after.length >= DUMP_CAP)
      return `--- ${a}\n+++ ${b}\n@@ schema larger than 1 MiB: not diffed @@\n`
    return unifiedDiff(before, after, { before: a, after: b })
  }

  /** A failed run's file and line, from the tool's output (the run's one new migration when it names none). */
  private located(ran: ToolOutcome, validation: Validation, files: readonly string[]): Failure {
    const limit = this.input.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE
    const read = (name: string): string | undefined => {
      if (!validation.migrations.some((m) => m.name === name) && !validation.shipped.includes(name)) return undefined
      try {
        return readBounded(path.join(validation.dir, name), limit, validation.dir).toString('utf8')
      } catch {
        return undefined
      }
    }
    const names = [...validation.migrations.map(({ name }) => name), ...validation.shipped]
    return parseFailure(this.input.preset.tool, ran.output, {
      migrationsDir: this.input.preset.migrationsDir,
      read,
      files: names,
      fallback: files.length === 1 ? files[0] : undefined,
    })
  }

  // ---------------------------------------------------------------- the database ---

  private async startDatabase(): Promise<Database> {
    const { request } = this.input
    if (request.databaseUrl) return this.useDatabaseUrl(request.databaseUrl, request.database)
    const password = randomBytes(18).toString('hex')
    const server = databaseServer(request.database, password)
    const name = `${this.prefix}-db`
    const created = await this.docker().run(
      ['network', 'create', '--internal', '--label', applyLabel(this.prefix), this.prefix],
      {
        timeoutProbes: 1,
      },
    )
    if (created.code !== 0) throw new MigrationImageError(`cannot create the check's network: ${tail(created.stderr)}`)
    this.networkCreated = true
    const envNames = Object.keys(server.env).flatMap((key) => ['-e', key])
    const started = await this.docker(server.env).run(
      [
        'run',
        '-d',
        `--name=${name}`,
        '--label',
        applyLabel(this.prefix),
        `--network=${this.prefix}`,
        ...LIMITS,
        ...envNames,
        '--',
        server.image,
      ],
      { timeoutMs: this.remaining('starting the database') },
    )
    if (started.timedOut) throw this.timeout(`pulling and starting ${server.image}`)
    if (started.code !== 0) {
      throw new MigrationImageError(`cannot start the database ${server.image}: ${tail(started.stderr)}`, {
        fix: 'check the database input (an image the engine can pull, e.g. postgres:17-alpine)',
      })
    }
    const inspected = await this.docker().run(
      ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', '--', name],
      { timeoutProbes: 1 },
    )
    const ip = inspected.stdout.trim()
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip))
      throw new MigrationImageError(`the database container has no address: '${showName(ip)}'`)
    const target: DatabaseTarget = {
      kind: server.kind,
      host: ip,
      port: server.port,
      user: server.user,
      password,
      name: server.database,
    }
    const clientTarget = { ...target, host: '127.0.0.1' }
    const database: Database = {
      target,
      clientTarget,
      network: `--network=${this.prefix}`,
      kind: server.kind,
      shown: server.image,
      client: (command) =>
        this.docker(command.env).run(
          ['exec', ...Object.keys(command.env).flatMap((key) => ['-e', key]), name, ...command.argv],
          {
            timeoutMs: this.remaining('running the database client'),
          },
        ),
    }
    await this.ready(database, name)
    return database
  }

  /** Polls the server's own readiness client until it answers (or the container exits, or time runs out). */
  private async ready(database: Database, container: string): Promise<void> {
    const until = Math.min(this.deadline, Date.now() + DATABASE_START_MS)
    for (;;) {
      const probe = await database.client(readinessCommand(database.clientTarget))
      if (probe.code === 0) return
      const state = await this.docker().run(['inspect', '--format', '{{.State.Running}}', '--', container], {
        timeoutProbes: 1,
      })
      if (state.stdout.trim() !== 'true') {
        const logs = await this.docker().run(['logs', '--tail', '20', '--', container], { timeoutProbes: 1 })
        throw new MigrationImageError(`the database exited while starting: ${tail(logs.stdout + logs.stderr)}`, {
          fix: 'check the database input (its image and version)',
        })
      }
      if (Date.now() >= until) {
        if (until === this.deadline) throw this.timeout('waiting for the database')
        throw new MigrationImageError(`the database did not accept connections within ${DATABASE_START_MS / 1000} s`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }

  /**
   * `database-url`: the tools run on the host network to reach it; the database's own clients run from the
   * `database` image. The check works in a database of its own there when the login may create one (dropped at
   * the end), else in the URL's database itself.
   */
  private async useDatabaseUrl(url: string, clientImage: string): Promise<Database> {
    const parsed = parseDatabaseUrl(url)
    const serviceName = /^[a-z0-9][a-z0-9-]*$/i.test(parsed.target.host)
    if (!parsed.loopback && !serviceName) {
      this.ports.log.warning(
        `database-url points at ${parsed.target.host}, not this runner (loopback) or a service container: the check runs the pull request's SQL there, and creates and drops a database in it`,
      )
    }
    let target = parsed.target
    const client = (command: ClientCommand): Promise<DockerResult> =>
      this.docker(command.env).run(
        [
          'run',
          '--rm',
          `--name=${this.prefix}-client-${++this.runs}`,
          '--label',
          applyLabel(this.prefix),
          '--network=host',
          ...LIMITS,
          ...HARDENED,
          ...Object.keys(command.env).flatMap((key) => ['-e', key]),
          `--entrypoint=${command.argv[0]}`,
          '--',
          clientImage,
          ...command.argv.slice(1),
        ],
        { timeoutMs: this.remaining('running the database client') },
      )
    const own = checkDatabaseName(randomBytes(6).toString('hex'))
    const created = await client(sqlCommand(target, createDatabaseSql(own)))
    let drop: (() => Promise<void>) | undefined
    if (created.code === 0) {
      target = withDatabase(target, own)
      const server = parsed.target
      drop = async () => {
        await client(sqlCommand(server, dropDatabaseSql(server.kind, own))).catch(() => undefined)
      }
    } else {
      this.ports.log.warning(
        `cannot create a database of the check's own through database-url (${tail(created.stderr, 1)}): the check runs in ${parsed.target.name} itself`,
      )
    }
    return {
      target,
      clientTarget: target,
      network: '--network=host',
      kind: target.kind,
      shown: `database-url (${target.kind} at ${target.host}:${target.port})`,
      client,
      drop,
    }
  }

  /** Time spent dumping the schema (before, after, and the round trip's two). */
  private dumpMs = 0

  private async dump(database: Database, bookkeeping: readonly string[]): Promise<string> {
    const t0 = Date.now()
    const dumped = await database.client(dumpCommand(database.clientTarget)).finally(() => {
      this.dumpMs += Date.now() - t0
    })
    if (dumped.timedOut) throw this.timeout('dumping the schema')
    if (dumped.code !== 0) throw new MigrationImageError(`the schema dump failed: ${tail(dumped.stderr)}`)
    return normaliseSchema(dumped.stdout, database.kind, bookkeeping)
  }

  private async countChangesets(database: Database): Promise<number> {
    const counted = await database.client(
      sqlCommand(database.clientTarget, 'SELECT count(*) FROM databasechangelog', database.clientTarget.name),
    )
    const value = Number(counted.stdout.trim())
    return counted.code === 0 && Number.isInteger(value) ? value : 0
  }

  // ---------------------------------------------------------------- the tool ---

  /** One run of the built image, with only the run's variables, optionally a staged directory over its migrations. */
  private async tool(run: ToolRun, label: string, mount?: string, file?: string): Promise<ToolOutcome> {
    const database = this.database
    if (!database) throw new MigrationImageError('no database')
    const name = `${this.prefix}-run-${++this.runs}`
    this.current = file
    const argv = [
      'run',
      '--rm',
      `--name=${name}`,
      '--label',
      applyLabel(this.prefix),
      database.network,
      ...LIMITS,
      ...HARDENED,
      ...Object.keys(run.env).flatMap((key) => ['-e', key]),
      ...(mount ? ['--mount', `type=bind,source=${mount},target=${this.input.preset.migrationsDir},readonly`] : []),
      '--',
      this.input.image,
      ...run.args,
    ]
    const t0 = Date.now()
    const ran = await this.ports.log.group(`apply check: ${label}`, () =>
      this.docker(run.env).run(argv, {
        timeoutMs: this.remaining(`applying ${label}`),
        echo: (chunk) => this.ports.log.output(chunk),
      }),
    )
    const ms = Date.now() - t0
    if (ran.timedOut) {
      await this.docker()
        .run(['rm', '-f', '-v', name], { timeoutProbes: 1 })
        .catch(() => undefined)
      throw this.timeout(`applying ${label}`)
    }
    return { ok: ran.code === 0, ms, output: ran.stdout + '\n' + ran.stderr }
  }

  // ---------------------------------------------------------------- staging ---

  private async baseMigrations(ref: string, missingFix: string): Promise<{ validation: Validation }> {
    ensureCommit(this.input.head.dir, ref, this.ports.log, missingFix)
    const dir = await treeAt(this.input.head.dir, ref, this.ports.tempDir)
    this.dirs.push(dir)
    const validation = await validateDirectory(dir, { ...this.input.options, checksum: 'optional' })
    return { validation }
  }

  /** The head's directory reduced to `names` (and the files that go with them: down files, changelogs). */
  private subset(names: readonly string[]): Validation {
    const { head } = this.input
    const keep = new Set(names)
    const versionOf = (name: string): string => path.posix.basename(name).split(/[_.]/)[0]
    const dropped = new Set(head.migrations.filter(({ name }) => !keep.has(name)).map(({ name }) => versionOf(name)))
    return {
      ...head,
      migrations: head.migrations.filter(({ name }) => keep.has(name)),
      shipped: head.shipped.filter((name) => !dropped.has(versionOf(name))),
      sumPath: path.join(this.ports.tempDir, 'migration-image-no-such-file'),
    }
  }

  private async stage(validation: Validation, subset: boolean): Promise<StagedContext> {
    const context = stageContext(this.ports.tempDir, validation, this.input.spec)
    this.staged.push(context)
    // Atlas checks atlas.sum before it applies: a subset gets its own (the base's tree has its own already).
    if (this.input.preset.tool === 'atlas' && subset) {
      chmodSync(context.migrations, 0o755)
      const own = await validateDirectory(context.migrations, { ...this.input.options, checksum: 'optional' })
      writeFileSync(path.join(context.migrations, SUM_FILE), own.sumFile, { mode: 0o444 })
      chmodSync(context.migrations, 0o555)
    }
    return context
  }

  async close(): Promise<void> {
    // A check that stopped with the trace still in a database it did not start (database-url's own) removes it.
    if (this.traceInstalled && this.database && !this.database.drop)
      await this.removeTrace(this.database).catch(() => undefined)
    await this.database?.drop?.().catch(() => undefined)
    const docker = this.docker()
    await removeApplyParts(docker, this.prefix).catch(() => undefined)
    if (this.networkCreated)
      await docker.run(['network', 'rm', this.prefix], { timeoutProbes: 1 }).catch(() => undefined)
    for (const context of this.staged) removeContext(context)
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true })
  }
}

interface ToolOutcome {
  readonly ok: boolean
  readonly ms: number
  readonly output: string
}
