#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);

// src/core/options.ts
var COMMANDS = ["validate", "hash", "dockerfile", "build", "apply-check"];
var ALL = COMMANDS;
var CHECKS = ["validate", "hash", "dockerfile", "build", "apply-check"];
var IMAGE = ["dockerfile", "build", "apply-check"];
var BUILD = ["build"];
var BASE = ["validate", "dockerfile", "build", "apply-check"];
var APPLY = ["apply-check"];
var PROVENANCE_MODES = ["false", "true", "mode=min", "mode=max"];
var CACHE_MODES = ["auto", "true", "false"];
var PUSH_MODES = ["auto", "true", "false"];
var CHECKSUM_POLICIES = ["required", "optional"];
var ENGINES = ["buildx", "registry", "auto"];
var APPLY_CHECK_MODES = ["false", "true", "pull_request_target"];
var SAFETY_MODES = ["warn", "error", "off"];
var OPTIONS = {
  dir: {
    kind: "text",
    input: "dir",
    default: "migrations",
    description: "Migrations directory, relative to the repository root.",
    flag: { name: "DIR", commands: ALL, help: "the migrations directory (default: migrations)" },
    fixName: {
      action: "the dir input (relative to the repository root)",
      cli: "DIR (relative to the current directory)"
    }
  },
  tool: {
    kind: "text",
    input: "tool",
    default: "atlas",
    description: "Migration tool: atlas, golang-migrate, flyway, liquibase, dbmate, goose or psql. Picks the directory rules, the base image, its migrations directory, env and entrypoint.",
    flag: {
      name: "tool",
      value: "NAME",
      commands: ALL,
      help: "migration tool: atlas, golang-migrate, flyway, liquibase, dbmate, goose, psql (default: atlas)"
    }
  },
  format: {
    kind: "text",
    input: "format",
    default: "",
    description: "Directory format for atlas.sum; defaults to the tool's own.",
    flag: {
      name: "format",
      value: "NAME",
      commands: CHECKS,
      help: "directory format: atlas, golang-migrate, flyway, goose, dbmate, liquibase, psql (default: the tool's)"
    }
  },
  checksum: {
    kind: "choice",
    choices: CHECKSUM_POLICIES,
    input: "checksum",
    default: "",
    description: "required | optional: whether a missing atlas.sum is an error (default: required for atlas, optional for the others).",
    flag: {
      name: "checksum",
      value: "MODE",
      commands: CHECKS,
      help: "required | optional: is a missing atlas.sum an error (default: required for atlas)"
    }
  },
  changelog: {
    kind: "text",
    input: "changelog",
    default: "",
    description: "Liquibase master changelog, relative to dir, when it is not changelog.xml|yaml|yml|json|sql.",
    flag: {
      name: "changelog",
      value: "FILE",
      commands: CHECKS,
      help: "liquibase: the master changelog, when not changelog.xml|yaml|yml|json|sql"
    }
  },
  maxFileSize: {
    kind: "size",
    input: "max-file-size",
    default: "64MB",
    description: "Per-file size limit for every file read (migrations, atlas.sum, changelogs): bytes, or with KB, MB, GB. A larger file is an error naming it.",
    flag: {
      name: "max-file-size",
      value: "N",
      commands: CHECKS,
      help: "per-file limit for every file read: bytes, or with KB, MB, GB (default 64MB)"
    }
  },
  json: {
    kind: "bool",
    flag: { name: "json", commands: ["validate", "apply-check"], help: "print a machine-readable result" }
  },
  selfCheck: {
    kind: "bool",
    input: "self-check",
    default: "false",
    description: "Run the tool's offline validation in a build stage (atlas migrate validate, goose validate); the build fails when the tool disagrees.",
    flag: {
      name: "self-check",
      commands: IMAGE,
      help: "run the tool's offline validation in a build stage (atlas, goose)"
    }
  },
  base: {
    kind: "ref",
    input: "base-ref",
    default: "",
    description: "Commit or branch to check against (applied migrations unchanged, new ones in order). Defaults to the pull request's base on pull_request events; empty elsewhere skips these checks.",
    flag: {
      name: "base",
      value: "REF",
      commands: BASE,
      help: "also check against REF (a branch or commit): migrations there unchanged, new ones after its latest version"
    }
  },
  allowOutOfOrder: {
    kind: "bool",
    input: "allow-out-of-order",
    default: "false",
    description: "Allow new migrations whose version sorts at or before the base branch's latest.",
    flag: {
      name: "allow-out-of-order",
      commands: BASE,
      help: "with --base: allow new versions at or before REF's latest"
    }
  },
  safety: {
    kind: "choice",
    choices: SAFETY_MODES,
    input: "safety",
    default: "warn",
    description: "warn | error | off. Deploy safety: what each new migration's statements do to a live PostgreSQL database (locks, table rewrites, scans, drops and renames), read by PostgreSQL's own parser with the tool's transactions; warn reports, error fails the check.",
    flag: {
      name: "safety",
      value: "MODE",
      commands: BASE,
      help: "warn (default) | error | off: deploy safety of the new migrations on a live PostgreSQL database"
    }
  },
  postgresVersion: {
    kind: "text",
    input: "postgres-version",
    default: "",
    description: "PostgreSQL major version deploy safety judges for (e.g. 16); defaults to the database image's major, else 17.",
    flag: {
      name: "postgres-version",
      value: "N",
      commands: BASE,
      help: "the PostgreSQL major deploy safety judges for (default: the --database image's, else 17)"
    }
  },
  comment: {
    kind: "bool",
    input: "comment",
    default: "false",
    description: "Upsert one pull-request comment with the report (needs pull-requests write; skipped on forks)."
  },
  githubToken: {
    kind: "secret",
    input: "github-token",
    default: "${{ github.token }}",
    description: "Token for the pull-request comment."
  },
  build: {
    kind: "bool",
    input: "build",
    default: "true",
    description: "false validates only: no Dockerfile, no build, no push."
  },
  image: {
    kind: "text",
    input: "image",
    default: "",
    description: "Image name without tag. Defaults to ghcr.io/<owner>/<repo>-migrations (lowercased).",
    flag: {
      name: "image",
      value: "NAME[:TAG]",
      commands: IMAGE,
      help: "image name (and a tag, added to the commit sha tag)"
    }
  },
  tags: {
    kind: "list",
    input: "tags",
    default: "",
    description: "Extra tags (comma or newline separated). Always: the commit sha (the PR head on pull requests); latest on the default branch; the version on v* tag pushes.",
    flag: { name: "tag", value: "TAG", commands: BUILD, help: "another tag, besides the commit sha (repeatable)" }
  },
  push: {
    kind: "choice",
    choices: PUSH_MODES,
    input: "push",
    default: "auto",
    description: "auto | true | false. auto pushes on pushes to the default branch and on tag pushes, and only builds on pull requests.",
    flag: { name: "push", commands: BUILD, help: "push the tags (default: build only, into the local image store)" }
  },
  baseImage: {
    kind: "text",
    input: "base-image",
    default: "",
    description: "Base image instead of the tool's default (a versioned tag, ideally pinned by digest; never latest).",
    flag: {
      name: "base-image",
      value: "REF",
      commands: IMAGE,
      help: "base image instead of the tool's default (a versioned tag)"
    }
  },
  platforms: {
    kind: "list",
    input: "platforms",
    default: "",
    description: "Target platforms, e.g. linux/amd64,linux/arm64 (needs buildx; the Dockerfile has no RUN step, so no emulation).",
    flag: { name: "platform", value: "LIST", commands: BUILD, help: "e.g. linux/amd64,linux/arm64 (needs buildx)" }
  },
  provenance: {
    kind: "choice",
    choices: PROVENANCE_MODES,
    input: "provenance",
    default: "false",
    description: "buildx --provenance value. false (default) pushes one plain manifest; true or mode=max attaches a provenance attestation (the image becomes an index).",
    flag: {
      name: "provenance",
      value: "MODE",
      commands: BUILD,
      help: "false (default) | true | mode=min | mode=max: attestations (needs buildx)"
    }
  },
  cache: {
    kind: "choice",
    choices: CACHE_MODES,
    input: "cache",
    default: "auto",
    description: "The GitHub Actions cache (type=gha, per-image scope, mode=max) when buildx and the cache service are available: auto uses it only when the build runs a command (self-check: true), since a COPY-only image gains nothing from it (measured: it uploads the base's layers and saves no time); true or false.",
    flag: {
      name: "cache",
      commands: BUILD,
      negatable: true,
      help: "use the GitHub Actions cache even for a COPY-only image (default: only with --self-check); --no-cache: never"
    },
    fixName: { action: "cache: true", cli: "--cache" }
  },
  engine: {
    kind: "choice",
    choices: ENGINES,
    input: "engine",
    default: "buildx",
    description: "buildx | registry | auto. buildx builds the Dockerfile with docker; registry assembles the image on the registry (the base's manifest and config plus one layer, every platform at once, no Docker engine); auto uses registry when no Docker engine is reachable.",
    flag: {
      name: "engine",
      value: "NAME",
      commands: BUILD,
      help: "buildx (default) | registry | auto: registry assembles the image without Docker; auto when none runs"
    }
  },
  output: {
    kind: "text",
    flag: {
      name: "output",
      value: "FILE.tar",
      commands: BUILD,
      help: "with --engine registry and no --push: write an OCI image archive (docker load, podman load)"
    }
  },
  context: {
    kind: "text",
    flag: {
      name: "context",
      value: "DIR",
      commands: ["dockerfile"],
      help: "also write the build context this Dockerfile builds (as build stages it) into a new directory in DIR"
    }
  },
  builder: {
    kind: "builder",
    input: "builder",
    default: "",
    description: "An existing buildx builder to use as is (e.g. a remote BuildKit or Kubernetes builder).",
    flag: {
      name: "builder",
      value: "NAME",
      commands: [...BUILD, ...APPLY],
      help: "an existing buildx builder to use as it is"
    }
  },
  applyCheck: {
    kind: "choice",
    choices: APPLY_CHECK_MODES,
    input: "apply-check",
    default: "false",
    description: "true runs the built image's migrations on a throwaway database: the base branch's first, then the pull request's new ones, the down/up round trip where the tool has a down, and the schema change in the summary. Refused on pull_request_target unless set to pull_request_target."
  },
  database: {
    kind: "text",
    input: "database",
    default: "postgres:17-alpine",
    description: "The throwaway database server image for apply-check (PostgreSQL, MySQL 8 or MariaDB 11), started on a private internal network; with database-url, the image whose clients dump the schema.",
    flag: {
      name: "database",
      value: "IMAGE",
      commands: BASE,
      help: "the database: the apply check's throwaway image, and what deploy safety judges for (default postgres:17-alpine; mysql:8.4, mariadb:11)"
    }
  },
  databaseUrl: {
    kind: "secret",
    input: "database-url",
    default: "",
    description: "A disposable database for apply-check instead of starting one (e.g. a services: container at localhost): the check creates a database of its own there, runs the SQL in it and drops it.",
    flag: {
      name: "database-url",
      value: "URL",
      commands: APPLY,
      help: "a disposable database to use instead (postgres://…, mysql://…): the check creates and drops in it"
    }
  },
  applyTimeout: {
    kind: "text",
    input: "apply-timeout",
    default: "10m",
    description: "Wall-clock limit of the whole apply check (e.g. 90s, 10m); its containers are removed when it ends.",
    flag: {
      name: "apply-timeout",
      value: "TIME",
      commands: APPLY,
      help: "wall-clock limit of the check, e.g. 90s, 10m (default 10m)"
    }
  },
  username: {
    kind: "text",
    input: "username",
    default: "${{ github.actor }}",
    description: "Registry username.",
    flag: {
      name: "username",
      value: "USER",
      commands: BUILD,
      help: "log in to the image's registry as USER; the password from stdin, or a prompt at a terminal"
    }
  },
  password: {
    kind: "secret",
    input: "password",
    default: "${{ github.token }}",
    description: "Registry password or token (passed to docker login on stdin, never in argv)."
  }
};
var OPTION_LIST = Object.entries(OPTIONS);
var FLAGS = new Map(
  OPTION_LIST.flatMap(
    ([key, spec]) => spec.flag && spec.flag.name !== "DIR" ? [[spec.flag.name, [key, spec.flag]]] : []
  )
);

