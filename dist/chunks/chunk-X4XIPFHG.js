#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);

// src/core/escape.ts
var CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
function showName(text2) {
  return text2.replace(CONTROL, (char) => {
    const named = { "\n": "\\n", "\r": "\\r", "	": "\\t" };
    const code = char.charCodeAt(0);
    return named[char] ?? (code > 255 ? `\\u${code.toString(16)}` : `\\x${code.toString(16).padStart(2, "0")}`);
  });
}
var oneLine = (text2) => showName(text2);
var mayHoldCommand = (text2) => text2.includes("::");
function fenceCommands(text2, token) {
  if (!/^[A-Za-z0-9-]{16,}$/.test(token)) throw new RangeError("the stop-commands token must be random");
  const body = text2.endsWith("\n") ? text2 : `${text2}
`;
  return `::stop-commands::${token}
${body}::${token}::
`;
}
var html = (text2) => text2.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
var noMention = (text2) => text2.replace(/@/g, "@​");
function markdownCell(text2) {
  return noMention(html(showName(text2.replace(/\r\n|\r|\n/g, " ")))).replace(/[\\`*_[\]~#!]/g, (char) => `\\${char}`).replace(/\|/g, "\\|");
}
function markdownCode(text2) {
  return `<code>${noMention(html(showName(text2))).replace(/\|/g, "&#124;")}</code>`;
}

// src/core/text.ts
function hasControlCharacter(text2) {
  for (let i = 0; i < text2.length; i++) {
    const code = text2.charCodeAt(i);
    if (code < 32 || code === 127) return true;
  }
  return false;
}
function splitList(value) {
  return value.split(/[,\n]/).map((item) => item.trim()).filter(Boolean);
}
function didYouMean(given, known) {
  const word = given.trim().toLowerCase();
  if (word.length === 0) return "";
  const best = known.map((candidate) => ({ candidate, distance: candidate.startsWith(word) ? 1 : editDistance(word, candidate) })).sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= 2 && best.candidate !== word ? `; did you mean '${best.candidate}'?` : "";
}
function editDistance(a, b) {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
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

// src/core/check/byte-order.ts
function compareUtf8(a, b) {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}
function sortByUtf8(items, key) {
  return items.map((item) => ({ item, bytes: Buffer.from(key(item), "utf8") })).sort((x, y) => Buffer.compare(x.bytes, y.bytes)).map(({ item }) => item);
}

// src/core/check/formats/naming.ts
var topLevelEndingIn = (suffix) => (names2) => sortByUtf8(
  names2.filter((name) => !name.includes("/") && name.endsWith(suffix)),
  (name) => name
);
var versionedName = (pattern) => (name) => {
  const match = pattern.exec(name);
  return match ? { version: match[1], description: match[2] } : void 0;
};

// src/core/check/formats/atlas.ts
function atlasName(name) {
  const stem = name.endsWith(".sql") ? name.slice(0, -4) : name;
  const at = stem.indexOf("_");
  return at === -1 ? { version: stem, description: "" } : { version: stem.slice(0, at), description: stem.slice(at + 1) };
}
var atlasFormat = {
  name: "atlas",
  recursive: false,
  select: topLevelEndingIn(".sql"),
  parseName: atlasName,
  // Atlas does not refuse two files of one version, but it keys revisions by version (sql/migrate/migrate.go:735-760
  // compares versions as strings): a policy warning, not an error Atlas would raise.
  duplicateVersion: (_name, twin, version) => ({
    severity: "warning",
    message: `version ${version} is also used by ${twin}: Atlas stores applied revisions by version, so the two share one revision record`,
    fix: "give one of them a new, higher version"
  }),
  // dir.go:146-158: fs.Glob lists a directory named `x.sql` and reading it as a file fails.
  directoryEntry: () => ({
    severity: "error",
    message: "is a directory named like a migration: Atlas fails reading it as a file",
    fix: "rename the directory so it does not end in .sql, or move it out of the migrations directory"
  }),
  nameRule: "<version>[_<description>].sql",
  nameExample: "20240101120000_create_users.sql"
};

// src/core/check/formats/dbmate.ts
var FILE = /^([0-9]+)[^\n]*\.sql$/;
function parseName(name) {
  const match = FILE.exec(name);
  return match ? { version: match[1], description: name.slice(match[1].length, -".sql".length) } : void 0;
}
var unreadName = () => ({
  severity: "notice",
  message: "dbmate ignores this file: its name does not start with a version (digits)",
  fix: "rename it like 20240101120000_create_users.sql if dbmate should run it"
});
var S = "[\\t\\n\\f\\r ]";
var NS = "[^\\t\\n\\f\\r ]";
var directive = (name) => new RegExp(`(?<=^|\\n)--${S}*migrate:${name}(?:${S}*(?=\\n|$)|${S}+${NS}+)`, "g");
var UP = directive("up");
var DOWN = directive("down");
var matches = (pattern, text2) => [...text2.matchAll(pattern)].map(({ index }) => index);
var lineAt = (text2, index) => text2.slice(0, index).split("\n").length;
function parseDbmateSql(text2) {
  const ups = matches(UP, text2);
  if (ups.length === 0) {
    return { line: 1, message: "dbmate requires each migration to define an up block with '-- migrate:up'" };
  }
  const before = text2.slice(0, ups[0]).split("\n");
  const statement = before.findIndex((line) => !new RegExp(`^${S}*$`).test(line) && !new RegExp(`^${S}*--`).test(line));
  if (statement !== -1) {
    return {
      line: statement + 1,
      message: "dbmate does not support statements preceding the '-- migrate:up' block"
    };
  }
  for (const [i, start] of ups.entries()) {
    const end = ups[i + 1] ?? text2.length;
    const downs = matches(DOWN, text2.slice(start, end)).map((offset) => start + offset);
    if (downs.length > 1) {
      return {
        line: lineAt(text2, downs[1]),
        message: "dbmate requires every '-- migrate:down' to be preceded by a '-- migrate:up'"
      };
    }
  }
  for (const [i, start] of ups.entries()) {
    const end = ups[i + 1] ?? text2.length;
    if (matches(DOWN, text2.slice(start, end)).length === 0) {
      return {
        line: lineAt(text2, start),
        message: "dbmate requires each migration to define a down block with '-- migrate:down'"
      };
    }
  }
  if (ups.length > 1) {
    return {
      line: lineAt(text2, ups[1]),
      message: "a second '-- migrate:up' section records the file's version again: schema_migrations refuses the duplicate"
    };
  }
  return void 0;
}
function rules({ names: names2, migrations, read: read2, problem }) {
  const problems = [];
  for (const { name, parsed } of migrations) {
    if (!parsed) continue;
    const failure = parseDbmateSql(read2(name));
    if (failure) {
      problems.push(
        problem(
          name,
          `dbmate up fails: ${failure.message}`,
          "write the file as '-- migrate:up', its statements, then '-- migrate:down' and the statements that revert them",
          failure.line
        )
      );
    }
  }
  for (const name of names2) {
    if (name.includes("/") || name.endsWith(".sql") || name === "atlas.sum") continue;
    problems.push(
      problem(
        name,
        "dbmate ignores this file (migrations end in .sql)",
        "move it out of the directory if it is not needed",
        void 0,
        "notice"
      )
    );
  }
  return problems;
}
var dbmateFormat = {
  name: "dbmate",
  recursive: false,
  select: topLevelEndingIn(".sql"),
  parseName,
  unreadName,
  // db.go:511-517 keys migrations by the version's digits as written (`01` and `1` differ); the second file of one
  // version fails inserting it into schema_migrations, whose version is the primary key
  // (pkg/driver/postgres/postgres.go:327).
  duplicateVersion: (_name, twin, version) => ({
    severity: "error",
    message: `dbmate up fails: version ${version} is also used by ${twin}, and schema_migrations takes each version once`,
    fix: "give one of them a new, higher version"
  }),
  rules,
  nameRule: "<version>_<name>.sql",
  nameExample: "20240101120000_create_users.sql"
};

// src/core/check/formats/flyway.ts
import path from "node:path";

// src/core/check/formats/go-sort.ts
function goSortSlice(items, less) {
  const data = [...items];
  const sorter = new GoSorter(data, less);
  sorter.pdqsort(0, data.length, bitLength(data.length));
  return data;
}
var bitLength = (n) => n === 0 ? 0 : Math.floor(Math.log2(n)) + 1;
var MASK64 = (1n << 64n) - 1n;
var GoSorter = class {
  constructor(data, lessItems) {
    this.data = data;
    this.lessItems = lessItems;
  }
  data;
  lessItems;
  less(i, j) {
    return this.lessItems(this.data[i], this.data[j]);
  }
  swap(i, j) {
    const item = this.data[i];
    this.data[i] = this.data[j];
    this.data[j] = item;
  }
  insertionSort(a, b) {
    for (let i = a + 1; i < b; i++) {
      for (let j = i; j > a && this.less(j, j - 1); j--) this.swap(j, j - 1);
    }
  }
  siftDown(lo, hi, first) {
    let root = lo;
    for (; ; ) {
      let child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && this.less(first + child, first + child + 1)) child++;
      if (!this.less(first + root, first + child)) return;
      this.swap(first + root, first + child);
      root = child;
    }
  }
  heapSort(a, b) {
    const first = a;
    const hi = b - a;
    for (let i = Math.trunc((hi - 1) / 2); i >= 0; i--) this.siftDown(i, hi, first);
    for (let i = hi - 1; i >= 0; i--) {
      this.swap(first, first + i);
      this.siftDown(0, i, first);
    }
  }
  pdqsort(a, b, limit) {
    const maxInsertion = 12;
    let wasBalanced = true;
    let wasPartitioned = true;
    for (; ; ) {
      const length = b - a;
      if (length <= maxInsertion) {
        this.insertionSort(a, b);
        return;
      }
      if (limit === 0) {
        this.heapSort(a, b);
        return;
      }
      if (!wasBalanced) {
        this.breakPatterns(a, b);
        limit--;
      }
      let [pivot, hint] = this.choosePivot(a, b);
      if (hint === 2 /* Decreasing */) {
        this.reverseRange(a, b);
        pivot = b - 1 - (pivot - a);
        hint = 1 /* Increasing */;
      }
      if (wasBalanced && wasPartitioned && hint === 1 /* Increasing */ && this.partialInsertionSort(a, b)) return;
      if (a > 0 && !this.less(a - 1, pivot)) {
        a = this.partitionEqual(a, b, pivot);
        continue;
      }
      const [mid, alreadyPartitioned] = this.partition(a, b, pivot);
      wasPartitioned = alreadyPartitioned;
      const leftLen = mid - a;
      const rightLen = b - mid;
      const balanceThreshold = Math.trunc(length / 8);
      if (leftLen < rightLen) {
        wasBalanced = leftLen >= balanceThreshold;
        this.pdqsort(a, mid, limit);
        a = mid + 1;
      } else {
        wasBalanced = rightLen >= balanceThreshold;
        this.pdqsort(mid + 1, b, limit);
        b = mid;
      }
    }
  }
  partition(a, b, pivot) {
    this.swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    while (i <= j && this.less(i, a)) i++;
    while (i <= j && !this.less(j, a)) j--;
    if (i > j) {
      this.swap(j, a);
      return [j, true];
    }
    this.swap(i, j);
    i++;
    j--;
    for (; ; ) {
      while (i <= j && this.less(i, a)) i++;
      while (i <= j && !this.less(j, a)) j--;
      if (i > j) break;
      this.swap(i, j);
      i++;
      j--;
    }
    this.swap(j, a);
    return [j, false];
  }
  partitionEqual(a, b, pivot) {
    this.swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    for (; ; ) {
      while (i <= j && !this.less(a, i)) i++;
      while (i <= j && this.less(a, j)) j--;
      if (i > j) break;
      this.swap(i, j);
      i++;
      j--;
    }
    return i;
  }
  partialInsertionSort(a, b) {
    const maxSteps = 5;
    const shortestShifting = 50;
    let i = a + 1;
    for (let step = 0; step < maxSteps; step++) {
      while (i < b && !this.less(i, i - 1)) i++;
      if (i === b) return true;
      if (b - a < shortestShifting) return false;
      this.swap(i, i - 1);
      if (i - a >= 2) {
        for (let j = i - 1; j >= 1; j--) {
          if (!this.less(j, j - 1)) break;
          this.swap(j, j - 1);
        }
      }
      if (b - i >= 2) {
        for (let j = i + 1; j < b; j++) {
          if (!this.less(j, j - 1)) break;
          this.swap(j, j - 1);
        }
      }
    }
    return false;
  }
  breakPatterns(a, b) {
    const length = b - a;
    if (length < 8) return;
    let random = BigInt(length);
    const modulus = BigInt(2 ** bitLength(length));
    const next = () => {
      random ^= random << 13n & MASK64;
      random ^= random >> 7n;
      random ^= random << 17n & MASK64;
      return random;
    };
    const middle = a + Math.trunc(length / 4) * 2;
    for (let idx = middle - 1; idx <= middle + 1; idx++) {
      let other = Number(next() & modulus - 1n);
      if (other >= length) other -= length;
      this.swap(idx, a + other);
    }
  }
  choosePivot(a, b) {
    const shortestNinther = 50;
    const maxSwaps = 4 * 3;
    const l = b - a;
    const swaps = { count: 0 };
    let i = a + Math.trunc(l / 4) * 1;
    let j = a + Math.trunc(l / 4) * 2;
    let k = a + Math.trunc(l / 4) * 3;
    if (l >= 8) {
      if (l >= shortestNinther) {
        i = this.median(i - 1, i, i + 1, swaps);
        j = this.median(j - 1, j, j + 1, swaps);
        k = this.median(k - 1, k, k + 1, swaps);
      }
      j = this.median(i, j, k, swaps);
    }
    if (swaps.count === 0) return [j, 1 /* Increasing */];
    if (swaps.count === maxSwaps) return [j, 2 /* Decreasing */];
    return [j, 0 /* Unknown */];
  }
  order2(a, b, swaps) {
    if (this.less(b, a)) {
      swaps.count++;
      return [b, a];
    }
    return [a, b];
  }
  median(a, b, c, swaps) {
    ;
    [a, b] = this.order2(a, b, swaps);
    [b, c] = this.order2(b, c, swaps);
    [a, b] = this.order2(a, b, swaps);
    return b;
  }
  reverseRange(a, b) {
    for (let i = a, j = b - 1; i < j; i++, j--) this.swap(i, j);
  }
};

// src/core/check/formats/versions.ts
var INT64_MAX = (1n << 63n) - 1n;
var INT64_MIN = -(1n << 63n);
var UINT64_MAX = (1n << 64n) - 1n;
function compareIntegers(a, b) {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
var integerKey = (version) => BigInt(version).toString();
function parseUint64(text2) {
  if (!/^[0-9]+$/.test(text2)) return void 0;
  const value = BigInt(text2);
  return value <= UINT64_MAX ? value : void 0;
}
function parseInt64(text2) {
  if (!/^[+-]?[0-9]+$/.test(text2)) return void 0;
  const value = BigInt(text2);
  return value >= INT64_MIN && value <= INT64_MAX ? value : void 0;
}
function flywayParts(version) {
  const parts = [];
  for (const part of version.replace(/_/g, ".").split(/\.(?=[0-9])/)) {
    if (!/^[+-]?[0-9]+$/.test(part)) return void 0;
    parts.push(BigInt(part));
  }
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return parts;
}
function compareFlyway(a, b) {
  const x = flywayParts(a) ?? [];
  const y = flywayParts(b) ?? [];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i] ?? 0n;
    const q = y[i] ?? 0n;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}
var flywayKey = (version) => (flywayParts(version) ?? [version]).join(".");
var goLess = (a, b) => compareUtf8(a, b) < 0;
function atoiOrZero(text2) {
  if (!/^[+-]?[0-9]+$/.test(text2)) return 0n;
  const value = BigInt(text2);
  return value > INT64_MAX ? INT64_MAX : value < INT64_MIN ? INT64_MIN : value;
}
function compareAtlasFlyway(a, b) {
  const x = a.replace(/_/g, ".").split(".").map(atoiOrZero);
  const y = b.replace(/_/g, ".").split(".").map(atoiOrZero);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}
function compareWalkOrder(a, b) {
  const x = a.split("/");
  const y = b.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return compareUtf8(x[i], y[i]);
  }
  return x.length - y.length;
}

// src/core/check/formats/flyway.ts
var EVENTS = [
  "beforeClean",
  "afterClean",
  "afterCleanError",
  "beforeMigrate",
  "beforeEachMigrate",
  "beforeEachMigrateStatement",
  "afterEachMigrateStatement",
  "afterEachMigrateStatementError",
  "afterEachMigrate",
  "afterEachMigrateError",
  "beforeRepeatables",
  "afterVersioned",
  "afterMigrateApplied",
  "afterMigrate",
  "afterMigrateError",
  "beforeUndo",
  "beforeEachUndo",
  "beforeEachUndoStatement",
  "afterEachUndoStatement",
  "afterEachUndoStatementError",
  "afterEachUndo",
  "afterEachUndoError",
  "afterUndo",
  "afterUndoError",
  "beforeValidate",
  "afterValidate",
  "afterValidateError",
  "beforeBaseline",
  "afterBaseline",
  "afterBaselineError",
  "beforeRepair",
  "afterRepair",
  "afterRepairError",
  "beforeInfo",
  "afterInfo",
  "afterInfoError",
  "afterMigrateOperationFinish",
  "afterInfoOperationFinish",
  "createSchema",
  "beforeCreateSchema",
  "beforeConnect",
  "afterConnect"
];
var PREFIXES = [
  ...["V", "R", "B"].map((prefix) => ({ prefix, kind: prefix })),
  ...EVENTS.map((prefix) => ({ prefix, kind: "callback" }))
].sort((a, b) => b.prefix.length - a.prefix.length);
var base = (name) => path.posix.basename(name);
function flywayResource(file) {
  if (!file.toUpperCase().endsWith(".SQL")) return { valid: false, reason: "it does not end in .sql" };
  const stem = file.slice(0, -4);
  const found = PREFIXES.find(({ prefix }) => stem.startsWith(prefix));
  if (!found) {
    return {
      valid: false,
      reason: /^U/.test(stem) ? "U… files are undo migrations, which Flyway Community does not read (Teams and Enterprise run them on flyway undo)" : "its name starts with none of V, R, B or a callback event such as afterMigrate"
    };
  }
  const scanned = found.kind === "callback" ? 0 : found.prefix.length;
  if (file.length <= scanned + 4) return { valid: false, reason: `it has nothing after ${found.prefix}` };
  const rest = stem.slice(found.prefix.length);
  const at = rest.indexOf("__");
  const version = at === -1 ? rest : rest.slice(0, at);
  const description = (at === -1 ? "" : rest.slice(at + 2)).replace(/_/g, " ");
  if (found.kind === "V" || found.kind === "B") {
    if (version === "") return { valid: false, reason: "it has no version before __" };
    if (!flywayParts(version)) return { valid: false, reason: `'${version}' is not a version (digits and dots only)` };
    return { valid: true, kind: found.kind, version, description };
  }
  if (version !== "") {
    return { valid: false, reason: `a ${found.kind === "R" ? "repeatable" : "callback"} name takes no version` };
  }
  return { valid: true, kind: found.kind, description };
}
var isUndo = (file) => file.startsWith("U") && flywayResource(`V${file.slice(1)}`).valid;
function parse(name) {
  const resource = flywayResource(base(name));
  if (!resource.valid || resource.kind === "callback") return void 0;
  return { kind: resource.kind, version: resource.version, description: resource.description };
}
function atlasFlywayFiles(names2) {
  const walked = [...names2].sort(compareWalkOrder);
  const version = (file) => {
    const b = base(file);
    return b[0] === "R" ? "" : b.slice(0, -4).split("__")[0].slice(1);
  };
  let baseline = "";
  let versioned = [];
  const repeatable = [];
  for (const file of walked) {
    const b = base(file);
    if (!b.endsWith(".sql") || Buffer.byteLength(b) < 4 || !"VBR".includes(b[0])) continue;
    if (b[0] === "B") {
      if (baseline !== "" && goLess(version(file), version(baseline))) continue;
      baseline = file;
      const bv = version(baseline);
      versioned = versioned.filter((v) => goLess(bv, v));
    } else if (b[0] === "V") {
      if (baseline === "" || goLess(version(baseline), version(file))) versioned.push(file);
    } else {
      repeatable.push(file);
    }
  }
  const less = (a, b) => compareAtlasFlyway(version(a), version(b)) < 0;
  return [...baseline ? [baseline] : [], ...goSortSlice(versioned, less), ...goSortSlice(repeatable, less)];
}
var unreadName2 = (name) => {
  const resource = flywayResource(base(name));
  return {
    severity: "notice",
    message: `Flyway skips this file: ${resource.valid ? "it is a callback" : resource.reason}`,
    fix: "rename it like V2__add_orders.sql, R__views.sql or B1__baseline.sql if Flyway should run it"
  };
};
function rules2({ names: names2, problem }) {
  const problems = [];
  const counted2 = new Set(atlasFlywayFiles(names2));
  const versions = /* @__PURE__ */ new Map();
  const repeatables = /* @__PURE__ */ new Map();
  const callbacks = /* @__PURE__ */ new Map();
  for (const name of [...names2].sort(compareWalkOrder)) {
    const file = base(name);
    if (name === "atlas.sum") continue;
    const resource = flywayResource(file);
    if (!resource.valid && isUndo(file)) continue;
    if (!resource.valid) {
      if (!counted2.has(name)) {
        problems.push(
          problem(
            name,
            `Flyway skips this file: ${resource.reason}`,
            "rename it like V2__add_orders.sql, R__views.sql or afterMigrate.sql, or move it out of the directory",
            void 0,
            "notice"
          )
        );
      }
      continue;
    }
    if (resource.kind === "callback") {
      const key = file.slice(0, -4);
      const twin = callbacks.get(key);
      if (twin !== void 0) {
        problems.push(problem(name, `Flyway fails: a second SQL callback called ${key} (${twin})`, "keep one of them"));
      } else callbacks.set(key, name);
    } else if (resource.kind === "R") {
      const twin = repeatables.get(resource.description);
      if (twin !== void 0) {
        problems.push(
          problem(
            name,
            `Flyway fails: more than one repeatable migration with description '${resource.description}' (${twin})`,
            "give one of them another description"
          )
        );
      } else repeatables.set(resource.description, name);
    } else {
      const key = `${resource.kind}:${flywayKey(resource.version)}`;
      const twin = versions.get(key);
      if (twin !== void 0) {
        problems.push(
          problem(
            name,
            `Flyway fails: more than one ${resource.kind === "B" ? "baseline " : ""}migration with version ${resource.version} (${twin})`,
            "give one of them a new, higher version"
          )
        );
      } else versions.set(key, name);
    }
  }
  return problems;
}
var flywayFormat = {
  name: "flyway",
  recursive: true,
  select: atlasFlywayFiles,
  parseName: parse,
  compareVersions: compareFlyway,
  versionKey: flywayKey,
  unreadName: unreadName2,
  // Flyway's duplicates are checked over every file it reads, in `rules`.
  duplicateVersion: () => void 0,
  rules: rules2,
  shipped(names2) {
    const counted2 = new Set(atlasFlywayFiles(names2));
    return names2.filter((name) => {
      if (counted2.has(name)) return false;
      return isUndo(base(name)) || flywayResource(base(name)).valid;
    });
  },
  nameRule: "V<version>__<description>.sql",
  nameExample: "V2__add_orders.sql"
};

// src/core/check/formats/golang-migrate.ts
var FILE2 = /^([0-9]+)_([^\n]*)\.(down|up)\.([^\n]*)$/;
function read(name) {
  const match = FILE2.exec(name);
  if (!match) return "its name does not match <version>_<title>.up.<ext> or .down.<ext>";
  const version = parseUint64(match[1]);
  if (version === void 0) return `its version ${match[1]} does not fit in 64 bits`;
  return { version, identifier: match[2], direction: match[3] };
}
var counted = topLevelEndingIn(".up.sql");
function parseName2(name) {
  const parsed = read(name);
  return typeof parsed !== "string" && parsed.direction === "up" ? { version: parsed.version.toString(), description: parsed.identifier } : void 0;
}
var unreadName3 = (name) => {
  const parsed = read(name);
  return {
    severity: "notice",
    message: `golang-migrate ignores this file: ${typeof parsed === "string" ? parsed : "it is not an up migration"}`,
    fix: "rename it like 1_create_users.up.sql if golang-migrate should run it"
  };
};
function rules3({ names: names2, problem }) {
  const problems = [];
  const hashed = new Set(counted(names2));
  const seen = /* @__PURE__ */ new Map();
  const ups = /* @__PURE__ */ new Map();
  const downs = /* @__PURE__ */ new Map();
  for (const name of sortByUtf8(
    names2.filter((n) => !n.includes("/") && n !== "atlas.sum"),
    (n) => n
  )) {
    const parsed = read(name);
    if (typeof parsed === "string") {
      if (!hashed.has(name)) {
        problems.push(
          problem(
            name,
            `golang-migrate ignores this file: ${parsed}`,
            "rename it like 1_create_users.up.sql or 1_create_users.down.sql if golang-migrate should run it",
            void 0,
            "notice"
          )
        );
      }
      continue;
    }
    const key = `${parsed.version}:${parsed.direction}`;
    const twin = seen.get(key);
    if (twin !== void 0) {
      problems.push(
        problem(
          name,
          `golang-migrate fails: duplicate migration file (${twin} is also the ${parsed.direction} migration of version ${parsed.version})`,
          "give one of them a new version, or remove one"
        )
      );
      continue;
    }
    seen.set(key, name);
    (parsed.direction === "up" ? ups : downs).set(parsed.version, name);
  }
  for (const [version, name] of downs) {
    if (!ups.has(version))
      problems.push(
        problem(
          name,
          `no up migration for version ${version}: 'migrate up' records version ${version} without running anything`,
          `add ${name.replace(/\.down\.([^.]*)$/, ".up.$1")} or remove ${name}`,
          void 0,
          "warning"
        )
      );
  }
  for (const [version, name] of ups) {
    if (!downs.has(version)) {
      problems.push(
        problem(
          name,
          `no down migration for version ${version}: 'migrate down' marks it reverted without running anything`,
          `add ${name.replace(/\.up\.([^.]*)$/, ".down.$1")} if 'migrate down' should revert it`,
          void 0,
          "notice"
        )
      );
    }
  }
  return problems;
}
var golangMigrateFormat = {
  name: "golang-migrate",
  recursive: false,
  select: counted,
  parseName: parseName2,
  compareVersions: compareIntegers,
  versionKey: (version) => BigInt(version).toString(),
  unreadName: unreadName3,
  // Duplicates are judged per direction over every extension, in `rules`.
  duplicateVersion: () => void 0,
  rules: rules3,
  shipped(names2) {
    const hashed = new Set(counted(names2));
    return names2.filter((name) => !name.includes("/") && !hashed.has(name) && typeof read(name) !== "string");
  },
  nameRule: "<version>_<title>.up.sql",
  nameExample: "1_create_users.up.sql"
};

// src/core/check/formats/goose.ts
function numericComponent(name) {
  const at = name.indexOf("_");
  if (at === -1) return "no filename separator '_' found";
  const version = parseInt64(name.slice(0, at));
  if (version === void 0) return `'${name.slice(0, at)}' is not a version (an int64 before the first _)`;
  if (version < 1n) return "migration version must be greater than zero";
  return version;
}
function parseName3(name) {
  const version = numericComponent(name);
  if (typeof version === "string") return void 0;
  const at = name.indexOf("_");
  return { version: name.slice(0, at), description: name.slice(at + 1, -".sql".length) };
}
var unreadName4 = (name) => ({
  severity: "error",
  message: `goose fails to load the directory: could not parse SQL migration file: ${numericComponent(name)}`,
  fix: "rename it like 20240101120000_create_users.sql, or move it out of the directory"
});
var SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
var TRIM = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "g");
var WORDS = new RegExp(`[^${SPACE}]+`, "g");
var trimSpace = (text2) => text2.replace(TRIM, "");
function endsWithSemicolon(line) {
  let previous = "";
  for (const word of line.match(WORDS) ?? []) {
    if (word.startsWith("--")) break;
    previous = word;
  }
  return previous.endsWith(";");
}
var ANNOTATIONS = ["Up", "Down", "StatementBegin", "StatementEnd", "NO TRANSACTION", "ENVSUB ON", "ENVSUB OFF"];
function annotation(line) {
  if (line.startsWith(" ") || line.startsWith("	"))
    return { error: "an annotation line must not start with whitespace" };
  let command = line.replaceAll("--", "").replace("+goose", "");
  if (command.includes("+goose")) return { error: "a line holds more than one '+goose'" };
  command = trimSpace(command);
  if (command === "") return { error: "empty annotation" };
  const found = ANNOTATIONS.find((known) => known.toLowerCase() === command.toLowerCase());
  return found ? { name: found } : { error: `unknown annotation '${command}'` };
}
function parseGooseSql(text2, direction) {
  const lines = text2.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let state = "start";
  let buffer = "";
  let bufferLine = 0;
  let beginLine = 0;
  const unfinished = (line) => ({
    line,
    message: `unfinished SQL statement: missing semicolon? (${direction})`
  });
  for (const [index, raw] of lines.entries()) {
    const lineNumber = index + 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (state === "start" && trimSpace(line) === "") continue;
    if (trimSpace(line).startsWith("--") && line.includes("+goose")) {
      const found = annotation(line);
      if ("error" in found) return { line: lineNumber, message: `failed to parse annotation: ${found.error}` };
      let fallThrough = false;
      switch (found.name) {
        case "Up":
          if (state !== "start") return { line: lineNumber, message: "duplicate '-- +goose Up' annotation" };
          state = "up";
          continue;
        case "Down":
          if (state !== "up" && state !== "endUp") {
            return { line: lineNumber, message: "'-- +goose Down' before '-- +goose Up' (or a second Down)" };
          }
          if (trimSpace(buffer) !== "") return unfinished(bufferLine);
          state = "down";
          continue;
        case "StatementBegin":
          if (state === "up" || state === "endUp") state = "beginUp";
          else if (state === "down" || state === "endDown") state = "beginDown";
          else {
            return {
              line: lineNumber,
              message: "'-- +goose StatementBegin' must come after '-- +goose Up' or '-- +goose Down' (and not inside another block)"
            };
          }
          beginLine = lineNumber;
          continue;
        case "StatementEnd":
          if (state === "beginUp") state = "endUp";
          else if (state === "beginDown") state = "endDown";
          else return { line: lineNumber, message: "'-- +goose StatementEnd' without a '-- +goose StatementBegin'" };
          fallThrough = true;
          break;
        default:
          continue;
      }
      if (!fallThrough) continue;
    }
    if (buffer.length === 0) {
      if (trimSpace(line).startsWith("--") || line === "") continue;
    }
    if (state !== "endUp" && state !== "endDown") {
      if (buffer.length === 0) bufferLine = lineNumber;
      buffer += `${line}
`;
    }
    if (state === "up" || state === "beginUp" || state === "endUp") {
      if (direction === "down") {
        buffer = "";
        continue;
      }
    } else if (state === "down" || state === "beginDown" || state === "endDown") {
      if (direction === "up") {
        buffer = "";
        continue;
      }
    } else {
      return { line: lineNumber, message: "SQL before '-- +goose Up': a goose file must start with '-- +goose Up'" };
    }
    if ((state === "up" || state === "down") && endsWithSemicolon(line)) buffer = "";
    else if (state === "endUp" || state === "endDown") {
      buffer = "";
      state = state === "endUp" ? "up" : "down";
    }
  }
  if (state === "start") return { line: 1, message: "no '-- +goose Up' annotation: a goose file must start with one" };
  if (state === "beginUp" || state === "beginDown") {
    return { line: beginLine, message: "'-- +goose StatementBegin' is never closed by '-- +goose StatementEnd'" };
  }
  if (trimSpace(buffer) !== "") return unfinished(bufferLine);
  return void 0;
}
function rules4({ names: names2, migrations, read: read2, problem }) {
  const problems = [];
  for (const { name, parsed } of migrations) {
    if (!parsed) continue;
    const text2 = read2(name);
    const up = parseGooseSql(text2, "up");
    if (up) {
      problems.push(
        problem(name, `goose up fails: ${up.message}`, "see https://github.com/pressly/goose#sql-migrations", up.line)
      );
      continue;
    }
    const down = parseGooseSql(text2, "down");
    if (down) {
      problems.push(
        problem(
          name,
          `goose down fails on this file: ${down.message}`,
          "fix the -- +goose Down section",
          down.line,
          "warning"
        )
      );
    }
  }
  for (const name of names2) {
    if (name.includes("/") || name.endsWith(".sql") || name === "atlas.sum") continue;
    if (name.endsWith(".go")) {
      if (typeof numericComponent(name) === "string" || name.endsWith("_test.go")) continue;
      problems.push(
        problem(
          name,
          "goose fails when it reaches this Go migration: Go migrations must be registered and built into a custom goose binary, and the image runs the stock one",
          "write the migration in SQL, or build your own goose binary and image"
        )
      );
    } else {
      problems.push(
        problem(
          name,
          "goose ignores this file (only *.sql and *.go files are migrations)",
          "move it out of the directory if it is not needed",
          void 0,
          "notice"
        )
      );
    }
  }
  return problems;
}
var gooseFormat = {
  name: "goose",
  recursive: false,
  select: topLevelEndingIn(".sql"),
  parseName: parseName3,
  compareVersions: compareIntegers,
  versionKey: (version) => parseInt64(version).toString(),
  unreadName: unreadName4,
  // migrate.go:35-38: sorting two migrations of one version panics.
  duplicateVersion: (_name, twin, version) => ({
    severity: "error",
    message: `goose panics: duplicate version ${parseInt64(version)} detected (${twin})`,
    fix: "give one of them a new, higher version"
  }),
  // migrate.go:143-151: fs.Glob lists a directory named `x.sql` too; goose then fails to read or parse it.
  directoryEntry: () => ({
    severity: "error",
    message: "is a directory named like a migration: goose lists it as one and fails",
    fix: "rename the directory so it does not end in .sql, or move it out of the migrations directory"
  }),
  rules: rules4,
  nameRule: "<version>_<description>.sql",
  nameExample: "20240101120000_create_users.sql"
};

// src/core/check/formats/liquibase.ts
import path2 from "node:path";

// src/core/check/safe-read.ts
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, writeFileSync } from "node:fs";
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
function openRegular(file, limit) {
  let fd;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch (error) {
    throw readError(file, error);
  }
  let size;
  try {
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
function readBounded(file, limit) {
  const { fd, size } = openRegular(file, limit);
  try {
    const buffer = Buffer.allocUnsafe(Math.min(size, limit) + 1);
    let filled = 0;
    for (; ; ) {
      if (filled === buffer.length) {
        if (filled > limit) throw tooLarge(file, limit);
        break;
      }
      const read2 = readSync(fd, buffer, filled, buffer.length - filled, null);
      if (read2 === 0) break;
      filled += read2;
    }
    if (filled > limit) throw tooLarge(file, limit);
    return buffer.subarray(0, filled);
  } catch (error) {
    throw readError(file, error);
  } finally {
    closeSync(fd);
  }
}
function readTextBounded(file, limit) {
  const bytes = readBounded(file, limit);
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
function writeRegular(file, text2) {
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
    writeFileSync(fd, text2);
  } finally {
    closeSync(fd);
  }
}

// src/core/check/formats/liquibase-sql.ts
var S2 = "[ \\t\\n\\x0B\\f\\r]";
var whole = (source) => new RegExp(`^(?:${source})$`, "i");
var FIRST_LINE = whole(`${S2}*--${S2}*liquibase${S2}*formatted.*`);
var PROPERTY = whole(`${S2}*--${S2}*property${S2}+(.*:.*)${S2}+(.*:.*).*`);
var ALT_PROPERTY = whole(`${S2}*?[-]+${S2}*property${S2}.*`);
var CHANGE_SET = whole(`${S2}*--${S2}*changeset${S2}+("[^"]+"|[^:]+):${S2}*("[^"]+"|[^ \\t\\n\\x0B\\f\\r]+).*`);
var ALT_CHANGE_SET_ONE = whole(`-${S2}*changeset${S2}.*`);
var ALT_CHANGE_SET_NO_INFO = whole(`${S2}*--${S2}*changeset${S2}*.*`);
var ROLLBACK = whole(`${S2}*--${S2}*rollback (.*)`);
var ALT_ROLLBACK = whole(`${S2}*-${S2}*rollback${S2}.*`);
var ROLLBACK_START = whole(`${S2}*\\/\\*${S2}*liquibase${S2}*rollback${S2}*`);
var ROLLBACK_END = whole(`.*${S2}*\\*\\/${S2}*`);
var PRECONDITIONS = whole(`${S2}*--${S2}*preconditions(.*)`);
var ALT_PRECONDITIONS = whole(`${S2}*-${S2}*preconditions${S2}.*`);
var PRECONDITION = whole(`${S2}*--${S2}*precondition\\-([a-zA-Z0-9-]+) (.*)`);
var EMPTY_PRECONDITION = whole(`${S2}*--${S2}*precondition\\-([a-zA-Z0-9-]+)`);
var ALT_PRECONDITION = whole(`${S2}*-${S2}*precondition(.*)`);
var COMMENT = whole(`--${S2}*comment:? (.*)`);
var ALT_COMMENT_PLURAL = whole(`--${S2}*comments:? (.*)`);
var ALT_COMMENT_ONE = whole(`-${S2}*comment:? (.*)`);
var VALID_CHECK_SUM = whole(`--${S2}*validCheckSum:? (.*)`);
var ALT_VALID_CHECK_SUM = whole(`-${S2}*validCheckSum(.*)`);
var IGNORE_LINES = whole(`--${S2}*ignoreLines:(\\w+)`);
var ALT_IGNORE_LINES_ONE = whole(`-${S2}*?ignoreLines:(\\w+).*`);
var ALT_IGNORE = whole(`--${S2}*ignore:(\\w+)`);
var IGNORE_ATTRIBUTE = whole(".*ignore:(\\w*).*");
var DBMS_ATTRIBUTE = whole(".*dbms:([^,][\\w!,]+).*");
var LOGICAL_FILE_PATH = whole(".*logicalFilePath:([^ \\t\\n\\x0B\\f\\r]*).*");
var PRECONDITION_TYPES = /* @__PURE__ */ new Set(["sql-check", "table-exists", "view-exists"]);
function isFormattedSql(text2) {
  const first = splitLines(text2).find((line) => line.trim() !== "");
  return first !== void 0 && FIRST_LINE.test(first);
}
function splitLines(text2) {
  const lines = text2.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines;
}
var FORMAT_FIX = "write it as '--changeset author:id' (no space after the colon), one per changeset";
function readFormattedSql(text2) {
  const lines = splitLines(text2);
  const changeSets = [];
  let current;
  let sql = "";
  let foundHeader = false;
  const fail = (line, message, fix) => ({
    changeSets,
    error: { line, message, fix }
  });
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const number = index + 1;
    const header = FIRST_LINE.test(line);
    if (foundHeader && header) {
      return fail(number, "duplicate formatted SQL header: Liquibase stops here", "keep one --liquibase formatted sql");
    }
    if (PROPERTY.test(line)) continue;
    if (ALT_PROPERTY.test(line)) {
      return fail(number, "malformed --property line", "write '--property name:<name> value:<value>'");
    }
    if (header) foundHeader = true;
    const ignoreLines = IGNORE_LINES.exec(line);
    if (ignoreLines) {
      if (ignoreLines[1] === "start") {
        for (index++; index < lines.length; index++) {
          const end = IGNORE_LINES.exec(lines[index]);
          if (end) {
            if (end[1] === "end") break;
          } else if (ALT_IGNORE_LINES_ONE.test(lines[index])) {
            return fail(index + 1, "malformed ignoreLines line", "write '--ignoreLines:end'");
          }
        }
        continue;
      }
      if (!/^[+-]?\d+$/.test(ignoreLines[1])) {
        return fail(
          number,
          `unknown ignoreLines syntax "${ignoreLines[1]}"`,
          "write '--ignoreLines:<count>' or 'start'"
        );
      }
      index += Math.max(0, Number(ignoreLines[1]));
      continue;
    }
    if (ALT_IGNORE_LINES_ONE.test(line) || ALT_IGNORE.test(line)) {
      return fail(number, "malformed ignoreLines line", "write '--ignoreLines:<count>' or '--ignoreLines:start'");
    }
    const changeSet = CHANGE_SET.exec(line);
    if (changeSet) {
      if (current && sql.trim() === "") {
        return fail(
          current.line,
          `changeset ${current.author}:${current.id} has no SQL: Liquibase stops with "No SQL for changeset"`,
          "add its SQL, or remove the empty changeset"
        );
      }
      const [, authorGroup, idGroup] = changeSet;
      const exact = new RegExp(`^${S2}*--${S2}*changeset${S2}+${escapeRegExp(`${authorGroup}:${idGroup}`)}.*$`, "i");
      if (!exact.test(line))
        return fail(number, `'${line.trim()}' is not a changeset header Liquibase reads`, FORMAT_FIX);
      const id = stripQuotes(idGroup);
      if (id.replaceAll(":", "").replaceAll(" ", "") === "") {
        return fail(number, "the changeset id is empty", FORMAT_FIX);
      }
      current = {
        author: stripQuotes(authorGroup),
        id,
        line: number,
        ignored: (IGNORE_ATTRIBUTE.exec(line)?.[1] ?? "").toLowerCase() === "true",
        dbms: DBMS_ATTRIBUTE.test(line),
        // AFCLP:448-451: an empty logicalFilePath: falls back to the changelog's.
        logicalPath: LOGICAL_FILE_PATH.exec(line)?.[1] || void 0
      };
      changeSets.push(current);
      sql = "";
      continue;
    }
    if (ALT_CHANGE_SET_ONE.test(line) || ALT_CHANGE_SET_NO_INFO.test(line)) {
      return fail(number, `'${line.trim()}' is not a changeset header Liquibase reads`, FORMAT_FIX);
    }
    if (!current) {
      if (COMMENT.test(line)) {
        return fail(number, "--comment outside a changeset", "move it below a --changeset line");
      }
      continue;
    }
    if (COMMENT.test(line) || VALID_CHECK_SUM.test(line) || ROLLBACK.test(line) || PRECONDITIONS.test(line)) continue;
    if (ALT_COMMENT_ONE.test(line) || ALT_COMMENT_PLURAL.test(line)) {
      return fail(number, "malformed --comment line", "write '--comment <comment>'");
    }
    if (ALT_VALID_CHECK_SUM.test(line)) {
      return fail(number, "malformed --validCheckSum line", "write '--validCheckSum <checksum>'");
    }
    if (ALT_ROLLBACK.test(line)) return fail(number, "malformed --rollback line", "write '--rollback <SQL>'");
    if (ROLLBACK_START.test(line)) {
      const end = lines.findIndex((candidate, at) => at > index && ROLLBACK_END.test(candidate));
      if (end < 0) return fail(number, "the /* liquibase rollback comment is not closed", "close it with '*/'");
      index = end;
      continue;
    }
    if (ALT_PRECONDITIONS.test(line)) return fail(number, "malformed --preconditions line", "see --preconditions");
    const precondition = PRECONDITION.exec(line) ?? EMPTY_PRECONDITION.exec(line);
    if (precondition) {
      const known = PRECONDITION_TYPES.has(precondition[1]);
      if (known && precondition[2] !== void 0) continue;
      return fail(
        number,
        known ? `precondition-${precondition[1]} has no arguments` : `the '${precondition[1]}' precondition type is not supported`,
        "use precondition-sql-check, -table-exists or -view-exists with their arguments"
      );
    }
    if (ALT_PRECONDITION.test(line))
      return fail(number, "malformed --precondition line", "see --precondition-sql-check");
    sql += `${line}
`;
  }
  if (current && sql.trim() === "" && !current.ignored && !current.dbms) {
    const previous = changeSets.at(-2);
    if (!previous) {
      return fail(
        current.line,
        `changeset ${current.author}:${current.id} has no SQL: Liquibase fails validation ("'sql' is required")`,
        "add its SQL, or remove the empty changeset"
      );
    }
    return {
      changeSets,
      warning: {
        line: current.line,
        message: `changeset ${current.author}:${current.id} has no SQL of its own: Liquibase gives it the SQL of ${previous.author}:${previous.id} and runs that a second time`,
        fix: "add its SQL, or remove the empty changeset"
      }
    };
  }
  return { changeSets };
}
function stripQuotes(value) {
  return value.length > 1 && /^(["']).*\1$/s.test(value) ? value.slice(1, -1) : value;
}
function escapeRegExp(text2) {
  return text2.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

// src/core/check/formats/liquibase.ts
var MASTERS = ["changelog.xml", "changelog.yaml", "changelog.yml", "changelog.json", "changelog.sql"].flatMap(
  (name) => [name, `db.${name.replace("changelog", "changelog-master")}`]
);
var MAX_CHANGELOG_BYTES = 16 * 1024 * 1024;
function masterChangelog(names2, options) {
  if (options.changelog) return names2.includes(options.changelog) ? options.changelog : void 0;
  return MASTERS.find((name) => names2.includes(name));
}
function kindOf(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith("xml")) return "xml";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".sql")) return "sql";
  return "unknown";
}
var ChangelogError = class extends Error {
  constructor(message, line, fix = "fix the changelog syntax") {
    super(message);
    this.line = line;
    this.fix = fix;
  }
  line;
  fix;
};
var empty = () => ({ includes: [], changeSets: [], sqlFiles: [], properties: [] });
function flag(value, fallback) {
  if (value === void 0 || value === null) return fallback;
  return text(value)?.toLowerCase() === "true";
}
function text(value) {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  return void 0;
}
function readEntries(entries) {
  const changelog = empty();
  for (const entry of entries) {
    const a = entry.attributes;
    if (entry.name === "include") {
      const file = text(a.file);
      if (file === void 0) throw new ChangelogError("an include has no 'file' attribute", entry.line);
      changelog.includes.push({
        path: file.replaceAll("\\", "/"),
        all: false,
        relative: flag(a.relativeToChangelogFile, false),
        errorIfMissing: flag(a.errorIfMissing, true),
        endsWith: "",
        logicalPath: text(a.logicalFilePath) || void 0,
        line: entry.line
      });
    } else if (entry.name === "includeAll") {
      const dir = text(a.path);
      if (dir === void 0) throw new ChangelogError("an includeAll has no 'path' attribute", entry.line);
      changelog.includes.push({
        path: dir.replaceAll("\\", "/"),
        all: true,
        relative: flag(a.relativeToChangelogFile, false),
        errorIfMissing: flag(a.errorIfMissingOrEmpty, true),
        endsWith: (text(a.endsWithFilter) ?? "").trim(),
        logicalPath: text(a.logicalFilePath) || void 0,
        line: entry.line
      });
    } else if (entry.name === "property") {
      const file = text(a.file);
      if (file !== void 0)
        changelog.properties.push({
          file,
          relative: flag(a.relativeToChangelogFile, false),
          errorIfMissing: flag(a.errorIfMissing, true),
          line: entry.line
        });
    } else if (entry.name === "changeSet") {
      changelog.changeSets.push({
        id: text(a.id) ?? "",
        author: text(a.author) ?? "",
        logicalPath: text(a.logicalFilePath) || void 0,
        line: entry.line,
        ignored: flag(a.ignore, false),
        dbms: text(a.dbms) !== void 0
      });
      const walk = (children, rollback) => {
        for (const child of children) {
          if (child.name === "sqlFile") {
            const target = text(child.attributes.path);
            if (target !== void 0)
              changelog.sqlFiles.push({
                path: target,
                relative: flag(child.attributes.relativeToChangelogFile, false),
                rollback,
                line: child.line ?? entry.line
              });
          }
          walk(child.children, rollback || child.name === "rollback");
        }
      };
      walk(entry.children, false);
    }
  }
  return changelog;
}
function lineFinder(source) {
  const starts = [0];
  for (let index = source.indexOf("\n"); index >= 0; index = source.indexOf("\n", index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = low + high + 1 >> 1;
      if (starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };
}
var XML_ENTITIES = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
async function readXml(source) {
  const { XMLParser, XMLValidator } = await import("./fxp-CAZBGBIY.js");
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw new ChangelogError(`is not well-formed XML: ${valid.err.msg}`, valid.err.line);
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    processEntities: false,
    htmlEntities: false,
    parseAttributeValue: false,
    parseTagValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    captureMetaData: true
  });
  let tree;
  try {
    tree = parser.parse(source);
  } catch (error) {
    throw new ChangelogError(`cannot be read as XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const meta = XMLParser.getMetaDataSymbol();
  const lineAt2 = lineFinder(source);
  const toEntry = (node) => {
    const tag = Object.keys(node).find((key) => key !== ":@" && key !== "#text");
    if (tag === void 0) return void 0;
    const name = tag.slice(tag.indexOf(":") + 1);
    const raw = node[":@"] ?? {};
    const attributes = Object.fromEntries(
      Object.entries(raw).map(([key, value]) => [
        key,
        String(value).replace(/&(amp|lt|gt|quot|apos);/g, (_, entity) => XML_ENTITIES[entity])
      ])
    );
    const start = node[meta]?.startIndex;
    const children = (node[tag] ?? []).map(toEntry).filter((entry) => !!entry);
    return { name, tag, attributes, children, line: start === void 0 ? void 0 : lineAt2(start) };
  };
  const roots = tree.map(toEntry).filter((entry) => !!entry);
  const root = roots[0];
  if (root?.name !== "databaseChangeLog") {
    throw new ChangelogError('"databaseChangeLog" expected as root element', root?.line);
  }
  if (!declaresSchema(root)) {
    throw new ChangelogError(
      `does not declare Liquibase's XML schema: Liquibase validates XML changelogs against it and stops ("Cannot find the declaration of element 'databaseChangeLog'")`,
      root.line,
      `give the root xmlns="${CHANGELOG_NAMESPACE}" and an xsi:schemaLocation naming a dbchangelog XSD (Liquibase's image validates XML unless LIQUIBASE_VALIDATE_XML_CHANGELOG_FILES=false)`
    );
  }
  return readEntries(root.children);
}
var CHANGELOG_NAMESPACE = "http://www.liquibase.org/xml/ns/dbchangelog";
function declaresSchema(root) {
  const prefix = root.tag?.includes(":") ? root.tag.slice(0, root.tag.indexOf(":")) : void 0;
  const namespace = root.attributes[prefix === void 0 ? "xmlns" : `xmlns:${prefix}`];
  if (namespace !== CHANGELOG_NAMESPACE) return false;
  const location = Object.entries(root.attributes).find(
    ([key]) => key === "schemaLocation" || key.endsWith(":schemaLocation")
  );
  const pairs = typeof location?.[1] === "string" ? location[1].trim().split(/\s+/) : [];
  return pairs.some(
    (token, index) => index % 2 === 0 && token === CHANGELOG_NAMESPACE && pairs[index + 1] !== void 0
  );
}
async function yamlApi() {
  const module = await import("./dist-B7XXMEJS.js");
  return module.default?.parseDocument ? module.default : module;
}
async function readYaml(source) {
  const { parseDocument, LineCounter, isSeq } = await yamlApi();
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { version: "1.1", lineCounter, uniqueKeys: false });
  if (document.errors.length > 0) {
    const [first] = document.errors;
    throw new ChangelogError(`syntax error: ${first.message.split("\n")[0]}`, first.linePos?.[0].line);
  }
  const root = document.toJS({ maxAliasCount: 1e3 });
  if (root === null || root === void 0 || typeof root === "object" && Object.keys(root).length === 0) {
    throw new ChangelogError('is empty: Liquibase stops with "Empty file"');
  }
  if (typeof root !== "object" || Array.isArray(root) || !("databaseChangeLog" in root)) {
    throw new ChangelogError("has no databaseChangeLog node", 1, "start the file with databaseChangeLog:");
  }
  const list = root.databaseChangeLog;
  if (list === null || list === void 0) return empty();
  if (!Array.isArray(list)) {
    throw new ChangelogError(
      "databaseChangeLog does not hold a list of entries",
      1,
      "begin each entry with '- changeSet:' or '- include:'"
    );
  }
  const node = document.contents?.get?.(
    "databaseChangeLog",
    true
  );
  const itemLines = isSeq(node) ? node.items.map((item) => {
    const start = item.range?.[0];
    return start === void 0 ? void 0 : lineCounter.linePos(start).line;
  }) : [];
  const toEntry = (name, value, line) => {
    const attributes = {};
    const children = [];
    if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (Array.isArray(inner)) {
          const listed = [];
          for (const item of inner)
            if (item && typeof item === "object" && !Array.isArray(item))
              for (const [childName, childValue] of Object.entries(item))
                listed.push(toEntry(childName, childValue, line));
          if (key === "rollback") children.push({ name: "rollback", attributes: {}, children: listed, line });
          else children.push(...listed);
        } else if (inner && typeof inner === "object") {
          children.push(toEntry(key, inner, line));
        } else {
          attributes[key] = inner;
        }
      }
    }
    return { name, attributes, children, line };
  };
  const entries = [];
  for (const [index, item] of list.entries()) {
    if (!item || typeof item !== "object" || Array.isArray(item)) continue;
    for (const [name, value] of Object.entries(item))
      entries.push(toEntry(name, value, itemLines[index]));
  }
  return readEntries(entries);
}
function readChangelogText(dir, name) {
  try {
    return readTextBounded(path2.join(dir, name), MAX_CHANGELOG_BYTES);
  } catch (error) {
    if (error instanceof DirectoryError) throw new ChangelogError(error.message, void 0, error.fix);
    throw error;
  }
}
async function readChangelog(dir, name) {
  let source;
  try {
    source = readChangelogText(dir, name).replace(/^\uFEFF/, "");
  } catch (error) {
    if (error instanceof ChangelogError)
      return { changelog: empty(), failure: { message: error.message, fix: error.fix } };
    throw new MigrationImageError(`cannot be read (${errnoCode(error) ?? String(error)})`, {
      file: path2.join(dir, name)
    });
  }
  try {
    switch (kindOf(name)) {
      case "xml":
        return { changelog: await readXml(source) };
      case "yaml":
      case "json":
        return { changelog: await readYaml(source) };
      case "sql": {
        if (!isFormattedSql(source)) {
          if (source.trim() === "")
            return {
              changelog: empty(),
              failure: {
                message: 'is empty: Liquibase stops with "Unable to parse empty file"',
                fix: "add SQL, or remove the file and its include"
              }
            };
          return {
            changelog: {
              ...empty(),
              changeSets: [{ id: `raw:${name}`, author: "includeAll", ignored: false, dbms: false }]
            }
          };
        }
        const sql = readFormattedSql(source);
        const changelog = { ...empty(), changeSets: sql.changeSets };
        return sql.error ? { changelog, failure: sql.error } : { changelog, warning: sql.warning };
      }
      default:
        return { changelog: empty() };
    }
  } catch (error) {
    if (error instanceof ChangelogError)
      return { changelog: empty(), failure: { message: error.message, line: error.line, fix: error.fix } };
    throw error;
  }
}
function resolve(from, target, relative) {
  const cleaned = target.replace(/^classpath\*?:/, "").replaceAll("\\", "/");
  const joined = relative ? path2.posix.join(path2.posix.dirname(from), cleaned) : cleaned.replace(/^\/+/, "");
  const normal = path2.posix.normalize(joined).replace(/^\.\/+/, "").replace(/\/+$/, "");
  if (normal === ".." || normal.startsWith("../") || path2.posix.isAbsolute(normal)) return void 0;
  return normal === "." ? "" : normal;
}
var hasProperty = (text2) => text2.includes("${");
async function changelogTree(dir, names2, options, problem) {
  const problems = [];
  const master = masterChangelog(names2, options);
  if (!master) {
    problems.push(
      problem(
        options.changelog ?? ".",
        options.changelog ? `the changelog '${options.changelog}' is not in the directory` : "no master changelog (changelog.xml, .yaml, .yml, .json or .sql)",
        options.changelog ? "check the changelog input" : "add one, or name it with the changelog input"
      )
    );
    return { files: [], problems };
  }
  const available = new Set(names2);
  const loaded = /* @__PURE__ */ new Set();
  const extra = /* @__PURE__ */ new Set();
  const seen = /* @__PURE__ */ new Map();
  const queue = [{ name: master }];
  const loads = /* @__PURE__ */ new Set();
  const contributes = /* @__PURE__ */ new Map();
  while (queue.length > 0) {
    const { name, from, line, logicalPath } = queue.shift();
    const load = `${logicalPath ?? ""}\0${name}`;
    if (loaded.has(name) && !contributes.get(name)) continue;
    if (loaded.has(name) && !loads.has(load)) {
      loads.add(load);
      problems.push(
        problem(
          from ?? name,
          `includes ${name} again under another logicalFilePath: Liquibase runs its changesets a second time`,
          "include each changelog once",
          line,
          "warning"
        )
      );
      continue;
    }
    loads.add(load);
    if (loaded.has(name) && contributes.get(name)) {
      problems.push(
        problem(
          from ?? name,
          `includes ${name} a second time: Liquibase fails validation with duplicate changesets`,
          "include each changelog once",
          line
        )
      );
      continue;
    }
    loaded.add(name);
    const { changelog, failure, warning } = await readChangelog(dir, name);
    if (failure) {
      problems.push(problem(name, failure.message, failure.fix, failure.line));
      continue;
    }
    if (warning) problems.push(problem(name, warning.message, warning.fix, warning.line, "warning"));
    contributes.set(name, changelog.includes.length > 0 || changelog.changeSets.some(({ ignored }) => !ignored));
    for (const changeSet of changelog.changeSets) {
      if (changeSet.ignored) continue;
      if (changeSet.id.trim() === "") {
        problems.push(
          problem(
            name,
            changeSet.author === "" ? "a changeset has no id and no author" : "a changeset has no id",
            "give every changeset an id (and an author)",
            changeSet.line
          )
        );
        continue;
      }
      if (changeSet.dbms) continue;
      const key = `${changeSet.logicalPath ?? name}::${changeSet.id}::${changeSet.author}`;
      const twin = seen.get(key);
      if (twin !== void 0) {
        problems.push(
          problem(
            name,
            `changeset ${changeSet.author}:${changeSet.id} is defined twice in this file (also at line ${twin}): Liquibase fails validation`,
            "give one of them a new id",
            changeSet.line
          )
        );
      } else seen.set(key, String(changeSet.line ?? "?"));
    }
    const unchecked = (what, line2) => {
      problems.push(
        problem(
          name,
          `${what} uses a changelog property: Liquibase expands it at run time, so it is not checked or shipped here`,
          "write the path without ${…} to have it checked and shipped",
          line2,
          "warning"
        )
      );
    };
    for (const ref of changelog.sqlFiles) {
      if (hasProperty(ref.path)) {
        unchecked(`sqlFile '${ref.path}'`, ref.line);
        continue;
      }
      const target = resolve(name, ref.path, ref.relative);
      if (target !== void 0 && available.has(target)) {
        extra.add(target);
        continue;
      }
      problems.push(
        problem(
          name,
          target === void 0 ? `sqlFile '${ref.path}' is outside the migrations directory: it would be missing from the image` : `sqlFile '${ref.path}' does not exist in the directory`,
          "fix the path or add the file",
          ref.line,
          ref.rollback ? "warning" : "error"
        )
      );
    }
    for (const property of changelog.properties) {
      if (hasProperty(property.file)) {
        unchecked(`properties file '${property.file}'`, property.line);
        continue;
      }
      const target = resolve(name, property.file, property.relative);
      if (target !== void 0 && available.has(target)) {
        extra.add(target);
      } else if (property.errorIfMissing) {
        problems.push(
          problem(
            name,
            `properties file '${property.file}' does not exist in the directory`,
            "fix the path or add the file",
            property.line
          )
        );
      } else {
        problems.push(
          problem(
            name,
            `properties file '${property.file}' is missing: Liquibase skips it (errorIfMissing="false")`,
            "add the file or remove the property",
            property.line,
            "notice"
          )
        );
      }
    }
    for (const include of changelog.includes) {
      if (hasProperty(include.path)) {
        unchecked(`${include.all ? "includeAll" : "include"} '${include.path}'`, include.line);
        continue;
      }
      const target = resolve(name, include.path, include.relative);
      if (target === void 0) {
        problems.push(
          problem(
            name,
            `includes '${include.path}', outside the migrations directory: it would be missing from the image`,
            "move the file into the directory",
            include.line
          )
        );
        continue;
      }
      if (!include.all) {
        if (/^(\.svn|cvs)$/i.test(include.path)) continue;
        if (!available.has(target)) {
          problems.push(
            include.errorIfMissing ? problem(
              name,
              `includes '${include.path}', which does not exist in the directory`,
              include.path.startsWith("/") ? "write the path relative to the migrations directory (Liquibase looks it up in its search path)" : "fix the path or add the file",
              include.line
            ) : problem(
              name,
              `includes '${include.path}', which does not exist: Liquibase skips it (errorIfMissing="false")`,
              "add the file or remove the include",
              include.line,
              "notice"
            )
          );
          continue;
        }
        if (kindOf(target) === "unknown") {
          problems.push(
            problem(
              name,
              `includes '${include.path}': Liquibase has no parser for this file type and stops`,
              "include .xml, .yaml, .yml, .json or .sql changelogs only",
              include.line
            )
          );
          continue;
        }
        queue.push({ name: target, from: name, line: include.line, logicalPath: include.logicalPath });
        continue;
      }
      const prefix = target === "" ? "" : `${target}/`;
      const found = names2.filter((candidate) => candidate.startsWith(prefix)).filter(
        (candidate) => include.endsWith === "" || candidate.toLowerCase().endsWith(include.endsWith.toLowerCase())
      ).sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
      if (found.length === 0) {
        problems.push(
          include.errorIfMissing ? problem(
            name,
            `includeAll '${include.path}' finds no files: Liquibase stops ("directory was empty")`,
            'add changelogs there, fix the path, or set errorIfMissingOrEmpty="false"',
            include.line
          ) : problem(
            name,
            `includeAll '${include.path}' finds no files: Liquibase includes nothing (errorIfMissingOrEmpty="false")`,
            "add changelogs there or remove the includeAll",
            include.line,
            "notice"
          )
        );
        continue;
      }
      for (const file of found) {
        if (kindOf(file) === "unknown") {
          problems.push(
            problem(
              file,
              `includeAll '${include.path}' finds this file, but Liquibase has no parser for it and skips it`,
              "move it out of the folder, or ignore this notice",
              void 0,
              "notice"
            )
          );
          continue;
        }
        queue.push({ name: file, from: name, line: include.line, logicalPath: include.logicalPath });
      }
    }
  }
  for (const name of loaded) extra.delete(name);
  return { files: [...loaded, ...extra], problems };
}
var silent = (name, message, fix, line, severity = "error") => ({
  code: "tool-rule",
  severity,
  file: name,
  line,
  message,
  fix
});
var liquibaseFormat = {
  ...atlasFormat,
  name: "liquibase",
  recursive: true,
  select: (names2) => atlasFormat.select(names2),
  parseName: (name) => ({ description: name }),
  rules: async (input) => (await changelogTree(input.dir, input.names, input.options, input.problem)).problems,
  async shipped(names2, dir, options) {
    const tree = await changelogTree(dir, names2, options, silent);
    if (tree.files.length === 0) throw new MigrationImageError("no master changelog to ship", { file: dir });
    return tree.files;
  },
  nameRule: "a changelog file",
  nameExample: "changelog.xml"
};

