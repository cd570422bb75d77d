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
  bySeverity,
  checkedBaseImage,
  getPreset,
  hasControlCharacter,
  isRuleCode,
  optionLabel,
  parseImageName,
  readOption,
  readRunContext,
  renderApplySection,
  renderSafetySection,
  runPipeline,
  runnerPath,
  safetySettings,
  sourceDateEpoch,
  uncoveredGroups,
  verdictLine
} from "./chunks/chunk-ZE2PFNRJ.js";
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
  markdownFence,
  mayHoldCommand,
  showName
} from "./chunks/chunk-TINLM5AB.js";
import "./chunks/chunk-RSHFDZKV.js";

// src/action/run.ts
import { tmpdir } from "node:os";

// src/core/report/summary.ts
import path from "node:path";
var cell = markdownCell;
var code = markdownCode;
var COMMENT_LIMIT = 65536;
var SUMMARY_LIMIT = 1024 * 1024;
var commentBudget = (reserved = 0) => ({ limit: COMMENT_LIMIT - reserved, measure: (t) => t.length });
var summaryBudget = (reserved = 0) => ({
  limit: SUMMARY_LIMIT - reserved,
  measure: (t) => Buffer.byteLength(t, "utf8")
});
var SHOWN_OPEN = 20;
function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
function blobLink(serverUrl, repository, sha) {
  return (file, line) => {
    const relative = path.posix.normalize(file.split(path.sep).join("/"));
    if (path.posix.isAbsolute(relative) || relative === ".." || relative.startsWith("../")) return void 0;
    const encoded = relative.split("/").map((part) => encodeURIComponent(part).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)).join("/");
    return `${serverUrl}/${repository}/blob/${sha}/${encoded}${line === void 0 ? "" : `#L${line}`}`;
  };
}
var NAME_RULE = /^(?:[a-z-]+\/)?(?:bad-name|(?:ignored|skipped)-name|duplicate-version)$/;
var CHECKS = [
  {
    name: "atlas.sum matches the files",
    covers: (code2) => code2.startsWith("checksum") || code2 === "line-endings",
    // Nothing to match: say so rather than a ✅ over no file (the files shipped are listed below).
    vacuous: (validation) => validation.entries.length === 0 ? `it covers no file (Atlas's ${cell(validation.format)} format hashes none of these)` : void 0
  },
  { name: "names and versions", covers: (code2) => NAME_RULE.test(code2) },
  {
    name: "the tool's own rules",
    covers: (code2) => isRuleCode(code2) && !NAME_RULE.test(code2) && !code2.endsWith("/directory-named-sql")
  },
  {
    name: "plain files (no symlinks, binaries or special files)",
    covers: (code2) => code2 === "symlink" || code2 === "binary" || code2 === "not-regular" || code2.endsWith("/directory-named-sql")
  },
  { name: "applied migrations unchanged", covers: (code2) => code2 === "applied-changed", needsBase: true },
  { name: "new migrations in order", covers: (code2) => code2 === "out-of-order", needsBase: true }
];
var ICON = { error: "❌", warning: "⚠️", notice: "ℹ️" };
var plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
function verdict(validation) {
  const errors = validation.problems.filter(({ severity }) => severity === "error").length;
  return errors === 0 ? "✅ valid" : `❌ ${plural(errors, "error")}`;
}
function fileCell(problem, link) {
  const where = code(problem.line === void 0 ? problem.file : `${problem.file}:${problem.line}`);
  return linked(where, link?.(problem.file, problem.line));
}
var linked = (text, url) => url ? `[${text}](${url})` : text;
function renderSummary(validation, context = {}, budget) {
  const { migrations } = validation;
  const problems = validation.problems.filter(({ code: code2 }) => !code2.startsWith("safety/"));
  const added = new Set(context.added ?? []);
  const unsafe = (validation.safety?.findings ?? []).filter(({ severity }) => severity === "warning").length;
  const heading = `### Migrations: ${cell(validation.dir)} (${cell(validation.format)}) — ${verdict(validation)}${unsafe > 0 ? ` · ⚠️ ${plural(unsafe, "deploy-safety warning")}` : ""}${context.failed ? ` · ❌ ${cell(context.failed)}` : ""}`;
  const facts = `**${plural(validation.count, validation.countUnit)}** · latest version ${validation.latestVersion === void 0 ? "—" : code(validation.latestVersion)} · ${validation.entries.length === 0 ? "atlas.sum covers no file" : `atlas.sum ${code(validation.checksum)}`}`;
  const skipped = CHECKS.some(({ needsBase }) => needsBase) && context.baseName === void 0;
  const checks = [
    context.baseName === void 0 ? "Checks:" : `Checks (compared with ${cell(context.baseName)}):`,
    "",
    ...CHECKS.map(({ name, covers, needsBase, vacuous }) => {
      if (needsBase && context.baseName === void 0) return `- ➖ ${name}`;
      const failed = problems.some((problem) => problem.severity === "error" && covers(problem.code));
      const why = failed ? void 0 : vacuous?.(validation);
      if (why !== void 0) return `- ➖ ${name}: ${why}`;
      return `- ${failed ? "❌" : "✅"} ${name}`;
    }),
    ...skipped ? ["", "➖ not run: these compare with a base branch (pull requests, or the base-ref input)."] : []
  ];
  const head = [heading, "", facts, "", ...checks, ""].join("\n");
  const uncovered = uncoveredGroups(validation).flatMap(({ reason, names }) => [
    `ℹ️ ${plural(names.length, "file")} shipped in the image ${names.length === 1 ? "is" : "are"} not covered by atlas.sum: ${cell(reason)}.`,
    "",
    names.length === 1 ? `- ${code(names[0])}` : `<details><summary>The ${names.length} files</summary>

${names.map((name) => `- ${code(name)}`).join("\n")}

</details>`,
    ""
  ]);
  const faulty = new Set(problems.map(({ file }) => file));
  const row = (migration) => {
    const note = `${migration.ignored ? " (atlas:sum ignore)" : ""}${added.has(migration.name) ? " 🆕" : ""}`;
    const name = linked(code(migration.name), context.link?.(path.join(validation.dir, migration.name)));
    return `| ${cell(migration.version ?? "—")} | ${name}${note} | ${size(migration.size)} |`;
  };
  const header = ["| Version | Name | Size |", "|---|---|---:|"];
  const inView = migrations.filter(
    ({ name }) => added.has(name) || faulty.has(path.join(validation.dir, name)) || faulty.has(name)
  );
  const fold = migrations.length > SHOWN_OPEN;
  const out = [head];
  let used = budget ? budget.measure(head) : 0;
  const cost = (lines) => budget ? lines.reduce((sum, line) => sum + budget.measure(line) + 1, 0) : 0;
  const room = (lines) => budget === void 0 || used + cost(lines) <= budget.limit;
  const push = (lines) => {
    used += cost(lines);
    out.push(...lines);
  };
  const addRows = (rows, before, after) => {
    if (!room([...before, ...after(rows.length), ...RESERVE])) return;
    push(before);
    let index = 0;
    for (; index < rows.length; index++) {
      if (!room([rows[index], ...after(rows.length - index - 1), ...RESERVE])) break;
      push([rows[index]]);
    }
    push(after(rows.length - index));
  };
  const more = (left, what, cells) => left === 0 ? [] : [`| … | ${left} more ${what}${" |".repeat(cells - 1)}`];
  if (problems.length > 0) {
    addRows(
      problems.map(
        (problem) => `| ${ICON[problem.severity]} | ${fileCell(problem, context.link)} | ${cell(problem.message)} | ${cell(problem.fix ?? "")} |`
      ),
      ["| | File | Problem | Fix |", "|---|---|---|---|"],
      (left) => [...more(left, "problems: see the annotations and the log", 4), ""]
    );
  }
  if (validation.safety) {
    const dir = validation.dir;
    const section = renderSafetySection(
      validation.safety,
      { dir, link: context.link, baseName: context.baseName },
      (lines) => room([...lines, ...RESERVE])
    );
    push(section);
  }
  if (room([...uncovered, ...RESERVE])) push(uncovered);
  if (migrations.length > 0 && fold && inView.length > 0) {
    const title = added.size > 0 ? "New in this pull request" : "Migrations with problems";
    addRows(inView.map(row), [`${title}:`, "", ...header], () => [""]);
  }
  if (migrations.length > 0) {
    const open = fold ? [`<details><summary>All ${migrations.length} migrations</summary>`, ""] : [];
    const close = fold ? ["", "</details>", ""] : [""];
    addRows(migrations.map(row), [...open, ...header], (left) => [
      ...more(left, "migrations: 'migration-image validate DIR --json' lists them all", 3),
      ...close
    ]);
  }
  return out.join("\n");
}
var RESERVE = [
  `| … | 9999999 more migrations: 'migration-image validate DIR --json' lists them all | |`,
  "",
  "</details>",
  ""
];
function renderImageSummary(result, context) {
  const ref = result.imageRef ?? result.image;
  const status = result.unchanged ? `♻️ ${cell(result.unchanged)}` : result.pushed ? "📦 pushed" : "🔨 built, not pushed";
  const tags = result.references.length === 1 && result.references[0] === result.image ? [] : result.references;
  const lines = [
    `### Image — ${status}`,
    "",
    `- Image: ${code(result.image)}`,
    ...tags.length > 0 ? [`- Tags: ${tags.map(code).join(", ")}`] : [],
    ...result.digest ? [`- Digest: ${code(result.digest)}`] : [],
    `- Push: ${cell(context.reason)}`,
    result.unchanged ? `- Builder: none, ${cell(result.unchanged)} (same content key)` : `- Builder: ${cell(result.builder)}, cache ${cell(result.cache)}`,
    ""
  ];
  if (result.pushed) {
    lines.push("Run it:", "", markdownFence(context.runExample.replace("IMAGE", ref)), "");
  } else {
    lines.push(
      "Nothing was pushed, so there is no image to pull. To build it on your machine and run it:",
      "",
      markdownFence(`${context.buildLocally}
${context.runExample.replace("IMAGE", ref)}`),
      ""
    );
  }
  return lines.join("\n");
}
function renderFailure(failure) {
  return [
    `### Image — ❌ ${cell(failure.title)}`,
    "",
    markdownFence(failure.message),
    "",
    ...failure.fix ? [`Fix: ${cell(failure.fix)}`, ""] : [],
    ...failure.pushed && failure.pushed.length > 0 ? [`Pushed before the failure: ${failure.pushed.map(code).join(", ")}`, ""] : [],
    "The job failed: the image was not published as asked.",
    ""
  ].join("\n");
}
function renderDurations(durations) {
  if (durations.length === 0) return "";
  return `⏱️ ${durations.map(([step, ms]) => `${step} ${seconds(ms)}`).join(" · ")}
`;
}
function seconds(ms) {
  return ms < 6e4 ? `${(ms / 1e3).toFixed(1)}s` : `${Math.floor(ms / 6e4)}m ${Math.round(ms % 6e4 / 1e3)}s`;
}