// src/core/option-names.ts
var PLACEHOLDER = /\u27ea([A-Za-z]+)\u27eb/g;
var OPTION = Object.fromEntries(
  OPTION_LIST.map(([key]) => [key, `⟪${key}⟫`])
);
function actionName(spec) {
  if (spec.fixName?.action) return spec.fixName.action;
  if (!spec.input) return spec.flag ? cliName(spec) : "?";
  return spec.kind === "bool" ? `${spec.input}: true` : `the ${spec.input} input`;
}
function cliName(spec) {
  if (spec.fixName?.cli) return spec.fixName.cli;
  return spec.flag ? `--${spec.flag.name}` : `the action's ${spec.input ?? "?"} input`;
}
var names = (name) => Object.fromEntries(OPTION_LIST.map(([key, spec]) => [key, name(spec)]));
var ACTION_NAMES = names(actionName);
var CLI_NAMES = names(cliName);
function nameOptions(text, names2) {
  return text.replace(PLACEHOLDER, (token, key) => key in OPTIONS ? names2[key] : token);
}

// src/core/errors.ts
var MigrationImageError = class extends Error {
  file;
  line;
  fix;
  constructor(message, where = {}) {
    super(message);
    this.name = new.target.name;
    this.file = where.file;
    this.line = where.line;
    this.fix = where.fix;
  }
};
var UsageError = class extends MigrationImageError {
};
var DirectoryError = class extends MigrationImageError {
};
function formatLocated(message, where, names2) {
  const at = where.file === void 0 ? "" : `${where.file}${where.line === void 0 ? "" : `:${where.line}`}: `;
  const fix = where.fix === void 0 ? "" : ` — ${names2 ? nameOptions(where.fix, names2) : where.fix}`;
  return `${at}${message}${fix}`;
}
function errnoCode(error) {
  if (typeof error === "object" && error !== null && "code" in error) {
    return typeof error.code === "string" ? error.code : void 0;
  }
  return void 0;
}
var PushError = class extends MigrationImageError {
  constructor(message, pushed, where = {}) {
    super(message, where);
    this.pushed = pushed;
  }
  pushed;
};