// src/core/check/formats/psql.ts
var psqlFormat = {
  name: "psql",
  recursive: false,
  select: topLevelEndingIn(".up.sql"),
  // `[^\n]`: one migration per line of migrations.list.
  parseName: versionedName(/^([0-9]+)_([^\n]*)\.up\.sql$/),
  compareVersions: compareIntegers,
  versionKey: integerKey,
  rules({ names: names2, problem }) {
    return names2.filter((name) => !name.includes("/") && name !== "atlas.sum" && !/\.(up|down)\.sql$/.test(name)).map(
      (name) => problem(
        name,
        "the psql runner does not run this file and it is not shipped (migrations end in .up.sql)",
        "rename it like 1_create_users.up.sql if it should run, or move it out of the directory",
        void 0,
        "notice"
      )
    );
  },
  nameRule: "<version>_<name>.up.sql",
  nameExample: "1_create_users.up.sql"
};

// src/core/check/formats/uncovered.ts
import path3 from "node:path";
var base2 = (name) => path3.posix.basename(name);
function flywayUncoveredReason(name) {
  const file = base2(name);
  if (!file.endsWith(".sql")) return "Atlas's flyway format hashes only names ending in lower-case .sql";
  if (file.startsWith("U")) return "Atlas's flyway format does not hash undo (U) migrations";
  if (!/^[VBR]/.test(file))
    return "Atlas's flyway format hashes only V, B and R migrations, not callbacks or other files";
  if (file.length - 4 < 4) return "Atlas's flyway format skips names shorter than 4 characters before .sql";
  return "Atlas's flyway format leaves this file out (a baseline below the latest, or a version below the baseline)";
}
var GOLANG_MIGRATE = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/s;
function golangMigrateUncoveredReason(name) {
  return GOLANG_MIGRATE.exec(name)?.[3] === "down" ? "Atlas's golang-migrate format hashes only .up.sql files, not down migrations" : "Atlas's golang-migrate format hashes only .up.sql files";
}
function liquibaseUncoveredReason(name) {
  return name.includes("/") ? "Atlas's liquibase format hashes only top-level .sql files, not files in sub-folders" : "Atlas's liquibase format hashes only top-level .sql files, not XML, YAML, JSON or other changelogs";
}