// src/action/inputs.ts
import { realpathSync } from "node:fs";
import path2 from "node:path";

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
  if (sha) tags.push(assertTag(sha, "the commit sha"));
  if (isDefaultBranchPush(ctx)) tags.push("latest");
  const tagName = isTagPush(ctx) ? ctx.ref.slice("refs/tags/".length) : "";
  if (/^v\d/.test(tagName)) tags.push(assertTag(tagName.slice(1), `the release tag ${showName(tagName)}`));
  for (const tag of extra) tags.push(assertTag(tag, "input tags"));
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
    real = realpathSync(path2.resolve(dir));
  } catch (error2) {
    if (errnoCode(error2) === "ENOENT" || errnoCode(error2) === "ENOTDIR") return dir;
    throw new UsageError(`input dir '${showName(dir)}' cannot be resolved (${errnoCode(error2) ?? "error"})`, {
      fix: "point dir at a readable folder of the repository"
    });
  }
  if (real !== root && !real.startsWith(root + path2.sep)) {
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
    maxFileSize: input("maxFileSize"),
    safety: safetySettings(
      {
        mode: input("safety"),
        postgresVersion: input("postgresVersion"),
        database: input("database"),
        databaseUrl: input("databaseUrl")
      },
      { postgresVersion: "input postgres-version", safety: "the safety input" }
    )
  };
  const baseInput = input("base");
  const baseRef = baseInput ?? context.pullRequestBaseSha;
  const base = baseRef ? {
    ref: baseRef,
    name: baseInput ?? context.pullRequestBaseRef ?? baseRef.slice(0, 12),
    headRef: context.pullRequestHeadSha,
    allowOutOfOrder: input("allowOutOfOrder") ?? false,
    missingFix: baseInput ? "check out with history (actions/checkout with fetch-depth: 0), or give base-ref a branch or commit of this repository" : "check out with history (actions/checkout with fetch-depth: 0); the base commit may also have been force-pushed away"
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
        baseImage: checkedBaseImage(input("baseImage"), "input base-image", getPreset(check.tool).baseImage),
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
import path3 from "node:path";

// src/action/pr-comment.ts
function commentMarker(dir, tool) {
  return `<!-- migration-image: ${dir.replace(/-->/g, "")} ${tool} -->`;
}
var ACTIONS_BOT = "github-actions[bot]";
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
  const marked = comments.filter((comment2) => comment2.body?.startsWith(`${target.marker}
`));
  if (marked.length > 0) {
    const me = await octokit.rest.users.getAuthenticated().then(
      ({ data }) => data.login,
      () => ACTIONS_BOT
    );
    const own = marked.find((comment2) => comment2.user?.login === me);
    if (own) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: own.id, body: text });
      return "updated";
    }
  }
  await octokit.rest.issues.createComment({ owner, repo, issue_number: target.issueNumber, body: text });
  return "created";
}
function whyNoComment(error2) {
  const failure = typeof error2 === "object" && error2 !== null ? error2 : {};
  const said = showName(gitHubMessage(failure.response?.data) ?? failure.message ?? String(error2)).slice(0, 300);
  if (failure.response === void 0) {
    const host = hostOf(failure.request?.url);
    return `could not reach GitHub's API${host ? ` at ${host}` : ""} (${said})`;
  }
  switch (failure.status) {
    case 401:
      return `GitHub refused the token (401 ${said}): check the github-token input`;
    case 403:
      return `the token may not write comments here (403 ${said}): give the job 'permissions: pull-requests: write', or a github-token that can`;
    case 404:
      return `GitHub answered 404 for this pull request's comments (${said}): the token cannot see this repository`;
    case 422:
      return `GitHub refused the comment (422 ${said})`;
    default:
      return `GitHub answered ${failure.status ?? "an error"} (${said})`;
  }
}
function gitHubMessage(data) {
  if (typeof data !== "object" || data === null) return typeof data === "string" && data ? data : void 0;
  const { message, errors } = data;
  const details = Array.isArray(errors) ? errors.map(
    (item) => typeof item === "object" && item !== null && "message" in item ? String(item.message) : String(item)
  ) : [];
  const head = typeof message === "string" ? message : void 0;
  return [head, ...details].filter(Boolean).join(": ") || void 0;
}
function hostOf(url) {
  try {
    return url ? new URL(url).host : void 0;
  } catch {
    return void 0;
  }
}

