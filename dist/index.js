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
  applyRequest,
  assertTag,
  atlasChecksumBlock,
  getPreset,
  hasControlCharacter,
  isRuleCode,
  optionLabel,
  parseImageName,
  readOption,
  readRunContext,
  renderApplySection,
  runPipeline,
  runnerPath,
  sourceDateEpoch,
  verdictLine
} from "./chunks/chunk-MP3MIMI6.js";
import {
  ACTION_NAMES,
  CLEANUP_STATE,
  MigrationImageError,
  OPTION,
  OPTIONS,
  PushError,
  UsageError,
  errnoCode,
  fenceCommands,
  formatLocated,
  markdownCell,
  markdownCode,
  mayHoldCommand,
  showName
} from "./chunks/chunk-BJW4GB7K.js";
import "./chunks/chunk-RSHFDZKV.js";

// src/action/run.ts
import { tmpdir } from "node:os";

// src/action/inputs.ts
import { realpathSync } from "node:fs";
import path from "node:path";

// src/core/github/publish-policy.ts
var isDefaultBranchPush = (ctx) => ctx.eventName === "push" && ctx.defaultBranch !== void 0 && ctx.ref === `refs/heads/${ctx.defaultBranch}`;
var isTagPush = (ctx) => ctx.eventName === "push" && ctx.ref.startsWith("refs/tags/");
function decidePush(mode, ctx) {
  if (mode === "false") return { push: false, reason: "push: false" };
  if (ctx.fromFork) return { push: false, reason: "pull request from a fork (read-only token): built, not pushed" };
  if (mode === "true") return { push: true, reason: "push: true" };
  if (isDefaultBranchPush(ctx)) return { push: true, reason: `push to the default branch (${ctx.defaultBranch})` };
  if (isTagPush(ctx)) return { push: true, reason: `tag push (${ctx.ref.slice("refs/tags/".length)})` };
  const what = ctx.eventName ? `${ctx.eventName} event` : "no GitHub event";
  return { push: false, reason: `${what}: built, not pushed (push: auto pushes on the default branch and tags)` };
}
function imageSha(ctx) {
  return ctx.pullRequestHeadSha ?? ctx.sha;
}
function defaultImageName(ctx) {
  if (!ctx.repository) {
    throw new UsageError("no image name: GITHUB_REPOSITORY is not set", { fix: `set ${OPTION.image}` });
  }
  return `ghcr.io/${ctx.repository.toLowerCase()}-migrations`;
}
function imageTags(ctx, extra) {
  const tags = [];
  const sha = imageSha(ctx);
  if (sha) tags.push(assertTag(sha));
  if (isDefaultBranchPush(ctx)) tags.push("latest");
  const tagName = isTagPush(ctx) ? ctx.ref.slice("refs/tags/".length) : "";
  if (/^v\d/.test(tagName)) tags.push(assertTag(tagName.slice(1)));
  for (const tag of extra) tags.push(assertTag(tag));
  if (tags.length === 0) throw new UsageError("no tag to build: no commit sha is known", { fix: `give ${OPTION.tags}` });
  return [...new Set(tags)];
}