// src/core/check/formats/index.ts
var FORMATS = new Map(
  [
    atlasFormat,
    // Why atlas.sum leaves a shipped file out lives in ./uncovered.ts, beside the formats' own files.
    { ...golangMigrateFormat, uncoveredReason: golangMigrateUncoveredReason },
    { ...flywayFormat, uncoveredReason: flywayUncoveredReason },
    gooseFormat,
    dbmateFormat,
    { ...liquibaseFormat, uncoveredReason: liquibaseUncoveredReason },
    psqlFormat
  ].map((format) => [format.name, format])
);
var formatNames = [...FORMATS.keys()];
function getFormat(name) {
  const format = FORMATS.get(name.trim().toLowerCase());
  if (!format) {
    throw new UsageError(`unknown format '${showName(name)}'${didYouMean(name, formatNames)}`, {
      fix: `use one of: ${formatNames.join(", ")}`
    });
  }
  return format;
}

// src/core/image/presets.ts
var NOBODY = "65534:65534";
var PRESETS = [
  {
    tool: "atlas",
    format: "atlas",
    baseImage: "arigaio/atlas:1.2.3",
    migrationsDir: "/migrations",
    env: {},
    user: NOBODY,
    selfCheck: ["/atlas", "migrate", "validate", "--dir", "file:///migrations"],
    runExample: 'docker run --rm IMAGE migrate apply --dir file:///migrations --url "$DATABASE_URL"'
  },
  {
    tool: "golang-migrate",
    format: "golang-migrate",
    baseImage: "migrate/migrate:v4.19.1",
    migrationsDir: "/migrations",
    env: {},
    user: NOBODY,
    entrypoint: ["migrate", "-path", "/migrations"],
    runExample: 'docker run --rm IMAGE -database "$DATABASE_URL" up'
  },
  {
    tool: "flyway",
    format: "flyway",
    baseImage: "flyway/flyway:13.0.0",
    migrationsDir: "/flyway/sql",
    env: { FLYWAY_LOCATIONS: "filesystem:/flyway/sql" },
    user: NOBODY,
    runExample: "docker run --rm -e FLYWAY_URL -e FLYWAY_USER -e FLYWAY_PASSWORD IMAGE migrate"
  },
  {
    tool: "liquibase",
    format: "liquibase",
    baseImage: "liquibase/liquibase:4.33.0",
    migrationsDir: "/liquibase/changelog",
    env: { LIQUIBASE_SEARCH_PATH: "/liquibase/changelog" },
    changelogEnv: "LIQUIBASE_COMMAND_CHANGELOG_FILE",
    runExample: "docker run --rm -e LIQUIBASE_COMMAND_URL -e LIQUIBASE_COMMAND_USERNAME -e LIQUIBASE_COMMAND_PASSWORD IMAGE update"
  },
  {
    tool: "dbmate",
    format: "dbmate",
    baseImage: "ghcr.io/amacneil/dbmate:2.35.0",
    migrationsDir: "/db/migrations",
    env: { DBMATE_MIGRATIONS_DIR: "/db/migrations", DBMATE_NO_DUMP_SCHEMA: "true" },
    user: NOBODY,
    runExample: "docker run --rm -e DATABASE_URL IMAGE up"
  },
  {
    tool: "goose",
    format: "goose",
    baseImage: "ghcr.io/kukymbr/goose-docker:3.27.1",
    migrationsDir: "/migrations",
    env: { GOOSE_MIGRATION_DIR: "/migrations" },
    user: NOBODY,
    selfCheck: ["goose", "-dir", "/migrations", "validate"],
    runExample: 'docker run --rm -e GOOSE_DRIVER=postgres -e GOOSE_DBSTRING="$DATABASE_URL" IMAGE'
  },
  {
    tool: "psql",
    format: "psql",
    baseImage: "postgres:18-alpine",
    migrationsDir: "/migrations",
    env: { MIGRATIONS_DIR: "/migrations" },
    user: NOBODY,
    runner: { path: "/usr/local/bin/migration-image-migrate" },
    runExample: "docker run --rm -e DATABASE_URL IMAGE"
  }
];
var toolNames = PRESETS.map(({ tool }) => tool);
function getPreset(tool) {
  const preset = PRESETS.find((candidate) => candidate.tool === tool.trim().toLowerCase());
  if (!preset) {
    throw new UsageError(`unknown tool '${showName(tool)}'${didYouMean(tool, toolNames)}`, {
      fix: `use one of: ${toolNames.join(", ")}`
    });
  }
  return preset;
}

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
var APPLY_CHECK_MODES = ["false", "true", "pull_request_target"];
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
      help: `migration tool: ${toolNames.join(", ")} (default: atlas)`
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
      help: `directory format: ${formatNames.join(", ")} (default: the tool's)`
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
    flag: { name: "json", commands: ["validate"], help: "print a machine-readable result" }
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
      commands: APPLY,
      help: "the throwaway database image (default postgres:17-alpine; mysql:8.4, mariadb:11 work too)"
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
function nameOptions(text2, names2) {
  return text2.replace(PLACEHOLDER, (token, key) => key in OPTIONS ? names2[key] : token);
}