// src/action/report.ts
function annotate(problem) {
  const text = formatLocated(problem.message, { fix: problem.fix }, ACTION_NAMES);
  const where = { file: problem.file, startLine: problem.line, title: `migration-image (${problem.code})` };
  if (problem.severity === "error") error(text, where);
  else if (problem.severity === "warning") warning(text, where);
  else notice(text, where);
}
function annotateAll(validation, options = {}) {
  const now = options.laterSafety ? validation.problems.filter(({ code: code2 }) => !code2.startsWith("safety/")) : validation.problems;
  for (const problem of bySeverity(now)) annotate(problem);
  const { difference } = validation;
  if (difference && difference.change !== "removed" && validation.problems.some((p) => p.code === "checksum-changed")) {
    notice(
      `this file's hash is not the one atlas.sum line ${difference.line} holds (it was ${difference.change}): see the atlas.sum error`,
      { file: path3.join(validation.dir, difference.name), title: "migration-image (checksum-changed)" }
    );
  }
}
function annotateSafety(validation) {
  for (const problem of bySeverity(validation.problems.filter(({ code: code2 }) => code2.startsWith("safety/"))))
    annotate(problem);
}
function setOutputs(outcome) {
  const { validation, image } = outcome;
  setOutput("checksum", validation.checksum);
  setOutput("count", String(validation.count));
  setOutput("latest-version", validation.latestVersion ?? "");
  setOutput("valid", String(validation.valid));
  setOutput("pushed", String(image?.pushed ?? false));
  if (!image) return;
  setOutput("image", image.image);
  setOutput("tags", image.references.join("\n"));
  setOutput("digest", image.digest ?? "");
  setOutput("image-ref", image.imageRef ?? "");
}
function fileLink(run2) {
  const { context } = run2;
  const sha = context.pullRequestHeadSha ?? context.sha;
  if (!context.repository || !sha || !context.serverUrl) return void 0;
  return blobLink(context.serverUrl, context.repository, sha);
}
function buildLocally(run2, reference) {
  const quote = (word) => /^[\w./:@=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
  const { dir, tool } = run2.request.check;
  return ["migration-image", "build", quote(dir), ...tool === "atlas" ? [] : ["--tool", tool], "--image", reference].map((word, index) => index < 2 ? word : quote(word)).join(" ");
}
function summaryOf(run2, outcome, budget) {
  const base = outcome.base;
  const failed = outcome.failure ? "image build or push failed" : void 0;
  const after = [];
  if (outcome.image && run2.request.image) {
    after.push(
      renderImageSummary(outcome.image, {
        reason: run2.request.image.pushReason,
        runExample: outcome.preset.runExample,
        buildLocally: buildLocally(run2, outcome.image.image)
      })
    );
  }
  if (outcome.failure) {
    const error2 = outcome.failure;
    after.push(
      renderFailure({
        title: failed,
        message: error2.message,
        fix: error2 instanceof MigrationImageError && error2.fix ? error2.fix : void 0,
        pushed: error2 instanceof PushError ? error2.pushed : void 0
      })
    );
  }
  if (outcome.apply) after.push(renderApplySection(outcome.apply, { dir: run2.request.check.dir, baseName: base?.name }));
  const { durations } = outcome;
  after.push(
    renderDurations([
      ["validate", durations.validate],
      ...durations.base === void 0 ? [] : [["base check", durations.base]],
      ...durations.image === void 0 ? [] : [["image", durations.image]],
      ...durations.apply === void 0 ? [] : [["apply check", durations.apply]]
    ])
  );
  const tail = after.join("\n");
  const room = budget && { ...budget, limit: budget.limit - budget.measure(tail) - 1 };
  const checks = renderSummary(
    outcome.validation,
    { added: base?.added, baseName: base?.name, link: fileLink(run2), failed },
    room
  );
  return `${checks}
${tail}`;
}
function errorSummary(run2, error2) {
  const dir = run2?.request.check.dir;
  const message = error2 instanceof Error ? error2.message : String(error2);
  const where = error2 instanceof MigrationImageError && error2.file !== void 0 ? `${error2.file}: ` : "";
  const fix = error2 instanceof MigrationImageError && error2.fix ? formatLocated("", { fix: error2.fix }, ACTION_NAMES) : "";
  return [
    `### Migrations${dir === void 0 ? "" : `: ${markdownCell(dir)}`} — ❌ not checked`,
    "",
    markdownFence(`${where}${message}`),
    "",
    ...fix ? [`Fix: ${markdownCell(fix.replace(/^ — /, ""))}`, ""] : [],
    "Nothing was built or pushed.",
    ""
  ].join("\n");
}
function annotateApply(outcome, dir) {
  for (const failure of outcome.apply?.failures ?? []) {
    const file = failure.file === void 0 ? void 0 : path3.posix.join(dir, failure.file);
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
  const marker = commentMarker(run2.request.check.dir, run2.request.check.tool);
  try {
    const done = await upsertComment(
      { token: run2.comment.token, owner, repo, issueNumber: context.pullRequestNumber, marker },
      body(marker.length + 1)
    );
    info2(`pull request comment ${done}`);
  } catch (error2) {
    warning(`no pull request comment: ${whyNoComment(error2)} (the job summary has the report)`);
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
  let reported = false;
  try {
    action = readActionInputs();
    const safetyLater = action.request.apply !== void 0 && action.request.image !== void 0;
    if (action.lowercased) notice(`image name lowercased to ${action.lowercased} (registries reject uppercase)`);
    const outcome = await runPipeline(action.request, {
      log: actionLog,
      cleanup: new SavedState(),
      env: process.env,
      tempDir: runnerPath(process.env, "RUNNER_TEMP") ?? tmpdir(),
      // The verdict and the problems first, before any docker output.
      validated: (validation) => {
        info2(verdictLine(validation));
        annotateAll(validation, { laterSafety: safetyLater });
      }
    });
    if (safetyLater) annotateSafety(outcome.validation);
    setOutputs(outcome);
    const { image } = outcome;
    if (image?.pushed) info2(`pushed ${image.references.join(" ")}${image.digest ? ` (${image.digest})` : ""}`);
    annotateApply(outcome, action.request.check.dir);
    const current = action;
    summary.addRaw(summaryOf(current, outcome, summaryBudget(SUMMARY_ROOM)), true);
    await summary.write();
    reported = true;
    await comment(current, (reserved) => summaryOf(current, outcome, commentBudget(reserved)));
    if (!outcome.validation.valid) setFailed(`${verdictLine(outcome.validation)}; nothing was built or pushed`);
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
    if (!reported) {
      summary.addRaw(errorSummary(action, error2), true);
      await summary.write().catch(() => void 0);
      if (action) await comment(action, () => errorSummary(action, error2)).catch(() => void 0);
    } else {
      await summary.write().catch(() => void 0);
    }
  }
}
var SUMMARY_ROOM = 16 * 1024;

// src/action/entry.ts
await run();
