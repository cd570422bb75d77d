#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import {
  assertRef,
  assertTag,
  checkAgainstBase,
  dockerfileFor,
  formatNames,
  formatProblem,
  getPreset,
  parseImageName,
  parseSize,
  publish,
  renderValidationText,
  toolNames,
  validateDirectory,
  validationJson,
  withProblems,
  writeRegular
} from "./chunks/chunk-N6YUBN4G.js";
import {
  DockerMissingError,
  MigrationImageError,
  UsageError,
  cleanUp,
  errnoCode,
  fenceCommands,
  formatLocated,
  mayHoldCommand,
  showName
} from "./chunks/chunk-HB2KTYYD.js";
import "./chunks/chunk-SWAAXPTV.js";

// src/cli.ts
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readSync } from "node:fs";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
var USAGE = `Usage: migration-image <command> [DIR] [options]

Commands:
  validate [DIR]     check DIR (default: migrations) and its atlas.sum as 'atlas migrate validate' does
  hash [DIR]         write DIR/atlas.sum as 'atlas migrate hash' does
  dockerfile [DIR]   print the Dockerfile that layers DIR onto the tool's image
  build [DIR]        validate, then build the image with the local docker (and push with --push)

Options:
  --tool NAME        migration tool: ${toolNames.join(", ")} (default: atlas)
  --format NAME      directory format: ${formatNames.join(", ")} (default: the tool's)
  --checksum MODE    required | optional: is a missing atlas.sum an error (default: required for atlas)
  --json             validate: print a machine-readable result
  --image NAME[:TAG] build/dockerfile: image name (tag defaults to the git commit sha)
  --tag TAG          build: another tag (repeatable)
  --base-image REF   build/dockerfile: base image instead of the tool's default (a versioned tag)
  --platform LIST    build: e.g. linux/amd64,linux/arm64 (needs buildx)
  --push             build: push the tags (default: build only)
  --username USER    build: log in to the image's registry as USER, password read from stdin
  --no-cache         build: do not use the GitHub Actions cache
  --self-check       build/dockerfile: run the tool's offline validation in a build stage (atlas, goose)
  --base REF         validate/build: also check against REF (a branch or commit): migrations that exist
                     there unchanged, new ones sorting after its latest version
  --allow-out-of-order  with --base: allow new versions at or before REF's latest
  --changelog FILE   liquibase: the master changelog, when not changelog.xml|yaml|yml|json|sql
  --max-file-size N  per-file limit for every file read: bytes, or with KB, MB, GB (default 64MB)
  -h, --help         show this help
  -v, --version      show the version

Exit codes: 0 success, 1 invalid directory or failed build, 2 usage error, 3 no docker.
`;
async function runCli(argv, io) {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`error: ${formatLocated(error.message, error)}

${USAGE}`);
      return 2;
    }
    if (error instanceof DockerMissingError) {
      io.err(`error: ${formatLocated(error.message, error)}
`);
      return 3;
    }
    if (error instanceof MigrationImageError) {
      io.err(`error: ${formatLocated(error.message, error)}
`);
      return 1;
    }
    throw error;
  }
}
function parse(argv) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        tool: { type: "string", default: "atlas" },
        format: { type: "string" },
        checksum: { type: "string" },
        json: { type: "boolean", default: false },
        image: { type: "string" },
        tag: { type: "string", multiple: true, default: [] },
        "base-image": { type: "string" },
        platform: { type: "string" },
        push: { type: "boolean", default: false },
        username: { type: "string" },
        "no-cache": { type: "boolean", default: false },
        "self-check": { type: "boolean", default: false },
        base: { type: "string" },
        "allow-out-of-order": { type: "boolean", default: false },
        changelog: { type: "string" },
        "max-file-size": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", short: "v", default: false }
      }
    });
  } catch (error) {
    throw new UsageError(showName(error instanceof Error ? error.message : String(error)));
  }
}
async function dispatch(argv, io) {
  const { values, positionals } = parse(argv);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(`${"0.1.0"}
`);
    return 0;
  }
  const [command, dir = "migrations", ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${showName(extra[0])}'`);
  if (values.base !== void 0) assertRef(values.base, "--base");
  if (values.json && command !== "validate") throw new UsageError("--json goes with validate");
  const checksum = checksumPolicy(values.checksum);
  const preset = getPreset(values.tool);
  const options = {
    format: values.format ?? preset.format,
    checksum,
    changelog: values.changelog,
    maxFileSize: values["max-file-size"] === void 0 ? void 0 : parseSize(values["max-file-size"], "--max-file-size")
  };
  const validate = async () => {
    const validation = await validateDirectory(dir, options);
    if (!values.base) return validation;
    const base = await checkAgainstBase({
      head: validation,
      options,
      baseRef: values.base,
      baseName: values.base,
      allowOutOfOrder: values["allow-out-of-order"],
      tempDir: tmpdir(),
      log: stderrLog(io)
    });
    return withProblems(validation, base.problems);
  };
  switch (command) {
    case "validate": {
      const validation = await validate();
      if (values.json) io.out(`${JSON.stringify(validationJson(validation), null, 2)}
`);
      else (validation.valid ? io.out : io.err)(renderValidationText(validation));
      return validation.valid ? 0 : 1;
    }
    case "hash": {
      const validation = await validate();
      writeRegular(validation.sumPath, validation.sumFile);
      for (const problem of validation.problems) {
        if (!problem.code.startsWith("checksum") && problem.code !== "line-endings")
          io.err(`${formatProblem(problem)}
`);
      }
      io.out(`wrote ${validation.sumPath} (${validation.entries.length} entries, ${validation.checksum})
`);
      return 0;
    }
    case "dockerfile": {
      const validation = await validate();
      if (!validation.valid) {
        io.err(renderValidationText(validation));
        return 1;
      }
      const image = parseImageName((values.image ?? "migrations").split(/:(?=[^/]*$)/)[0]);
      io.out(
        dockerfileFor(
          { validation, preset, image, baseImage: values["base-image"], selfCheck: values["self-check"] },
          process.env
        )
      );
      return 0;
    }
    case "build":
      return build(dir, values, preset, validate, io);
    case void 0:
      throw new UsageError("no command given");
    default:
      throw new UsageError(`unknown command '${showName(command)}'`);
  }
}
async function build(dir, values, preset, validate, io) {
  if (!values.image) throw new UsageError("build needs --image NAME[:TAG]");
  const [name, tagInName] = values.image.split(/:(?=[^/]*$)/);
  const image = parseImageName(name);
  const tags = [...tagInName ? [tagInName] : [], ...values.tag].map(assertTag);
  if (tags.length === 0) tags.push(gitSha(dir));
  const validation = await validate();
  if (!validation.valid) {
    io.err(renderValidationText(validation));
    io.err("nothing was built\n");
    return 1;
  }
  const log = stderrLog(io);
  const state = {};
  try {
    const result = await publish(
      {
        validation,
        preset,
        image,
        tags,
        push: values.push,
        load: !values.push,
        baseImage: values["base-image"],
        platforms: (values.platform ?? "").split(",").filter(Boolean),
        provenance: "false",
        cache: !values["no-cache"],
        selfCheck: values["self-check"],
        credentials: values.username ? { username: values.username, password: io.stdin().trim() } : void 0,
        revision: tags[0],
        tempDir: tmpdir(),
        env: process.env,
        remember: (saved) => Object.assign(state, saved)
      },
      log
    );
    io.out(
      `${result.pushed ? "pushed" : "built"} ${result.references.join(" ")}${result.digest ? ` (${result.digest})` : ""}
`
    );
    return 0;
  } finally {
    await cleanUp(state, process.env);
  }
}
function checksumPolicy(value) {
  if (value === void 0 || value === "required" || value === "optional") return value;
  throw new UsageError(`--checksum must be required or optional, not '${showName(value)}'`);
}
function stderrLog(io) {
  const inRunner = process.env.GITHUB_ACTIONS === "true";
  const token = () => randomBytes(16).toString("hex");
  const line = (text) => io.err(inRunner && mayHoldCommand(text) ? fenceCommands(text, token()) : `${showName(text)}
`);
  let last = "\n";
  return {
    info: (message) => line(message),
    notice: (message) => line(`notice: ${message}`),
    warning: (message) => line(`warning: ${message}`),
    output: (chunk) => {
      if (chunk.length === 0) return;
      io.err(chunk);
      last = chunk;
    },
    group: async (title, run) => {
      io.err(`--- ${title}
`);
      const fence = inRunner ? token() : void 0;
      if (fence) io.err(`::stop-commands::${fence}
`);
      last = "\n";
      try {
        return await run();
      } finally {
        io.err(`${last.endsWith("\n") ? "" : "\n"}${fence ? `::${fence}::
` : ""}`);
      }
    }
  };
}
function gitSha(dir) {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"]
    }).trim();
  } catch {
    throw new UsageError("no tag given and DIR is not in a git checkout", { fix: "add :TAG to --image or pass --tag" });
  }
}
var STDIN_LIMIT = 1 << 20;
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
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
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

// src/cli-entry.ts
process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  stdin: readStdin
});