// src/io/docker.ts
import { spawn } from "node:child_process";
var PROBE_TIMEOUT_MS = 6e4;
function probeTimeoutMs(env) {
  const value = env.MIGRATION_IMAGE_PROBE_TIMEOUT;
  if (value === void 0 || value === "") return PROBE_TIMEOUT_MS;
  if (!/^\d{1,6}(?:\.\d{1,3})?$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`MIGRATION_IMAGE_PROBE_TIMEOUT is not a number of seconds: '${oneLine(value)}'`, {
      fix: "set it to e.g. 120, or unset it for the default of 60"
    });
  }
  return Number(value) * 1e3;
}
var OUTPUT_CAP = 1 << 20;
var Tail = class {
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
    return new Promise((resolve2, reject) => {
      const child = spawn(this.bin, argv, { env: this.env, stdio: ["pipe", "pipe", "pipe"] });
      const stdout = new Tail(OUTPUT_CAP);
      const stderr = new Tail(OUTPUT_CAP);
      let timedOut = false;
      const timeoutMs = options.probe === void 0 ? options.timeoutMs : options.probe * this.probeTimeoutMs;
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
        if (timedOut && options.probe === void 0) {
          resolve2({ code: code ?? 137, stdout: stdout.toString(), stderr: stderr.toString(), timedOut: true });
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
        resolve2({ code: code ?? 1, stdout: stdout.toString(), stderr: stderr.toString() });
      });
      child.stdin.end(options.input ?? "");
    });
  }
};
var DockerMissingError = class extends MigrationImageError {
};
var DockerTimeoutError = class extends MigrationImageError {
};
function tail(text2, lines = 5) {
  return text2.split(/\r?\n|\r/).map((line) => line.trim()).filter(Boolean).slice(-lines).map(oneLine).join(" | ");
}
function withoutProgress(output) {
  return output.split(/\r?\n/).filter((line) => !/^\s*(#\d+\s|-{3,}|>|\d+ \||\[\+\]|=>)/.test(line)).join("\n");
}

// src/io/cleanup.ts
import { lstatSync as lstatSync2, realpathSync } from "node:fs";
import path5 from "node:path";

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
function buildkitVersion(text2) {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text2 ?? "");
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
  const result = await docker.run(["buildx", "version"], { probe: 1 });
  return result.code === 0 ? parseBuildxVersion(result.stdout) : void 0;
}
async function inspectBuilder(docker, name) {
  const result = await docker.run(["buildx", "inspect", ...name ? ["--", name] : []], { probe: 1 });
  return result.code === 0 ? parseBuilderInspect(result.stdout) : void 0;
}
async function listBuilders(docker, buildxVersion) {
  if (!atLeast(buildxVersion, "0.13.0")) return [];
  const result = await docker.run(["buildx", "ls", "--format", "json"], { probe: 1 });
  return result.code === 0 ? parseBuilderList(result.stdout) : [];
}
var temporaryBuilderName = () => `migration-image-${process.pid}-${Date.now().toString(36)}`;
var GENERATED_BUILDER = /^migration-image-\d+-[0-9a-z]+$/;
async function createBuilder(docker, argv, name) {
  const result = await docker.run(argv, { probe: 10 });
  if (result.code === 0) return void 0;
  await removeBuilder(docker, name).catch(() => void 0);
  return tail(withoutProgress(result.stderr + result.stdout), 2);
}
async function removeBuilder(docker, name) {
  await docker.run(["buildx", "rm", name], { probe: 1 });
}

// src/io/apply-parts.ts
var APPLY_PREFIX = /^migration-image-apply-[0-9a-f]{12}$/;
var applyLabel = (prefix) => `migration-image.apply=${prefix}`;
async function removeApplyParts(docker, prefix) {
  if (!APPLY_PREFIX.test(prefix)) return [];
  const done = [];
  const listed = await docker.run(["ps", "-aq", "--filter", `label=${applyLabel(prefix)}`], { probe: 1 }).catch(() => void 0);
  const ids = (listed?.stdout ?? "").split("\n").filter((id) => /^[0-9a-f]{12,64}$/.test(id));
  if (ids.length > 0) {
    await docker.run(["rm", "-f", "-v", ...ids], { probe: 1 }).catch(() => void 0);
    done.push(`removed ${ids.length} apply-check container${ids.length === 1 ? "" : "s"}`);
  }
  const network = await docker.run(["network", "rm", prefix], { probe: 1 }).catch(() => void 0);
  if (network?.code === 0) done.push(`removed network ${prefix}`);
  return done;
}

// src/io/docker-config.ts
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync as writeFileSync2 } from "node:fs";
import { homedir } from "node:os";
import path4 from "node:path";
var DOCKER_CONFIG_PREFIX = "migration-image-docker-";
function createDockerConfig(parent, env) {
  const original = env.DOCKER_CONFIG ?? path4.join(homedir(), ".docker");
  const dir = mkdtempSync(path4.join(parent, DOCKER_CONFIG_PREFIX));
  const config = {};
  try {
    const current = JSON.parse(readFileSync(path4.join(original, "config.json"), "utf8")).currentContext;
    if (typeof current === "string") config.currentContext = current;
  } catch {
  }
  writeFileSync2(path4.join(dir, "config.json"), `${JSON.stringify(config)}
`, { mode: 384 });
  for (const shared of ["cli-plugins", "contexts"]) {
    if (existsSync(path4.join(original, shared))) symlinkSync(path4.join(original, shared), path4.join(dir, shared));
  }
  return { dir, env: privateEnv(env, dir) };
}
function privateEnv(env, dir) {
  const original = env.DOCKER_CONFIG ?? path4.join(homedir(), ".docker");
  return { ...env, DOCKER_CONFIG: dir, BUILDX_CONFIG: env.BUILDX_CONFIG ?? path4.join(original, "buildx") };
}
function removeDockerConfig(dir) {
  rmSync(dir, { recursive: true, force: true });
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
  const text2 = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return `'${showName(text2).slice(0, 200)}'`;
}
function ownDockerConfig(value, tempParent) {
  if (typeof value !== "string") return "not a path";
  if (!tempParent) return "no temporary directory (RUNNER_TEMP) to hold it";
  const name = path5.basename(value);
  if (!new RegExp(`^${DOCKER_CONFIG_PREFIX}[A-Za-z0-9]{6}$`).test(name)) return "not a name this action generates";
  if (path5.resolve(value) !== path5.join(path5.resolve(tempParent), name))
    return "not directly in the temporary directory";
  try {
    const stat = lstatSync2(value);
    if (stat.isSymbolicLink() || !stat.isDirectory()) return "not a directory (a link or a file)";
    if (realpathSync(value) !== path5.join(realpathSync(tempParent), name))
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
    await docker.run(["logout", state.registry], { probe: 1 }).catch(() => void 0);
    done.push(`logged out of ${state.registry}`);
  }
  if (state.dockerConfig) {
    removeDockerConfig(state.dockerConfig);
    done.push("removed the temporary docker config");
  }
  return done;
}

export {
  showName,
  oneLine,
  mayHoldCommand,
  fenceCommands,
  markdownCell,
  markdownCode,
  hasControlCharacter,
  splitList,
  didYouMean,
  compareUtf8,
  DEFAULT_MAX_FILE_SIZE,
  tooLarge,
  openRegular,
  readBounded,
  readTextBounded,
  readError,
  parseSize,
  writeRegular,
  getFormat,
  getPreset,
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
  atLeast,
  readCacheService,
  childEnv,
  Docker,
  DockerMissingError,
  tail,
  withoutProgress,
  detectBuildx,
  inspectBuilder,
  listBuilders,
  temporaryBuilderName,
  createBuilder,
  applyLabel,
  removeApplyParts,
  createDockerConfig,
  CLEANUP_STATE,
  MemoryCleanupStore,
  trustedCleanup,
  cleanUp
};