// src/core/escape.ts
var CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
function showName(text) {
  return text.replace(CONTROL, (char) => {
    const named = { "\n": "\\n", "\r": "\\r", "	": "\\t" };
    const code = char.charCodeAt(0);
    return named[char] ?? (code > 255 ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, "0")}`);
  });
}
var mayHoldCommand = (text) => text.includes("::");
function fenceCommands(text, token) {
  if (!/^[A-Za-z0-9-]{16,}$/.test(token)) throw new RangeError("the stop-commands token must be random");
  const body = text.endsWith("\n") ? text : `${text}
`;
  return `::stop-commands::${token}
${body}::${token}::
`;
}
var html = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
var noMention = (text) => text.replace(/@/g, "@​");
function markdownCell(text) {
  return noMention(html(showName(text.replace(/\r\n|\r|\n/g, " ")))).replace(/[\\`*_[\]~#!]/g, (char) => `\\${char}`).replace(/\|/g, "\\|");
}
function markdownCode(text) {
  const punctuation = (char) => `&#${char.charCodeAt(0)};`;
  return `<code>${noMention(html(showName(text))).replace(/[|\\`*_[\]~]/g, punctuation)}</code>`;
}
function markdownFence(text) {
  const body = text.replace(/\r\n|\r/g, "\n").split("\n").map(showName).join("\n");
  const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}
${body}
${fence}`;
}

