#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import {
  ExitCode,
  error,
  getInput,
  group,
  info,
  notice,
  saveState,
  setFailed,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunks/chunk-MWZEUHRT.js";
import {
  PushError,
  assertRef,
  atlasChecksumBlock,
  checkAgainstBase,
  decidePush,
  defaultImageName,
  getPreset,
  hasControlCharacter,
  imageTags,
  listInput,
  parseImageName,
  parsePushMode,
  parseSize,
  publish,
  readRunContext,
  runnerPath,
  validateDirectory,
  verdictLine,
  withProblems
} from "./chunks/chunk-N6YUBN4G.js";
import {
  CLEANUP_STATE,
  MigrationImageError,
  UsageError,
  errnoCode,
  fenceCommands,
  formatLocated,
  markdownCell,
  markdownCode,
  mayHoldCommand,
  showName
} from "./chunks/chunk-HB2KTYYD.js";
import "./chunks/chunk-SWAAXPTV.js";

// src/main.ts
import { randomBytes } from "node:crypto";
import { realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// src/core/report/summary.ts
var MAX_ROWS = 200;
var cell = markdownCell;
var code = markdownCode;
function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
var CHECKS = [
  { name: "atlas.sum", covers: (code2) => code2.startsWith("checksum") || code2 === "line-endings" },
  { name: "names and versions", covers: (code2) => code2 === "bad-name" || code2 === "duplicate-version" },
  { name: "the tool's rules", covers: (code2) => code2 === "tool-rule" },
  {
    name: "files (no symlinks, binaries or special files)",
    covers: (code2) => code2 === "symlink" || code2 === "binary" || code2 === "not-regular"
  },
  { name: "applied migrations unchanged", covers: (code2) => code2 === "applied-changed", needsBase: true },
  { name: "new migrations in order", covers: (code2) => code2 === "out-of-order", needsBase: true }
];
function renderSummary(validation, context = {}) {
  const { migrations } = validation;
  const problems = [...validation.problems, ...context.baseProblems ?? []];
  const added = new Set(context.added ?? []);
  const errors = problems.filter(({ severity }) => severity === "error");
  const verdict = errors.length === 0 ? "✅ valid" : `❌ ${errors.length} error${errors.length === 1 ? "" : "s"}`;
  const out = [
    `### Migrations: ${cell(validation.dir)} (${cell(validation.format)}) — ${verdict}`,
    "",
    `| | |`,
    `|---|---|`,
    `| Migrations | ${migrations.length} |`,
    `| Latest version | ${cell(validation.latestVersion ?? "—")} |`,
    `| Checksum (atlas.sum) | ${code(validation.checksum)} |`,
    "",
    `Checks: ${CHECKS.map(({ name, covers, needsBase }) => {
      if (needsBase && context.baseName === void 0) return `➖ ${name}`;
      return `${problems.some((problem) => problem.severity === "error" && covers(problem.code)) ? "❌" : "✅"} ${name}`;
    }).join(" · ")}${context.baseName === void 0 ? "" : ` (compared with ${cell(context.baseName)})`}`,
    ""
  ];
  if (problems.length > 0) {
    out.push("| | File | Problem | Fix |", "|---|---|---|---|");
    for (const problem of problems) {
      const icon = problem.severity === "error" ? "❌" : problem.severity === "warning" ? "⚠️" : "ℹ️";
      const where = problem.line === void 0 ? problem.file : `${problem.file}:${problem.line}`;
      out.push(`| ${icon} | ${code(where)} | ${cell(problem.message)} | ${cell(problem.fix ?? "")} |`);
    }
    out.push("");
  }
  if (validation.uncovered.length > 0) {
    out.push("Shipped in the image but not covered by atlas.sum:", "");
    for (const { name, reason } of validation.uncovered.slice(0, MAX_ROWS)) out.push(`- ${code(name)}: ${cell(reason)}`);
    if (validation.uncovered.length > MAX_ROWS) out.push(`- … ${validation.uncovered.length - MAX_ROWS} more`);
    out.push("");
  }
  if (migrations.length > 0) {
    out.push("| Version | Name | Size |", "|---|---|---:|");
    for (const migration of migrations.slice(0, MAX_ROWS)) {
      const note = `${migration.ignored ? " (atlas:sum ignore)" : ""}${added.has(migration.name) ? " 🆕" : ""}`;
      out.push(`| ${cell(migration.version ?? "—")} | ${code(migration.name)}${note} | ${size(migration.size)} |`);
    }
    if (migrations.length > MAX_ROWS) out.push(`| … | ${migrations.length - MAX_ROWS} more | |`);
    out.push("");
  }
  return out.join("\n");
}
function renderImageSummary(result, reason, runExample) {
  const ref = result.imageRef ?? result.image;
  return [
    `### Image — ${result.pushed ? "📦 pushed" : "🔨 built, not pushed"}`,
    "",
    "| | |",
    "|---|---|",
    `| Image | ${code(result.image)} |`,
    `| Tags | ${result.references.map(code).join("<br>")} |`,
    `| Digest | ${result.digest ? code(result.digest) : "—"} |`,
    `| Push | ${cell(reason)} |`,
    `| Builder | ${cell(result.builder)}, cache ${cell(result.cache)} |`,
    `| Files | ${result.files.length} |`,
    "",
    `Run it: ${code(runExample.replace("IMAGE", ref))}`,
    ""
  ].join("\n");
}

// src/io/pr-comment.ts
function commentMarker(dir, tool) {
  return `<!-- migration-image: ${dir.replace(/-->/g, "")} ${tool} -->`;
}
async function upsertComment(target, body) {
  const { getOctokit } = await import("./chunks/github-HVELDBBM.js");
  const octokit = getOctokit(target.token);
  const { owner, repo } = target;
  const text = `${target.marker}
${body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: target.issueNumber,
    per_page: 100
  });
  const existing = comments.find((comment2) => comment2.body?.includes(target.marker));
  if (existing) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text });
    return "updated";
  }
  await octokit.rest.issues.createComment({ owner, repo, issue_number: target.issueNumber, body: text });
  return "created";
}

// src/main.ts
var fenceToken = () => randomBytes(16).toString("hex");
function info2(text) {
  if (mayHoldCommand(text)) process.stdout.write(fenceCommands(text, fenceToken()));
  else info(text);
}
var lastOutput = "\n";
var actionLog = {
  info: info2,
  notice: (message) => notice(message),
  warning: (message) => warning(message),
  output: (chunk) => {
    if (chunk.length === 0) return;
    process.stdout.write(chunk);
    lastOutput = chunk;
  },
  // Docker's output streams inside the group: the whole group is one fenced block.
  group: (title, run2) => group(title, async () => {
    const token = fenceToken();
    process.stdout.write(`::stop-commands::${token}
`);
    lastOutput = "\n";
    try {
      return await run2();
    } finally {
      process.stdout.write(`${lastOutput.endsWith("\n") ? "" : "\n"}::${token}::
`);
    }
  })
};
var runnerTemp = () => runnerPath(process.env, "RUNNER_TEMP") ?? tmpdir();
function workspaceDir(dir) {
  const workspace = runnerPath(process.env, "GITHUB_WORKSPACE") ?? process.cwd();
  let real;
  let root;
  try {
    root = realpathSync(workspace);
    real = realpathSync(path.resolve(dir));
  } catch (error2) {
    if (errnoCode(error2) === "ENOENT" || errnoCode(error2) === "ENOTDIR") return dir;
    throw new UsageError(`input dir '${showName(dir)}' cannot be resolved (${errnoCode(error2) ?? "error"})`, {
      fix: "point dir at a readable folder of the repository"
    });
  }
  if (real !== root && !real.startsWith(root + path.sep)) {
    throw new UsageError(`input dir '${showName(dir)}' resolves to ${showName(real)}, outside the workspace`, {
      fix: "point dir at a folder of the repository (a link out of GITHUB_WORKSPACE is refused)"
    });
  }
  return dir;
}
function sizeInput(name) {
  const value = getInput(name);
  return value ? parseSize(value, `input ${name}`) : void 0;
}
function booleanInput(name, fallback) {
  const value = getInput(name).trim().toLowerCase();
  if (value === "") return fallback;
  if (value === "true" || value === "false") return value === "true";
  throw new MigrationImageError(`input ${name} must be true or false, not '${value}'`);
}
function checksumInput() {
  const value = getInput("checksum").trim();
  if (value === "") return void 0;
  if (value === "required" || value === "optional") return value;
  throw new MigrationImageError(`input checksum must be required or optional, not '${value}'`);
}
async function baseChecks(validation, ctx, options) {
  const input = getInput("base-ref");
  const baseRef = input ? assertRef(input, "input base-ref") : ctx.pullRequestBaseSha;
  if (!baseRef) return {};
  const baseName = getInput("base-ref") || ctx.pullRequestBaseRef || baseRef.slice(0, 12);
  const result = await checkAgainstBase({
    head: validation,
    options,
    baseRef,
    baseName,
    headRef: ctx.pullRequestHeadSha,
    allowOutOfOrder: booleanInput("allow-out-of-order", false),
    tempDir: runnerTemp(),
    log: actionLog
  });
  return { baseProblems: result.problems, added: result.added, baseName };
}
async function comment(ctx, dir, preset, body) {
  if (!booleanInput("comment", false) || ctx.pullRequestNumber === void 0) return;
  if (ctx.fromFork) {
    notice("pull request from a fork: its token is read-only, so no comment (the job summary has the report)");
    return;
  }
  const [owner, repo] = ctx.repository.split("/");
  try {
    const done = await upsertComment(
      {
        token: getInput("github-token"),
        owner,
        repo,
        issueNumber: ctx.pullRequestNumber,
        marker: commentMarker(dir, preset.tool)
      },
      body
    );
    info2(`pull request comment ${done}`);
  } catch (error2) {
    notice(
      `could not comment on the pull request (${error2 instanceof Error ? error2.message : String(error2)}); give the job 'permissions: pull-requests: write' to get the comment`
    );
  }
}
async function run() {
  try {
    const dir = workspaceDir(getInput("dir") || "migrations");
    const preset = getPreset(getInput("tool") || "atlas");
    const options = {
      format: getInput("format") || preset.format,
      checksum: checksumInput(),
      changelog: getInput("changelog") || void 0,
      maxFileSize: sizeInput("max-file-size")
    };
    const ctx = readRunContext(process.env);
    const validation = await validateDirectory(dir, options);
    const base = await baseChecks(validation, ctx, options);
    const checked = withProblems(validation, base.baseProblems ?? []);
    setOutput("checksum", validation.checksum);
    setOutput("count", String(validation.migrations.length));
    setOutput("latest-version", validation.latestVersion ?? "");
    setOutput("valid", String(checked.valid));
    setOutput("pushed", "false");
    const block = atlasChecksumBlock(validation);
    if (block) process.stdout.write(fenceCommands(block, fenceToken()));
    for (const problem of checked.problems) annotate(problem);
    const summary2 = renderSummary(validation, base);
    summary.addRaw(summary2, true);
    if (!checked.valid) {
      await summary.write();
      await comment(ctx, dir, preset, summary2);
      setFailed(`${verdictLine(checked)}; nothing was built or pushed`);
      return;
    }
    info2(verdictLine(validation));
    if (!booleanInput("build", true)) {
      await summary.write();
      await comment(ctx, dir, preset, summary2);
      return;
    }
    const image = parseImageName(getInput("image") || defaultImageName(ctx));
    if (image.lowercased) notice(`image name lowercased to ${image.name} (registries reject uppercase)`);
    const tags = imageTags(ctx, listInput(getInput("tags")));
    const decision = decidePush(parsePushMode(getInput("push")), ctx);
    info2(`${decision.push ? "pushing" : "not pushing"}: ${decision.reason}`);
    const password = getInput("password");
    if (password) setSecret(password);
    const username = getInput("username") || process.env.GITHUB_ACTOR || "";
    if (hasControlCharacter(username)) {
      throw new UsageError("input username (or GITHUB_ACTOR) has a control character", {
        fix: "check the username input"
      });
    }
    const result = await publish(
      {
        validation,
        preset,
        image,
        tags,
        push: decision.push,
        load: false,
        baseImage: getInput("base-image") || void 0,
        platforms: listInput(getInput("platforms")),
        provenance: getInput("provenance") || "false",
        cache: booleanInput("cache", true),
        selfCheck: booleanInput("self-check", false),
        builder: getInput("builder") || void 0,
        credentials: password ? { username, password } : void 0,
        source: ctx.repository ? `${ctx.serverUrl}/${ctx.repository}` : void 0,
        revision: tags[0],
        tempDir: runnerTemp(),
        env: process.env,
        remember: (state) => saveState(CLEANUP_STATE, JSON.stringify(state))
      },
      actionLog
    );
    setOutput("image", result.image);
    setOutput("tags", result.references.join("\n"));
    setOutput("digest", result.digest ?? "");
    setOutput("image-ref", result.imageRef ?? "");
    setOutput("pushed", String(result.pushed));
    const imageSummary = renderImageSummary(result, decision.reason, preset.runExample);
    summary.addRaw(imageSummary, true);
    await summary.write();
    await comment(ctx, dir, preset, `${summary2}
${imageSummary}`);
  } catch (error2) {
    if (error2 instanceof PushError) {
      setOutput("tags", error2.pushed.join("\n"));
      setOutput("pushed", String(error2.pushed.length > 0));
    }
    if (error2 instanceof MigrationImageError && error2.file !== void 0) {
      error(formatLocated(error2.message, { fix: error2.fix }), { file: error2.file, startLine: error2.line });
      process.exitCode = ExitCode.Failure;
    } else if (error2 instanceof MigrationImageError) {
      setFailed(formatLocated(error2.message, error2));
    } else {
      setFailed(error2 instanceof Error ? error2.stack ?? error2.message : String(error2));
    }
    await summary.write().catch(() => void 0);
  }
}
function annotate(problem) {
  const text = formatLocated(problem.message, { fix: problem.fix });
  const where = { file: problem.file, startLine: problem.line, title: `migration-image (${problem.code})` };
  if (problem.severity === "error") error(text, where);
  else if (problem.severity === "warning") warning(text, where);
  else notice(text, where);
}

// src/index.ts
await run();
