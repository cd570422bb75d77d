#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import {
  assertRef,
  assertTag,
  commitAt,
  didYouMean,
  formatNames,
  formatProblem,
  getPreset,
  parseImageName,
  parseSize,
  renderValidationText,
  runPipeline,
  sourceDateEpoch,
  splitList,
  toolNames,
  validationJson
} from "./chunks/chunk-4P3PTWDF.js";
import {
  CLI_NAMES,
  DockerMissingError,
  MemoryCleanupStore,
  MigrationImageError,
  UsageError,
  assertBuilderName,
  cleanUp,
  errnoCode,
  fenceCommands,
  formatLocated,
  mayHoldCommand,
  showName
} from "./chunks/chunk-PAV3TFJD.js";
import "./chunks/chunk-SWAAXPTV.js";

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
function readPassword(err) {
  if (!process.stdin.isTTY) return readStdin();
  process.stdin.setRawMode(true);
  err("Password: ");
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
    err("\n");
  }
  return Buffer.from(typed).toString("utf8");
}

// src/cli/run.ts
import { tmpdir } from "node:os";

// src/cli/args.ts
import { parseArgs } from "node:util";

// src/cli/help.ts
var COMMANDS = ["validate", "hash", "dockerfile", "build"];
var ALL = COMMANDS;
var CHECKS = ["validate", "hash", "dockerfile", "build"];
var IMAGE = ["dockerfile", "build"];
var BUILD = ["build"];
var BASE = ["validate", "dockerfile", "build"];
var FLAGS = {
  tool: { usage: "--tool NAME", help: `migration tool: ${toolNames.join(", ")} (default: atlas)`, commands: ALL },
  format: {
    usage: "--format NAME",
    help: `directory format: ${formatNames.join(", ")} (default: the tool's)`,
    commands: CHECKS
  },
  checksum: {
    usage: "--checksum MODE",
    help: "required | optional: is a missing atlas.sum an error (default: required for atlas)",
    commands: CHECKS
  },
  changelog: {
    usage: "--changelog FILE",
    help: "liquibase: the master changelog, when not changelog.xml|yaml|yml|json|sql",
    commands: CHECKS
  },
  "max-file-size": {
    usage: "--max-file-size N",
    help: "per-file limit for every file read: bytes, or with KB, MB, GB (default 64MB)",
    commands: CHECKS
  },
  json: { usage: "--json", help: "print a machine-readable result", commands: ["validate"] },
  base: {
    usage: "--base REF",
    help: "also check against REF (a branch or commit): migrations there unchanged, new ones after its latest version",
    commands: BASE
  },
  "allow-out-of-order": {
    usage: "--allow-out-of-order",
    help: "with --base: allow new versions at or before REF's latest",
    commands: BASE
  },
  image: { usage: "--image NAME[:TAG]", help: "image name (and a tag, added to the commit sha tag)", commands: IMAGE },
  tag: { usage: "--tag TAG", help: "another tag, besides the commit sha (repeatable)", commands: BUILD },
  "base-image": {
    usage: "--base-image REF",
    help: "base image instead of the tool's default (a versioned tag)",
    commands: IMAGE
  },
  "self-check": {
    usage: "--self-check",
    help: "run the tool's offline validation in a build stage (atlas, goose)",
    commands: IMAGE
  },
  platform: { usage: "--platform LIST", help: "e.g. linux/amd64,linux/arm64 (needs buildx)", commands: BUILD },
  push: { usage: "--push", help: "push the tags (default: build only, into the local image store)", commands: BUILD },
  username: {
    usage: "--username USER",
    help: "log in to the image's registry as USER; the password from stdin, or a prompt at a terminal",
    commands: BUILD
  },
  cache: {
    usage: "--cache",
    help: "use the GitHub Actions cache even for a COPY-only image (default: only with --self-check)",
    commands: BUILD
  },
  "no-cache": { usage: "--no-cache", help: "never use the GitHub Actions cache", commands: BUILD },
  builder: { usage: "--builder NAME", help: "an existing buildx builder to use as it is", commands: BUILD },
  provenance: {
    usage: "--provenance MODE",
    help: "false (default) | true | mode=min | mode=max: attestations (needs buildx)",
    commands: BUILD
  }
};
var SUMMARY = {
  validate: "check DIR (default: migrations) and its atlas.sum as 'atlas migrate validate' does",
  hash: "write DIR/atlas.sum as 'atlas migrate hash' does",
  dockerfile: "print the Dockerfile that layers DIR onto the tool's image",
  build: "validate, then build the image with the local docker (and push with --push)"
};
var column = (left, right) => `  ${left.padEnd(24)} ${right}`;
function usage() {
  return [
    "Usage: migration-image <command> [DIR] [options]",
    "",
    "Commands:",
    ...COMMANDS.map((command) => column(`${command} [DIR]`, SUMMARY[command])),
    "",
    "Run 'migration-image <command> --help' for the command's options.",
    "",
    "Exit codes: 0 success, 1 invalid directory or failed build, 2 usage error, 3 no docker.",
    ""
  ].join("\n");
}
function commandHelp(command) {
  const flags = Object.values(FLAGS).filter((flag) => flag.commands.includes(command));
  return [
    `Usage: migration-image ${command} [DIR] [options]`,
    "",
    `${SUMMARY[command]}.`,
    "",
    "Options:",
    ...flags.map((flag) => column(flag.usage, flag.help)),
    column("-h, --help", "show this help"),
    ""
  ].join("\n");
}

