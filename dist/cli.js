#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import {
  applyJson,
  applyRequest,
  assertTag,
  checkedBaseImage,
  didYouMean,
  formatProblem,
  getPreset,
  optionLabel,
  parseImageName,
  readOption,
  renderApplyText,
  renderSafetyText,
  renderValidationText,
  runPipeline,
  safetySettings,
  sourceDateEpoch,
  toolNames,
  validationJson,
  verdictLine
} from "./chunks/chunk-ZE2PFNRJ.js";
import {
  CLI_NAMES,
  COMMANDS,
  DockerMissingError,
  FLAGS,
  MemoryCleanupStore,
  MigrationImageError,
  OPTIONS,
  UsageError,
  cleanUp,
  errnoCode,
  fenceCommands,
  formatLocated,
  mayHoldCommand,
  nameOptions,
  showName
} from "./chunks/chunk-TINLM5AB.js";
import "./chunks/chunk-RSHFDZKV.js";

// src/cli/pipe.ts
function pipeWriter(stream) {
  let closed = false;
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

// src/cli/stdin.ts
import { readSync } from "node:fs";
var STDIN_LIMIT = 1 << 20;
var pause = () => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
};
function readStdin() {
  const chunks = [];
  const buffer = Buffer.alloc(1 << 16);
  let total = 0;
  for (; ; ) {
    let read;
    try {
      read = readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (errnoCode(error) === "EAGAIN") {
        pause();
        continue;
      }
      if (errnoCode(error) === "EOF") break;
      throw new UsageError(`cannot read the password from stdin: ${errnoCode(error) ?? String(error)}`);
    }
    if (read === 0) break;
    total += read;
    if (total > STDIN_LIMIT)
      throw new UsageError("the password on stdin is larger than 1 MB", { fix: "pipe only the password" });
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks).toString("utf8");
}
function readPassword(err2) {
  if (!process.stdin.isTTY) return readStdin();
  process.stdin.setRawMode(true);
  err2("Password: ");
  const typed = [];
  const byte = Buffer.alloc(1);
  try {
    for (; ; ) {
      let read;
      try {
        read = readSync(0, byte, 0, 1, null);
      } catch (error) {
        if (errnoCode(error) === "EAGAIN") {
          pause();
          continue;
        }
        throw error;
      }
      const key = byte[0];
      if (read === 0 || key === 13 || key === 10 || key === 4) break;
      if (key === 3) throw new UsageError("cancelled at the password prompt");
      if (key === 127 || key === 8) typed.pop();
      else typed.push(key);
      if (typed.length > STDIN_LIMIT) throw new UsageError("the password is larger than 1 MB");
    }
  } finally {
    process.stdin.setRawMode(false);
    err2("\n");
  }
  return Buffer.from(typed).toString("utf8");
}

// src/cli/run.ts
import { tmpdir } from "node:os";

