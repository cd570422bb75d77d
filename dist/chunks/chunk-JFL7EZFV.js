#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);

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
function formatLocated(message, where) {
  const at = where.file === void 0 ? "" : `${where.file}${where.line === void 0 ? "" : `:${where.line}`}: `;
  const fix = where.fix === void 0 ? "" : ` — ${where.fix}`;
  return `${at}${message}${fix}`;
}
function errnoCode(error) {
  if (typeof error === "object" && error !== null && "code" in error) {
    return typeof error.code === "string" ? error.code : void 0;
  }
  return void 0;
}

// src/publish/docker.ts
import { spawn } from "node:child_process";
var Docker = class {
  constructor(env, bin = "docker") {
    this.env = env;
    this.bin = bin;
  }
  env;
  bin;
  spawned = 0;
  run(argv, options = {}) {
    this.spawned++;
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, argv, { env: this.env, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk) => {
        stdout += chunk;
        options.echo?.(chunk);
      });
      child.stderr.setEncoding("utf8").on("data", (chunk) => {
        stderr += chunk;
        options.echo?.(chunk);
      });
      child.on("error", (error) => {
        reject(
          error.code === "ENOENT" ? new DockerMissingError(`'${this.bin}' was not found on PATH`, {
            fix: "install Docker (or run on a runner that has it); validation and the Dockerfile need no engine"
          }) : error
        );
      });
      child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(options.input ?? "");
    });
  }
};
var DockerMissingError = class extends MigrationImageError {
};
function tail(text, lines = 5) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean).slice(-lines).join(" | ");
}

// src/publish/docker-config.ts
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
function createDockerConfig(parent, env) {
  const original = env.DOCKER_CONFIG ?? path.join(homedir(), ".docker");
  const dir = mkdtempSync(path.join(parent, "migration-image-docker-"));
  const config = {};
  try {
    const current = JSON.parse(readFileSync(path.join(original, "config.json"), "utf8")).currentContext;
    if (typeof current === "string") config.currentContext = current;
  } catch {
  }
  writeFileSync(path.join(dir, "config.json"), `${JSON.stringify(config)}
`, { mode: 384 });
  for (const shared of ["cli-plugins", "contexts"]) {
    if (existsSync(path.join(original, shared))) symlinkSync(path.join(original, shared), path.join(dir, shared));
  }
  return { dir, env: privateEnv(env, dir) };
}
function privateEnv(env, dir) {
  const original = env.DOCKER_CONFIG ?? path.join(homedir(), ".docker");
  return { ...env, DOCKER_CONFIG: dir, BUILDX_CONFIG: env.BUILDX_CONFIG ?? path.join(original, "buildx") };
}
function removeDockerConfig(dir) {
  rmSync(dir, { recursive: true, force: true });
}

// src/core/buildx-version.ts
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

// src/core/build-plan.ts
var gha = (cache, to) => to ? `type=gha,scope=${cache.scope},mode=max,ignore-error=true` : `type=gha,scope=${cache.scope}`;
function planBuild(request, builder) {
  if (builder.buildxVersion === void 0) return planLegacy(request);
  const argv = ["buildx", "build"];
  if (builder.name) argv.push("--builder", builder.name);
  argv.push("--file", request.dockerfile);
  for (const tag of request.tags) argv.push("--tag", tag);
  if (request.platforms.length > 0) argv.push("--platform", request.platforms.join(","));
  if (atLeast(builder.buildxVersion, "0.10.0")) argv.push(`--provenance=${request.provenance}`);
  const metadata = atLeast(builder.buildxVersion, "0.6.0");
  if (metadata) argv.push("--metadata-file", request.metadataFile);
  if (request.cache.from) argv.push("--cache-from", gha(request.cache, false));
  if (request.cache.to) argv.push("--cache-to", gha(request.cache, true));
  if (request.push) argv.push("--push");
  else if (request.load && request.platforms.length <= 1 && builder.driver !== "docker") argv.push("--load");
  argv.push(request.context);
  return { kind: "buildx", build: argv, pushes: [], metadata };
}
function planLegacy(request) {
  const build = ["build", "--file", request.dockerfile];
  for (const tag of request.tags) build.push("--tag", tag);
  if (request.platforms.length === 1) build.push("--platform", request.platforms[0]);
  build.push(request.context);
  const pushes = request.push ? request.tags.map((tag) => ["push", tag]) : [];
  return { kind: "docker", build, pushes, metadata: false };
}
function containerBuilderArgv(name, buildxVersion) {
  const argv = ["buildx", "create", "--driver", "docker-container", "--name", name];
  if (atLeast(buildxVersion, "0.8.0")) argv.push("--bootstrap");
  return argv;
}

// src/publish/builder.ts
async function detectBuildx(docker) {
  const result = await docker.run(["buildx", "version"]);
  return result.code === 0 ? parseBuildxVersion(result.stdout) : void 0;
}
async function builderDriver(docker, name) {
  const result = await docker.run(["buildx", "inspect", ...name ? [name] : []]);
  return /^Driver:\s*(\S+)/m.exec(result.stdout)?.[1];
}
async function createContainerBuilder(docker, log, buildxVersion) {
  const name = `migration-image-${process.pid}-${Date.now().toString(36)}`;
  const result = await docker.run(containerBuilderArgv(name, buildxVersion));
  if (result.code !== 0) {
    await removeBuilder(docker, name).catch(() => void 0);
    log.warning(
      `could not start a docker-container builder for the cache (${tail(result.stderr + result.stdout, 2)}): building without the cache`
    );
    return void 0;
  }
  return { buildxVersion, name, driver: "docker-container" };
}
async function removeBuilder(docker, name) {
  await docker.run(["buildx", "rm", name]);
}

// src/publish/cleanup.ts
var CLEANUP_STATE = "cleanup";
async function cleanUp(state, env) {
  const done = [];
  const docker = new Docker(state.dockerConfig ? privateEnv(env, state.dockerConfig) : env);
  if (state.builder) {
    await removeBuilder(docker, state.builder).catch(() => void 0);
    done.push(`removed builder ${state.builder}`);
  }
  if (state.registry) {
    await docker.run(["logout", state.registry]).catch(() => void 0);
    done.push(`logged out of ${state.registry}`);
  }
  if (state.dockerConfig) {
    removeDockerConfig(state.dockerConfig);
    done.push("removed the temporary docker config");
  }
  return done;
}

export {
  MigrationImageError,
  UsageError,
  DirectoryError,
  formatLocated,
  errnoCode,
  Docker,
  DockerMissingError,
  tail,
  createDockerConfig,
  atLeast,
  planBuild,
  detectBuildx,
  builderDriver,
  createContainerBuilder,
  CLEANUP_STATE,
  cleanUp
};