// src/cli/args.ts
var OPTIONS = {
  tool: { type: "string" },
  format: { type: "string" },
  checksum: { type: "string" },
  changelog: { type: "string" },
  "max-file-size": { type: "string" },
  json: { type: "boolean" },
  base: { type: "string" },
  "allow-out-of-order": { type: "boolean" },
  image: { type: "string" },
  tag: { type: "string", multiple: true },
  "base-image": { type: "string" },
  "self-check": { type: "boolean" },
  platform: { type: "string", multiple: true },
  push: { type: "boolean" },
  username: { type: "string" },
  cache: { type: "boolean" },
  "no-cache": { type: "boolean" },
  builder: { type: "string" },
  provenance: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" }
};
function parse(argv) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']*)'/.exec(text)?.[1];
    if (unknown) {
      const known = Object.keys(OPTIONS).map((name) => `--${name}`);
      throw new UsageError(`unknown option '${showName(unknown)}'${didYouMean(unknown.split("=")[0], known)}`);
    }
    throw new UsageError(showName(text.split("\n")[0].replace(/\.$/, "")));
  }
}
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
    const flag = FLAGS[name];
    if (flag && !flag.commands.includes(command)) {
      throw new UsageError(`--${name} does not go with ${command} (it goes with ${flag.commands.join(", ")})`);
    }
  }
  const dir = dirArg ?? "migrations";
  const preset = getPreset(values.tool ?? "atlas");
  const checksum = values.checksum?.toLowerCase();
  if (checksum !== void 0 && checksum !== "required" && checksum !== "optional") {
    throw new UsageError(`--checksum must be required or optional, not '${showName(values.checksum ?? "")}'`);
  }
  const maxFileSize = values["max-file-size"];
  const request = {
    command,
    names: CLI_NAMES,
    check: {
      dir,
      tool: preset.tool,
      format: values.format ?? preset.format,
      checksum,
      changelog: values.changelog,
      maxFileSize: maxFileSize === void 0 ? void 0 : parseSize(maxFileSize, "--max-file-size")
    },
    // --base goes to git: never an option (it could run a command through --upload-pack=…).
    base: values.base === void 0 ? void 0 : {
      ref: assertRef(values.base, "--base"),
      name: values.base,
      allowOutOfOrder: values["allow-out-of-order"] ?? false
    },
    image: command === "dockerfile" || command === "build" ? imageRequest(command, dir, values, deps) : void 0
  };
  if (values["allow-out-of-order"] && !request.base) throw new UsageError("--allow-out-of-order goes with --base");
  return { kind: "run", request, json: values.json ?? false };
}
function imageRequest(command, dir, values, deps) {
  if (command === "build" && !values.image) throw new UsageError("build needs --image NAME[:TAG]");
  const [name, tagInName] = (values.image ?? "migrations").split(/:(?=[^/]*$)/);
  const image = parseImageName(name, "--image");
  const commit = deps.commitAt(dir);
  const tags = [...new Set([commit?.sha, tagInName, ...values.tag ?? []].filter((tag) => tag !== void 0))];
  if (command === "build" && tags.length === 0) {
    throw new UsageError("no tag: DIR is not in a git checkout and no tag was given", {
      fix: "add :TAG to --image or pass --tag"
    });
  }
  const provenance = (values.provenance ?? "false").toLowerCase();
  if (!["false", "true", "mode=min", "mode=max"].includes(provenance)) {
    throw new UsageError(`--provenance must be false, true, mode=min or mode=max, not '${showName(provenance)}'`);
  }
  const push = values.push ?? false;
  const credentials = values.username ? { username: values.username, password: password(deps.readPassword, values.username) } : void 0;
  return {
    name: image,
    tags: tags.map(assertTag),
    revision: commit?.sha,
    created: sourceDateEpoch(deps.env) ?? commit?.time,
    push,
    pushReason: push ? "--push" : "built into the local image store (--push to push)",
    load: !push,
    baseImage: values["base-image"],
    platforms: (values.platform ?? []).flatMap(splitList),
    provenance,
    cache: values["no-cache"] ? "false" : values.cache ? "true" : "auto",
    builder: values.builder === void 0 ? void 0 : assertBuilderName(values.builder),
    selfCheck: values["self-check"] ?? false,
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

// src/cli/log.ts
import { randomBytes } from "node:crypto";
function stderrLog(err, env) {
  const inRunner = env.GITHUB_ACTIONS === "true";
  const token = () => randomBytes(16).toString("hex");
  const line = (text) => err(inRunner && mayHoldCommand(text) ? fenceCommands(text, token()) : `${showName(text)}
`);
  let last = "\n";
  return {
    info: (message) => line(message),
    notice: (message) => line(`notice: ${message}`),
    warning: (message) => line(`warning: ${message}`),
    output: (chunk) => {
      if (chunk.length === 0) return;
      err(chunk);
      last = chunk;
    },
    group: async (title, run2) => {
      err(`--- ${title}
`);
      const fence = inRunner ? token() : void 0;
      if (fence) err(`::stop-commands::${fence}
`);
      last = "\n";
      try {
        return await run2();
      } finally {
        err(`${last.endsWith("\n") ? "" : "\n"}${fence ? `::${fence}::
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
  const args = parseCliArgs(argv, { env, commitAt: (dir) => commitAt(dir), readPassword: io.password });
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
  const cleanup = new MemoryCleanupStore();
  try {
    const outcome = await runPipeline(request, { log, cleanup, env, tempDir: tmpdir() });
    const { validation } = outcome;
    if (request.command === "hash") {
      for (const problem of validation.problems) {
        if (!problem.code.startsWith("checksum") && problem.code !== "line-endings")
          io.err(`${formatProblem(problem)}
`);
      }
      io.out(`wrote ${outcome.wrote} (${validation.entries.length} entries, ${validation.checksum})
`);
      return 0;
    }
    if (request.command === "validate" && args.json) {
      io.out(`${JSON.stringify(validationJson(validation), null, 2)}
`);
      return validation.valid ? 0 : 1;
    }
    if (!validation.valid) {
      io.err(renderValidationText(validation));
      if (request.command !== "validate") io.err("nothing was built\n");
      return 1;
    }
    if (request.command === "validate") {
      if (validation.migrations.length === 0)
        log.notice(`${request.check.dir} holds no migrations for ${outcome.preset.tool}`);
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
    io.out(
      `${image.unchanged ? `${image.unchanged}:` : image.pushed ? "pushed" : "built"} ${image.references.join(" ")}${image.digest ? ` (${image.digest})` : ""}
`
    );
    return 0;
  } finally {
    await cleanUp(cleanup.state, env);
  }
}

// src/cli/entry.ts
process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  password: () => readPassword((text) => process.stderr.write(text))
});