// src/io/docker.ts
import { spawn } from "node:child_process";
var PROBE_TIMEOUT_MS = 6e4;
function probeTimeoutMs(env) {
  const value = env.MIGRATION_IMAGE_PROBE_TIMEOUT;
  if (value === void 0 || value === "") return PROBE_TIMEOUT_MS;
  if (!/^\d{1,6}(?:\.\d{1,3})?$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`MIGRATION_IMAGE_PROBE_TIMEOUT is not a number of seconds: '${showName(value)}'`, {
      fix: "set it to e.g. 120, or unset it for the default of 60"
    });
  }
  return Number(value) * 1e3;
}
var OUTPUT_CAP = 1 << 20;
var LastChars = class {
  constructor(cap) {
    this.cap = cap;
  }
  cap;
  text = "";
  add(chunk) {
    this.text += chunk;
    if (this.text.length > 2 * this.cap) this.text = this.text.slice(-this.cap);
  }
  toString() {
    return this.text.length > this.cap ? this.text.slice(-this.cap) : this.text;
  }
};
function childEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(INPUT|STATE)_/i.test(name)));
}
var Docker = class {
  constructor(env, bin = "docker") {
    this.bin = bin;
    this.env = childEnv(env);
    this.probeTimeoutMs = probeTimeoutMs(env);
  }
  bin;
  spawned = 0;
  env;
  probeTimeoutMs;
  run(argv, options = {}) {
    this.spawned++;
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, argv, { env: this.env, stdio: ["pipe", "pipe", "pipe"] });
      const stdout = new LastChars(OUTPUT_CAP);
      const stderr = new LastChars(OUTPUT_CAP);
      let timedOut = false;
      const timeoutMs = options.timeoutProbes === void 0 ? options.timeoutMs : options.timeoutProbes * this.probeTimeoutMs;
      const timer = timeoutMs === void 0 ? void 0 : setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, timeoutMs);
      child.stdout.setEncoding("utf8").on("data", (chunk) => {
        stdout.add(chunk);
        options.echo?.(chunk);
      });
      child.stderr.setEncoding("utf8").on("data", (chunk) => {
        stderr.add(chunk);
        options.echo?.(chunk);
      });
      child.stdin.on("error", () => void 0);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(
          error.code === "ENOENT" ? new DockerMissingError(`'${this.bin}' was not found on PATH`, {
            fix: "install Docker (or run on a runner that has it); validation and the Dockerfile need no engine"
          }) : new DockerMissingError(`'${this.bin}' cannot be started: ${error.message}`)
        );
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        if (timedOut && options.timeoutProbes === void 0) {
          resolve({ code: code ?? 137, stdout: stdout.toString(), stderr: stderr.toString(), timedOut: true });
          return;
        }
        if (timedOut) {
          reject(
            new DockerTimeoutError(
              `'docker ${argv.slice(0, 2).join(" ")}' did not answer within ${Math.round((timeoutMs ?? 0) / 1e3)} s`,
              { fix: "check that the Docker engine is up and responsive (docker info), then re-run" }
            )
          );
          return;
        }
        resolve({ code: code ?? 1, stdout: stdout.toString(), stderr: stderr.toString() });
      });
      child.stdin.end(options.input ?? "");
    });
  }
};
var DockerMissingError = class extends MigrationImageError {
};
var DockerTimeoutError = class extends MigrationImageError {
};
function lastLines(text, lines = 5) {
  return text.split(/\r?\n|\r/).map((line) => line.trim()).filter(Boolean).slice(-lines).map(showName).join(" | ");
}
function withoutProgress(output) {
  return output.split(/\r?\n/).filter((line) => !/^\s*(#\d+\s|-{3,}|>|\d+ \||\[\+\]|=>)/.test(line)).join("\n");
}

// src/io/cleanup.ts
import { lstatSync as lstatSync2, realpathSync as realpathSync2 } from "node:fs";
import path3 from "node:path";

// src/core/build/versions.ts
function parseBuildxVersion(output) {
  const match = /\bv?(\d+\.\d+\.\d+)(?:[-+][\w.+-]*)?/.exec(output);
  return match?.[1];
}
function atLeast(version, minimum) {
  if (version === void 0) return false;
  if (version === "0.0.0") return true;
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

// src/core/build/facts.ts
function readCacheService(env) {
  const v2 = /^(1|t|true)$/i.test(env.ACTIONS_CACHE_SERVICE_V2 ?? "");
  const url = v2 ? env.ACTIONS_RESULTS_URL : env.ACTIONS_CACHE_URL ?? env.ACTIONS_RESULTS_URL;
  return { token: env.ACTIONS_RUNTIME_TOKEN || void 0, v2, url: url || void 0 };
}
var SNAPSHOTTER_LABEL = "org.mobyproject.buildkit.worker.snapshotter";
function parseBuilderInspect(output) {
  const field = (name) => new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, "m").exec(output)?.[1] || void 0;
  const driver = field("Driver");
  if (!driver || !/^[a-z][\w.-]*$/.test(driver)) return void 0;
  const buildkit = field("BuildKit version") ?? field("Buildkit");
  return {
    name: field("Name") ?? "default",
    driver,
    buildkitVersion: buildkitVersion(buildkit),
    containerdStore: driver === "docker" && output.split("\n").some((line) => line.trim().startsWith(`${SNAPSHOTTER_LABEL}:`)),
    platforms: (field("Platforms") ?? "").split(",").map((platform) => platform.trim().replace(/\*$/, "")).filter(Boolean)
  };
}
function buildkitVersion(text) {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text ?? "");
  return match ? `${match[1]}.${match[2]}.${match[3] ?? "0"}` : void 0;
}
function parseBuilderList(output) {
  const builders = [];
  for (const line of output.split("\n")) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof entry !== "object" || entry === null) continue;
    const { Name: name, Driver: driver } = entry;
    if (typeof name !== "string" || !/^[A-Za-z0-9][\w.-]*$/.test(name)) continue;
    if (typeof driver !== "string" || !/^[a-z][\w.-]*$/.test(driver)) continue;
    const node = Array.isArray(entry.Nodes) ? entry.Nodes[0] : void 0;
    const labels = typeof node?.Labels === "object" && node.Labels !== null ? Object.keys(node.Labels) : [];
    builders.push({
      name,
      driver,
      buildkitVersion: buildkitVersion(typeof node?.Version === "string" ? node.Version : void 0),
      containerdStore: driver === "docker" && labels.includes(SNAPSHOTTER_LABEL),
      platforms: Array.isArray(node?.Platforms) ? node.Platforms.filter((p) => typeof p === "string") : [],
      running: node?.Status === void 0 ? void 0 : node.Status === "running"
    });
  }
  return builders;
}

