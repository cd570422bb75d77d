#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import {
  getState,
  info,
  warning
} from "./chunks/chunk-MWZEUHRT.js";
import {
  CLEANUP_STATE,
  cleanUp
} from "./chunks/chunk-JFL7EZFV.js";
import "./chunks/chunk-SWAAXPTV.js";

// src/post.ts
async function post() {
  const saved = getState(CLEANUP_STATE);
  if (!saved) return;
  try {
    for (const line of await cleanUp(JSON.parse(saved), process.env)) info(line);
  } catch (error) {
    warning(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// src/post-entry.ts
await post();