// src/action/inputs.ts
function input(key) {
  const spec = OPTIONS[key];
  return readOption(key, getInput(spec.input ?? key), optionLabel(key, "action"));
}
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
function readActionInputs(env = process.env) {
  const context = readRunContext(env);
  const dir = workspaceDir(input("dir") ?? OPTIONS.dir.default);
  const preset = getPreset(input("tool") ?? OPTIONS.tool.default);
  const check = {
    dir,
    tool: preset.tool,
    format: input("format") ?? preset.format,
    checksum: input("checksum"),
    changelog: input("changelog"),
    maxFileSize: input("maxFileSize")
  };
  const baseInput = input("base");
  const baseRef = baseInput ?? context.pullRequestBaseSha;
  const base = baseRef ? {
    ref: baseRef,
    name: baseInput ?? context.pullRequestBaseRef ?? baseRef.slice(0, 12),
    headRef: context.pullRequestHeadSha,
    allowOutOfOrder: input("allowOutOfOrder") ?? false
  } : void 0;
  const comment2 = input("comment") ? { token: input("githubToken") ?? "" } : void 0;
  const apply = applyInputs(context);
  if (!(input("build") ?? true)) {
    if (apply) throw new UsageError("apply-check runs the built image: it needs build: true");
    return { request: { command: "validate", check, base, names: ACTION_NAMES }, context, comment: comment2 };
  }
  const image = parseImageName(input("image") ?? defaultImageName(context), "input image");
  const push = decidePush(input("push") ?? OPTIONS.push.default, context);
  const password = input("password");
  if (password) setSecret(password);
  const username = input("username") ?? env.GITHUB_ACTOR ?? "";
  if (hasControlCharacter(username)) throw new UsageError("GITHUB_ACTOR has a control character");
  const sha = imageSha(context);
  return {
    request: {
      command: "build",
      check,
      base,
      names: ACTION_NAMES,
      apply,
      image: {
        name: image,
        tags: imageTags(context, input("tags") ?? []),
        revision: sha || void 0,
        created: sourceDateEpoch(env),
        source: context.repository ? `${context.serverUrl}/${context.repository}` : void 0,
        push: push.push,
        pushReason: push.reason,
        // The apply check runs the image from the engine's store: a build that is not pushed is loaded there.
        load: apply !== void 0 && !push.push,
        baseImage: input("baseImage"),
        platforms: input("platforms") ?? [],
        provenance: input("provenance") ?? OPTIONS.provenance.default,
        cache: input("cache") ?? OPTIONS.cache.default,
        engine: input("engine") ?? OPTIONS.engine.default,
        builder: input("builder"),
        selfCheck: input("selfCheck") ?? false,
        credentials: password ? { username, password } : void 0
      }
    },
    context,
    comment: comment2,
    lowercased: image.lowercased ? image.name : void 0
  };
}
function applyInputs(context) {
  const mode = input("applyCheck") ?? "false";
  if (mode === "false") return void 0;
  if (context.eventName === "pull_request_target" && mode !== "pull_request_target") {
    throw new UsageError(
      "apply-check: true does not run on pull_request_target: the pull request's SQL would run in a workflow that holds this repository's secrets",
      {
        fix: "run the check on pull_request (no secrets), or set apply-check: pull_request_target to opt in knowing that"
      }
    );
  }
  const databaseUrl = input("databaseUrl");
  if (databaseUrl) {
    const password = /^[a-z]+:\/\/[^:/@]*:([^@]*)@/i.exec(databaseUrl)?.[1];
    if (password) setSecret(decodeURIComponent(password));
    setSecret(databaseUrl);
  }
  return applyRequest(
    { database: input("database"), databaseUrl, timeout: input("applyTimeout") },
    { database: "input database", databaseUrl: "input database-url", timeout: "input apply-timeout" }
  );
}

// src/action/log.ts
import { randomBytes } from "node:crypto";
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

// src/action/report.ts
import path2 from "node:path";

// src/core/report/summary.ts
var MAX_ROWS = 200;
var cell = markdownCell;
var code = markdownCode;
function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
var NAME_RULE = /^(?:[a-z-]+\/)?(?:bad-name|(?:ignored|skipped)-name|duplicate-version)$/;
var CHECKS = [
  { name: "atlas.sum", covers: (code2) => code2.startsWith("checksum") || code2 === "line-endings" },
  { name: "names and versions", covers: (code2) => NAME_RULE.test(code2) },
  {
    name: "the tool's rules",
    covers: (code2) => isRuleCode(code2) && !NAME_RULE.test(code2) && !code2.endsWith("/directory-named-sql")
  },
  {
    name: "files (no symlinks, binaries or special files)",
    covers: (code2) => code2 === "symlink" || code2 === "binary" || code2 === "not-regular" || code2.endsWith("/directory-named-sql")
  },
  { name: "applied migrations unchanged", covers: (code2) => code2 === "applied-changed", needsBase: true },
  { name: "new migrations in order", covers: (code2) => code2 === "out-of-order", needsBase: true }
];
function renderSummary(validation, context = {}) {
  const { migrations } = validation;
  const problems = validation.problems;
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
    `### Image — ${result.unchanged ? `♻️ ${cell(result.unchanged)}` : result.pushed ? "📦 pushed" : "🔨 built, not pushed"}`,
    "",
    "| | |",
    "|---|---|",
    `| Image | ${code(result.image)} |`,
    `| Tags | ${result.references.map(code).join("<br>")} |`,
    `| Digest | ${result.digest ? code(result.digest) : "—"} |`,
    `| Push | ${cell(reason)} |`,
    result.unchanged ? `| Builder | none: ${cell(result.unchanged)} (same content key) |` : `| Builder | ${cell(result.builder)}, cache ${cell(result.cache)} |`,
    `| Files | ${result.files.length} |`,
    "",
    `Run it: ${code(runExample.replace("IMAGE", ref))}`,
    ""
  ].join("\n");
}

