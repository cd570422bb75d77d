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
  const result = await docker.run(["buildx", "create", "--driver", "docker-container", "--name", name]);
  if (result.code !== 0) {
    log.warning(
      `could not create a docker-container builder for the cache (${result.stderr.trim()}): building without cache export`
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
  detectBuildx,
  builderDriver,
  createContainerBuilder,
  CLEANUP_STATE,
  cleanUp
};