// src/cli/args.ts
import { parseArgs } from "node:util";
var PARSER_OPTIONS = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" }
};
for (const [name, [key, flag2]] of FLAGS) {
  const multiple = OPTIONS[key].kind === "list";
  PARSER_OPTIONS[name] = { type: flag2.value === void 0 ? "boolean" : "string", multiple };
  if (flag2.negatable) PARSER_OPTIONS[`no-${name}`] = { type: "boolean" };
}
function parse(argv) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: PARSER_OPTIONS });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']*)'/.exec(text)?.[1];
    if (unknown) {
      const known = Object.keys(PARSER_OPTIONS).map((name) => `--${name}`);
      throw new UsageError(`unknown option '${showName(unknown)}'${didYouMean(unknown.split("=")[0], known)}`);
    }
    throw new UsageError(showName(text.split("\n")[0].replace(/\.$/, "")));
  }
}
function raw(values, key) {
  const spec = OPTIONS[key];
  if (!("flag" in spec)) return void 0;
  const name = spec.flag.name;
  if ("negatable" in spec.flag && values[`no-${name}`]) return "false";
  const value = values[name];
  if (typeof value === "boolean") return value ? "true" : void 0;
  if (Array.isArray(value)) return value.map(String);
  return value;
}
var flag = (values, key) => readOption(key, raw(values, key), optionLabel(key, "cli"));
function parseCliArgs(argv, deps) {
  const { values, positionals } = parse(argv);
  const [word, dirArg, ...extra] = positionals;
  const command = word === void 0 ? void 0 : COMMANDS.find((name) => name === word.toLowerCase());
  if (word !== void 0 && command === void 0) {
    throw new UsageError(`unknown command '${showName(word)}'${didYouMean(word, COMMANDS)}`);
  }
  if (values.help) return { kind: "help", command };
  if (values.version) return { kind: "version" };
  if (command === void 0) throw new UsageError("no command given");
  if (extra.length > 0) throw new UsageError(`unexpected argument '${showName(extra[0])}' (one DIR at most)`);
  for (const name of Object.keys(values)) {
    const found = FLAGS.get(name) ?? FLAGS.get(name.replace(/^no-/, ""));
    if (found && !found[1].commands.includes(command)) {
      throw new UsageError(`--${name} does not go with ${command} (it goes with ${found[1].commands.join(", ")})`);
    }
    if (name.startsWith("no-") && values[name.slice(3)]) {
      throw new UsageError(`--${name.slice(3)} and --${name} say opposite things: give one`);
    }
  }
  const dir = readOption("dir", dirArg, "DIR") ?? OPTIONS.dir.default;
  const preset = getPreset(flag(values, "tool") ?? OPTIONS.tool.default);
  const baseRef = flag(values, "base");
  const allowOutOfOrder = flag(values, "allowOutOfOrder") ?? false;
  const applying = command === "apply-check";
  const request = {
    // apply-check builds the image into the local store, then checks it: the pipeline's build, with the check.
    command: applying ? "build" : command,
    names: CLI_NAMES,
    check: {
      dir,
      tool: preset.tool,
      format: flag(values, "format") ?? preset.format,
      checksum: flag(values, "checksum"),
      changelog: flag(values, "changelog"),
      maxFileSize: flag(values, "maxFileSize"),
      safety: safetySettings(
        {
          mode: flag(values, "safety"),
          postgresVersion: flag(values, "postgresVersion"),
          database: flag(values, "database"),
          databaseUrl: flag(values, "databaseUrl")
        },
        { postgresVersion: "--postgres-version", safety: "--safety" }
      )
    },
    base: baseRef === void 0 ? void 0 : {
      ref: baseRef,
      name: baseRef,
      allowOutOfOrder,
      missingFix: `fetch it first ('git fetch origin ${showName(baseRef)}', or 'git fetch --unshallow' for a relative ref like main~5), or give --base a branch or commit that is in this checkout`
    },
    image: command === "validate" || command === "hash" ? void 0 : imageRequest(command, values, deps, preset),
    apply: applying ? applyRequest(
      {
        database: flag(values, "database"),
        databaseUrl: flag(values, "databaseUrl"),
        timeout: flag(values, "applyTimeout")
      },
      { database: "--database", databaseUrl: "--database-url", timeout: "--apply-timeout" }
    ) : void 0
  };
  if (allowOutOfOrder && !request.base) throw new UsageError("--allow-out-of-order goes with --base");
  const named = request.image?.name;
  return {
    kind: "run",
    request,
    json: flag(values, "json") ?? false,
    lowercased: named?.lowercased ? named.name : void 0
  };
}
function imageRequest(command, values, deps, preset) {
  const given = flag(values, "image") ?? (command === "apply-check" ? "migration-image-apply-check:local" : void 0);
  if (command === "build" && !given) throw new UsageError("build needs --image NAME[:TAG]");
  const [name, tagInName] = (given ?? "migrations").split(/:(?=[^/]*$)/);
  const push = flag(values, "push") === "true";
  const output = flag(values, "output");
  const username = flag(values, "username");
  const credentials = username ? { username, password: password(deps.readPassword, username) } : void 0;
  return {
    name: parseImageName(name, "--image"),
    tags: [...new Set([tagInName, ...flag(values, "tags") ?? []].filter((tag) => tag !== void 0))].map(
      (tag) => assertTag(tag, tag === tagInName ? "--image" : "--tag")
    ),
    fromHead: true,
    created: sourceDateEpoch(deps.env),
    push,
    pushReason: push ? "--push" : output === void 0 ? "built into the local image store (--push to push)" : `written to ${showName(output)} (--push to push instead)`,
    load: !push,
    baseImage: checkedBaseImage(flag(values, "baseImage"), "--base-image", preset.baseImage),
    platforms: flag(values, "platforms") ?? [],
    provenance: flag(values, "provenance") ?? OPTIONS.provenance.default,
    cache: flag(values, "cache") ?? OPTIONS.cache.default,
    engine: flag(values, "engine") ?? OPTIONS.engine.default,
    output,
    contextDir: flag(values, "context"),
    builder: flag(values, "builder"),
    selfCheck: selfCheck(flag(values, "selfCheck") ?? false, flag(values, "tool")),
    credentials
  };
}
function password(read, username) {
  const value = read().replace(/\r?\n$/, "");
  if (value === "") {
    throw new UsageError(`--username ${showName(username)} needs a password, and none was given`, {
      fix: 'pipe it on stdin (echo "$TOKEN" | migration-image build … --username USER), or type it at the prompt'
    });
  }
  return value;
}
function selfCheck(wanted, tool) {
  const preset = getPreset(tool ?? "atlas");
  if (wanted && preset.selfCheck === void 0) {
    const have = toolNames.filter((name) => getPreset(name).selfCheck !== void 0);
    throw new UsageError(`--self-check: ${preset.tool} has no offline self-check (it needs a database)`, {
      fix: `drop --self-check; the tools with one are ${have.join(" and ")}`
    });
  }
  return wanted;
}