// src/action/pr-comment.ts
function commentMarker(dir, tool) {
  return `<!-- migration-image: ${dir.replace(/-->/g, "")} ${tool} -->`;
}
async function upsertComment(target, body) {
  const { getOctokit } = await import("./chunks/github-WWVZNPP2.js");
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

// src/action/report.ts
function annotate(problem) {
  const text = formatLocated(problem.message, { fix: problem.fix }, ACTION_NAMES);
  const where = { file: problem.file, startLine: problem.line, title: `migration-image (${problem.code})` };
  if (problem.severity === "error") error(text, where);
  else if (problem.severity === "warning") warning(text, where);
  else notice(text, where);
}
function setOutputs(outcome) {
  const { validation, image } = outcome;
  setOutput("checksum", validation.checksum);
  setOutput("count", String(validation.migrations.length));
  setOutput("latest-version", validation.latestVersion ?? "");
  setOutput("valid", String(validation.valid));
  setOutput("pushed", String(image?.pushed ?? false));
  if (!image) return;
  setOutput("image", image.image);
  setOutput("tags", image.references.join("\n"));
  setOutput("digest", image.digest ?? "");
  setOutput("image-ref", image.imageRef ?? "");
}
function summaryOf(run2, outcome) {
  const base = outcome.base;
  const checks = renderSummary(outcome.validation, base ? { added: base.added, baseName: base.name } : {});
  if (!outcome.image || !run2.request.image) return checks;
  const image = `${checks}
${renderImageSummary(outcome.image, run2.request.image.pushReason, outcome.preset.runExample)}`;
  if (!outcome.apply) return image;
  return `${image}
${renderApplySection(outcome.apply, { dir: run2.request.check.dir, baseName: base?.name })}`;
}
function annotateApply(outcome, dir) {
  for (const failure of outcome.apply?.failures ?? []) {
    const file = failure.file === void 0 ? void 0 : path2.posix.join(dir, failure.file);
    error(failure.message, {
      file,
      startLine: file === void 0 ? void 0 : failure.line,
      title: `migration-image apply check (${failure.title})`
    });
  }
}
async function comment(run2, body) {
  const { context } = run2;
  if (!run2.comment || context.pullRequestNumber === void 0) return;
  if (context.fromFork) {
    notice("pull request from a fork: its token is read-only, so no comment (the job summary has the report)");
    return;
  }
  const [owner, repo] = context.repository.split("/");
  try {
    const done = await upsertComment(
      {
        token: run2.comment.token,
        owner,
        repo,
        issueNumber: context.pullRequestNumber,
        marker: commentMarker(run2.request.check.dir, run2.request.check.tool)
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

// src/action/run.ts
var SavedState = class {
  state = {};
  add(part) {
    Object.assign(this.state, part);
    saveState(CLEANUP_STATE, JSON.stringify(this.state));
  }
};
async function run() {
  let action;
  try {
    action = readActionInputs();
    if (action.lowercased) notice(`image name lowercased to ${action.lowercased} (registries reject uppercase)`);
    const outcome = await runPipeline(action.request, {
      log: actionLog,
      cleanup: new SavedState(),
      env: process.env,
      tempDir: runnerPath(process.env, "RUNNER_TEMP") ?? tmpdir()
    });
    setOutputs(outcome);
    const block = atlasChecksumBlock(outcome.validation);
    if (block) process.stdout.write(fenceCommands(block, fenceToken()));
    for (const problem of outcome.validation.problems) annotate(problem);
    annotateApply(outcome, action.request.check.dir);
    const summary2 = summaryOf(action, outcome);
    summary.addRaw(summary2, true);
    await summary.write();
    await comment(action, summary2);
    if (!outcome.validation.valid) setFailed(`${verdictLine(outcome.validation)}; nothing was built or pushed`);
    else info2(verdictLine(outcome.validation));
    if (outcome.failure !== void 0) throw outcome.failure;
    if (outcome.apply && !outcome.apply.ok)
      setFailed("the apply check failed: see the annotations and the summary");
  } catch (error2) {
    if (error2 instanceof PushError) {
      setOutput("tags", error2.pushed.join("\n"));
      setOutput("pushed", String(error2.pushed.length > 0));
    }
    if (error2 instanceof MigrationImageError && error2.file !== void 0) {
      error(formatLocated(error2.message, { fix: error2.fix }, ACTION_NAMES), {
        file: error2.file,
        startLine: error2.line
      });
      process.exitCode = ExitCode.Failure;
    } else if (error2 instanceof MigrationImageError) {
      setFailed(formatLocated(error2.message, error2, ACTION_NAMES));
    } else {
      setFailed(error2 instanceof Error ? error2.stack ?? error2.message : String(error2));
    }
    await summary.write().catch(() => void 0);
  }
}

// src/action/entry.ts
await run();