// src/io/builder.ts
async function detectBuildx(docker) {
  const result = await docker.run(["buildx", "version"], { timeoutProbes: 1 });
  return result.code === 0 ? parseBuildxVersion(result.stdout) : void 0;
}
async function inspectBuilder(docker, name) {
  const result = await docker.run(["buildx", "inspect", ...name ? ["--", name] : []], { timeoutProbes: 1 });
  return result.code === 0 ? parseBuilderInspect(result.stdout) : void 0;
}
async function listBuilders(docker, buildxVersion) {
  if (!atLeast(buildxVersion, "0.13.0")) return [];
  const result = await docker.run(["buildx", "ls", "--format", "json"], { timeoutProbes: 1 });
  return result.code === 0 ? parseBuilderList(result.stdout) : [];
}
var temporaryBuilderName = () => `migration-image-${process.pid}-${Date.now().toString(36)}`;
var GENERATED_BUILDER = /^migration-image-\d+-[0-9a-z]+$/;
async function createBuilder(docker, argv, name) {
  const result = await docker.run(argv, { timeoutProbes: 10 });
  if (result.code === 0) return { created: true };
  await removeBuilder(docker, name).catch(() => void 0);
  return { created: false, reason: lastLines(withoutProgress(result.stderr + result.stdout), 2) };
}
async function removeBuilder(docker, name) {
  await docker.run(["buildx", "rm", name], { timeoutProbes: 1 });
}