// src/cli/help.ts
var SUMMARY = {
  validate: "check DIR (default: migrations) and its atlas.sum as 'atlas migrate validate' does",
  hash: "write DIR/atlas.sum as 'atlas migrate hash' does",
  dockerfile: "print the Dockerfile that layers DIR onto the tool's image",
  build: "validate, then build the image with the local docker (and push with --push)",
  "apply-check": "build the image, then run its migrations on a throwaway database (with --base: the base's first, then the new ones, and the down/up round trip)"
};
var column = (left, right) => `  ${left.padEnd(24)} ${right}`;
function usage() {
  return [
    "Usage: migration-image <command> [DIR] [options]",
    "",
    "Commands:",
    ...COMMANDS.map((command) => column(`${command} [DIR]`, SUMMARY[command].replace(/ \(with --base.*$/, ""))),
    "",
    "Run 'migration-image <command> --help' for the command's options.",
    "",
    "Exit codes: 0 success, 1 invalid directory or failed build, 2 usage error, 3 no docker.",
    ""
  ].join("\n");
}
function commandHelp(command) {
  const flags = [...FLAGS.values()].filter(([, flag2]) => flag2.commands.includes(command));
  return [
    `Usage: migration-image ${command} [DIR] [options]`,
    "",
    `${SUMMARY[command]}.`,
    "",
    "Options:",
    ...flags.map(([, flag2]) => {
      const usage2 = `--${flag2.name}${flag2.value ? ` ${flag2.value}` : ""}${flag2.negatable ? `, --no-${flag2.name}` : ""}`;
      return column(usage2, flag2.help);
    }),
    column("-h, --help", "show this help"),
    ""
  ].join("\n");
}

// src/cli/log.ts
import { randomBytes } from "node:crypto";
function stderrLog(err2, env) {
  const inRunner = env.GITHUB_ACTIONS === "true";
  const token = () => randomBytes(16).toString("hex");
  const line = (text) => err2(inRunner && mayHoldCommand(text) ? fenceCommands(text, token()) : `${showName(text)}
`);
  let last = "\n";
  return {
    info: (message) => line(message),
    notice: (message) => line(`notice: ${message}`),
    warning: (message) => line(`warning: ${message}`),
    output: (chunk) => {
      if (chunk.length === 0) return;
      err2(chunk);
      last = chunk;
    },
    group: async (title, run2) => {
      err2(`--- ${title}
`);
      const fence = inRunner ? token() : void 0;
      if (fence) err2(`::stop-commands::${fence}
`);
      last = "\n";
      try {
        return await run2();
      } finally {
        err2(`${last.endsWith("\n") ? "" : "\n"}${fence ? `::${fence}::
` : ""}`);
      }
    }
  };
}

// src/cli/run.ts
async function runCli(argv, io, env = process.env) {
  try {
    return await run(argv, io, env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${formatLocated(error.message, error, CLI_NAMES)}
Run 'migration-image --help' for usage.
`);
      return 2;
    }
    if (error instanceof DockerMissingError) {
      io.err(`error: ${formatLocated(error.message, error, CLI_NAMES)}
`);
      return 3;
    }
    if (error instanceof MigrationImageError) {
      io.err(`error: ${formatLocated(error.message, error, CLI_NAMES)}
`);
      return 1;
    }
    throw error;
  }
}
async function run(argv, io, env) {
  const args = parseCliArgs(argv, { env, readPassword: io.password });
  if (args.kind === "help") {
    io.out(args.command ? commandHelp(args.command) : usage());
    return 0;
  }
  if (args.kind === "version") {
    io.out(`${"0.1.0"}
`);
    return 0;
  }
  const { request } = args;
  const log = stderrLog(io.err, env);
  if (args.lowercased) log.notice(`image name lowercased to ${args.lowercased} (registries reject uppercase)`);
  const cleanup = new MemoryCleanupStore();
  try {
    const outcome = await runPipeline(request, {
      log,
      cleanup,
      env,
      tempDir: tmpdir(),
      // build: the verdict before docker's output (an invalid directory is reported whole below).
      validated: (validation2) => {
        if (request.command === "build" && validation2.valid) log.info(verdictLine(validation2));
      }
    }).catch((error) => {
      if (args.json && error instanceof MigrationImageError && !(error instanceof UsageError)) {
        const { message, file, line, fix } = error;
        io.out(
          `${JSON.stringify({ dir: request.check.dir, valid: false, error: { message, file, line, fix: fix === void 0 ? void 0 : nameOptions(fix, CLI_NAMES) } }, null, 2)}
`
        );
        return void 0;
      }
      throw error;
    });
    if (outcome === void 0) return 1;
    const { validation } = outcome;
    if (request.command === "hash") {
      if (outcome.wrote === void 0) {
        for (const problem of validation.unhashable) io.err(`${formatProblem(problem)}
`);
        io.err(`atlas.sum was not written: fix ${validation.unhashable.length === 1 ? "this" : "these"} first
`);
        return 1;
      }
      const errors = validation.problems.filter(
        (problem) => !problem.code.startsWith("checksum") && problem.code !== "line-endings"
      );
      for (const problem of errors) io.err(`${formatProblem(problem)}
`);
      const entries = validation.entries.length;
      io.out(`wrote ${outcome.wrote} (${entries} ${entries === 1 ? "entry" : "entries"}, ${validation.checksum})
`);
      const failing = errors.filter(({ severity }) => severity === "error").length;
      if (failing === 0) return 0;
      io.err(
        `atlas.sum was written (it hashes the files as they are), but the directory still has ${failing} error${failing === 1 ? "" : "s"}: fix ${failing === 1 ? "it" : "them"}, run hash again, then validate
`
      );
      return 1;
    }
    if (request.command === "validate" && args.json) {
      io.out(`${JSON.stringify(validationJson(validation), null, 2)}
`);
      return validation.valid ? 0 : 1;
    }
    if (!validation.valid) {
      io.err(renderValidationText(validation));
      if (request.command === "build") io.err("nothing was built\n");
      return 1;
    }
    if (request.command === "validate") {
      if (validation.count === 0) log.notice(`${request.check.dir} holds no migrations for ${outcome.preset.tool}`);
      io.out(renderValidationText(validation));
      return 0;
    }
    if (request.command === "dockerfile") {
      io.out(outcome.dockerfile ?? "");
      return 0;
    }
    if (outcome.failure !== void 0) throw outcome.failure;
    const image = outcome.image;
    if (!image) return 1;
    if (outcome.apply) {
      if (args.json) io.out(`${JSON.stringify(applyJson(outcome.apply, outcome.validation.safety), null, 2)}
`);
      else {
        io.out(renderApplyText(outcome.apply, request.check.dir));
        if (outcome.validation.safety)
          io.out(`${renderSafetyText(outcome.validation.safety, request.check.dir).map(showName).join("\n")}
`);
      }
      return outcome.apply.ok ? 0 : 1;
    }
    const verb = image.unchanged ? `${image.unchanged}:` : image.pushed ? "pushed" : image.archive ? "wrote" : "built";
    const what = image.archive ? `${image.archive} (${image.references.join(" ")})` : image.references.join(" ");
    io.out(`${verb} ${what}${image.digest ? ` (${image.digest})` : ""}
`);
    return 0;
  } finally {
    await cleanUp(cleanup.state, env);
  }
}

// src/cli/entry.ts
var out = pipeWriter(process.stdout);
var err = pipeWriter(process.stderr);
process.exitCode = await runCli(process.argv.slice(2), {
  out,
  err,
  password: () => readPassword(err)
});
