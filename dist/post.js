#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import {
  getState,
  info,
  warning
} from "./chunks/chunk-MWZEUHRT.js";
import {
  CLEANUP_STATE,
  cleanUp,
  trustedCleanup
} from "./chunks/chunk-TINLM5AB.js";
import "./chunks/chunk-RSHFDZKV.js";

// src/action/post.ts
async function post() {
  const saved = getState(CLEANUP_STATE);
  if (!saved) return;
  try {
    let parsed;
    try {
      parsed = JSON.parse(saved);
    } catch {
      parsed = void 0;
    }
    const { state, ignored } = trustedCleanup(parsed, process.env.RUNNER_TEMP);
    for (const why of ignored) warning(`cleanup: ignored ${why}`);
    for (const line of await cleanUp(state, process.env)) info(line);
  } catch (error) {
    warning(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// src/action/post-entry.ts
await post();