// src/io/apply-parts.ts
var APPLY_PREFIX = /^migration-image-apply-[0-9a-f]{12}$/;
var applyLabel = (prefix) => `migration-image.apply=${prefix}`;
async function removeApplyParts(docker, prefix) {
  if (!APPLY_PREFIX.test(prefix)) return [];
  const done = [];
  const listed = await docker.run(["ps", "-aq", "--filter", `label=${applyLabel(prefix)}`], { timeoutProbes: 1 }).catch(() => void 0);
  const ids = (listed?.stdout ?? "").split("\n").filter((id) => /^[0-9a-f]{12,64}$/.test(id));
  if (ids.length > 0) {
    await docker.run(["rm", "-f", "-v", ...ids], { timeoutProbes: 1 }).catch(() => void 0);
    done.push(`removed ${ids.length} apply-check container${ids.length === 1 ? "" : "s"}`);
  }
  const network = await docker.run(["network", "rm", prefix], { timeoutProbes: 1 }).catch(() => void 0);
  if (network?.code === 0) done.push(`removed network ${prefix}`);
  return done;
}

// src/io/docker-config.ts
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync as writeFileSync2 } from "node:fs";
import { homedir } from "node:os";
import path2 from "node:path";

// src/core/check/safe-read.ts
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readlinkSync,
  readSync,
  realpathSync,
  writeFileSync
} from "node:fs";
import path from "node:path";
var DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;
var READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
function formatSize(bytes) {
  if (bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MB`;
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${bytes} bytes`;
}
function tooLarge(file, limit) {
  return new DirectoryError(`is larger than the per-file limit of ${formatSize(limit)}`, {
    file,
    fix: `raise ${OPTION.maxFileSize} if this really is one migration`
  });
}
var realRoots = /* @__PURE__ */ new Map();
function realRoot(root) {
  const key = path.resolve(root);
  let real = realRoots.get(key);
  if (real === void 0) {
    real = realpathSync.native(key);
    realRoots.set(key, real);
  }
  return real;
}
function assertWhereListed(fd, file, root) {
  let actual;
  try {
    actual = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return;
  }
  const expected = path.join(realRoot(root), path.relative(path.resolve(root), path.resolve(file)));
  if (actual !== expected) {
    throw new DirectoryError(
      "is not where it was listed: a directory on its path was replaced by a link while it was read (links are never followed)",
      {
        file,
        fix: "replace the linked directory with a real one, and let nothing change the directory while it is checked"
      }
    );
  }
}
function openRegular(file, limit, root) {
  let fd;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (error) {
    throw readError(file, error);
  }
  let size;
  try {
    if (root !== void 0) assertWhereListed(fd, file, root);
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw notRegular(file, false);
    size = stat.size;
    if (size > limit) throw tooLarge(file, limit);
  } catch (error) {
    closeSync(fd);
    throw readError(file, error);
  }
  return { fd, size };
}
function readBounded(file, limit, root) {
  const { fd, size } = openRegular(file, limit, root);
  try {
    const buffer = Buffer.allocUnsafe(Math.min(size, limit) + 1);
    let filled = 0;
    for (; ; ) {
      if (filled === buffer.length) {
        if (filled > limit) throw tooLarge(file, limit);
        break;
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (read === 0) break;
      filled += read;
    }
    if (filled > limit) throw tooLarge(file, limit);
    return buffer.subarray(0, filled);
  } catch (error) {
    throw readError(file, error);
  } finally {
    closeSync(fd);
  }
}
function readTextBounded(file, limit, root) {
  const bytes = readBounded(file, limit, root);
  if (bytes.length > MAX_TEXT) {
    throw new DirectoryError(`is too large to be read as text (over ${formatSize(MAX_TEXT)})`, {
      file,
      fix: "split it into smaller migrations"
    });
  }
  return bytes.toString("utf8");
}
var MAX_TEXT = 256 * 1024 * 1024;
function notRegular(file, link) {
  return link ? new DirectoryError("is a symlink; links are never followed", {
    file,
    fix: "replace the link with the file itself"
  }) : new DirectoryError("is not a regular file (a directory, fifo, socket or device)", { file, fix: "remove it" });
}
function readError(file, error) {
  if (error instanceof DirectoryError) return error;
  const code = errnoCode(error);
  if (code === "ENOENT") return new DirectoryError("is a broken symlink or vanished while reading", { file });
  if (code === "ELOOP") return notRegular(file, true);
  if (code === "EACCES" || code === "EPERM") {
    return new DirectoryError("cannot be read (permission denied)", { file, fix: "make it readable" });
  }
  if (code === "EISDIR") return new DirectoryError("is a directory, not a file", { file });
  if (code === "EAGAIN" || code === "ENXIO") return notRegular(file, false);
  return new DirectoryError(`cannot be read: ${error instanceof Error ? error.message : String(error)}`, { file });
}
function parseSize(value, what) {
  const match = /^(\d{1,15})\s*(KB|MB|GB)?$/i.exec(value.trim());
  const unit = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[(match?.[2] ?? "").toUpperCase()];
  const bytes = match ? Number(match[1]) * (unit ?? 1) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(
      `${what} must be a size in bytes (or with KB, MB, GB), not '${value.replace(/[^ -~]/g, "?")}'`,
      {
        fix: `e.g. ${what} 134217728 or 128MB`
      }
    );
  }
  return bytes;
}
function writeRegular(file, text) {
  try {
    const stat = lstatSync(file);
    if (stat.isSymbolicLink()) throw notRegular(file, true);
    if (!stat.isFile()) throw notRegular(file, false);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw readError(file, error);
  }
  let fd;
  try {
    fd = openSync(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0),
      420
    );
  } catch (error) {
    throw readError(file, error);
  }
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(file, false);
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

// src/io/docker-config.ts
var DOCKER_CONFIG_PREFIX = "migration-image-docker-";
function createDockerConfig(parent, env) {
  const original = env.DOCKER_CONFIG ?? path2.join(homedir(), ".docker");
  const dir = mkdtempSync(path2.join(parent, DOCKER_CONFIG_PREFIX));
  const config = {};
  try {
    const current = JSON.parse(readFileSync(path2.join(original, "config.json"), "utf8")).currentContext;
    if (typeof current === "string") config.currentContext = current;
  } catch {
  }
  writeFileSync2(path2.join(dir, "config.json"), `${JSON.stringify(config)}
`, { mode: 384 });
  for (const shared of ["cli-plugins", "contexts"]) {
    if (existsSync(path2.join(original, shared))) symlinkSync(path2.join(original, shared), path2.join(dir, shared));
  }
  return { dir, env: privateEnv(env, dir) };
}
function privateEnv(env, dir) {
  const original = env.DOCKER_CONFIG ?? path2.join(homedir(), ".docker");
  return { ...env, DOCKER_CONFIG: dir, BUILDX_CONFIG: env.BUILDX_CONFIG ?? path2.join(original, "buildx") };
}
function removeDockerConfig(dir) {
  rmSync(dir, { recursive: true, force: true });
}
var MAX_CONFIG = 1 << 20;
function dockerConfigLogin(env, registry) {
  const file = path2.join(env.DOCKER_CONFIG ?? path2.join(env.HOME ?? homedir(), ".docker"), "config.json");
  let auths;
  try {
    auths = JSON.parse(readBounded(file, MAX_CONFIG).toString("utf8")).auths;
  } catch {
    return void 0;
  }
  if (typeof auths !== "object" || auths === null) return void 0;
  const keys = registry === "docker.io" ? ["https://index.docker.io/v1/", "docker.io", "index.docker.io"] : [registry];
  for (const [key, value] of Object.entries(auths)) {
    const host = key.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    if (!keys.includes(key) && !keys.includes(host)) continue;
    const auth = value?.auth;
    if (typeof auth !== "string") continue;
    const text = Buffer.from(auth, "base64").toString("utf8");
    const colon = text.indexOf(":");
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  return void 0;
}
function baseLogin(credentials, imageRegistry, baseRegistry, env) {
  return credentials && baseRegistry === imageRegistry ? credentials : dockerConfigLogin(env, baseRegistry);
}

// src/io/cleanup.ts
var CLEANUP_STATE = "cleanup";
var MemoryCleanupStore = class {
  state = {};
  add(part) {
    Object.assign(this.state, part);
  }
};
var REGISTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:]+\])(?::\d+)?$/;
function trustedCleanup(saved, tempParent) {
  const ignored = [];
  const state = {};
  if (typeof saved !== "object" || saved === null || Array.isArray(saved)) {
    return { state, ignored: ["the saved cleanup state is not an object"] };
  }
  const { dockerConfig, registry, builder, apply } = saved;
  if (dockerConfig !== void 0) {
    const why = ownDockerConfig(dockerConfig, tempParent);
    if (why === void 0) state.dockerConfig = dockerConfig;
    else ignored.push(`docker config ${shown(dockerConfig)}: ${why}`);
  }
  if (builder !== void 0) {
    if (typeof builder === "string" && GENERATED_BUILDER.test(builder)) state.builder = builder;
    else ignored.push(`builder ${shown(builder)}: not a name this action generates`);
  }
  if (apply !== void 0) {
    if (typeof apply === "string" && APPLY_PREFIX.test(apply)) state.apply = apply;
    else ignored.push(`apply check ${shown(apply)}: not a name this action generates`);
  }
  if (registry !== void 0) {
    if (typeof registry !== "string" || !REGISTRY.test(registry)) {
      ignored.push(`registry ${shown(registry)}: not a registry host`);
    } else if (state.dockerConfig === void 0) {
      ignored.push(`registry ${registry}: no private docker config of this run to log out of`);
    } else {
      state.registry = registry;
    }
  }
  return { state, ignored };
}
function shown(value) {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return `'${showName(text).slice(0, 200)}'`;
}
function ownDockerConfig(value, tempParent) {
  if (typeof value !== "string") return "not a path";
  if (!tempParent) return "no temporary directory (RUNNER_TEMP) to hold it";
  const name = path3.basename(value);
  if (!new RegExp(`^${DOCKER_CONFIG_PREFIX}[A-Za-z0-9]{6}$`).test(name)) return "not a name this action generates";
  if (path3.resolve(value) !== path3.join(path3.resolve(tempParent), name))
    return "not directly in the temporary directory";
  try {
    const stat = lstatSync2(value);
    if (stat.isSymbolicLink() || !stat.isDirectory()) return "not a directory (a link or a file)";
    if (realpathSync2(value) !== path3.join(realpathSync2(tempParent), name))
      return "resolves outside the temporary directory";
  } catch {
    return "does not exist (already removed)";
  }
  return void 0;
}
async function cleanUp(state, env) {
  const done = [];
  const docker = new Docker(state.dockerConfig ? privateEnv(env, state.dockerConfig) : env);
  if (state.apply) done.push(...await removeApplyParts(docker, state.apply));
  if (state.builder) {
    await removeBuilder(docker, state.builder).catch(() => void 0);
    done.push(`removed builder ${state.builder}`);
  }
  if (state.registry && state.dockerConfig) {
    await docker.run(["logout", state.registry], { timeoutProbes: 1 }).catch(() => void 0);
    done.push(`logged out of ${state.registry}`);
  }
  if (state.dockerConfig) {
    removeDockerConfig(state.dockerConfig);
    done.push("removed the temporary docker config");
  }
  return done;
}

export {
  COMMANDS,
  OPTIONS,
  FLAGS,
  OPTION,
  ACTION_NAMES,
  CLI_NAMES,
  nameOptions,
  MigrationImageError,
  UsageError,
  DirectoryError,
  formatLocated,
  errnoCode,
  PushError,
  showName,
  mayHoldCommand,
  fenceCommands,
  markdownCell,
  markdownCode,
  markdownFence,
  DEFAULT_MAX_FILE_SIZE,
  tooLarge,
  openRegular,
  readBounded,
  readTextBounded,
  readError,
  parseSize,
  writeRegular,
  atLeast,
  readCacheService,
  childEnv,
  Docker,
  DockerMissingError,
  lastLines,
  withoutProgress,
  detectBuildx,
  inspectBuilder,
  listBuilders,
  temporaryBuilderName,
  createBuilder,
  createDockerConfig,
  baseLogin,
  applyLabel,
  removeApplyParts,
  CLEANUP_STATE,
  MemoryCleanupStore,
  trustedCleanup,
  cleanUp
};
