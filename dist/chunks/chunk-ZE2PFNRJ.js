#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);
import {
  DEFAULT_MAX_FILE_SIZE,
  DirectoryError,
  Docker,
  DockerMissingError,
  MigrationImageError,
  OPTION,
  OPTIONS,
  PushError,
  UsageError,
  applyLabel,
  atLeast,
  baseLogin,
  childEnv,
  createBuilder,
  createDockerConfig,
  detectBuildx,
  errnoCode,
  formatLocated,
  inspectBuilder,
  lastLines,
  listBuilders,
  markdownCell,
  markdownCode,
  nameOptions,
  openRegular,
  parseSize,
  readBounded,
  readCacheService,
  readError,
  readTextBounded,
  removeApplyParts,
  showName,
  temporaryBuilderName,
  tooLarge,
  withoutProgress,
  writeRegular
} from "./chunk-TINLM5AB.js";
import {
  __commonJS,
  __require,
  __toESM
} from "./chunk-RSHFDZKV.js";

// node_modules/events-universal/default.js
var require_default = __commonJS({
  "node_modules/events-universal/default.js"(exports, module) {
    module.exports = __require("events");
  }
});

// node_modules/fast-fifo/fixed-size.js
var require_fixed_size = __commonJS({
  "node_modules/fast-fifo/fixed-size.js"(exports, module) {
    module.exports = class FixedFIFO {
      constructor(hwm) {
        if (!(hwm > 0) || (hwm - 1 & hwm) !== 0) throw new Error("Max size for a FixedFIFO should be a power of two");
        this.buffer = new Array(hwm);
        this.mask = hwm - 1;
        this.top = 0;
        this.btm = 0;
        this.next = null;
      }
      clear() {
        this.top = this.btm = 0;
        this.next = null;
        this.buffer.fill(void 0);
      }
      push(data) {
        if (this.buffer[this.top] !== void 0) return false;
        this.buffer[this.top] = data;
        this.top = this.top + 1 & this.mask;
        return true;
      }
      shift() {
        const last = this.buffer[this.btm];
        if (last === void 0) return void 0;
        this.buffer[this.btm] = void 0;
        this.btm = this.btm + 1 & this.mask;
        return last;
      }
      peek() {
        return this.buffer[this.btm];
      }
      isEmpty() {
        return this.buffer[this.btm] === void 0;
      }
    };
  }
});

// node_modules/fast-fifo/index.js
var require_fast_fifo = __commonJS({
  "node_modules/fast-fifo/index.js"(exports, module) {
    var FixedFIFO = require_fixed_size();
    module.exports = class FastFIFO {
      constructor(hwm) {
        this.hwm = hwm || 16;
        this.head = new FixedFIFO(this.hwm);
        this.tail = this.head;
        this.length = 0;
      }
      clear() {
        this.head = this.tail;
        this.head.clear();
        this.length = 0;
      }
      push(val) {
        this.length++;
        if (!this.head.push(val)) {
          const prev = this.head;
          this.head = prev.next = new FixedFIFO(2 * this.head.buffer.length);
          this.head.push(val);
        }
      }
      shift() {
        if (this.length !== 0) this.length--;
        const val = this.tail.shift();
        if (val === void 0 && this.tail.next) {
          const next = this.tail.next;
          this.tail.next = null;
          this.tail = next;
          return this.tail.shift();
        }
        return val;
      }
      peek() {
        const val = this.tail.peek();
        if (val === void 0 && this.tail.next) return this.tail.next.peek();
        return val;
      }
      isEmpty() {
        return this.length === 0;
      }
    };
  }
});

// node_modules/b4a/index.js
var require_b4a = __commonJS({
  "node_modules/b4a/index.js"(exports, module) {
    function isBuffer(value2) {
      return Buffer.isBuffer(value2) || value2 instanceof Uint8Array;
    }
    function isEncoding(encoding) {
      return Buffer.isEncoding(encoding);
    }
    function alloc(size, fill2, encoding) {
      return Buffer.alloc(size, fill2, encoding);
    }
    function allocUnsafe(size) {
      return Buffer.allocUnsafe(size);
    }
    function allocUnsafeSlow(size) {
      return Buffer.allocUnsafeSlow(size);
    }
    function byteLength(string, encoding) {
      return Buffer.byteLength(string, encoding);
    }
    function compare2(a, b) {
      return Buffer.compare(a, b);
    }
    function concat(buffers, totalLength) {
      return Buffer.concat(buffers, totalLength);
    }
    function copy(source, target, targetStart, start, end) {
      return toBuffer(source).copy(target, targetStart, start, end);
    }
    function equals(a, b) {
      return toBuffer(a).equals(b);
    }
    function fill(buffer, value2, offset, end, encoding) {
      return toBuffer(buffer).fill(value2, offset, end, encoding);
    }
    function from(value2, encodingOrOffset, length) {
      return Buffer.from(value2, encodingOrOffset, length);
    }
    function includes(buffer, value2, byteOffset, encoding) {
      return toBuffer(buffer).includes(value2, byteOffset, encoding);
    }
    function indexOf(buffer, value2, byfeOffset, encoding) {
      return toBuffer(buffer).indexOf(value2, byfeOffset, encoding);
    }
    function lastIndexOf(buffer, value2, byteOffset, encoding) {
      return toBuffer(buffer).lastIndexOf(value2, byteOffset, encoding);
    }
    function swap16(buffer) {
      return toBuffer(buffer).swap16();
    }
    function swap32(buffer) {
      return toBuffer(buffer).swap32();
    }
    function swap64(buffer) {
      return toBuffer(buffer).swap64();
    }
    function toBuffer(buffer) {
      if (Buffer.isBuffer(buffer)) return buffer;
      return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    }
    function toString(buffer, encoding, start, end) {
      return toBuffer(buffer).toString(encoding, start, end);
    }
    function toHex(buffer, start, end) {
      return toBuffer(buffer).toString("hex", start, end);
    }
    function write(buffer, string, offset, length, encoding) {
      return toBuffer(buffer).write(string, offset, length, encoding);
    }
    function readDoubleBE(buffer, offset) {
      return toBuffer(buffer).readDoubleBE(offset);
    }
    function readDoubleLE(buffer, offset) {
      return toBuffer(buffer).readDoubleLE(offset);
    }
    function readFloatBE(buffer, offset) {
      return toBuffer(buffer).readFloatBE(offset);
    }
    function readFloatLE(buffer, offset) {
      return toBuffer(buffer).readFloatLE(offset);
    }
    function readInt32BE(buffer, offset) {
      return toBuffer(buffer).readInt32BE(offset);
    }
    function readInt32LE(buffer, offset) {
      return toBuffer(buffer).readInt32LE(offset);
    }
    function readUInt32BE(buffer, offset) {
      return toBuffer(buffer).readUInt32BE(offset);
    }
    function readUInt32LE(buffer, offset) {
      return toBuffer(buffer).readUInt32LE(offset);
    }
    function writeDoubleBE(buffer, value2, offset) {
      return toBuffer(buffer).writeDoubleBE(value2, offset);
    }
    function writeDoubleLE(buffer, value2, offset) {
      return toBuffer(buffer).writeDoubleLE(value2, offset);
    }
    function writeFloatBE(buffer, value2, offset) {
      return toBuffer(buffer).writeFloatBE(value2, offset);
    }
    function writeFloatLE(buffer, value2, offset) {
      return toBuffer(buffer).writeFloatLE(value2, offset);
    }
    function writeInt32BE(buffer, value2, offset) {
      return toBuffer(buffer).writeInt32BE(value2, offset);
    }
    function writeInt32LE(buffer, value2, offset) {
      return toBuffer(buffer).writeInt32LE(value2, offset);
    }
    function writeUInt32BE(buffer, value2, offset) {
      return toBuffer(buffer).writeUInt32BE(value2, offset);
    }
    function writeUInt32LE(buffer, value2, offset) {
      return toBuffer(buffer).writeUInt32LE(value2, offset);
    }
    module.exports = {
      isBuffer,
      isEncoding,
      alloc,
      allocUnsafe,
      allocUnsafeSlow,
      byteLength,
      compare: compare2,
      concat,
      copy,
      equals,
      fill,
      from,
      includes,
      indexOf,
      lastIndexOf,
      swap16,
      swap32,
      swap64,
      toBuffer,
      toString,
      toHex,
      write,
      readDoubleBE,
      readDoubleLE,
      readFloatBE,
      readFloatLE,
      readInt32BE,
      readInt32LE,
      readUInt32BE,
      readUInt32LE,
      writeDoubleBE,
      writeDoubleLE,
      writeFloatBE,
      writeFloatLE,
      writeInt32BE,
      writeInt32LE,
      writeUInt32BE,
      writeUInt32LE
    };
  }
});

// node_modules/text-decoder/lib/pass-through-decoder.js
var require_pass_through_decoder = __commonJS({
  "node_modules/text-decoder/lib/pass-through-decoder.js"(exports, module) {
    var b4a = require_b4a();
    module.exports = class PassThroughDecoder {
      constructor(encoding) {
        this.encoding = encoding;
      }
      get remaining() {
        return 0;
      }
      decode(data) {
        return b4a.toString(data, this.encoding);
      }
      flush() {
        return "";
      }
    };
  }
});

// node_modules/text-decoder/lib/utf8-decoder.js
var require_utf8_decoder = __commonJS({
  "node_modules/text-decoder/lib/utf8-decoder.js"(exports, module) {
    var b4a = require_b4a();
    module.exports = class UTF8Decoder {
      constructor() {
        this._reset();
      }
      get remaining() {
        return this.bytesSeen;
      }
      decode(data) {
        if (data.byteLength === 0) return "";
        if (this.bytesNeeded === 0 && trailingIncomplete(data, 0) === 0) {
          this.bytesSeen = trailingBytesSeen(data);
          return b4a.toString(data, "utf8");
        }
        let result = "";
        let start = 0;
        if (this.bytesNeeded > 0) {
          while (start < data.byteLength) {
            const byte = data[start];
            if (byte < this.lowerBoundary || byte > this.upperBoundary) {
              result += "�";
              this._reset();
              break;
            }
            this.lowerBoundary = 128;
            this.upperBoundary = 191;
            this.codePoint = this.codePoint << 6 | byte & 63;
            this.bytesSeen++;
            start++;
            if (this.bytesSeen === this.bytesNeeded) {
              result += String.fromCodePoint(this.codePoint);
              this._reset();
              break;
            }
          }
          if (this.bytesNeeded > 0) return result;
        }
        const trailing = trailingIncomplete(data, start);
        const end = data.byteLength - trailing;
        if (end > start) result += b4a.toString(data, "utf8", start, end);
        for (let i = end; i < data.byteLength; i++) {
          const byte = data[i];
          if (this.bytesNeeded === 0) {
            if (byte <= 127) {
              this.bytesSeen = 0;
              result += String.fromCharCode(byte);
            } else if (byte >= 194 && byte <= 223) {
              this.bytesNeeded = 2;
              this.bytesSeen = 1;
              this.codePoint = byte & 31;
            } else if (byte >= 224 && byte <= 239) {
              if (byte === 224) this.lowerBoundary = 160;
              else if (byte === 237) this.upperBoundary = 159;
              this.bytesNeeded = 3;
              this.bytesSeen = 1;
              this.codePoint = byte & 15;
            } else if (byte >= 240 && byte <= 244) {
              if (byte === 240) this.lowerBoundary = 144;
              else if (byte === 244) this.upperBoundary = 143;
              this.bytesNeeded = 4;
              this.bytesSeen = 1;
              this.codePoint = byte & 7;
            } else {
              this.bytesSeen = 1;
              result += "�";
            }
            continue;
          }
          if (byte < this.lowerBoundary || byte > this.upperBoundary) {
            result += "�";
            i--;
            this._reset();
            continue;
          }
          this.lowerBoundary = 128;
          this.upperBoundary = 191;
          this.codePoint = this.codePoint << 6 | byte & 63;
          this.bytesSeen++;
          if (this.bytesSeen === this.bytesNeeded) {
            result += String.fromCodePoint(this.codePoint);
            this._reset();
          }
        }
        return result;
      }
      flush() {
        const result = this.bytesNeeded > 0 ? "�" : "";
        this._reset();
        return result;
      }
      _reset() {
        this.codePoint = 0;
        this.bytesNeeded = 0;
        this.bytesSeen = 0;
        this.lowerBoundary = 128;
        this.upperBoundary = 191;
      }
    };
    function trailingIncomplete(data, start) {
      const len = data.byteLength;
      if (len <= start) return 0;
      const limit = Math.max(start, len - 4);
      let i = len - 1;
      while (i > limit && (data[i] & 192) === 128) i--;
      if (i < start) return 0;
      const byte = data[i];
      let needed;
      if (byte <= 127) return 0;
      if (byte >= 194 && byte <= 223) needed = 2;
      else if (byte >= 224 && byte <= 239) needed = 3;
      else if (byte >= 240 && byte <= 244) needed = 4;
      else return 0;
      const available = len - i;
      return available < needed ? available : 0;
    }
    function trailingBytesSeen(data) {
      const len = data.byteLength;
      if (len === 0) return 0;
      const last = data[len - 1];
      if (last <= 127) return 0;
      if ((last & 192) !== 128) return 1;
      const limit = Math.max(0, len - 4);
      let i = len - 2;
      while (i >= limit && (data[i] & 192) === 128) i--;
      if (i < 0) return 1;
      const first = data[i];
      let needed;
      if (first >= 194 && first <= 223) needed = 2;
      else if (first >= 224 && first <= 239) needed = 3;
      else if (first >= 240 && first <= 244) needed = 4;
      else return 1;
      if (len - i !== needed) return 1;
      if (needed >= 3) {
        const second = data[i + 1];
        if (first === 224 && second < 160) return 1;
        if (first === 237 && second > 159) return 1;
        if (first === 240 && second < 144) return 1;
        if (first === 244 && second > 143) return 1;
      }
      return 0;
    }
  }
});

// node_modules/text-decoder/index.js
var require_text_decoder = __commonJS({
  "node_modules/text-decoder/index.js"(exports, module) {
    var PassThroughDecoder = require_pass_through_decoder();
    var UTF8Decoder = require_utf8_decoder();
    module.exports = class TextDecoder {
      constructor(encoding = "utf8") {
        this.encoding = normalizeEncoding(encoding);
        switch (this.encoding) {
          case "utf8":
            this.decoder = new UTF8Decoder();
            break;
          case "utf16le":
          case "base64":
            throw new Error("Unsupported encoding: " + this.encoding);
          default:
            this.decoder = new PassThroughDecoder(this.encoding);
        }
      }
      get remaining() {
        return this.decoder.remaining;
      }
      push(data) {
        if (typeof data === "string") return data;
        return this.decoder.decode(data);
      }
      // For Node.js compatibility
      write(data) {
        return this.push(data);
      }
      end(data) {
        let result = "";
        if (data) result = this.push(data);
        result += this.decoder.flush();
        return result;
      }
    };
    function normalizeEncoding(encoding) {
      encoding = encoding.toLowerCase();
      switch (encoding) {
        case "utf8":
        case "utf-8":
          return "utf8";
        case "ucs2":
        case "ucs-2":
        case "utf16le":
        case "utf-16le":
          return "utf16le";
        case "latin1":
        case "binary":
          return "latin1";
        case "base64":
        case "ascii":
        case "hex":
          return encoding;
        default:
          throw new Error("Unknown encoding: " + encoding);
      }
    }
  }
});

// node_modules/streamx/lib/errors.js
var require_errors = __commonJS({
  "node_modules/streamx/lib/errors.js"(exports, module) {
    module.exports = class StreamError extends Error {
      constructor(msg, code3, fn = StreamError) {
        super(msg);
        this.code = code3;
        if (Error.captureStackTrace) {
          Error.captureStackTrace(this, fn);
        }
      }
      static isStreamDestroyed(err) {
        return err && err.code === "STREAM_DESTROYED";
      }
      static isPrematureClose(err) {
        return err && err.code === "PREMATURE_CLOSE";
      }
      static isAborted(err) {
        return err && err.code === "ABORTED";
      }
      static isBadArgument(err) {
        return err && err.code === "BAD_ARGUMENT";
      }
      get name() {
        return "StreamError";
      }
      static STREAM_DESTROYED() {
        return new StreamError("Stream was destroyed", "STREAM_DESTROYED", StreamError.STREAM_DESTROYED);
      }
      static PREMATURE_CLOSE(msg = "Premature close") {
        return new StreamError(msg, "PREMATURE_CLOSE", StreamError.PREMATURE_CLOSE);
      }
      static ABORTED() {
        return new StreamError("Stream aborted", "ABORTED", StreamError.ABORTED);
      }
      static BAD_ARGUMENT(msg = "Bad argument") {
        return new StreamError(msg, "BAD_ARGUMENT", StreamError.BAD_ARGUMENT);
      }
    };
  }
});

// node_modules/streamx/index.js
var require_streamx = __commonJS({
  "node_modules/streamx/index.js"(exports, module) {
    var { EventEmitter } = require_default();
    var FIFO = require_fast_fifo();
    var TextDecoder = require_text_decoder();
    var StreamError = require_errors();
    var qmt = typeof queueMicrotask === "undefined" ? (fn) => global.process.nextTick(fn) : queueMicrotask;
    var MAX = (1 << 29) - 1;
    var OPENING = 1;
    var PREDESTROYING = 2;
    var DESTROYING = 4;
    var DESTROYED = 8;
    var NOT_OPENING = MAX ^ OPENING;
    var NOT_PREDESTROYING = MAX ^ PREDESTROYING;
    var READ_ACTIVE = 1 << 4;
    var READ_UPDATING = 2 << 4;
    var READ_PRIMARY = 4 << 4;
    var READ_QUEUED = 8 << 4;
    var READ_RESUMED = 16 << 4;
    var READ_PIPE_DRAINED = 32 << 4;
    var READ_ENDING = 64 << 4;
    var READ_EMIT_DATA = 128 << 4;
    var READ_EMIT_READABLE = 256 << 4;
    var READ_EMITTED_READABLE = 512 << 4;
    var READ_DONE = 1024 << 4;
    var READ_NEXT_TICK = 2048 << 4;
    var READ_NEEDS_PUSH = 4096 << 4;
    var READ_READ_AHEAD = 8192 << 4;
    var READ_FLOWING = READ_RESUMED | READ_PIPE_DRAINED;
    var READ_ACTIVE_AND_NEEDS_PUSH = READ_ACTIVE | READ_NEEDS_PUSH;
    var READ_PRIMARY_AND_ACTIVE = READ_PRIMARY | READ_ACTIVE;
    var READ_EMIT_READABLE_AND_QUEUED = READ_EMIT_READABLE | READ_QUEUED;
    var READ_RESUMED_READ_AHEAD = READ_RESUMED | READ_READ_AHEAD;
    var READ_NOT_ACTIVE = MAX ^ READ_ACTIVE;
    var READ_NON_PRIMARY = MAX ^ READ_PRIMARY;
    var READ_NON_PRIMARY_AND_PUSHED = MAX ^ (READ_PRIMARY | READ_NEEDS_PUSH);
    var READ_PUSHED = MAX ^ READ_NEEDS_PUSH;
    var READ_PAUSED = MAX ^ READ_RESUMED;
    var READ_NOT_QUEUED = MAX ^ (READ_QUEUED | READ_EMITTED_READABLE);
    var READ_NOT_ENDING = MAX ^ READ_ENDING;
    var READ_PIPE_NOT_DRAINED = MAX ^ READ_FLOWING;
    var READ_NOT_NEXT_TICK = MAX ^ READ_NEXT_TICK;
    var READ_NOT_UPDATING = MAX ^ READ_UPDATING;
    var READ_NO_READ_AHEAD = MAX ^ READ_READ_AHEAD;
    var READ_PAUSED_NO_READ_AHEAD = MAX ^ READ_RESUMED_READ_AHEAD;
    var WRITE_ACTIVE = 1 << 18;
    var WRITE_UPDATING = 2 << 18;
    var WRITE_PRIMARY = 4 << 18;
    var WRITE_QUEUED = 8 << 18;
    var WRITE_UNDRAINED = 16 << 18;
    var WRITE_DONE = 32 << 18;
    var WRITE_EMIT_DRAIN = 64 << 18;
    var WRITE_NEXT_TICK = 128 << 18;
    var WRITE_WRITING = 256 << 18;
    var WRITE_FINISHING = 512 << 18;
    var WRITE_CORKED = 1024 << 18;
    var WRITE_NOT_ACTIVE = MAX ^ (WRITE_ACTIVE | WRITE_WRITING);
    var WRITE_NON_PRIMARY = MAX ^ WRITE_PRIMARY;
    var WRITE_NOT_FINISHING = MAX ^ (WRITE_ACTIVE | WRITE_FINISHING);
    var WRITE_DRAINED = MAX ^ WRITE_UNDRAINED;
    var WRITE_NOT_QUEUED = MAX ^ WRITE_QUEUED;
    var WRITE_NOT_NEXT_TICK = MAX ^ WRITE_NEXT_TICK;
    var WRITE_NOT_UPDATING = MAX ^ WRITE_UPDATING;
    var WRITE_NOT_CORKED = MAX ^ WRITE_CORKED;
    var ACTIVE = READ_ACTIVE | WRITE_ACTIVE;
    var NOT_ACTIVE = MAX ^ ACTIVE;
    var DONE = READ_DONE | WRITE_DONE;
    var DESTROY_STATUS = DESTROYING | DESTROYED | PREDESTROYING;
    var OPEN_STATUS = DESTROY_STATUS | OPENING;
    var AUTO_DESTROY = DESTROY_STATUS | DONE;
    var NON_PRIMARY = WRITE_NON_PRIMARY & READ_NON_PRIMARY;
    var ACTIVE_OR_TICKING = WRITE_NEXT_TICK | READ_NEXT_TICK;
    var TICKING = ACTIVE_OR_TICKING & NOT_ACTIVE;
    var IS_OPENING = OPEN_STATUS | TICKING;
    var READ_PRIMARY_STATUS = OPEN_STATUS | READ_ENDING | READ_DONE;
    var READ_STATUS = OPEN_STATUS | READ_DONE | READ_QUEUED;
    var READ_ENDING_STATUS = OPEN_STATUS | READ_ENDING | READ_QUEUED;
    var READ_READABLE_STATUS = OPEN_STATUS | READ_EMIT_READABLE | READ_QUEUED | READ_EMITTED_READABLE;
    var SHOULD_NOT_READ = OPEN_STATUS | READ_ACTIVE | READ_ENDING | READ_DONE | READ_NEEDS_PUSH | READ_READ_AHEAD;
    var READ_BACKPRESSURE_STATUS = DESTROY_STATUS | READ_ENDING | READ_DONE;
    var READ_UPDATE_SYNC_STATUS = READ_UPDATING | OPEN_STATUS | READ_NEXT_TICK | READ_PRIMARY;
    var READ_NEXT_TICK_OR_OPENING = READ_NEXT_TICK | OPENING;
    var WRITE_PRIMARY_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_DONE;
    var WRITE_QUEUED_AND_UNDRAINED = WRITE_QUEUED | WRITE_UNDRAINED;
    var WRITE_QUEUED_AND_ACTIVE = WRITE_QUEUED | WRITE_ACTIVE;
    var WRITE_DRAIN_STATUS = WRITE_QUEUED | WRITE_UNDRAINED | OPEN_STATUS | WRITE_ACTIVE;
    var WRITE_STATUS = OPEN_STATUS | WRITE_ACTIVE | WRITE_QUEUED | WRITE_CORKED;
    var WRITE_PRIMARY_AND_ACTIVE = WRITE_PRIMARY | WRITE_ACTIVE;
    var WRITE_ACTIVE_AND_WRITING = WRITE_ACTIVE | WRITE_WRITING;
    var WRITE_FINISHING_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_QUEUED_AND_ACTIVE | WRITE_DONE;
    var WRITE_BACKPRESSURE_STATUS = WRITE_UNDRAINED | DESTROY_STATUS | WRITE_FINISHING | WRITE_DONE;
    var WRITE_UPDATE_SYNC_STATUS = WRITE_UPDATING | OPEN_STATUS | WRITE_NEXT_TICK | WRITE_PRIMARY;
    var WRITE_DROP_DATA = WRITE_FINISHING | WRITE_DONE | DESTROY_STATUS;
    var asyncIterator = Symbol.asyncIterator || /* @__PURE__ */ Symbol("asyncIterator");
    var WritableState = class {
      constructor(stream, { highWaterMark = 16384, map = null, mapWritable, byteLength, byteLengthWritable } = {}) {
        this.stream = stream;
        this.queue = new FIFO();
        this.highWaterMark = highWaterMark;
        this.buffered = 0;
        this.error = null;
        this.pipeline = null;
        this.drains = null;
        this.byteLength = byteLengthWritable || byteLength || defaultByteLength;
        this.map = mapWritable || map;
        this.afterWrite = afterWrite.bind(this);
        this.afterUpdateNextTick = updateWriteNT.bind(this);
      }
      get ending() {
        return (this.stream._duplexState & WRITE_FINISHING) !== 0;
      }
      get ended() {
        return (this.stream._duplexState & WRITE_DONE) !== 0;
      }
      push(data) {
        if ((this.stream._duplexState & WRITE_DROP_DATA) !== 0) return false;
        if (this.map !== null) data = this.map(data);
        this.buffered += this.byteLength(data);
        this.queue.push(data);
        if (this.buffered < this.highWaterMark) {
          this.stream._duplexState |= WRITE_QUEUED;
          return true;
        }
        this.stream._duplexState |= WRITE_QUEUED_AND_UNDRAINED;
        return false;
      }
      shift() {
        const data = this.queue.shift();
        this.buffered -= this.byteLength(data);
        if (this.buffered === 0) this.stream._duplexState &= WRITE_NOT_QUEUED;
        return data;
      }
      end(data) {
        if (typeof data === "function") {
          this.stream.once("finish", data);
        } else if (data !== void 0 && data !== null) {
          this.push(data);
        }
        this.stream._duplexState = (this.stream._duplexState | WRITE_FINISHING) & WRITE_NON_PRIMARY;
      }
      autoBatch(data, cb) {
        const buffer = [];
        const stream = this.stream;
        buffer.push(data);
        while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED_AND_ACTIVE) {
          buffer.push(stream._writableState.shift());
        }
        if ((stream._duplexState & OPEN_STATUS) !== 0) return cb(null);
        stream._writev(buffer, cb);
      }
      update() {
        const stream = this.stream;
        stream._duplexState |= WRITE_UPDATING;
        do {
          while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED) {
            const data = this.shift();
            stream._duplexState |= WRITE_ACTIVE_AND_WRITING;
            stream._write(data, this.afterWrite);
          }
          if ((stream._duplexState & WRITE_PRIMARY_AND_ACTIVE) === 0) this.updateNonPrimary();
        } while (this.continueUpdate() === true);
        stream._duplexState &= WRITE_NOT_UPDATING;
      }
      updateNonPrimary() {
        const stream = this.stream;
        if ((stream._duplexState & WRITE_FINISHING_STATUS) === WRITE_FINISHING) {
          stream._duplexState = stream._duplexState | WRITE_ACTIVE;
          stream._final(afterFinal.bind(this));
          return;
        }
        if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
          if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
            stream._duplexState |= ACTIVE;
            stream._destroy(afterDestroy.bind(this));
          }
          return;
        }
        if ((stream._duplexState & IS_OPENING) === OPENING) {
          stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING;
          stream._open(afterOpen.bind(this));
        }
      }
      continueUpdate() {
        if ((this.stream._duplexState & WRITE_NEXT_TICK) === 0) return false;
        this.stream._duplexState &= WRITE_NOT_NEXT_TICK;
        return true;
      }
      updateCallback() {
        if ((this.stream._duplexState & WRITE_UPDATE_SYNC_STATUS) === WRITE_PRIMARY) {
          this.update();
        } else {
          this.updateNextTick();
        }
      }
      updateNextTick() {
        if ((this.stream._duplexState & WRITE_NEXT_TICK) !== 0) return;
        this.stream._duplexState |= WRITE_NEXT_TICK;
        if ((this.stream._duplexState & WRITE_UPDATING) === 0) qmt(this.afterUpdateNextTick);
      }
    };
    var ReadableState = class {
      constructor(stream, { highWaterMark = 16384, map = null, mapReadable, byteLength, byteLengthReadable } = {}) {
        this.stream = stream;
        this.queue = new FIFO();
        this.highWaterMark = highWaterMark === 0 ? 1 : highWaterMark;
        this.buffered = 0;
        this.readAhead = highWaterMark > 0;
        this.error = null;
        this.pipeline = null;
        this.byteLength = byteLengthReadable || byteLength || defaultByteLength;
        this.map = mapReadable || map;
        this.pipeTo = null;
        this.afterRead = afterRead.bind(this);
        this.afterUpdateNextTick = updateReadNT.bind(this);
      }
      get ending() {
        return (this.stream._duplexState & READ_ENDING) !== 0;
      }
      get ended() {
        return (this.stream._duplexState & READ_DONE) !== 0;
      }
      pipe(pipeTo, cb) {
        if (this.pipeTo !== null) throw StreamError.BAD_ARGUMENT("Can only pipe to one destination");
        if (typeof cb !== "function") cb = null;
        this.stream._duplexState |= READ_PIPE_DRAINED;
        this.pipeTo = pipeTo;
        this.pipeline = new Pipeline(this.stream, pipeTo, cb);
        if (cb) this.stream.on("error", noop);
        if (isStreamx(pipeTo)) {
          pipeTo._writableState.pipeline = this.pipeline;
          if (cb) pipeTo.on("error", noop);
          pipeTo.on("finish", this.pipeline.finished.bind(this.pipeline));
        } else {
          const onerror = this.pipeline.done.bind(this.pipeline, pipeTo);
          const onclose = this.pipeline.done.bind(this.pipeline, pipeTo, null);
          pipeTo.on("error", onerror);
          pipeTo.on("close", onclose);
          pipeTo.on("finish", this.pipeline.finished.bind(this.pipeline));
        }
        pipeTo.on("drain", afterDrain.bind(this));
        this.stream.emit("piping", pipeTo);
        pipeTo.emit("pipe", this.stream);
      }
      push(data) {
        const stream = this.stream;
        if (data === null) {
          this.highWaterMark = 0;
          stream._duplexState = (stream._duplexState | READ_ENDING) & READ_NON_PRIMARY_AND_PUSHED;
          return false;
        }
        if (this.map !== null) {
          data = this.map(data);
          if (data === null) {
            stream._duplexState &= READ_PUSHED;
            return this.buffered < this.highWaterMark;
          }
        }
        this.buffered += this.byteLength(data);
        this.queue.push(data);
        stream._duplexState = (stream._duplexState | READ_QUEUED) & READ_PUSHED;
        return this.buffered < this.highWaterMark;
      }
      shift() {
        const data = this.queue.shift();
        this.buffered -= this.byteLength(data);
        if (this.buffered === 0) {
          this.stream._duplexState &= READ_NOT_QUEUED;
        }
        return data;
      }
      unshift(data) {
        const pending = [this.map !== null ? this.map(data) : data];
        while (this.buffered > 0) pending.push(this.shift());
        for (let i = 0; i < pending.length - 1; i++) {
          const data2 = pending[i];
          this.buffered += this.byteLength(data2);
          this.queue.push(data2);
        }
        this.push(pending[pending.length - 1]);
      }
      read() {
        const stream = this.stream;
        if ((stream._duplexState & READ_STATUS) === READ_QUEUED) {
          const data = this.shift();
          if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
            stream._duplexState &= READ_PIPE_NOT_DRAINED;
          }
          if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
            stream.emit("data", data);
          }
          return data;
        }
        if (this.readAhead === false) {
          stream._duplexState |= READ_READ_AHEAD;
          this.updateNextTick();
        }
        return null;
      }
      drain() {
        const stream = this.stream;
        while ((stream._duplexState & READ_STATUS) === READ_QUEUED && (stream._duplexState & READ_FLOWING) !== 0) {
          const data = this.shift();
          if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
            stream._duplexState &= READ_PIPE_NOT_DRAINED;
          }
          if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
            stream.emit("data", data);
          }
        }
      }
      update() {
        const stream = this.stream;
        stream._duplexState |= READ_UPDATING;
        do {
          this.drain();
          while (this.buffered < this.highWaterMark && (stream._duplexState & SHOULD_NOT_READ) === READ_READ_AHEAD) {
            stream._duplexState |= READ_ACTIVE_AND_NEEDS_PUSH;
            stream._read(this.afterRead);
            this.drain();
          }
          if ((stream._duplexState & READ_READABLE_STATUS) === READ_EMIT_READABLE_AND_QUEUED) {
            stream._duplexState |= READ_EMITTED_READABLE;
            stream.emit("readable");
          }
          if ((stream._duplexState & READ_PRIMARY_AND_ACTIVE) === 0) {
            this.updateNonPrimary();
          }
        } while (this.continueUpdate() === true);
        stream._duplexState &= READ_NOT_UPDATING;
      }
      updateNonPrimary() {
        const stream = this.stream;
        if ((stream._duplexState & READ_ENDING_STATUS) === READ_ENDING) {
          stream._duplexState = (stream._duplexState | READ_DONE) & READ_NOT_ENDING;
          stream.emit("end");
          if ((stream._duplexState & AUTO_DESTROY) === DONE) {
            stream._duplexState |= DESTROYING;
          }
          if (this.pipeTo !== null) {
            this.pipeTo.end();
          }
        }
        if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
          if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
            stream._duplexState |= ACTIVE;
            stream._destroy(afterDestroy.bind(this));
          }
          return;
        }
        if ((stream._duplexState & IS_OPENING) === OPENING) {
          stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING;
          stream._open(afterOpen.bind(this));
        }
      }
      continueUpdate() {
        if ((this.stream._duplexState & READ_NEXT_TICK) === 0) return false;
        this.stream._duplexState &= READ_NOT_NEXT_TICK;
        return true;
      }
      updateCallback() {
        if ((this.stream._duplexState & READ_UPDATE_SYNC_STATUS) === READ_PRIMARY) {
          this.update();
        } else {
          this.updateNextTick();
        }
      }
      updateNextTickIfOpen() {
        if ((this.stream._duplexState & READ_NEXT_TICK_OR_OPENING) !== 0) return;
        this.stream._duplexState |= READ_NEXT_TICK;
        if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick);
      }
      updateNextTick() {
        if ((this.stream._duplexState & READ_NEXT_TICK) !== 0) return;
        this.stream._duplexState |= READ_NEXT_TICK;
        if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick);
      }
    };
    var TransformState = class {
      constructor(stream) {
        this.data = null;
        this.afterTransform = afterTransform.bind(stream);
        this.afterFinal = null;
      }
    };
    var Pipeline = class {
      constructor(src, dst, cb) {
        this.from = src;
        this.to = dst;
        this.afterPipe = cb;
        this.error = null;
        this.pipeToFinished = false;
      }
      finished() {
        this.pipeToFinished = true;
      }
      done(stream, err) {
        if (err) this.error = err;
        if (stream === this.to) {
          this.to = null;
          if (this.from !== null) {
            if ((this.from._duplexState & READ_DONE) === 0 || !this.pipeToFinished) {
              this.from.destroy(this.error || StreamError.PREMATURE_CLOSE("Writable stream closed"));
            }
            return;
          }
        }
        if (stream === this.from) {
          this.from = null;
          if (this.to !== null) {
            if ((stream._duplexState & READ_DONE) === 0) {
              this.to.destroy(this.error || StreamError.PREMATURE_CLOSE("Readable stream closed"));
            }
            return;
          }
        }
        if (this.afterPipe !== null) this.afterPipe(this.error);
        this.to = this.from = this.afterPipe = null;
      }
    };
    function afterDrain() {
      this.stream._duplexState |= READ_PIPE_DRAINED;
      this.updateCallback();
    }
    function afterFinal(err) {
      const stream = this.stream;
      if (err) stream.destroy(err);
      if ((stream._duplexState & DESTROY_STATUS) === 0) {
        stream._duplexState |= WRITE_DONE;
        stream.emit("finish");
      }
      if ((stream._duplexState & AUTO_DESTROY) === DONE) {
        stream._duplexState |= DESTROYING;
      }
      stream._duplexState &= WRITE_NOT_FINISHING;
      if ((stream._duplexState & WRITE_UPDATING) === 0) {
        this.update();
      } else {
        this.updateNextTick();
      }
    }
    function afterDestroy(err) {
      const stream = this.stream;
      if (!err && !StreamError.isStreamDestroyed(this.error)) err = this.error;
      if (err) stream.emit("error", err);
      stream._duplexState |= DESTROYED;
      stream.emit("close");
      const rs = stream._readableState;
      const ws = stream._writableState;
      if (rs !== null && rs.pipeline !== null) {
        rs.pipeline.done(stream, err);
      }
      if (ws !== null) {
        while (ws.drains !== null && ws.drains.length > 0) {
          ws.drains.shift().resolve(false);
        }
        if (ws.pipeline !== null) {
          ws.pipeline.done(stream, err);
        }
      }
    }
    function afterWrite(err) {
      const stream = this.stream;
      if (err) stream.destroy(err);
      stream._duplexState &= WRITE_NOT_ACTIVE;
      if (this.drains !== null) tickDrains(this.drains);
      if ((stream._duplexState & WRITE_DRAIN_STATUS) === WRITE_UNDRAINED) {
        stream._duplexState &= WRITE_DRAINED;
        if ((stream._duplexState & WRITE_EMIT_DRAIN) === WRITE_EMIT_DRAIN) {
          stream.emit("drain");
        }
      }
      this.updateCallback();
    }
    function afterRead(err) {
      if (err) this.stream.destroy(err);
      this.stream._duplexState &= READ_NOT_ACTIVE;
      if (this.readAhead === false && (this.stream._duplexState & READ_RESUMED) === 0) {
        this.stream._duplexState &= READ_NO_READ_AHEAD;
      }
      this.updateCallback();
    }
    function updateReadNT() {
      if ((this.stream._duplexState & READ_UPDATING) === 0) {
        this.stream._duplexState &= READ_NOT_NEXT_TICK;
        this.update();
      }
    }
    function updateWriteNT() {
      if ((this.stream._duplexState & WRITE_UPDATING) === 0) {
        this.stream._duplexState &= WRITE_NOT_NEXT_TICK;
        this.update();
      }
    }
    function tickDrains(drains) {
      for (let i = 0; i < drains.length; i++) {
        if (--drains[i].writes === 0) {
          drains.shift().resolve(true);
          i--;
        }
      }
    }
    function afterOpen(err) {
      const stream = this.stream;
      if (err) stream.destroy(err);
      if ((stream._duplexState & DESTROYING) === 0) {
        if ((stream._duplexState & READ_PRIMARY_STATUS) === 0) {
          stream._duplexState |= READ_PRIMARY;
        }
        if ((stream._duplexState & WRITE_PRIMARY_STATUS) === 0) {
          stream._duplexState |= WRITE_PRIMARY;
        }
        stream.emit("open");
      }
      stream._duplexState &= NOT_ACTIVE;
      if (stream._writableState !== null) {
        stream._writableState.updateCallback();
      }
      if (stream._readableState !== null) {
        stream._readableState.updateCallback();
      }
    }
    function afterTransform(err, data) {
      if (data !== void 0 && data !== null) this.push(data);
      this._writableState.afterWrite(err);
    }
    function newListener(name) {
      if (this._readableState !== null) {
        if (name === "data") {
          this._duplexState |= READ_EMIT_DATA | READ_RESUMED_READ_AHEAD;
          this._readableState.updateNextTick();
        }
        if (name === "readable") {
          this._duplexState |= READ_EMIT_READABLE;
          this._readableState.updateNextTick();
        }
      }
      if (this._writableState !== null) {
        if (name === "drain") {
          this._duplexState |= WRITE_EMIT_DRAIN;
          this._writableState.updateNextTick();
        }
      }
    }
    var Stream = class extends EventEmitter {
      constructor(opts) {
        super();
        this._duplexState = 0;
        this._readableState = null;
        this._writableState = null;
        if (opts) {
          if (opts.open) this._open = opts.open;
          if (opts.destroy) this._destroy = opts.destroy;
          if (opts.predestroy) this._predestroy = opts.predestroy;
          if (opts.signal) opts.signal.addEventListener("abort", abort.bind(this));
        }
        this.on("newListener", newListener);
      }
      _open(cb) {
        cb(null);
      }
      _destroy(cb) {
        cb(null);
      }
      _predestroy() {
      }
      get readable() {
        return this._readableState !== null ? true : void 0;
      }
      get writable() {
        return this._writableState !== null ? true : void 0;
      }
      get destroyed() {
        return (this._duplexState & DESTROYED) !== 0;
      }
      get destroying() {
        return (this._duplexState & DESTROY_STATUS) !== 0;
      }
      destroy(err) {
        if ((this._duplexState & DESTROY_STATUS) === 0) {
          if (!err) err = StreamError.STREAM_DESTROYED();
          this._duplexState = (this._duplexState | DESTROYING) & NON_PRIMARY;
          if (this._readableState !== null) {
            this._readableState.highWaterMark = 0;
            this._readableState.error = err;
          }
          if (this._writableState !== null) {
            this._writableState.highWaterMark = 0;
            this._writableState.error = err;
          }
          this._duplexState |= PREDESTROYING;
          this._predestroy();
          this._duplexState &= NOT_PREDESTROYING;
          if (this._readableState !== null) {
            this._readableState.updateNextTick();
          }
          if (this._writableState !== null) {
            this._writableState.updateNextTick();
          }
        }
      }
    };
    var Readable2 = class _Readable extends Stream {
      constructor(opts) {
        super(opts);
        this._duplexState |= OPENING | WRITE_DONE | READ_READ_AHEAD;
        this._readableState = new ReadableState(this, opts);
        if (opts) {
          if (this._readableState.readAhead === false) this._duplexState &= READ_NO_READ_AHEAD;
          if (opts.read) this._read = opts.read;
          if (opts.eagerOpen) this._readableState.updateNextTick();
          if (opts.encoding) this.setEncoding(opts.encoding);
        }
      }
      static deferred(fn, opts) {
        const out = new PassThrough(opts);
        fn().then((src) => {
          if (src === null) return out.end();
          if (out.destroying) return;
          pipeline2(src, out, noop);
        }).catch((err) => out.destroy(err));
        return out;
      }
      setEncoding(encoding) {
        const dec = new TextDecoder(encoding);
        const map = this._readableState.map || echo;
        this._readableState.map = mapOrSkip;
        return this;
        function mapOrSkip(data) {
          const next = dec.push(data);
          return next === "" && (data.byteLength !== 0 || dec.remaining > 0) ? null : map(next);
        }
      }
      _read(cb) {
        cb(null);
      }
      pipe(dest, cb) {
        this._readableState.updateNextTick();
        this._readableState.pipe(dest, cb);
        return dest;
      }
      read() {
        this._readableState.updateNextTick();
        return this._readableState.read();
      }
      push(data) {
        this._readableState.updateNextTickIfOpen();
        return this._readableState.push(data);
      }
      unshift(data) {
        this._readableState.updateNextTickIfOpen();
        return this._readableState.unshift(data);
      }
      resume() {
        this._duplexState |= READ_RESUMED_READ_AHEAD;
        this._readableState.updateNextTick();
        return this;
      }
      pause() {
        this._duplexState &= this._readableState.readAhead === false ? READ_PAUSED_NO_READ_AHEAD : READ_PAUSED;
        return this;
      }
      static _fromAsyncIterator(ite, opts) {
        let destroy;
        const rs = new _Readable({
          ...opts,
          read(cb) {
            ite.next().then(push).then(cb.bind(null, null)).catch(cb);
          },
          predestroy() {
            destroy = ite.return();
          },
          destroy(cb) {
            if (!destroy) return cb(null);
            destroy.then(cb.bind(null, null)).catch(cb);
          }
        });
        return rs;
        function push(data) {
          if (data.done) rs.push(null);
          else rs.push(data.value);
        }
      }
      static from(data, opts) {
        if (isReadStreamx(data)) return data;
        if (data[asyncIterator]) return this._fromAsyncIterator(data[asyncIterator](), opts);
        if (!Array.isArray(data)) data = data === void 0 ? [] : [data];
        let i = 0;
        return new _Readable({
          ...opts,
          read(cb) {
            this.push(i === data.length ? null : data[i++]);
            cb(null);
          }
        });
      }
      static isBackpressured(rs) {
        return (rs._duplexState & READ_BACKPRESSURE_STATUS) !== 0 || rs._readableState.buffered >= rs._readableState.highWaterMark;
      }
      static isPaused(rs) {
        return (rs._duplexState & READ_RESUMED) === 0;
      }
      [asyncIterator]() {
        const stream = this;
        let error = null;
        let promiseResolve = null;
        let promiseReject = null;
        this.on("error", (err) => {
          error = err;
        });
        this.on("readable", onreadable);
        this.on("close", onclose);
        return {
          [asyncIterator]() {
            return this;
          },
          next() {
            return new Promise(function(resolve2, reject) {
              promiseResolve = resolve2;
              promiseReject = reject;
              const data = stream.read();
              if (data !== null) ondata(data);
              else if ((stream._duplexState & DESTROYED) !== 0) ondata(null);
            });
          },
          return() {
            return destroy(null);
          },
          throw(err) {
            return destroy(err);
          }
        };
        function onreadable() {
          if (promiseResolve !== null) ondata(stream.read());
        }
        function onclose() {
          if (promiseResolve !== null) ondata(null);
        }
        function ondata(data) {
          if (promiseReject === null) return;
          if (error) {
            promiseReject(error);
          } else if (data === null && (stream._duplexState & READ_DONE) === 0) {
            promiseReject(StreamError.STREAM_DESTROYED());
          } else {
            promiseResolve({ value: data, done: data === null });
          }
          promiseReject = promiseResolve = null;
        }
        function destroy(err) {
          stream.destroy(err);
          return new Promise((resolve2, reject) => {
            if (stream._duplexState & DESTROYED) return resolve2({ value: void 0, done: true });
            stream.once("close", function() {
              if (err) reject(err);
              else resolve2({ value: void 0, done: true });
            });
          });
        }
      }
    };
    var Writable = class extends Stream {
      constructor(opts) {
        super(opts);
        this._duplexState |= OPENING | READ_DONE;
        this._writableState = new WritableState(this, opts);
        if (opts) {
          if (opts.writev) this._writev = opts.writev;
          if (opts.write) this._write = opts.write;
          if (opts.final) this._final = opts.final;
          if (opts.eagerOpen) this._writableState.updateNextTick();
        }
      }
      cork() {
        this._duplexState |= WRITE_CORKED;
      }
      uncork() {
        this._duplexState &= WRITE_NOT_CORKED;
        this._writableState.updateNextTick();
      }
      _writev(batch, cb) {
        cb(null);
      }
      _write(data, cb) {
        this._writableState.autoBatch(data, cb);
      }
      _final(cb) {
        cb(null);
      }
      static isBackpressured(ws) {
        return (ws._duplexState & WRITE_BACKPRESSURE_STATUS) !== 0;
      }
      static drained(ws) {
        if (ws.destroyed) return Promise.resolve(false);
        const state = ws._writableState;
        const pending = isWritev(ws) ? Math.min(1, state.queue.length) : state.queue.length;
        const writes = pending + (ws._duplexState & WRITE_WRITING ? 1 : 0);
        if (writes === 0) return Promise.resolve(true);
        if (state.drains === null) state.drains = [];
        return new Promise((resolve2) => {
          state.drains.push({ writes, resolve: resolve2 });
        });
      }
      write(data) {
        this._writableState.updateNextTick();
        return this._writableState.push(data);
      }
      end(data) {
        this._writableState.updateNextTick();
        this._writableState.end(data);
        return this;
      }
    };
    var Duplex = class extends Readable2 {
      // and Writable
      constructor(opts) {
        super(opts);
        this._duplexState = OPENING | this._duplexState & READ_READ_AHEAD;
        this._writableState = new WritableState(this, opts);
        if (opts) {
          if (opts.writev) this._writev = opts.writev;
          if (opts.write) this._write = opts.write;
          if (opts.final) this._final = opts.final;
        }
      }
      cork() {
        this._duplexState |= WRITE_CORKED;
      }
      uncork() {
        this._duplexState &= WRITE_NOT_CORKED;
        this._writableState.updateNextTick();
      }
      _writev(batch, cb) {
        cb(null);
      }
      _write(data, cb) {
        this._writableState.autoBatch(data, cb);
      }
      _final(cb) {
        cb(null);
      }
      write(data) {
        this._writableState.updateNextTick();
        return this._writableState.push(data);
      }
      end(data) {
        this._writableState.updateNextTick();
        this._writableState.end(data);
        return this;
      }
    };
    var Transform = class extends Duplex {
      constructor(opts) {
        super(opts);
        this._transformState = new TransformState(this);
        if (opts) {
          if (opts.transform) this._transform = opts.transform;
          if (opts.flush) this._flush = opts.flush;
        }
      }
      _write(data, cb) {
        if (this._readableState.buffered >= this._readableState.highWaterMark) {
          this._transformState.data = data;
        } else {
          this._transform(data, this._transformState.afterTransform);
        }
      }
      _read(cb) {
        if (this._transformState.data !== null) {
          const data = this._transformState.data;
          this._transformState.data = null;
          cb(null);
          this._transform(data, this._transformState.afterTransform);
        } else {
          cb(null);
        }
      }
      destroy(err) {
        super.destroy(err);
        if (this._transformState.data !== null) {
          this._transformState.data = null;
          this._transformState.afterTransform();
        }
      }
      _transform(data, cb) {
        cb(null, data);
      }
      _flush(cb) {
        cb(null);
      }
      _final(cb) {
        this._transformState.afterFinal = cb;
        this._flush(transformAfterFlush.bind(this));
      }
    };
    var PassThrough = class extends Transform {
    };
    function transformAfterFlush(err, data) {
      const cb = this._transformState.afterFinal;
      if (err) return cb(err);
      if (data !== null && data !== void 0) this.push(data);
      this.push(null);
      cb(null);
    }
    function pipelinePromise(...streams) {
      return new Promise((resolve2, reject) => {
        return pipeline2(...streams, (err) => {
          if (err) return reject(err);
          resolve2();
        });
      });
    }
    function pipeline2(stream, ...streams) {
      const all = Array.isArray(stream) ? [...stream, ...streams] : [stream, ...streams];
      const done = all.length && typeof all[all.length - 1] === "function" ? all.pop() : null;
      if (all.length < 2) throw StreamError.BAD_ARGUMENT("Pipeline requires at least 2 streams");
      let src = all[0];
      let dest = null;
      let error = null;
      for (let i = 1; i < all.length; i++) {
        dest = all[i];
        if (isStreamx(src)) {
          src.pipe(dest, onerror);
        } else {
          errorHandle(src, true, i > 1, onerror);
          src.pipe(dest);
        }
        src = dest;
      }
      if (done) {
        let fin = false;
        const autoDestroy = isStreamx(dest) || !!(dest._writableState && dest._writableState.autoDestroy);
        dest.on("error", (err) => {
          if (error === null) error = err;
        });
        dest.on("finish", () => {
          fin = true;
          if (!autoDestroy) done(error);
        });
        if (autoDestroy) {
          dest.on("close", () => done(error || (fin ? null : StreamError.PREMATURE_CLOSE())));
        }
      }
      return dest;
      function errorHandle(s, rd, wr, onerror2) {
        s.on("error", onerror2);
        s.on("close", onclose);
        function onclose() {
          if (rd && s._readableState && !s._readableState.ended) {
            return onerror2(StreamError.PREMATURE_CLOSE());
          }
          if (wr && s._writableState && !s._writableState.ended) {
            return onerror2(StreamError.PREMATURE_CLOSE());
          }
        }
      }
      function onerror(err) {
        if (!err || error) return;
        error = err;
        for (const s of all) {
          s.destroy(err);
        }
      }
    }
    function echo(s) {
      return s;
    }
    function isStream(stream) {
      return !!stream._readableState || !!stream._writableState;
    }
    function isStreamx(stream) {
      return typeof stream._duplexState === "number" && isStream(stream);
    }
    function isEnding(stream) {
      return !!stream._readableState && stream._readableState.ending;
    }
    function isEnded(stream) {
      return !!stream._readableState && stream._readableState.ended;
    }
    function isFinishing(stream) {
      return !!stream._writableState && stream._writableState.ending;
    }
    function isFinished(stream) {
      return !!stream._writableState && stream._writableState.ended;
    }
    function getStreamError(stream, opts = {}) {
      const err = stream._readableState && stream._readableState.error || stream._writableState && stream._writableState.error;
      return !opts.all && StreamError.isStreamDestroyed(err) ? null : err;
    }
    function isReadStreamx(stream) {
      return isStreamx(stream) && stream.readable;
    }
    function isDisturbed(stream) {
      return (stream._duplexState & OPENING) !== OPENING || (stream._duplexState & DESTROYING) === DESTROYING || (stream._duplexState & ACTIVE_OR_TICKING) !== 0;
    }
    function isTypedArray(data) {
      return typeof data === "object" && data !== null && typeof data.byteLength === "number";
    }
    function defaultByteLength(data) {
      return isTypedArray(data) ? data.byteLength : 1024;
    }
    function noop() {
    }
    function abort() {
      this.destroy(StreamError.ABORTED());
    }
    function isWritev(s) {
      return s._writev !== Writable.prototype._writev && s._writev !== Duplex.prototype._writev;
    }
    module.exports = {
      pipeline: pipeline2,
      pipelinePromise,
      isStream,
      isStreamx,
      isEnding,
      isEnded,
      isFinishing,
      isFinished,
      isDisturbed,
      getStreamError,
      Stream,
      Writable,
      Readable: Readable2,
      Duplex,
      Transform,
      // Export PassThrough for compatibility with Node.js core's stream module
      PassThrough
    };
  }
});

// node_modules/tar-stream/headers.js
var require_headers = __commonJS({
  "node_modules/tar-stream/headers.js"(exports) {
    var b4a = require_b4a();
    var ZEROS = "0000000000000000000";
    var SEVENS = "7777777777777777777";
    var ZERO_OFFSET = "0".charCodeAt(0);
    var USTAR_MAGIC = b4a.from([117, 115, 116, 97, 114, 0]);
    var USTAR_VER = b4a.from([ZERO_OFFSET, ZERO_OFFSET]);
    var GNU_MAGIC = b4a.from([117, 115, 116, 97, 114, 32]);
    var GNU_VER = b4a.from([32, 0]);
    var MASK = 4095;
    var MAGIC_OFFSET = 257;
    var VERSION_OFFSET = 263;
    exports.decodeLongPath = function decodeLongPath(buf, encoding) {
      return decodeStr(buf, 0, buf.length, encoding);
    };
    exports.encodePax = function encodePax(opts) {
      let result = "";
      if (opts.name) result += addLength(" path=" + opts.name + "\n");
      if (opts.linkname) result += addLength(" linkpath=" + opts.linkname + "\n");
      const pax = opts.pax;
      if (pax) {
        for (const key in pax) {
          result += addLength(" " + key + "=" + pax[key] + "\n");
        }
      }
      return b4a.from(result);
    };
    exports.decodePax = function decodePax(buf) {
      const result = {};
      while (buf.length) {
        let i = 0;
        while (i < buf.length && buf[i] !== 32) i++;
        const len = parseInt(b4a.toString(buf.subarray(0, i)), 10);
        if (!len) return result;
        const b = b4a.toString(buf.subarray(i + 1, len - 1));
        const keyIndex = b.indexOf("=");
        if (keyIndex === -1) return result;
        result[b.slice(0, keyIndex)] = b.slice(keyIndex + 1);
        buf = buf.subarray(len);
      }
      return result;
    };
    exports.encode = function encode(opts) {
      const buf = b4a.alloc(512);
      let name = opts.name;
      let prefix = "";
      if (opts.typeflag === 5 && name[name.length - 1] !== "/") name += "/";
      if (b4a.byteLength(name) !== name.length) return null;
      while (b4a.byteLength(name) > 100) {
        const i = name.indexOf("/");
        if (i === -1) return null;
        prefix += prefix ? "/" + name.slice(0, i) : name.slice(0, i);
        name = name.slice(i + 1);
      }
      if (b4a.byteLength(name) > 100 || b4a.byteLength(prefix) > 155) return null;
      if (opts.linkname && b4a.byteLength(opts.linkname) > 100) return null;
      b4a.write(buf, name);
      b4a.write(buf, encodeOct(opts.mode & MASK, 6), 100);
      b4a.write(buf, encodeOct(opts.uid, 6), 108);
      b4a.write(buf, encodeOct(opts.gid, 6), 116);
      encodeSize(opts.size, buf, 124);
      b4a.write(buf, encodeOct(opts.mtime.getTime() / 1e3 | 0, 11), 136);
      buf[156] = ZERO_OFFSET + toTypeflag(opts.type);
      if (opts.linkname) b4a.write(buf, opts.linkname, 157);
      b4a.copy(USTAR_MAGIC, buf, MAGIC_OFFSET);
      b4a.copy(USTAR_VER, buf, VERSION_OFFSET);
      if (opts.uname) b4a.write(buf, opts.uname, 265);
      if (opts.gname) b4a.write(buf, opts.gname, 297);
      b4a.write(buf, encodeOct(opts.devmajor || 0, 6), 329);
      b4a.write(buf, encodeOct(opts.devminor || 0, 6), 337);
      if (prefix) b4a.write(buf, prefix, 345);
      b4a.write(buf, encodeOct(cksum(buf), 6), 148);
      return buf;
    };
    exports.decode = function decode(buf, filenameEncoding, allowUnknownFormat) {
      let typeflag = buf[156] === 0 ? 0 : buf[156] - ZERO_OFFSET;
      let name = decodeStr(buf, 0, 100, filenameEncoding);
      const mode = decodeOct(buf, 100, 8);
      const uid = decodeOct(buf, 108, 8);
      const gid = decodeOct(buf, 116, 8);
      const size = decodeOct(buf, 124, 12);
      const mtime = decodeOct(buf, 136, 12);
      const type = toType(typeflag);
      const linkname = buf[157] === 0 ? null : decodeStr(buf, 157, 100, filenameEncoding);
      const uname = decodeStr(buf, 265, 32);
      const gname = decodeStr(buf, 297, 32);
      const devmajor = decodeOct(buf, 329, 8);
      const devminor = decodeOct(buf, 337, 8);
      const c = cksum(buf);
      if (c === 8 * 32) return null;
      if (c !== decodeOct(buf, 148, 8)) throw new Error("Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?");
      if (isUSTAR(buf)) {
        if (buf[345]) name = decodeStr(buf, 345, 155, filenameEncoding) + "/" + name;
      } else if (isGNU(buf)) {
      } else {
        if (!allowUnknownFormat) {
          throw new Error("Invalid tar header: unknown format.");
        }
      }
      if (typeflag === 0 && name && name[name.length - 1] === "/") typeflag = 5;
      return {
        name,
        mode,
        uid,
        gid,
        size,
        byteOffset: 0,
        mtime: new Date(1e3 * mtime),
        type,
        linkname,
        uname,
        gname,
        devmajor,
        devminor,
        pax: null
      };
    };
    function isUSTAR(buf) {
      return b4a.equals(USTAR_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6));
    }
    function isGNU(buf) {
      return b4a.equals(GNU_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6)) && b4a.equals(GNU_VER, buf.subarray(VERSION_OFFSET, VERSION_OFFSET + 2));
    }
    function clamp(index, len, defaultValue) {
      if (typeof index !== "number") return defaultValue;
      index = ~~index;
      if (index >= len) return len;
      if (index >= 0) return index;
      index += len;
      if (index >= 0) return index;
      return 0;
    }
    function toType(flag2) {
      switch (flag2) {
        case 0:
          return "file";
        case 1:
          return "link";
        case 2:
          return "symlink";
        case 3:
          return "character-device";
        case 4:
          return "block-device";
        case 5:
          return "directory";
        case 6:
          return "fifo";
        case 7:
          return "contiguous-file";
        case 72:
          return "pax-header";
        case 55:
          return "pax-global-header";
        case 27:
          return "gnu-long-link-path";
        case 28:
        case 30:
          return "gnu-long-path";
      }
      return null;
    }
    function toTypeflag(flag2) {
      switch (flag2) {
        case "file":
          return 0;
        case "link":
          return 1;
        case "symlink":
          return 2;
        case "character-device":
          return 3;
        case "block-device":
          return 4;
        case "directory":
          return 5;
        case "fifo":
          return 6;
        case "contiguous-file":
          return 7;
        case "pax-header":
          return 72;
      }
      return 0;
    }
    function indexOf(block, num, offset, end) {
      for (; offset < end; offset++) {
        if (block[offset] === num) return offset;
      }
      return end;
    }
    function cksum(block) {
      let sum = 8 * 32;
      for (let i = 0; i < 148; i++) sum += block[i];
      for (let j = 156; j < 512; j++) sum += block[j];
      return sum;
    }
    function encodeOct(val, n) {
      val = val.toString(8);
      if (val.length > n) return SEVENS.slice(0, n) + " ";
      return ZEROS.slice(0, n - val.length) + val + " ";
    }
    function encodeSizeBin(num, buf, off) {
      buf[off] = 128;
      for (let i = 11; i > 0; i--) {
        buf[off + i] = num & 255;
        num = Math.floor(num / 256);
      }
    }
    function encodeSize(num, buf, off) {
      if (num.toString(8).length > 11) {
        encodeSizeBin(num, buf, off);
      } else {
        b4a.write(buf, encodeOct(num, 11), off);
      }
    }
    function parse256(buf) {
      let positive;
      if (buf[0] === 128) positive = true;
      else if (buf[0] === 255) positive = false;
      else return null;
      const tuple = [];
      let i;
      for (i = buf.length - 1; i > 0; i--) {
        const byte = buf[i];
        if (positive) tuple.push(byte);
        else tuple.push(255 - byte);
      }
      let sum = 0;
      const l = tuple.length;
      for (i = 0; i < l; i++) {
        sum += tuple[i] * Math.pow(256, i);
      }
      return positive ? sum : -1 * sum;
    }
    function decodeOct(val, offset, length) {
      val = val.subarray(offset, offset + length);
      offset = 0;
      if (val[offset] & 128) {
        return parse256(val);
      } else {
        while (offset < val.length && val[offset] === 32) offset++;
        const end = clamp(indexOf(val, 32, offset, val.length), val.length, val.length);
        while (offset < end && val[offset] === 0) offset++;
        if (end === offset) return 0;
        return parseInt(b4a.toString(val.subarray(offset, end)), 8);
      }
    }
    function decodeStr(val, offset, length, encoding) {
      return b4a.toString(val.subarray(offset, indexOf(val, 0, offset, offset + length)), encoding);
    }
    function addLength(str2) {
      const len = b4a.byteLength(str2);
      let digits = Math.floor(Math.log(len) / Math.log(10)) + 1;
      if (len + digits >= Math.pow(10, digits)) digits++;
      return len + digits + str2;
    }
  }
});

// node_modules/tar-stream/extract.js
var require_extract = __commonJS({
  "node_modules/tar-stream/extract.js"(exports, module) {
    var { Writable, Readable: Readable2, getStreamError } = require_streamx();
    var FIFO = require_fast_fifo();
    var b4a = require_b4a();
    var headers = require_headers();
    var EMPTY = b4a.alloc(0);
    var MAX_HEADER_SIZE = 4 * 1024 * 1024;
    var BufferList = class {
      constructor() {
        this.buffered = 0;
        this.shifted = 0;
        this.queue = new FIFO();
        this._offset = 0;
      }
      push(buffer) {
        this.buffered += buffer.byteLength;
        this.queue.push(buffer);
      }
      shiftFirst(size) {
        return this.buffered === 0 ? null : this._next(size);
      }
      shift(size) {
        if (size > this.buffered) return null;
        if (size === 0) return EMPTY;
        let chunk = this._next(size);
        if (size === chunk.byteLength) return chunk;
        const chunks = [chunk];
        while ((size -= chunk.byteLength) > 0) {
          chunk = this._next(size);
          chunks.push(chunk);
        }
        return b4a.concat(chunks);
      }
      _next(size) {
        const buf = this.queue.peek();
        const rem = buf.byteLength - this._offset;
        if (size >= rem) {
          const sub = this._offset ? buf.subarray(this._offset, buf.byteLength) : buf;
          this.queue.shift();
          this._offset = 0;
          this.buffered -= rem;
          this.shifted += rem;
          return sub;
        }
        this.buffered -= size;
        this.shifted += size;
        return buf.subarray(this._offset, this._offset += size);
      }
    };
    var Source = class extends Readable2 {
      constructor(self, header, offset) {
        super();
        this.header = header;
        this.offset = offset;
        this._parent = self;
      }
      _read(cb) {
        if (this.header.size === 0) {
          this.push(null);
        }
        if (this._parent._stream === this) {
          this._parent._update();
        }
        cb(null);
      }
      _predestroy() {
        this._parent.destroy(getStreamError(this));
      }
      _detach() {
        if (this._parent._stream === this) {
          this._parent._stream = null;
          this._parent._missing = overflow(this.header.size);
          this._parent._update();
        }
      }
      _destroy(cb) {
        this._detach();
        cb(null);
      }
    };
    var Extract = class extends Writable {
      constructor(opts) {
        super(opts);
        if (!opts) opts = {};
        this._buffer = new BufferList();
        this._offset = 0;
        this._header = null;
        this._stream = null;
        this._missing = 0;
        this._longHeader = false;
        this._callback = noop;
        this._locked = false;
        this._finished = false;
        this._pax = null;
        this._paxGlobal = null;
        this._gnuLongPath = null;
        this._gnuLongLinkPath = null;
        this._filenameEncoding = opts.filenameEncoding || "utf-8";
        this._allowUnknownFormat = !!opts.allowUnknownFormat;
        this._unlockBound = this._unlock.bind(this);
      }
      _unlock(err) {
        this._locked = false;
        if (err) {
          this.destroy(err);
          this._continueWrite(err);
          return;
        }
        this._update();
      }
      _consumeHeader() {
        if (this._locked) return false;
        this._offset = this._buffer.shifted;
        try {
          this._header = headers.decode(this._buffer.shift(512), this._filenameEncoding, this._allowUnknownFormat);
        } catch (err) {
          this._continueWrite(err);
          return false;
        }
        if (!this._header) return true;
        this._header.byteOffset = this._buffer.shifted;
        switch (this._header.type) {
          case "gnu-long-path":
          case "gnu-long-link-path":
          case "pax-global-header":
          case "pax-header":
            this._longHeader = true;
            this._missing = this._header.size;
            if (this._missing > MAX_HEADER_SIZE) {
              this._continueWrite(new Error("Header exceeds max size"));
              return false;
            }
            return true;
        }
        this._locked = true;
        this._applyLongHeaders();
        if (!(this._header.size >= 0)) {
          this._continueWrite(new Error("Invalid header"));
          return false;
        }
        if (this._header.size === 0 || this._header.type === "directory") {
          this.emit("entry", this._header, this._createStream(), this._unlockBound);
          return true;
        }
        this._stream = this._createStream();
        this._missing = this._header.size;
        this.emit("entry", this._header, this._stream, this._unlockBound);
        return true;
      }
      _applyLongHeaders() {
        if (this._gnuLongPath) {
          this._header.name = this._gnuLongPath;
          this._gnuLongPath = null;
        }
        if (this._gnuLongLinkPath) {
          this._header.linkname = this._gnuLongLinkPath;
          this._gnuLongLinkPath = null;
        }
        if (this._pax) {
          if (this._pax.path) this._header.name = this._pax.path;
          if (this._pax.linkpath) this._header.linkname = this._pax.linkpath;
          if (this._pax.size) this._header.size = parseInt(this._pax.size, 10);
          this._header.pax = this._pax;
          this._pax = null;
        }
      }
      _decodeLongHeader(buf) {
        switch (this._header.type) {
          case "gnu-long-path":
            this._gnuLongPath = headers.decodeLongPath(buf, this._filenameEncoding);
            break;
          case "gnu-long-link-path":
            this._gnuLongLinkPath = headers.decodeLongPath(buf, this._filenameEncoding);
            break;
          case "pax-global-header":
            this._paxGlobal = headers.decodePax(buf);
            break;
          case "pax-header":
            this._pax = this._paxGlobal === null ? headers.decodePax(buf) : Object.assign({}, this._paxGlobal, headers.decodePax(buf));
            break;
        }
      }
      _consumeLongHeader() {
        this._longHeader = false;
        this._missing = overflow(this._header.size);
        const buf = this._buffer.shift(this._header.size);
        try {
          this._decodeLongHeader(buf);
        } catch (err) {
          this._continueWrite(err);
          return false;
        }
        return true;
      }
      _consumeStream() {
        const buf = this._buffer.shiftFirst(this._missing);
        if (buf === null) return false;
        this._missing -= buf.byteLength;
        const drained = this._stream.push(buf);
        if (this._missing === 0) {
          this._stream.push(null);
          if (drained) this._stream._detach();
          return drained && this._locked === false;
        }
        return drained;
      }
      _createStream() {
        return new Source(this, this._header, this._offset);
      }
      _update() {
        while (this._buffer.buffered > 0 && !this.destroying) {
          if (this._missing > 0) {
            if (this._stream !== null) {
              if (this._consumeStream() === false) return;
              continue;
            }
            if (this._longHeader === true) {
              if (this._missing > this._buffer.buffered) break;
              if (this._consumeLongHeader() === false) return false;
              continue;
            }
            const ignore = this._buffer.shiftFirst(this._missing);
            if (ignore !== null) this._missing -= ignore.byteLength;
            continue;
          }
          if (this._buffer.buffered < 512) break;
          if (this._stream !== null || this._consumeHeader() === false) return;
        }
        this._continueWrite(null);
      }
      _continueWrite(err) {
        const cb = this._callback;
        this._callback = noop;
        cb(err);
      }
      _write(data, cb) {
        this._callback = cb;
        this._buffer.push(data);
        this._update();
      }
      _final(cb) {
        this._finished = this._missing === 0 && this._buffer.buffered === 0;
        cb(this._finished ? null : new Error("Unexpected end of data"));
      }
      _predestroy() {
        this._continueWrite(null);
      }
      _destroy(cb) {
        if (this._stream) this._stream.destroy(getStreamError(this));
        cb(null);
      }
      [Symbol.asyncIterator]() {
        let error = null;
        let promiseResolve = null;
        let promiseReject = null;
        let entryStream = null;
        let entryCallback = null;
        const extract = this;
        this.on("entry", onentry);
        this.on("error", (err) => {
          error = err;
        });
        this.on("close", onclose);
        return {
          [Symbol.asyncIterator]() {
            return this;
          },
          next() {
            return new Promise(onnext);
          },
          return() {
            return destroy(null);
          },
          throw(err) {
            return destroy(err);
          }
        };
        function consumeCallback(err) {
          if (!entryCallback) return;
          const cb = entryCallback;
          entryCallback = null;
          cb(err);
        }
        function onnext(resolve2, reject) {
          if (error) {
            return reject(error);
          }
          if (entryStream) {
            resolve2({ value: entryStream, done: false });
            entryStream = null;
            return;
          }
          promiseResolve = resolve2;
          promiseReject = reject;
          consumeCallback(null);
          if (extract._finished && promiseResolve) {
            promiseResolve({ value: void 0, done: true });
            promiseResolve = promiseReject = null;
          }
        }
        function onentry(header, stream, callback) {
          entryCallback = callback;
          stream.on("error", noop);
          if (promiseResolve) {
            promiseResolve({ value: stream, done: false });
            promiseResolve = promiseReject = null;
          } else {
            entryStream = stream;
          }
        }
        function onclose() {
          consumeCallback(error);
          if (!promiseResolve) return;
          if (error) promiseReject(error);
          else promiseResolve({ value: void 0, done: true });
          promiseResolve = promiseReject = null;
        }
        function destroy(err) {
          extract.destroy(err);
          consumeCallback(err);
          return new Promise((resolve2, reject) => {
            if (extract.destroyed) return resolve2({ value: void 0, done: true });
            extract.once("close", function() {
              if (err) reject(err);
              else resolve2({ value: void 0, done: true });
            });
          });
        }
      }
    };
    module.exports = function extract(opts) {
      return new Extract(opts);
    };
    function noop() {
    }
    function overflow(size) {
      size &= 511;
      return size && 512 - size;
    }
  }
});

// node_modules/tar-stream/constants.js
var require_constants = __commonJS({
  "node_modules/tar-stream/constants.js"(exports, module) {
    var constants = {
      // just for envs without fs
      S_IFMT: 61440,
      S_IFDIR: 16384,
      S_IFCHR: 8192,
      S_IFBLK: 24576,
      S_IFIFO: 4096,
      S_IFLNK: 40960
    };
    try {
      module.exports = __require("fs").constants || constants;
    } catch {
      module.exports = constants;
    }
  }
});

// node_modules/tar-stream/pack.js
var require_pack = __commonJS({
  "node_modules/tar-stream/pack.js"(exports, module) {
    var { Readable: Readable2, Writable, getStreamError } = require_streamx();
    var b4a = require_b4a();
    var constants = require_constants();
    var headers = require_headers();
    var DMODE = 493;
    var FMODE = 420;
    var END_OF_TAR = b4a.alloc(1024);
    var Sink = class extends Writable {
      constructor(pack3, header, callback) {
        super({ mapWritable, eagerOpen: true });
        this.written = 0;
        this.header = header;
        this._callback = callback;
        this._linkname = null;
        this._isLinkname = header.type === "symlink" && !header.linkname;
        this._isVoid = header.type !== "file" && header.type !== "contiguous-file";
        this._finished = false;
        this._pack = pack3;
        this._openCallback = null;
        if (this._pack._stream === null) this._pack._stream = this;
        else this._pack._pending.push(this);
      }
      _open(cb) {
        this._openCallback = cb;
        if (this._pack._stream === this) this._continueOpen();
      }
      _continuePack(err) {
        if (this._callback === null) return;
        const callback = this._callback;
        this._callback = null;
        callback(err);
      }
      _continueOpen() {
        if (this._pack._stream === null) this._pack._stream = this;
        const cb = this._openCallback;
        this._openCallback = null;
        if (cb === null) return;
        if (this._pack.destroying) return cb(new Error("pack stream destroyed"));
        if (this._pack._finalized) return cb(new Error("pack stream is already finalized"));
        this._pack._stream = this;
        if (!this._isLinkname) {
          this._pack._encode(this.header);
        }
        if (this._isVoid) {
          this._finish();
          this._continuePack(null);
        }
        cb(null);
      }
      _write(data, cb) {
        if (this._isLinkname) {
          this._linkname = this._linkname ? b4a.concat([this._linkname, data]) : data;
          return cb(null);
        }
        if (this._isVoid) {
          if (data.byteLength > 0) {
            return cb(new Error("No body allowed for this entry"));
          }
          return cb();
        }
        this.written += data.byteLength;
        if (this._pack.push(data)) return cb();
        this._pack._drain = cb;
      }
      _finish() {
        if (this._finished) return;
        this._finished = true;
        if (this._isLinkname) {
          this.header.linkname = this._linkname ? b4a.toString(this._linkname, "utf-8") : "";
          this._pack._encode(this.header);
        }
        overflow(this._pack, this.header.size);
        this._pack._done(this);
      }
      _final(cb) {
        if (this.written !== this.header.size) {
          return cb(new Error("Size mismatch"));
        }
        this._finish();
        cb(null);
      }
      _getError() {
        return getStreamError(this) || new Error("tar entry destroyed");
      }
      _predestroy() {
        this._pack.destroy(this._getError());
      }
      _destroy(cb) {
        this._pack._done(this);
        this._continuePack(this._finished ? null : this._getError());
        cb();
      }
    };
    var Pack = class extends Readable2 {
      constructor(opts) {
        super(opts);
        this._drain = noop;
        this._finalized = false;
        this._finalizing = false;
        this._pending = [];
        this._stream = null;
      }
      entry(header, buffer, callback) {
        if (this._finalized || this.destroying) throw new Error("already finalized or destroyed");
        if (typeof buffer === "function") {
          callback = buffer;
          buffer = null;
        }
        if (!callback) callback = noop;
        if (!header.size || header.type === "symlink") header.size = 0;
        if (!header.type) header.type = modeToType(header.mode);
        if (!header.mode) header.mode = header.type === "directory" ? DMODE : FMODE;
        if (!header.uid) header.uid = 0;
        if (!header.gid) header.gid = 0;
        if (!header.mtime) header.mtime = /* @__PURE__ */ new Date();
        if (typeof buffer === "string") buffer = b4a.from(buffer);
        const sink = new Sink(this, header, callback);
        if (b4a.isBuffer(buffer)) {
          header.size = buffer.byteLength;
          sink.write(buffer);
          sink.end();
          return sink;
        }
        if (sink._isVoid) {
          return sink;
        }
        return sink;
      }
      finalize() {
        if (this._stream || this._pending.length > 0) {
          this._finalizing = true;
          return;
        }
        if (this._finalized) return;
        this._finalized = true;
        this.push(END_OF_TAR);
        this.push(null);
      }
      _done(stream) {
        if (stream !== this._stream) return;
        this._stream = null;
        if (this._finalizing) this.finalize();
        if (this._pending.length) this._pending.shift()._continueOpen();
      }
      _encode(header) {
        if (!header.pax) {
          const buf = headers.encode(header);
          if (buf) {
            this.push(buf);
            return;
          }
        }
        this._encodePax(header);
      }
      _encodePax(header) {
        const paxHeader = headers.encodePax({
          name: header.name,
          linkname: header.linkname,
          pax: header.pax
        });
        const newHeader = {
          name: "PaxHeader",
          mode: header.mode,
          uid: header.uid,
          gid: header.gid,
          size: paxHeader.byteLength,
          mtime: header.mtime,
          type: "pax-header",
          linkname: header.linkname && "PaxHeader",
          uname: header.uname,
          gname: header.gname,
          devmajor: header.devmajor,
          devminor: header.devminor
        };
        this.push(headers.encode(newHeader));
        this.push(paxHeader);
        overflow(this, paxHeader.byteLength);
        newHeader.size = header.size;
        newHeader.type = header.type;
        this.push(headers.encode(newHeader));
      }
      _doDrain() {
        const drain = this._drain;
        this._drain = noop;
        drain();
      }
      _predestroy() {
        const err = getStreamError(this);
        if (this._stream) this._stream.destroy(err);
        while (this._pending.length) {
          const stream = this._pending.shift();
          stream.destroy(err);
          stream._continueOpen();
        }
        this._doDrain();
      }
      _read(cb) {
        this._doDrain();
        cb();
      }
    };
    module.exports = function pack3(opts) {
      return new Pack(opts);
    };
    function modeToType(mode) {
      switch (mode & constants.S_IFMT) {
        case constants.S_IFBLK:
          return "block-device";
        case constants.S_IFCHR:
          return "character-device";
        case constants.S_IFDIR:
          return "directory";
        case constants.S_IFIFO:
          return "fifo";
        case constants.S_IFLNK:
          return "symlink";
      }
      return "file";
    }
    function noop() {
    }
    function overflow(self, size) {
      size &= 511;
      if (size) self.push(END_OF_TAR.subarray(0, 512 - size));
    }
    function mapWritable(buf) {
      return b4a.isBuffer(buf) ? buf : b4a.from(buf);
    }
  }
});

// node_modules/tar-stream/index.js
var require_tar_stream = __commonJS({
  "node_modules/tar-stream/index.js"(exports) {
    exports.extract = require_extract();
    exports.pack = require_pack();
  }
});

// src/core/text.ts
function hasControlCharacter(text3) {
  for (let i = 0; i < text3.length; i++) {
    const code3 = text3.charCodeAt(i);
    if (code3 < 32 || code3 === 127) return true;
  }
  return false;
}
function splitList(value2) {
  return value2.split(/[,\n]/).map((item) => item.trim()).filter(Boolean);
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
var QUOTED_MAX = 200;
function clipped(text3, max = QUOTED_MAX) {
  if (text3.length <= max) return text3;
  const marker = `…(${text3.length} characters)…`;
  const keep = Math.max(0, max - marker.length);
  const head = Math.ceil(keep / 2);
  return `${text3.slice(0, head)}${marker}${text3.slice(text3.length - (keep - head))}`;
}

// src/core/github/event.ts
var SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
var REPOSITORY = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
var EVENT_NAME = /^[a-z_]+$/;
var SERVER_URL = /^https?:\/\/[A-Za-z0-9.-]+(?::\d+)?(?:\/[A-Za-z0-9._~/-]*)?$/;
var REF = /^(?!-)[^\s~^:?*[\\]+$/;
function checked(name, value2, pattern, what) {
  if (value2 === void 0 || value2 === "") return void 0;
  if (!pattern.test(value2) || hasControlCharacter(value2)) {
    throw new UsageError(`${name} is not ${what}: '${showName(value2)}'`, {
      fix: `${name} is set by the runner (or the event); check what sets it in the workflow`
    });
  }
  return value2;
}
function field(name, value2) {
  if (value2 === void 0 || value2 === null) return void 0;
  if (typeof value2 !== "string") throw new UsageError(`the event payload's ${name} is not a string`);
  return value2;
}
function readRunContext(env) {
  let payload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      const parsed = JSON.parse(readTextBounded(env.GITHUB_EVENT_PATH, DEFAULT_MAX_FILE_SIZE));
      if (typeof parsed !== "object" || parsed === null) throw new TypeError("not an object");
      payload = parsed;
    } catch {
      throw new UsageError("the event payload (GITHUB_EVENT_PATH) cannot be read as a JSON object", {
        file: showName(env.GITHUB_EVENT_PATH)
      });
    }
  }
  const repository = checked("GITHUB_REPOSITORY", env.GITHUB_REPOSITORY, REPOSITORY, "owner/name") ?? checked(
    "repository.full_name",
    field("repository.full_name", payload.repository?.full_name),
    REPOSITORY,
    "owner/name"
  ) ?? "";
  const pr = payload.pull_request;
  const head = pr?.head;
  const headRepo = checked(
    "pull_request.head.repo.full_name",
    field("pull_request.head.repo.full_name", head?.repo?.full_name),
    REPOSITORY,
    "owner/name"
  );
  const number = pr?.number;
  if (number !== void 0 && number !== null && (typeof number !== "number" || !Number.isSafeInteger(number) || number < 1)) {
    throw new UsageError("the event payload's pull_request.number is not a positive integer");
  }
  return {
    eventName: checked("GITHUB_EVENT_NAME", env.GITHUB_EVENT_NAME, EVENT_NAME, "an event name") ?? "",
    ref: checked("GITHUB_REF", env.GITHUB_REF, REF, "a git ref") ?? "",
    sha: checked("GITHUB_SHA", env.GITHUB_SHA, SHA, "a commit sha") ?? "",
    repository,
    serverUrl: checked("GITHUB_SERVER_URL", env.GITHUB_SERVER_URL, SERVER_URL, "an http(s) URL") ?? "https://github.com",
    defaultBranch: checked(
      "repository.default_branch",
      field("repository.default_branch", payload.repository?.default_branch),
      REF,
      "a branch name"
    ),
    pullRequestHeadSha: checked(
      "pull_request.head.sha",
      field("pull_request.head.sha", head?.sha),
      SHA,
      "a commit sha"
    ),
    fromFork: headRepo !== void 0 && headRepo !== repository,
    pullRequestBaseSha: checked(
      "pull_request.base.sha",
      field("pull_request.base.sha", pr?.base?.sha),
      SHA,
      "a commit sha"
    ),
    pullRequestBaseRef: checked(
      "pull_request.base.ref",
      field("pull_request.base.ref", pr?.base?.ref),
      REF,
      "a branch name"
    ),
    pullRequestNumber: number ?? void 0
  };
}
function sourceDateEpoch(env) {
  const value2 = env.SOURCE_DATE_EPOCH;
  if (value2 === void 0 || value2 === "") return void 0;
  const seconds2 = /^\d{1,12}$/.test(value2) ? Number(value2) : NaN;
  const date = new Date(seconds2 * 1e3);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(`SOURCE_DATE_EPOCH is not whole seconds since 1970: '${showName(value2)}'`, {
      fix: "set it to an integer such as $(git log -1 --format=%ct), or unset it"
    });
  }
  return date.toISOString();
}
function runnerPath(env, name) {
  const value2 = env[name];
  if (value2 === void 0 || value2 === "") return void 0;
  if (!value2.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(value2)) {
    throw new UsageError(`${name} is not an absolute path: '${showName(value2)}'`);
  }
  if (hasControlCharacter(value2)) throw new UsageError(`${name} has a control character: '${showName(value2)}'`);
  return value2;
}

// src/core/report/text.ts
var isRehash = (fix) => fix === void 0 || /^run 'migration-image hash /.test(fix);
function atlasChecksumBlock(validation) {
  const { difference } = validation;
  const problem = validation.problems.find(({ code: code3 }) => code3 === "checksum-changed");
  if (!problem) return void 0;
  const detail = difference ? `	L${difference.line}: ${showName(difference.name)} was ${difference.change}

` : "";
  const last = isRehash(problem.fix) ? "Please check your migration files and run 'atlas migrate hash' to re-hash the contents\n" : `${showName(problem.fix ?? "")}
`;
  return "You have a checksum error in your migration directory.\n\n" + detail + last;
}
function formatProblem(problem) {
  return `${problem.severity}: ${showName(formatLocated(problem.message, problem))}`;
}
var ORDER = ["error", "warning", "notice"];
function bySeverity(problems) {
  return ORDER.flatMap((severity) => problems.filter((problem) => problem.severity === severity));
}
function renderValidationText(validation) {
  const lines = [];
  const block = atlasChecksumBlock(validation);
  for (const problem of bySeverity(validation.problems)) {
    if (block && problem.code === "checksum-changed")
      lines.push(`error: ${problem.file}:${problem.line ?? 1}: ${block.trimEnd()}`);
    else lines.push(formatProblem(problem));
  }
  lines.push(...uncoveredLines(validation));
  lines.push(verdictLine(validation));
  return lines.join("\n") + "\n";
}
function uncoveredGroups(validation) {
  const groups = /* @__PURE__ */ new Map();
  for (const { name, reason } of validation.uncovered) {
    const names2 = groups.get(reason) ?? [];
    names2.push(name);
    groups.set(reason, names2);
  }
  return [...groups].map(([reason, names2]) => ({ reason, names: names2 }));
}
function uncoveredLines(validation) {
  return uncoveredGroups(validation).map(
    ({ reason, names: names2 }) => names2.length === 1 ? `note: not covered by atlas.sum: ${showName(names2[0])} (${showName(reason)})` : `note: not covered by atlas.sum: ${names2.length} files, ${showName(names2[0])} and ${names2.length - 1} more (${showName(reason)}); they are shipped in the image ('validate --json' lists them under "uncovered")`
  );
}
function verdictLine(validation) {
  const { count, countUnit, checksum, dir } = validation;
  if (validation.valid) {
    return `${dir}: ${count} ${countUnit}${count === 1 ? "" : "s"} valid, checksum ${checksum}`;
  }
  const errors = validation.problems.filter(({ severity }) => severity === "error").length;
  return `${dir}: invalid (${errors} error${errors === 1 ? "" : "s"})`;
}
function validationJson(validation) {
  const byProblem = (severity) => validation.problems.filter((problem) => problem.severity === severity).map(({ code: code3, message, file, line, fix, twin }) => ({ code: code3, message, file, line, fix, twin }));
  const hashes = new Map(validation.entries.map(({ name, hash }) => [name, `h1:${hash}`]));
  return {
    dir: validation.dir,
    format: validation.format,
    valid: validation.valid,
    checksum: validation.checksum,
    count: validation.count,
    latestVersion: validation.latestVersion ?? null,
    files: validation.migrations.map((migration) => ({ ...migration, hash: hashes.get(migration.name) ?? null })),
    difference: validation.difference ?? null,
    errors: byProblem("error"),
    warnings: byProblem("warning"),
    notices: byProblem("notice"),
    shipped: validation.shipped,
    uncovered: validation.uncovered,
    safety: validation.safety ? safetyJson(validation.safety) : null
  };
}
function safetyJson(report) {
  const { statements: _statements, ignores: _ignores, ...rest } = report;
  void _statements;
  void _ignores;
  return rest;
}

// src/core/report/safety-section.ts
import path from "node:path";
var cell = markdownCell;
var code = markdownCode;
var ICON = { error: "❌", warning: "⚠️", notice: "ℹ️" };
var plural = (count, word) => `${count} ${word}${count === 1 ? "" : "s"}`;
function renderSafetySection(report, context, room = () => true) {
  const scope = context.baseName === void 0 ? `${plural(report.migrations.length, "migration")} read` : `${plural(report.migrations.length, "new migration")} read, against what ${cell(context.baseName)} already has`;
  const heading = `#### Deploy safety (PostgreSQL ${report.postgresVersion})`;
  if (report.notChecked !== void 0) return [heading, "", `➖ ${cell(report.notChecked)}`, ""];
  const findings = report.findings;
  const counted2 = findings.filter(({ severity }) => severity !== "notice");
  const measurement = measurementLines(report);
  const corrections = correctedLines(report, context);
  if (counted2.length === 0) {
    const notes = findings.length > 0 ? ` (${plural(findings.length, "statement")} could not be read: see the notices)` : "";
    return [
      heading,
      "",
      `✅ nothing in the ${scope.replace(" read", "")} locks, rewrites or drops what a running release uses${notes}.`,
      "",
      ...measurement,
      ...corrections
    ];
  }
  const lines = [heading, "", `${plural(counted2.length, "finding")} in the ${scope}:`, "", ...measurement];
  const byMigration = /* @__PURE__ */ new Map();
  for (const finding of findings)
    byMigration.set(finding.migration, [...byMigration.get(finding.migration) ?? [], finding]);
  let left = findings.length;
  for (const [migration, list2] of byMigration) {
    const link = context.link?.(path.join(context.dir, list2[0].file));
    const title = [`**${link ? `[${code(migration)}](${link})` : code(migration)}**`, ""];
    const rows = list2.map((finding) => {
      const where2 = linkedLine(finding, context);
      const statement = finding.statement === "" ? "" : `${code(finding.statement)}<br>`;
      const blocks = finding.blocks && !finding.message.includes(finding.blocks) ? `: ${cell(finding.blocks)}` : "";
      const lock = finding.lock ? `<br>🔒 ${cell(finding.lock)}${blocks}` : "";
      const measured = finding.measured ? `<br>📏 ${finding.measuredOnly ? "found by the apply check, not by a static rule" : "measured"}: ${cell((finding.facts ?? []).join("; "))}` : "";
      return `| ${ICON[finding.severity]} | ${where2} | ${statement}${cell(finding.message)}${lock}${measured} | ${fixCell(finding.fix)} · ${code(finding.code)} |`;
    });
    const header = ["| | Line | What it does | Fix |", "|---|---|---|---|"];
    if (!room([...title, ...header, rows[0] ?? ""])) break;
    lines.push(...title, ...header);
    for (const row of rows) {
      if (!room([row])) break;
      lines.push(row);
      left--;
    }
    lines.push("");
  }
  if (left > 0) lines.push(`… ${plural(left, "more finding")}: see the annotations and the log.`, "");
  if (room(corrections)) lines.push(...corrections);
  return lines;
}
function measurementLines(report) {
  const measurement = report.measurement;
  if (measurement === void 0) return [];
  if (!measurement.measured) return [`➖ Not measured on a database: ${cell(measurement.why)}.`, ""];
  const confirmed = report.findings.filter((finding) => finding.measured && !finding.measuredOnly).length;
  const only = report.findings.filter((finding) => finding.measuredOnly).length;
  const corrected = report.corrected?.length ?? 0;
  const version = `${Math.floor(measurement.serverVersion / 1e4)}.${measurement.serverVersion % 1e4}`;
  return [
    `📏 Measured by the apply check, as the tool ran each new migration on PostgreSQL ${version}: ${confirmed} confirmed, ${corrected} corrected, ${only} found only there.`,
    ""
  ];
}
function correctedLines(report, context) {
  const corrected = report.corrected ?? [];
  if (corrected.length === 0) return [];
  return [
    "Dropped, because the database showed otherwise:",
    "",
    ...corrected.map(
      (fix) => `- ${linkedLine({ ...fix }, context)} ${code(fix.code)}: ${fix.statement === "" ? "" : `${code(fix.statement)} — `}${cell(fix.why)}`
    ),
    ""
  ];
}
function renderSafetyText(report, dir) {
  if (report.notChecked !== void 0) return [`deploy safety: ${report.notChecked}`];
  const out = [`deploy safety (PostgreSQL ${report.postgresVersion}): ${plural(report.findings.length, "finding")}`];
  const measurement = report.measurement;
  if (measurement && !measurement.measured) out.push(`  not measured: ${measurement.why}`);
  for (const finding of report.findings) {
    const facts = finding.measured ? ` [${finding.measuredOnly ? "found by the apply check" : "measured"}: ${(finding.facts ?? []).join("; ")}]` : "";
    out.push(
      `  ${finding.severity} ${path.posix.join(dir, finding.file)}:${finding.line}: ${finding.code}: ${finding.message}${facts}`
    );
  }
  for (const fix of report.corrected ?? [])
    out.push(`  dropped ${path.posix.join(dir, fix.file)}:${fix.line}: ${fix.code}: ${fix.why}`);
  return out;
}
function fixCell(fix) {
  return fix.split("`").map((part, index) => index % 2 === 1 ? code(part) : cell(part)).join("");
}
function linkedLine(finding, context) {
  const text3 = code(`${finding.file}:${finding.line}`);
  const url = context.link?.(path.join(context.dir, finding.file), finding.line);
  return url ? `[${text3}](${url})` : text3;
}

// src/core/report/apply-section.ts
var cell2 = markdownCell;
var code2 = markdownCode;
var MAX_DIFF = 4e4;
var MAX_ROWS = 100;
var safeLines = (text3) => text3.split("\n").map(showName).join("\n");
var seconds = (ms) => `${(ms / 1e3).toFixed(ms < 1e4 ? 2 : 1)} s`;
function where(failure, dir) {
  if (!failure) return "";
  const file = failure.file === void 0 ? "" : `${dir.replace(/\/+$/, "")}/${failure.file}`;
  return `${file ? `${code2(failure.line === void 0 ? file : `${file}:${failure.line}`)} ` : ""}${cell2(failure.message)}`;
}
function fenced(text3, info) {
  const longest = Math.max(0, ...[...text3.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${info}
${safeLines(text3)}${text3.endsWith("\n") ? "" : "\n"}${fence}`;
}
function diffBlock(title, diff) {
  const lines = diff.split("\n");
  const added2 = lines.filter((line) => line.startsWith("+") && !line.startsWith("+++")).length;
  const removed = lines.filter((line) => line.startsWith("-") && !line.startsWith("---")).length;
  const shown3 = diff.length > MAX_DIFF ? `${diff.slice(0, MAX_DIFF)}
… ${diff.length - MAX_DIFF} more characters
` : diff;
  return [
    `<details><summary>${cell2(title)} (+${added2} −${removed} lines)</summary>`,
    "",
    fenced(shown3, "diff"),
    "",
    "</details>",
    ""
  ];
}
function renderApplySection(result, context) {
  const out = [
    `### Apply check — ${result.ok ? "✅ passed" : "❌ failed"}`,
    "",
    "| | |",
    "|---|---|",
    `| Database | ${code2(result.database)} (ready in ${seconds(result.databaseMs)}) |`
  ];
  if (result.base) {
    const on2 = context.baseName === void 0 ? "" : ` (${cell2(context.baseName)})`;
    out.push(
      `| Base migrations${on2} | ${result.base.count} applied in ${seconds(result.base.ms)} ${result.base.ok ? "✅" : `❌ ${where(result.base.failure, context.dir)}`} |`
    );
  }
  const trip = result.roundTrip;
  out.push(
    `| Down/up round trip | ${trip.kind === "ran" ? trip.ok ? `✅ ${cell2(trip.how)} (${seconds(trip.downMs)}), then up again (${seconds(trip.upMs)}): same schema` : `❌ ${cell2(trip.how)}: ${cell2(trip.problem ?? "failed")}${trip.failure ? ` — ${where(trip.failure, context.dir)}` : ""}` : `➖ ${cell2(trip.why)}`} |`,
    `| Schema dumps | ${seconds(result.dumpMs)} |`,
    `| Total | ${seconds(result.totalMs)} |`,
    ""
  );
  if (result.timedOut) out.push(`⏱️ ${cell2(result.timedOut)}`, "");
  if (result.runs.length > 0) {
    out.push(`| ${result.base ? "New migrations" : "Migrations"} | Time | |`, "|---|---:|---|");
    for (const run of result.runs.slice(0, MAX_ROWS)) {
      const names2 = run.adds.length <= 3 ? run.adds.map(code2).join("<br>") : `${run.adds.length} migrations`;
      out.push(
        `| ${names2 || "(none)"} | ${seconds(run.ms)} | ${run.ok ? "✅" : `❌ ${where(run.failure, context.dir)}`} |`
      );
    }
    out.push("");
  }
  const otherFailures = result.failures.filter(
    (failure) => !result.runs.some((run) => run.failure === failure) && failure.title !== "migration failed" && failure.title !== "base migrations failed"
  );
  for (const failure of otherFailures) out.push(`- ❌ ${cell2(failure.title)}: ${where(failure, context.dir)}`);
  if (otherFailures.length > 0) out.push("");
  for (const note of result.notes) out.push(`ℹ️ ${cell2(note)}`, "");
  if (result.schemaDiff !== void 0) {
    if (result.schemaDiff === "") out.push("Schema change: none.", "");
    else out.push(...diffBlock("Schema change", result.schemaDiff));
  }
  if (trip.kind === "ran" && trip.diff) out.push(...diffBlock("Round trip: what the down left different", trip.diff));
  return out.join("\n");
}
function renderApplyText(result, dir) {
  const line = (run, label) => `  ${run.ok ? "ok  " : "FAIL"} ${label} (${seconds(run.ms)})${run.failure ? `: ${run.failure.file ? `${dir}/${run.failure.file}${run.failure.line ? `:${run.failure.line}` : ""}: ` : ""}${run.failure.message}` : ""}`;
  const out = [
    `apply check on ${result.database}: ${result.ok ? "passed" : "failed"} (${seconds(result.totalMs)}; database ready in ${seconds(result.databaseMs)}, schema dumps ${seconds(result.dumpMs)})`
  ];
  if (result.base) out.push(line(result.base, `base: ${result.base.count} migrations`));
  for (const run of result.runs)
    out.push(line(run, run.adds.length === 1 ? run.adds[0] : `${run.adds.length} migrations`));
  const trip = result.roundTrip;
  out.push(
    trip.kind === "ran" ? `  ${trip.ok ? "ok  " : "FAIL"} round trip: ${trip.how} (${seconds(trip.downMs)}), then up again (${seconds(trip.upMs)})${trip.problem ? `: ${trip.problem}` : ""}` : `  --   round trip: ${trip.why}`
  );
  if (result.timedOut) out.push(`  ${result.timedOut}`);
  for (const failure of result.failures.filter((f) => f.title === "never applied"))
    out.push(`  FAIL ${failure.file}: ${failure.message}`);
  if (result.schemaDiff) out.push("", "schema change:", result.schemaDiff.trimEnd());
  if (trip.kind === "ran" && trip.diff) out.push("", "what the down left different:", trip.diff.trimEnd());
  return `${safeLines(out.join("\n"))}
`;
}
function applyJson(result, safety) {
  return { ...result, safety: safety ? safetyJson(safety) : null };
}

// src/io/publish.ts
import { writeFileSync as writeFileSync3 } from "node:fs";

// src/core/build/engine.ts
function checkEngine(image, names2) {
  const fail = (message, fix) => {
    throw new UsageError(nameOptions(message, names2), { fix: nameOptions(fix, names2) });
  };
  if (image.engine === "registry" && image.selfCheck) {
    fail(
      `${OPTION.selfCheck} needs a build that runs the tool, and the registry engine runs nothing`,
      `use ${OPTION.engine} buildx for the self-check, or drop ${OPTION.selfCheck}`
    );
  }
  if (image.engine === "registry" && image.load && !image.push && image.output === void 0) {
    fail(
      "the registry engine writes the image to a registry or an archive, never into a local Docker engine",
      `add --push, or ${OPTION.output} FILE.tar (then docker load -i FILE.tar)`
    );
  }
  if (image.output !== void 0) {
    if (image.engine === "buildx") {
      fail(`${OPTION.output} is written by the registry engine`, `add ${OPTION.engine} registry (or auto)`);
    }
    if (image.push) fail(`${OPTION.output} writes the image instead of pushing it`, "drop one of --push and --output");
    if (image.selfCheck) {
      fail(
        `${OPTION.selfCheck} needs a build that runs the tool, and ${OPTION.output} is written by the registry engine, which runs nothing`,
        `drop one of ${OPTION.selfCheck} and ${OPTION.output}`
      );
    }
    if (!/\.tar$/i.test(image.output)) fail(`${OPTION.output} must name a .tar file`, "e.g. --output image.tar");
  }
}
function chooseEngine(engine, dockerReachable, selfCheck, archive = false) {
  if (engine !== "auto") return engine;
  if (archive) return "registry";
  return dockerReachable || selfCheck ? "buildx" : "registry";
}

// src/core/build/reuse.ts
var DIGEST = /^sha256:[a-f0-9]{64}$/;
var SHA2 = /^[a-f0-9]{7,64}$/;
function decideReuse(wish, facts) {
  if (!wish.push) return { kind: "build" };
  if (facts.contentKey === void 0) {
    return facts.noKey ? {
      kind: "build",
      note: {
        level: "info",
        text: `building: the base image's digest could not be read, so an unchanged image cannot be recognised — ${showName(facts.noKey)}`
      }
    } : { kind: "build" };
  }
  const match = facts.tags.find(
    (tag) => tag.contentKey === facts.contentKey && tag.digest !== void 0 && DIGEST.test(tag.digest)
  );
  if (!match?.digest) return { kind: "build" };
  const since = match.revision && SHA2.test(match.revision) ? match.revision : void 0;
  const name = match.reference;
  return {
    kind: "re-tag",
    digest: match.digest,
    from: name,
    since,
    references: [...wish.references],
    note: {
      level: "notice",
      text: `unchanged since ${since ? since.slice(0, 12) : showName(name)}, re-tagged: ${name} (${match.digest}) has the same content key, so its image gets the new tags (no build)`
    }
  };
}
var unchangedSince = (since, from) => `unchanged since ${since ?? from}, re-tagged`;

// src/core/image/content-key.ts
import { createHash } from "node:crypto";
var CONTENT_KEY_LABEL = "io.migration-image.content-key";
var REVISION_LABEL = "org.opencontainers.image.revision";
function contentKey(input) {
  const hash = createHash("sha256");
  const field2 = (value2) => {
    const bytes = typeof value2 === "string" ? Buffer.from(value2, "utf8") : value2;
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(bytes.length));
    hash.update(length);
    hash.update(bytes);
  };
  field2("migration-image content key v1");
  field2(input.checksum);
  field2(input.tool);
  field2(input.base);
  field2(input.dockerfile);
  field2([...input.platforms].sort().join(","));
  field2(input.provenance.trim().toLowerCase());
  const files = [...input.files].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  field2(String(files.length));
  for (const file of files) {
    field2(file.name);
    field2((file.mode & 4095).toString(8));
    field2(file.bytes);
  }
  return `sha256:${hash.digest("hex")}`;
}
var STAGED_MTIME = 0;
function epochSeconds(created) {
  const time = created === void 0 ? NaN : Date.parse(created);
  return Number.isFinite(time) && time >= 0 ? Math.floor(time / 1e3) : 0;
}

// src/core/image/image-ref.ts
var DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
var IPV6 = /^\[[a-fA-F0-9:]+\]$/;
var PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var TAG = /^[\w][\w.-]*$/;
var DIGEST2 = /^sha256:[a-f0-9]{64}$/;
var NAME_MAX = 255;
var TAG_MAX = 128;
var SHAPES = {
  tag: `letters, digits, _, . and - (at most ${TAG_MAX}, not starting with . or -)`,
  path: "lowercase letters and digits, parts separated by ., _, __ or - (e.g. acme/api-migrations)",
  host: "letters, digits and - in dot-separated labels, then an optional :port (e.g. ghcr.io, localhost:5000)"
};
function nameProblem(registry, path19) {
  const name = registry === void 0 ? path19 : `${registry}/${path19}`;
  if (name.length > NAME_MAX) {
    return {
      why: `is ${name.length} characters long: docker refuses a name (registry and path) over ${NAME_MAX}`,
      fix: `shorten the name to at most ${NAME_MAX} characters`
    };
  }
  if (registry !== void 0) {
    const port = /:([^:\]]*)$/.exec(registry);
    const host = port ? registry.slice(0, port.index) : registry;
    const hostOk = IPV6.test(host) || host.split(".").every((label) => DOMAIN_COMPONENT.test(label));
    if (!hostOk)
      return { why: `has an invalid registry host '${showName(host)}'`, fix: `write the host as ${SHAPES.host}` };
    if (port && !(/^[0-9]+$/.test(port[1]) && Number(port[1]) >= 1 && Number(port[1]) <= 65535)) {
      return {
        why: `has an invalid registry port '${showName(port[1])}'`,
        fix: "a port is a number from 1 to 65535 (e.g. localhost:5000)"
      };
    }
  }
  const bad = path19.split("/").find((part) => !PATH_COMPONENT.test(part));
  if (bad !== void 0) {
    return {
      why: bad === "" ? "has an empty path component" : `has an invalid path component '${showName(bad)}'`,
      fix: `write the path as ${SHAPES.path}`
    };
  }
  return void 0;
}
function tagProblem(tag) {
  if (tag.length > TAG_MAX) return `is ${tag.length} characters long: a tag has at most ${TAG_MAX}`;
  if (!TAG.test(tag)) return `may hold only ${SHAPES.tag}`;
  return void 0;
}
function splitRegistry(name) {
  const slash = name.indexOf("/");
  if (slash === -1) return { path: name };
  const first = name.slice(0, slash);
  if (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase()) {
    return { registry: first, path: name.slice(slash + 1) };
  }
  return { path: name };
}
function parseImageName(input, what = "image") {
  const trimmed = input.trim();
  const { registry, path: path19 } = splitRegistry(trimmed);
  if (registry !== void 0 && registry !== registry.toLowerCase()) {
    throw new UsageError(`${what} '${showName(input)}': registry host '${showName(registry)}' has uppercase letters`, {
      fix: `write the host in lowercase (${registry.toLowerCase()}/…), or drop it for Docker Hub; a mixed-case first part is a host to docker`
    });
  }
  const lower = path19.toLowerCase();
  const name = registry ? `${registry}/${lower}` : lower;
  if (trimmed.includes("@") || /:[^/]*$/.test(path19)) {
    throw new UsageError(`${what} '${showName(input)}' is not an image name: it holds a tag or digest`, {
      fix: `use a name without tag, like ghcr.io/owner/repo-migrations (tags go in ${OPTION.tags})`
    });
  }
  const problem = nameProblem(registry, lower);
  if (problem)
    throw new UsageError(`${what} '${showName(input)}' is not an image name: it ${problem.why}`, { fix: problem.fix });
  const host = registry === void 0 || registry === "index.docker.io" ? "docker.io" : registry;
  return { registry: host, repository: lower, name, lowercased: lower !== path19 };
}
function assertTag(tag, what = "tags") {
  const problem = tagProblem(tag);
  if (problem) {
    throw new UsageError(`${what}: tag '${showName(tag)}' is not a valid image tag: it ${problem}`, {
      fix: `use ${SHAPES.tag}`
    });
  }
  return tag;
}
function parseBaseImage(input, pinned, what = "base-image") {
  const reference = input.trim();
  const [nameAndTag, digest, ...rest] = reference.split("@");
  const refuse = (why, fix) => {
    throw new UsageError(`${what} '${showName(input)}' ${why}`, {
      fix: fix ?? `use a versioned tag, ideally pinned by digest, like the tool's default: ${pinned ?? "postgres:17-alpine@sha256:…"}`
    });
  };
  if (rest.length > 0 || digest !== void 0 && !DIGEST2.test(digest)) {
    refuse("has an invalid digest", "a digest is sha256: and 64 lowercase hex digits (the only algorithm pinned here)");
  }
  const colon = nameAndTag.lastIndexOf(":");
  const tag = colon > nameAndTag.lastIndexOf("/") ? nameAndTag.slice(colon + 1) : void 0;
  const name = tag === void 0 ? nameAndTag : nameAndTag.slice(0, colon);
  const { registry, path: path19 } = splitRegistry(name);
  if (path19 === "") refuse("is not an image reference: it has no name");
  const problem = nameProblem(registry, path19);
  if (problem) refuse(`is not an image reference: it ${problem.why}`, problem.fix);
  const tagWrong = tag === void 0 ? void 0 : tagProblem(tag);
  if (tagWrong) refuse(`has an invalid tag: it ${tagWrong}`, `use ${SHAPES.tag}`);
  if (tag === void 0 && digest === void 0) refuse("has no tag");
  if (tag === "latest" && digest === void 0) refuse("uses 'latest', which changes under you");
  return { reference, pinned: digest !== void 0 };
}
function checkedBaseImage(value2, what, pinned) {
  if (value2 === void 0 || value2.trim() === "") return void 0;
  parseBaseImage(value2, pinned, what);
  return value2;
}

// src/core/image/spec.ts
var LAYER_UID = 0;
var LAYER_GID = 0;
var DIR_MODE = 365;
var FILE_MODE = 292;
var RUNNER_MODE = 365;
var PARENT_MODE = 493;
var LAYER_MTIME = 0;
function describeImage({
  preset,
  base: base3,
  labels,
  env = {},
  selfCheck,
  created,
  runnerText
}) {
  return {
    base: base3,
    migrationsDir: `/${preset.migrationsDir.split("/").filter(Boolean).join("/")}`,
    parentOwner: preset.parentOwner ?? { uid: LAYER_UID, gid: LAYER_GID },
    runner: preset.runner ? { path: preset.runner.path, text: runnerText ?? "" } : void 0,
    env: { ...preset.env, ...env },
    user: preset.user,
    entrypoint: preset.runner ? [preset.runner.path] : preset.entrypoint,
    labels,
    created,
    selfCheck: selfCheck && preset.selfCheck ? preset.selfCheck : void 0
  };
}
var compare = (a, b) => a < b ? -1 : a > b ? 1 : 0;
function layerEntries(spec, names2) {
  const root = spec.migrationsDir;
  const entry = (path19, type, mode, source) => ({
    path: path19,
    type,
    mode,
    uid: LAYER_UID,
    gid: LAYER_GID,
    ...source ? { source } : {}
  });
  const dirs = /* @__PURE__ */ new Set();
  const files = [];
  for (const name of names2) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
    files.push(entry(`${root}/${name}`, "file", FILE_MODE, { staged: name }));
  }
  const entries = [
    entry(root, "directory", DIR_MODE),
    ...[...dirs].map((dir) => entry(`${root}/${dir}`, "directory", DIR_MODE)),
    ...files
  ];
  if (spec.runner) entries.push(entry(spec.runner.path, "file", RUNNER_MODE, { text: spec.runner.text }));
  const above = /* @__PURE__ */ new Set();
  for (const path19 of [root, ...spec.runner ? [spec.runner.path] : []]) {
    const parts = path19.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) above.add(`/${parts.slice(0, i).join("/")}`);
  }
  for (const path19 of above) {
    entries.push({ path: path19, type: "directory", mode: PARENT_MODE, ...spec.parentOwner, above: true });
  }
  return entries.sort((a, b) => {
    const x = a.path.split("/");
    const y = b.path.split("/");
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (x[i] !== y[i]) return compare(x[i], y[i]);
    }
    return x.length - y.length;
  });
}
function createdTime(spec) {
  const time = spec.created === void 0 ? NaN : Date.parse(spec.created);
  const seconds2 = Number.isFinite(time) && time >= 0 ? Math.floor(time / 1e3) : 0;
  return new Date(seconds2 * 1e3).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// src/core/image/dockerfile.ts
var CONTEXT_IMAGE = "image";
var CONTEXT_RUNNER = "migrate.sh";
var contextMigrations = (migrationsDir) => `${CONTEXT_IMAGE}/${migrationsDir.split("/").filter(Boolean).at(-1) ?? "migrations"}`;
var parentOf = (migrationsDir) => {
  const parent = migrationsDir.split("/").filter(Boolean).slice(0, -1).join("/");
  return parent ? `/${parent}/` : "/";
};
var KEY = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
function quote(key, value2) {
  if (hasControlCharacter(value2)) {
    throw new UsageError(`${key} value has a control character: ${showName(value2)}`, {
      fix: `remove line breaks and control characters from what sets ${key}`
    });
  }
  return `"${value2.replace(/[\\"$]/g, (char) => `\\${char}`)}"`;
}
function pairs(instruction, values) {
  const entries = Object.entries(values);
  for (const [key] of entries) {
    if (!KEY.test(key)) throw new UsageError(`${instruction} key is not allowed: ${showName(key)}`);
  }
  if (entries.length === 0) return [];
  const indent = " ".repeat(instruction.length + 1);
  return [
    `${instruction} ${entries.map(([key, value2]) => `${key}=${quote(`${instruction} ${key}`, value2)}`).join(` \\
${indent}`)}`
  ];
}
var execForm = (argv) => JSON.stringify(argv).replace(/","/g, '", "');
var withoutLink = (dockerfile) => dockerfile.replace(/^COPY --link /gm, "COPY ");
function renderSpec(spec) {
  const lines = [];
  const base3 = spec.base.reference;
  const parent = parentOf(spec.migrationsDir);
  const copy = `COPY ${CONTEXT_IMAGE}/ ${parent}`;
  if (!spec.selfCheck && parent === "/") {
    lines.push(`FROM ${base3}`, `COPY --link ${CONTEXT_IMAGE}/ /`);
  } else if (spec.selfCheck) {
    lines.push(
      `FROM ${base3} AS self-check`,
      copy,
      `COPY ${CONTEXT_IMAGE}/ /migration-image/`,
      `RUN ${execForm(spec.selfCheck)}`,
      ""
    );
    lines.push(`FROM ${base3}`, `COPY --from=self-check /migration-image/ ${parent}`);
  } else {
    lines.push(`FROM ${base3}`, copy);
  }
  if (spec.runner) lines.push(`COPY ${CONTEXT_RUNNER} ${spec.runner.path}`);
  lines.push(...pairs("ENV", spec.env));
  if (spec.workdir) lines.push(`WORKDIR ${spec.workdir}`);
  if (spec.user) lines.push(`USER ${spec.user}`);
  if (spec.entrypoint) lines.push(`ENTRYPOINT ${execForm(spec.entrypoint)}`, "CMD []");
  lines.push(...pairs("LABEL", spec.labels));
  return `${lines.join("\n")}
`;
}
function contextPath(spec, imagePath) {
  if (spec.runner && imagePath === spec.runner.path) return CONTEXT_RUNNER;
  const root = spec.migrationsDir;
  if (imagePath !== root && !imagePath.startsWith(`${root}/`)) {
    throw new Error(`${imagePath} is not under ${root}`);
  }
  return `${contextMigrations(root)}${imagePath.slice(root.length)}`;
}

// src/core/image/labels.ts
function imageLabels({
  validation,
  tool,
  source,
  revision,
  created,
  title,
  contentKey: contentKey2
}) {
  const labels = {};
  if (source) labels["org.opencontainers.image.source"] = source;
  if (revision) labels["org.opencontainers.image.revision"] = revision;
  if (created) labels["org.opencontainers.image.created"] = created;
  labels["org.opencontainers.image.title"] = title;
  labels["io.migration-image.tool"] = tool;
  labels["io.migration-image.count"] = String(validation.count);
  labels["io.migration-image.latest-version"] = validation.latestVersion ?? "";
  labels["io.migration-image.checksum"] = validation.checksum;
  if (contentKey2) labels[CONTENT_KEY_LABEL] = contentKey2;
  return labels;
}

// src/core/image/psql-runner.ts
var PSQL_RUNNER = `#!/bin/sh
# migration-image: apply the migrations in $MIGRATIONS_DIR/migrations.list to $DATABASE_URL with psql.
set -eu
if [ -z "\${DATABASE_URL:-}" ]; then
  echo "migrate: DATABASE_URL is not set (e.g. postgres://user:password@host:5432/db?sslmode=require)" >&2
  exit 2
fi
dir=\${MIGRATIONS_DIR:-/migrations}
table=\${MIGRATIONS_TABLE:-migration_image_versions}
applied=0
skipped=0
while IFS=' ' read -r version name; do
  [ -n "$version" ] || continue
  result=$(psql "$DATABASE_URL" --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 \\
    -v table="$table" -v version="$version" -v name="$name" -v file="$dir/$name" <<'SQL'
BEGIN;
SELECT pg_advisory_xact_lock(hashtext(:'table'));
SET LOCAL client_min_messages = warning;
CREATE TABLE IF NOT EXISTS :"table" (
  version text PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);
SET LOCAL client_min_messages = notice;
SELECT EXISTS (SELECT 1 FROM :"table" WHERE version = :'version') AS done \\gset
\\if :done
\\echo migration-image:skipped
\\else
\\i :file
INSERT INTO :"table" (version, name) VALUES (:'version', :'name');
\\echo migration-image:applied
\\endif
COMMIT;
SQL
  ) || { echo "migrate: $name failed; it was rolled back and nothing after it ran" >&2; exit 1; }
  case "$result" in
    *migration-image:applied*) applied=$((applied + 1)); echo "applied $name" ;;
    *) skipped=$((skipped + 1)) ;;
  esac
done < "$dir/migrations.list"
echo "migrate: $applied applied, $skipped already applied"
`;

// src/core/image/plan.ts
function planImage(image, preset, validation, contentKey2) {
  const notes = [];
  const base3 = parseBaseImage(image.baseImage || preset.baseImage, preset.baseImage);
  if (image.baseImage && !base3.pinned) {
    notes.push({
      level: "warning",
      text: `base image ${base3.reference} is not pinned by digest; pin it (${base3.reference}@sha256:…) so a re-tag upstream cannot change your image`
    });
  }
  if (image.selfCheck && !preset.selfCheck) {
    notes.push({
      level: "notice",
      text: `${preset.tool} has no offline self-check (it needs a database): self-check skipped`
    });
  }
  const labels = (commit, key) => imageLabels({
    validation,
    tool: preset.tool,
    source: image.source,
    revision: commit ? image.revision : void 0,
    created: commit ? image.created : void 0,
    title: image.name.name,
    contentKey: key
  });
  const changelog = preset.changelogEnv && validation.shipped[0] ? { [preset.changelogEnv]: validation.shipped[0] } : {};
  const describe2 = (commit, key) => describeImage({
    preset,
    base: base3,
    labels: labels(commit, key),
    env: changelog,
    selfCheck: image.selfCheck,
    created: commit ? image.created : void 0,
    runnerText: PSQL_RUNNER
  });
  const spec = describe2(true, contentKey2);
  return { spec, dockerfile: renderSpec(spec), keyDockerfile: renderSpec(describe2(false)), notes };
}

// src/io/docker-build.ts
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path2 from "node:path";

// src/core/build/argv.ts
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

// src/core/build/cache.ts
function tokenCanWriteCache(token) {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    if (typeof payload.ac !== "string") return true;
    const scopes = JSON.parse(payload.ac);
    return scopes.some(({ Permission }) => ((Permission ?? 0) & 2) === 2);
  } catch {
    return true;
  }
}
function cacheScope(imageName, tool) {
  return `migration-image-${imageName}-${tool}`.replace(/[^a-zA-Z0-9._-]+/g, "-");
}
function planCache({ wanted, service, buildxVersion, scope }) {
  const off = (level, text3) => ({
    from: false,
    to: false,
    scope,
    note: { level, text: text3 }
  });
  if (!wanted) return { from: false, to: false, scope };
  if (buildxVersion === void 0) {
    return off(
      "warning",
      "docker buildx is not installed: building with docker build and docker push, without the GitHub Actions cache"
    );
  }
  const { token, url, v2 } = service;
  if (!token || !url) {
    return off(
      "notice",
      "no GitHub Actions cache service in this environment (ACTIONS_RUNTIME_TOKEN / cache URL unset): building without cache"
    );
  }
  if (v2 && !atLeast(buildxVersion, "0.21.0")) {
    return off(
      "warning",
      `GitHub's cache service v2 needs buildx >= 0.21 (found ${buildxVersion}): building without cache; update buildx (docker/setup-buildx-action)`
    );
  }
  if (!tokenCanWriteCache(token)) {
    return {
      from: true,
      to: false,
      scope,
      note: {
        level: "notice",
        text: "the runtime token is read-only for the cache (untrusted trigger): reading the cache, not writing it"
      }
    };
  }
  return { from: true, to: true, scope };
}

// src/core/build/plan.ts
var cacheWanted = (wish) => wish.cache === "true" || wish.cache === "auto" && wish.runsCommands;
var attests = (provenance) => !/^(false|0|)$/i.test(provenance.trim());
var capable = (builder) => builder.driver !== "docker" || builder.containerdStore;
function describeBuilder(builder, input) {
  if (!builder) return "the current builder";
  const what = input ? `builder '${builder.name}'` : `the current builder (${builder.name})`;
  if (builder.driver !== "docker") return `${what} (driver ${builder.driver})`;
  return `${what} (docker driver on the ${builder.containerdStore ? "containerd" : "classic"} image store)`;
}
function planPublish(wish, facts) {
  try {
    const plan = decide(wish, facts);
    return { ...plan, notes: plan.notes.map((note) => ({ ...note, text: nameOptions(note.text, wish.names) })) };
  } catch (error) {
    if (error instanceof UsageError && error.fix !== void 0) {
      throw new UsageError(error.message, { fix: nameOptions(error.fix, wish.names) });
    }
    throw error;
  }
}
function decide(wish, facts) {
  const notes = [];
  const scope = cacheScope(wish.image, wish.tool);
  const multiPlatform = wish.platforms.length > 1;
  const attest = attests(wish.provenance);
  const buildxVersion = facts.buildxVersion;
  let cache = planCache({ wanted: cacheWanted(wish), service: facts.cacheService, buildxVersion, scope });
  if (wish.cache === "auto" && !wish.runsCommands && facts.cacheService.token && facts.cacheService.url) {
    notes.push({
      level: "info",
      text: `GitHub Actions cache not used (cache: auto): this image only copies files onto its base, so the cache would upload the base and save nothing; set ${OPTION.cache} to use it anyway`
    });
  }
  const cacheOff = (text3) => {
    cache = { from: false, to: false, scope, note: { level: "warning", text: text3 } };
  };
  if (buildxVersion === void 0) {
    if (multiPlatform) {
      throw new UsageError(`building for ${wish.platforms.join(", ")} needs docker buildx, which is not installed`, {
        fix: "install buildx (docker/setup-buildx-action) or build one platform"
      });
    }
    if (cache.note) notes.push(cache.note);
    if (attest) {
      notes.push({
        level: "warning",
        text: `provenance '${wish.provenance}' needs docker buildx, which is not installed: the image has no attestation`
      });
    }
    return { cache, ...planBuild(buildRequest(wish, cache), {}), notes, link: false };
  }
  const needs = [
    ...cache.from || cache.to ? ["use the GitHub Actions cache"] : [],
    ...multiPlatform ? [`build several platforms (${wish.platforms.join(", ")})`] : [],
    ...attest ? ["attach provenance attestations"] : []
  ];
  let builderName = wish.builder;
  let builder = facts.builder;
  let createBuilder2;
  const refuseOrDropCache = (who, fix) => {
    if (multiPlatform || attest) {
      const what = needs.filter((need) => !need.startsWith("use the GitHub")).join(" and ");
      throw new UsageError(`${who} cannot ${what}`, { fix });
    }
    cacheOff(`${who} cannot export cache: building without the GitHub Actions cache; ${fix}`);
  };
  if (wish.builder !== void 0) {
    if (!builder) {
      throw new UsageError(`builder '${wish.builder}' was not found (docker buildx inspect ${wish.builder} failed)`, {
        fix: `create it before this step (docker/setup-buildx-action) or leave ${OPTION.builder} empty`
      });
    }
    if (needs.length > 0 && !capable(builder)) {
      refuseOrDropCache(
        describeBuilder(builder, true),
        `give a docker-container builder (docker/setup-buildx-action), turn on the containerd image store, or leave ${OPTION.builder} empty`
      );
    }
  } else if (needs.length > 0 && !(builder && capable(builder))) {
    const who = describeBuilder(builder, false);
    const existing = facts.builders?.find(
      (candidate) => candidate.running !== false && capable(candidate) && candidate.name !== builder?.name
    );
    if (existing) {
      notes.push({
        level: "info",
        text: `${who} cannot ${needs.join(" or ")}: using ${describeBuilder(existing, true)}, which can`
      });
      builderName = existing.name;
      builder = existing;
    } else if (facts.temporaryBuilderFailed !== void 0) {
      refuseOrDropCache(
        `${who}, and a temporary docker-container builder could not start (${facts.temporaryBuilderFailed}),`,
        `set up a builder before this step (docker/setup-buildx-action) and pass it as ${OPTION.builder}`
      );
    } else {
      builderName = facts.temporaryBuilderName;
      builder = void 0;
      createBuilder2 = { name: builderName, argv: containerBuilderArgv(builderName, buildxVersion) };
      notes.push({
        level: "info",
        text: `${who} cannot ${needs.join(" or ")}: creating a temporary docker-container builder (the post step removes it)`
      });
    }
  }
  if ((cache.from || cache.to) && facts.cacheService.v2 && builder && !atLeast(builder.buildkitVersion, "0.20.0")) {
    const runs = builder.buildkitVersion ? `runs BuildKit ${builder.buildkitVersion}` : "runs a BuildKit older than 0.11";
    const engine = builder.driver === "docker" ? ", the engine’s own (Docker Engine 28 has 0.20)" : "";
    cacheOff(
      `GitHub's cache service v2 needs BuildKit >= 0.20, and ${describeBuilder(builder, wish.builder !== void 0)} ${runs}${engine}: building without the cache; update the engine or use a docker-container builder (docker/setup-buildx-action)`
    );
  }
  if (cache.note) notes.push(cache.note);
  const argv = planBuild(buildRequest(wish, cache), {
    buildxVersion,
    name: builderName,
    driver: createBuilder2 ? "docker-container" : builder?.driver
  });
  const link = createBuilder2 !== void 0 || atLeast(builder?.buildkitVersion, "0.10.0");
  return { createBuilder: createBuilder2, cache, ...argv, notes, link };
}
function buildRequest(wish, cache) {
  return {
    context: wish.context,
    dockerfile: wish.dockerfile,
    tags: wish.references,
    push: wish.push,
    load: wish.load,
    metadataFile: wish.metadataFile,
    platforms: wish.platforms,
    provenance: wish.provenance,
    cache
  };
}

// src/io/docker-build.ts
async function buildWithDocker(image, preset, context, io) {
  const { log } = io;
  const ports = io;
  let dockerEnv = image.created === void 0 ? ports.env : { ...ports.env, SOURCE_DATE_EPOCH: String(epochSeconds(image.created)) };
  const registry = image.name.registry;
  const credentials = image.credentials?.password ? image.credentials : void 0;
  const loginNeeded = credentials !== void 0 && (image.push || io.baseRegistry === registry);
  if (credentials && !loginNeeded) {
    log.info(`no docker login to ${registry}: nothing is pushed, and the base image comes from ${io.baseRegistry}`);
  }
  if (loginNeeded) {
    const config = createDockerConfig(ports.tempDir, dockerEnv);
    ports.cleanup.add({ dockerConfig: config.dir });
    dockerEnv = config.env;
  }
  const docker = io.docker(dockerEnv);
  if (!credentials && image.push) {
    log.warning(`no password for ${registry}: pushing with whatever credentials the engine already has`);
  }
  const loggedIn = loginNeeded ? login(docker, registry, credentials, image.push, log).then(() => ports.cleanup.add({ registry })) : Promise.resolve();
  loggedIn.catch(() => void 0);
  const metadataDir = mkdtempSync(path2.join(ports.tempDir, "migration-image-meta-"));
  try {
    return await buildIn(metadataDir);
  } finally {
    rmSync(metadataDir, { recursive: true, force: true });
  }
  async function buildIn(metadataDir2) {
    const wish = {
      image: image.name.name,
      tool: preset.tool,
      references: image.tags.map((tag) => `${image.name.name}:${tag}`),
      push: image.push,
      load: image.load,
      platforms: image.platforms,
      provenance: image.provenance,
      cache: image.cache,
      runsCommands: image.selfCheck && preset.selfCheck !== void 0,
      builder: image.builder,
      context: context.dir,
      dockerfile: context.dockerfile,
      metadataFile: path2.join(metadataDir2, "metadata.json"),
      names: ports.names
    };
    let facts = await probe(docker, wish, ports.env);
    let plan = planPublish(wish, facts);
    if (plan.createBuilder && facts.buildxVersion !== void 0) {
      facts = { ...facts, builders: await listBuilders(docker, facts.buildxVersion) };
      plan = planPublish(wish, facts);
    }
    if (plan.createBuilder) {
      const made = await createBuilder(docker, plan.createBuilder.argv, plan.createBuilder.name);
      if (made.created) ports.cleanup.add({ builder: plan.createBuilder.name });
      else plan = planPublish(wish, { ...facts, temporaryBuilderFailed: made.reason });
    }
    for (const note of plan.notes) log[note.level](note.text);
    if (!plan.link) writeFileSync(context.dockerfile, withoutLink(readFileSync(context.dockerfile, "utf8")));
    const build = () => log.group(
      `docker ${plan.build.slice(0, plan.kind === "buildx" ? 2 : 1).join(" ")}`,
      () => docker.run(plan.build, { echo: (chunk) => log.output(chunk) })
    );
    if (plan.kind === "buildx") await loggedIn;
    let built = await build();
    await loggedIn;
    if (built.code !== 0 && plan.kind === "docker" && AUTH_FAILURE.test(built.stderr + built.stdout))
      built = await build();
    if (built.code !== 0) throw dockerError("build", built.stderr + built.stdout, registry);
    const pushed = await pushAll(docker, plan, log, registry);
    let digest = pushed.map((result) => /digest: (sha256:[a-f0-9]{64})/.exec(result.stdout)?.[1]).find(Boolean);
    if (plan.metadata) digest = readDigest(wish.metadataFile) ?? digest;
    return {
      digest: image.push ? digest : void 0,
      builder: plan.kind,
      cache: plan.cache.to ? `gha (scope ${plan.cache.scope})` : plan.cache.from ? `gha read-only (scope ${plan.cache.scope})` : "off",
      dockerProcesses: docker.spawned
    };
  }
}
async function probe(docker, wish, env) {
  const cacheService = readCacheService(env);
  const [buildxVersion, builder] = await Promise.all([
    detectBuildx(docker),
    // Always: the builder's driver and BuildKit version decide the cache, the platforms and `COPY --link`.
    inspectBuilder(docker, wish.builder)
  ]);
  return { buildxVersion, builder, cacheService, temporaryBuilderName: temporaryBuilderName() };
}
async function pushAll(docker, plan, log, registry) {
  if (plan.pushes.length === 0) return [];
  const pushed = await log.group(
    `docker push (${plan.pushes.length} tags)`,
    () => Promise.all(plan.pushes.map((argv) => docker.run(argv, { echo: (chunk) => log.output(chunk) })))
  );
  const failed = pushed.flatMap((result, index) => result.code === 0 ? [] : [index]);
  if (failed.length === 0) return pushed;
  const tagOf = (argv) => argv[argv.length - 1];
  const done = plan.pushes.filter((_, index) => !failed.includes(index)).map(tagOf);
  const first = pushed[failed[0]];
  const error = dockerError("push", first.stderr + first.stdout, registry);
  throw new PushError(
    `${error.message} (failed: ${failed.map((index) => tagOf(plan.pushes[index])).join(", ")}; pushed: ${done.join(", ") || "none"})`,
    done,
    { fix: error.fix }
  );
}
async function login(docker, registry, { username, password }, required, log) {
  const result = await docker.run(["login", `--username=${username}`, "--password-stdin", "--", registry], {
    input: password,
    timeoutProbes: 1
  });
  if (result.code === 0) return;
  assertEngine(result.stderr);
  const message = `docker login to ${registry} as ${showName(username)} failed: ${lastLines(result.stderr)}`;
  if (!required) {
    log.warning(
      `${message}; continuing without login (nothing is pushed; a private base image from ${registry} cannot be pulled)`
    );
    return;
  }
  throw new MigrationImageError(message, { fix: registryFix(registry) });
}
function registryFix(registry) {
  return registry === "ghcr.io" ? "give the job 'permissions: packages: write' (and, for an existing package, grant this repository access under the package's 'Manage Actions access')" : `check the username and password for ${registry}`;
}
function readDigest(file) {
  try {
    const metadata = JSON.parse(readFileSync(file, "utf8"));
    const digest = metadata["containerimage.digest"];
    return typeof digest === "string" ? digest : void 0;
  } catch {
    return void 0;
  }
}
function assertEngine(output) {
  if (/Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i.test(output)) {
    throw new DockerMissingError(`no Docker engine is reachable: ${lastLines(output, 1)}`, {
      fix: "start Docker (or point DOCKER_HOST at an engine); validate and dockerfile need no engine"
    });
  }
}
var AUTH_FAILURE = /denied|unauthorized|403 Forbidden|authentication required|no basic auth credentials/i;
function dockerError(what, output, registry) {
  assertEngine(output);
  const denied = AUTH_FAILURE.test(output);
  const pushing = what === "push" || /exporting to image|pushing layers|failed to push|push access denied/i.test(output);
  return new MigrationImageError(
    `docker ${pushing && denied ? "push" : what} failed: ${lastLines(withoutProgress(output))}`,
    {
      fix: denied ? registryFix(registry) : "see the docker output above"
    }
  );
}

// src/core/image/oci.ts
var MEDIA = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar.gzip"
};
var INDEX_TYPES = [MEDIA.ociIndex, MEDIA.dockerList];
var MANIFEST_TYPES = [MEDIA.ociManifest, MEDIA.dockerManifest];
var DIGEST3 = /^sha256:[a-f0-9]{64}$/;
var DocumentError = class extends Error {
};
var isObject = (value2) => typeof value2 === "object" && value2 !== null && !Array.isArray(value2);
function parseDocument(bytes, what) {
  let value2;
  try {
    value2 = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    throw new DocumentError(`${what} is not JSON`);
  }
  if (!isObject(value2)) throw new DocumentError(`${what} is not a JSON object`);
  return value2;
}
function descriptor(value2, what) {
  if (!isObject(value2)) throw new DocumentError(`${what} is not a descriptor`);
  const { mediaType, digest, size, platform, annotations } = value2;
  if (typeof digest !== "string" || !DIGEST3.test(digest)) throw new DocumentError(`${what} has no sha256 digest`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new DocumentError(`${what} has no valid size`);
  }
  if (typeof mediaType !== "string" || mediaType.length > 255) throw new DocumentError(`${what} has no media type`);
  const result = { mediaType, digest, size };
  if (isObject(platform) && typeof platform.os === "string" && typeof platform.architecture === "string") {
    result.platform = {
      os: platform.os,
      architecture: platform.architecture,
      ...typeof platform.variant === "string" ? { variant: platform.variant } : {}
    };
  }
  if (isObject(annotations)) {
    result.annotations = Object.fromEntries(
      Object.entries(annotations).filter((entry) => typeof entry[1] === "string")
    );
  }
  return result;
}
function parseManifest(bytes, declaredType, what) {
  const json = parseDocument(bytes, what);
  const mediaType = typeof json.mediaType === "string" ? json.mediaType : declaredType;
  if (!mediaType || !MANIFEST_TYPES.includes(mediaType)) {
    throw new DocumentError(`${what} is not an image manifest (${String(mediaType).slice(0, 80)})`);
  }
  if (!Array.isArray(json.layers)) throw new DocumentError(`${what} has no layers`);
  return {
    mediaType,
    config: descriptor(json.config, `${what}'s config`),
    layers: json.layers.map((layer, i) => descriptor(layer, `${what}'s layer ${i + 1}`)),
    json
  };
}
function parseIndex(bytes, declaredType, what) {
  const json = parseDocument(bytes, what);
  const mediaType = typeof json.mediaType === "string" ? json.mediaType : declaredType;
  if (!mediaType || !INDEX_TYPES.includes(mediaType)) throw new DocumentError(`${what} is not an index`);
  if (!Array.isArray(json.manifests)) throw new DocumentError(`${what} has no manifests`);
  return {
    mediaType,
    manifests: json.manifests.map((entry, i) => descriptor(entry, `${what}'s entry ${i + 1}`)),
    json
  };
}
var platformName = (platform) => [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");
var isAttestation = (entry) => entry.annotations?.["vnd.docker.reference.type"] === "attestation-manifest" || entry.platform?.os === "unknown" && entry.platform.architecture === "unknown";
function matches(wanted, platform) {
  const [os, architecture, variant] = wanted.split("/");
  if (os !== platform.os || architecture !== platform.architecture) return false;
  return variant === void 0 || variant === (platform.variant ?? (architecture === "arm64" ? "v8" : void 0));
}
function selectPlatforms(index, wanted, what) {
  const images = index.manifests.filter(
    (entry) => entry.platform !== void 0 && !isAttestation(entry) && MANIFEST_TYPES.includes(entry.mediaType)
  );
  if (wanted.length === 0) {
    if (images.length === 0) throw new DocumentError(`${what} lists no image for any platform`);
    return images;
  }
  return wanted.map((platform) => {
    const found = images.find((entry) => entry.platform && matches(platform, entry.platform));
    if (!found) {
      const has = images.map((entry) => entry.platform ? platformName(entry.platform) : "?").join(", ");
      throw new DocumentError(`${what} has no ${platform} image (it has ${has || "none"})`);
    }
    return found;
  });
}
var layerType = (manifestType) => manifestType === MEDIA.dockerManifest ? MEDIA.dockerLayer : MEDIA.ociLayer;
function setEnv(env, values) {
  const result = [...env];
  for (const [name, value2] of Object.entries(values)) {
    const at = result.findIndex((line) => line.split("=")[0] === name);
    if (at === -1) result.push(`${name}=${value2}`);
    else result[at] = `${name}=${value2}`;
  }
  return result;
}
function editConfig(base3, spec, layer, createdBy2) {
  const config = isObject(base3.config) ? { ...base3.config } : {};
  const env = Array.isArray(config.Env) ? config.Env.filter((line) => typeof line === "string") : [];
  config.Env = setEnv(env, spec.env);
  if (spec.workdir) config.WorkingDir = spec.workdir;
  if (spec.user) config.User = spec.user;
  if (spec.entrypoint) {
    config.Entrypoint = [...spec.entrypoint];
    delete config.Cmd;
  }
  const labels = isObject(config.Labels) ? config.Labels : {};
  config.Labels = { ...labels, ...spec.labels };
  const rootfs = isObject(base3.rootfs) ? base3.rootfs : {};
  const diffIds = Array.isArray(rootfs.diff_ids) ? rootfs.diff_ids : [];
  const history = Array.isArray(base3.history) ? base3.history : [];
  const created = createdTime(spec);
  return {
    ...base3,
    created,
    config,
    rootfs: { type: "layers", diff_ids: [...diffIds, layer.diffId] },
    history: [...history, { created, created_by: createdBy2, comment: "migration-image" }]
  };
}
function editManifest(base3, config, layer) {
  const json = { ...base3.json, mediaType: base3.mediaType };
  delete json.subject;
  return {
    ...json,
    schemaVersion: 2,
    mediaType: base3.mediaType,
    config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
    layers: [
      ...base3.layers.map(stripped),
      { mediaType: layerType(base3.mediaType), digest: layer.digest, size: layer.size }
    ]
  };
}
var stripped = (entry) => ({
  mediaType: entry.mediaType,
  digest: entry.digest,
  size: entry.size,
  ...entry.annotations && Object.keys(entry.annotations).length > 0 ? { annotations: entry.annotations } : {}
});
function newIndex(indexType, manifests) {
  return {
    schemaVersion: 2,
    mediaType: indexType,
    manifests: manifests.map((entry) => ({
      mediaType: entry.mediaType,
      digest: entry.digest,
      size: entry.size,
      ...entry.platform ? { platform: entry.platform } : {}
    }))
  };
}
var documentBytes = (json) => Buffer.from(JSON.stringify(json), "utf8");
var configType = (manifestType) => manifestType === MEDIA.dockerManifest ? MEDIA.dockerConfig : MEDIA.ociConfig;

// src/io/assemble.ts
import { createHash as createHash3 } from "node:crypto";

// src/io/registry.ts
import { createHash as createHash2 } from "node:crypto";
var MANIFEST_TYPES2 = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json"
].join(", ");
var MAX_DOCUMENT = 4 << 20;
var TIMEOUT_MS = 3e4;
var DIGEST4 = /^sha256:[a-f0-9]{64}$/;
var MAX_REDIRECTS = 5;
var DEFAULT_RETRY = { attempts: 5, backoffMs: 250, maxWaitMs: 6e4 };
var RegistryError = class extends MigrationImageError {
  constructor(registry, step, status, detail) {
    super(
      `registry ${registry}: ${step} ${status === void 0 ? "failed" : `answered ${status}`}${detail ? ` (${detail})` : ""}`,
      { fix: registryFix2(registry, status) }
    );
    this.registry = registry;
    this.step = step;
    this.status = status;
  }
  registry;
  step;
  status;
};
function registryFix2(registry, status) {
  if (status === 401 || status === 403) {
    return registry === "ghcr.io" ? "give the job 'permissions: packages: write' (and, for an existing package, grant this repository access under the package's 'Manage Actions access')" : `check the login for ${registry}: the username and password (a private base in another registry reads the docker config's login for it), and that it may push to the image's repository`;
  }
  if (status === 404) return "check the image name and tag (and that the login can see a private repository)";
  if (status === 429)
    return `${registry} limits requests: wait, log in (anonymous pulls are limited more), or pin the base`;
  return `check that ${registry} is reachable and healthy, then re-run`;
}
function apiBase(registry) {
  const host = registry === "docker.io" ? "registry-1.docker.io" : registry;
  const loopback = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/.test(host);
  return `${loopback ? "http" : "https"}://${host}/v2/`;
}
var hubPath = (registry, repository) => registry === "docker.io" && !repository.includes("/") ? `library/${repository}` : repository;
var sleep = (ms) => new Promise((resolve2) => setTimeout(resolve2, ms));
function transient(error) {
  if (!(error instanceof Error)) return false;
  if (error.name === "TimeoutError" || error.name === "AbortError") return true;
  const cause = error.cause;
  const code3 = typeof cause?.code === "string" ? cause.code : "";
  if (code3 === "ENOTFOUND") return false;
  return error.message === "fetch failed" || error.message === "terminated" || /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|UND_ERR_)/.test(code3) || error instanceof TransientError;
}
var TransientError = class extends Error {
};
function retryAfterMs(value2) {
  if (!value2) return void 0;
  if (/^\d{1,6}$/.test(value2.trim())) return Number(value2.trim()) * 1e3;
  const at = Date.parse(value2);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : void 0;
}
var RegistryClient = class {
  constructor(registry, repository, credentials, options = {}) {
    this.registry = registry;
    this.credentials = credentials;
    this.options = options;
    this.base = apiBase(registry);
    this.repository = hubPath(registry, repository);
  }
  registry;
  credentials;
  options;
  authorization;
  pending;
  /** A Bearer token is scoped: one asked for `pull` cannot push; Basic can do what the login can. */
  canWrite = false;
  base;
  repository;
  traffic = { up: 0, down: 0 };
  get retry() {
    return this.options.retry ?? DEFAULT_RETRY;
  }
  /** The URL of a path in this repository (`manifests/x`), or a Location the registry gave (resolved against it). */
  url(path19) {
    return /^https?:\/\//i.test(path19) || path19.startsWith("/") ? new URL(path19, this.base) : new URL(`${this.base}${this.repository}/${path19}`);
  }
  /**
   * One request with redirects followed by hand: the login goes only to the registry's own origin, never to the
   * storage host a blob GET is sent to. Bodies are sent only to the registry itself (no redirect of an upload).
   */
  async send(method, target, init, authorization) {
    let url = target;
    const origin = new URL(this.base).origin;
    for (let hop = 0; ; hop++) {
      const own = url.origin === origin;
      const request = {
        method,
        headers: {
          ...init.accept ? { Accept: init.accept } : {},
          ...init.type ? { "Content-Type": init.type } : {},
          ...init.length !== void 0 ? { "Content-Length": String(init.length) } : {},
          ...authorization && own ? { Authorization: authorization } : {}
        },
        body: hop === 0 ? init.body : void 0,
        redirect: "manual",
        signal: AbortSignal.timeout(TIMEOUT_MS),
        ...init.body instanceof ReadableStream ? { duplex: "half" } : {}
      };
      const response = await fetch(url, request);
      const location = response.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(response.status) || !location || init.body) return response;
      await response.body?.cancel();
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryError(this.registry, init.step, response.status, "too many redirects");
      }
      const next = new URL(location, url);
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new RegistryError(this.registry, init.step, response.status, "redirected to a non-HTTP URL");
      }
      if (url.protocol === "https:" && next.protocol === "http:") {
        throw new RegistryError(this.registry, init.step, response.status, "redirected from https to http");
      }
      url = next;
    }
  }
  /**
   * A request with the login and retries: a 401 answers its challenge once; resets, 5xx and 429 are tried again
   * after a back-off (Retry-After when the registry sends one), as long as the body can be sent again.
   */
  async request(method, path19, init) {
    const target = this.url(path19);
    const replayable = !(init.body instanceof ReadableStream);
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.retry.attempts || !replayable;
      let response;
      try {
        const used = this.authorization;
        response = await this.send(method, target, init, used);
        if (response.status === 401 && replayable) {
          const challenge = response.headers.get("www-authenticate") ?? "";
          await response.body?.cancel();
          const write = !(method === "GET" || method === "HEAD");
          if (this.authorization === used || write && !this.canWrite) {
            this.pending ??= this.authorize(challenge, write ? "pull,push" : "pull").finally(() => {
              this.pending = void 0;
            });
            this.authorization = await this.pending;
            if (write) this.canWrite = true;
          }
          response = await this.send(method, target, init, this.authorization);
        }
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        if (last || !transient(error)) {
          const reason = error instanceof Error ? error.cause?.message ?? error.message : "";
          throw new RegistryError(this.registry, init.step, void 0, showName(reason).slice(0, 200));
        }
        await sleep(this.retry.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      if ((response.status >= 500 || response.status === 429) && !last) {
        const wait = retryAfterMs(response.headers.get("retry-after"));
        await response.body?.cancel();
        if (wait !== void 0 && wait > this.retry.maxWaitMs) {
          throw new RegistryError(
            this.registry,
            init.step,
            response.status,
            `it asks to wait ${Math.round(wait / 1e3)} s`
          );
        }
        await sleep(wait ?? this.retry.backoffMs * 2 ** (attempt - 1));
        continue;
      }
      return response;
    }
  }
  /** Answers a 401's challenge: Basic with the login, or a Bearer token from the realm the registry names. */
  async authorize(challenge, actions) {
    const basic = this.credentials ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString("base64")}` : void 0;
    if (/^basic\b/i.test(challenge)) return basic;
    if (!/^bearer\b/i.test(challenge)) return void 0;
    const params = Object.fromEntries(
      [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1].toLowerCase(), match[2]])
    );
    let realm;
    try {
      realm = new URL(params.realm ?? "");
    } catch {
      return void 0;
    }
    const sameHost = new URL(this.base).host === realm.host;
    if (realm.protocol !== "https:" && !(sameHost && realm.protocol === "http:")) return void 0;
    if (params.service) realm.searchParams.set("service", params.service);
    realm.searchParams.append("scope", `repository:${this.repository}:${actions}`);
    for (const from of this.options.pullFrom ?? []) realm.searchParams.append("scope", `repository:${from}:pull`);
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await fetch(realm, {
          headers: basic ? { Authorization: basic } : {},
          redirect: "error",
          signal: AbortSignal.timeout(TIMEOUT_MS)
        });
        if ((answer.status >= 500 || answer.status === 429) && attempt < this.retry.attempts) {
          await answer.body?.cancel();
          await sleep(this.retry.backoffMs * 2 ** (attempt - 1));
          continue;
        }
        if (!answer.ok) {
          await answer.body?.cancel();
          return void 0;
        }
        const body = parseJson(await readCapped(answer, this.traffic));
        const token = typeof body?.token === "string" ? body.token : body?.access_token;
        return typeof token === "string" && token !== "" ? `Bearer ${token}` : void 0;
      } catch (error) {
        if (attempt >= this.retry.attempts || !transient(error)) return void 0;
        await sleep(this.retry.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
  /**
   * A GET of a document (manifest, config) read whole, capped, retried when the body is cut short; `digest`, when
   * known, is checked (a body that does not hash to it is fetched again, then refused).
   */
  async document(path19, step, init = {}) {
    for (let attempt = 1; ; attempt++) {
      const response = await this.request("GET", path19, { accept: init.accept, step });
      if (response.status === 404) {
        await response.body?.cancel();
        return void 0;
      }
      if (!response.ok) throw await httpError(response, this.registry, step);
      try {
        const bytes = await readCapped(response, this.traffic);
        if (init.digest && digestOf(bytes) !== init.digest)
          throw new TransientError("the body does not match its digest");
        return { bytes, type: response.headers.get("content-type")?.split(";")[0].trim() };
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        if (attempt >= this.retry.attempts || !transient(error)) {
          throw new RegistryError(this.registry, step, response.status, error instanceof Error ? error.message : "");
        }
        await sleep(this.retry.backoffMs * 2 ** (attempt - 1));
      }
    }
  }
  /** The manifest a tag or digest names; undefined when there is none. */
  async manifest(reference) {
    const step = `GET manifest ${this.repository}:${reference}`;
    const got = await this.document(`manifests/${reference}`, step, {
      accept: MANIFEST_TYPES2,
      digest: DIGEST4.test(reference) ? reference : void 0
    });
    if (!got) return void 0;
    const json = parseJson(got.bytes);
    const type = (got.type && MANIFEST_TYPES2.includes(got.type) ? got.type : void 0) ?? json?.mediaType;
    if (typeof type !== "string" || !MANIFEST_TYPES2.includes(type)) {
      throw new RegistryError(this.registry, step, 200, `an unknown type ${showName(String(type)).slice(0, 80)}`);
    }
    return { digest: digestOf(got.bytes), mediaType: type, bytes: got.bytes };
  }
  /** A small blob (a config) read whole, its digest checked. */
  async blobDocument(digest) {
    const step = `GET blob ${this.repository}@${digest.slice(0, 19)}`;
    const got = await this.document(`blobs/${digest}`, step, { digest });
    if (!got) throw new RegistryError(this.registry, step, 404, "the blob is missing");
    return got.bytes;
  }
  /** The digest a tag names, from a HEAD (Docker Hub counts a GET of a manifest as a pull, a HEAD not). */
  async headDigest(reference) {
    const response = await this.request("HEAD", `manifests/${reference}`, {
      accept: MANIFEST_TYPES2,
      step: `HEAD manifest ${this.repository}:${reference}`
    });
    await response.body?.cancel();
    if (!response.ok) return void 0;
    const digest = response.headers.get("docker-content-digest") ?? "";
    return DIGEST4.test(digest) ? digest : void 0;
  }
  /** The labels of an image (of its first real platform, for an index: they all carry the same labels). */
  async labels(manifest) {
    let json = parseJson(manifest.bytes);
    if (Array.isArray(json?.manifests)) {
      const entries = json.manifests;
      const first = entries.find((entry) => entry.platform?.os !== "unknown" && typeof entry.digest === "string");
      if (!first || !DIGEST4.test(String(first.digest))) return {};
      const child = await this.manifest(String(first.digest));
      json = child ? parseJson(child.bytes) : void 0;
    }
    const config = json?.config;
    if (typeof config?.digest !== "string" || !DIGEST4.test(config.digest)) return {};
    const labels = parseJson(await this.blobDocument(config.digest))?.config?.Labels;
    if (!labels || typeof labels !== "object") return {};
    return Object.fromEntries(
      Object.entries(labels).filter(
        (entry) => typeof entry[1] === "string"
      )
    );
  }
  /** Points a tag (or a digest) at a manifest: its bytes PUT under it. Returns the digest the registry holds. */
  async putManifest(reference, bytes, mediaType) {
    const step = `PUT manifest ${this.repository}:${reference}`;
    const response = await this.request("PUT", `manifests/${reference}`, { body: bytes, type: mediaType, step });
    await response.body?.cancel();
    if (!response.ok) throw new RegistryError(this.registry, step, response.status, "");
    this.traffic.up += bytes.length;
    const digest = digestOf(bytes);
    const said = response.headers.get("docker-content-digest");
    if (said && said !== digest) {
      throw new RegistryError(
        this.registry,
        step,
        response.status,
        `it stored ${showName(said).slice(0, 80)}, not ${digest}`
      );
    }
    return digest;
  }
  /** The re-tag: the same bytes PUT again under the tag (the digest stays what it was). */
  async putTag(tag, manifest) {
    await this.putManifest(tag, manifest.bytes, manifest.mediaType);
  }
  /** Whether the repository holds a blob (HEAD). */
  async hasBlob(digest) {
    const response = await this.request("HEAD", `blobs/${digest}`, {
      step: `HEAD blob ${this.repository}@${digest.slice(0, 19)}`
    });
    await response.body?.cancel();
    return response.ok;
  }
  /**
   * Starts an upload; with `from` (a repository of the same registry), asks for a cross-repository mount first.
   * `mounted`: the blob is there now. Else the Location to send the bytes to.
   */
  async startUpload(digest, from) {
    const query = from ? `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}` : "";
    const step = `${from ? "mount" : "start upload of"} blob ${digest.slice(0, 19)}${from ? ` from ${from}` : ""}`;
    const response = await this.request("POST", `blobs/uploads/${query}`, { body: Buffer.alloc(0), step });
    await response.body?.cancel();
    if (response.status === 201 && from) return { mounted: true };
    const location = response.headers.get("location");
    if (response.status !== 202 || !location) throw new RegistryError(this.registry, step, response.status, "");
    return { mounted: false, location };
  }
  /**
   * The whole blob in one PUT to the upload's Location (monolithic: ghcr.io has refused chunked PATCHes over a few
   * MiB). `body` is bytes, or a stream of exactly `size` bytes (not retried here: the caller starts it again).
   */
  async finishUpload(location, digest, body, size) {
    const url = this.url(location);
    if (url.origin !== new URL(this.base).origin) {
      throw new RegistryError(
        this.registry,
        `upload blob ${digest.slice(0, 19)}`,
        202,
        "it sent the upload to another host"
      );
    }
    url.searchParams.set("digest", digest);
    const step = `upload blob ${digest.slice(0, 19)} (${size} bytes)`;
    const response = await this.request("PUT", url.href, {
      body,
      length: size,
      type: "application/octet-stream",
      step
    });
    await response.body?.cancel();
    if (response.status !== 201 && response.status !== 204) {
      throw new RegistryError(this.registry, step, response.status, "");
    }
    if (Buffer.isBuffer(body)) this.traffic.up += size;
  }
  /** A blob's bytes as a stream (the base's layers, copied to another registry without being unpacked or stored). */
  async blobStream(digest) {
    const step = `GET blob ${this.repository}@${digest.slice(0, 19)}`;
    const response = await this.request("GET", `blobs/${digest}`, { step });
    if (!response.ok || !response.body) throw await httpError(response, this.registry, step);
    const length = Number(response.headers.get("content-length") ?? NaN);
    return { body: response.body, size: Number.isSafeInteger(length) ? length : void 0 };
  }
};
async function readTag(client2, reference, tag) {
  try {
    const manifest = await client2.manifest(tag);
    if (!manifest) return { reference };
    const labels = await client2.labels(manifest);
    return {
      reference,
      digest: manifest.digest,
      contentKey: labels[CONTENT_KEY_LABEL],
      revision: labels[REVISION_LABEL],
      manifest
    };
  } catch (error) {
    return { reference, error: error instanceof Error ? error.message : String(error) };
  }
}
function splitReference(reference) {
  const [nameAndTag, digest] = reference.split("@");
  const colon = nameAndTag.lastIndexOf(":");
  const slash = nameAndTag.lastIndexOf("/");
  const name = colon > slash ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon > slash ? nameAndTag.slice(colon + 1) : digest === void 0 ? "latest" : void 0;
  const parsed = parseImageName(name, "base-image");
  return { name, registry: parsed.registry, repository: hubPath(parsed.registry, parsed.repository), tag, digest };
}
async function resolveBase(reference, login2) {
  const { name, registry, repository, tag, digest } = splitReference(reference);
  if (digest !== void 0) return reference;
  const client2 = new RegistryClient(registry, repository, login2 && login2.registry === registry ? login2 : void 0);
  const found = await client2.headDigest(tag ?? "latest");
  if (!found) throw new Error(`the registry did not give the digest of base image ${reference}`);
  return `${name}@${found}`;
}
var digestOf = (bytes) => `sha256:${createHash2("sha256").update(bytes).digest("hex")}`;
async function readCapped(response, traffic) {
  const declared = Number(response.headers.get("content-length") ?? "0");
  if (declared > MAX_DOCUMENT) {
    await response.body?.cancel();
    throw new Error(`the registry sent ${declared} bytes for a document (at most ${MAX_DOCUMENT})`);
  }
  const chunks = [];
  let size = 0;
  if (!response.body) return Buffer.alloc(0);
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > MAX_DOCUMENT) throw new Error(`the registry sent more than ${MAX_DOCUMENT} bytes for a document`);
    chunks.push(Buffer.from(chunk));
  }
  if (traffic) traffic.down += size;
  if (Number.isSafeInteger(declared) && declared > 0 && size !== declared) {
    throw new TransientError(`the body ended after ${size} of ${declared} bytes`);
  }
  return Buffer.concat(chunks);
}
function parseJson(bytes) {
  try {
    const value2 = JSON.parse(bytes.toString("utf8"));
    return value2 && typeof value2 === "object" && !Array.isArray(value2) ? value2 : void 0;
  } catch {
    return void 0;
  }
}
async function httpError(response, registry, step) {
  await response.body?.cancel();
  return new RegistryError(registry, step, response.status, "");
}

// src/io/assemble.ts
var documentError = (registry, step, error) => error instanceof DocumentError ? new RegistryError(registry, step, 200, error.message) : error;
async function readBase(reference, platforms, credentials, retry = DEFAULT_RETRY) {
  const ref = splitReference(reference);
  const client2 = new RegistryClient(ref.registry, ref.repository, credentials, { retry });
  const what = `base image ${reference}`;
  const top = await client2.manifest(ref.digest ?? ref.tag ?? "latest");
  if (!top) {
    throw new RegistryError(
      ref.registry,
      `GET manifest ${ref.repository}:${ref.digest ?? ref.tag}`,
      404,
      `${what} is not there`
    );
  }
  const step = `read ${what}`;
  try {
    let entries;
    let indexType;
    if (INDEX_TYPES.includes(top.mediaType)) {
      const index = parseIndex(top.bytes, top.mediaType, what);
      indexType = index.mediaType;
      entries = selectPlatforms(index, platforms, what);
    } else {
      if (platforms.length > 1) {
        throw new DocumentError(`${what} is a single-platform image: it cannot give ${platforms.join(", ")}`);
      }
      entries = [{}];
    }
    const images = await Promise.all(
      entries.map(async (entry) => {
        const manifestDoc = entry.digest ? await client2.manifest(entry.digest) : top;
        if (!manifestDoc)
          throw new DocumentError(
            `${what}: the manifest for ${entry.platform ? platformName(entry.platform) : "its platform"} is missing`
          );
        const manifest = parseManifest(manifestDoc.bytes, manifestDoc.mediaType, what);
        const config = parseDocument(await client2.blobDocument(manifest.config.digest), `${what}'s config`);
        const platform = entry.platform ?? (typeof config.os === "string" && typeof config.architecture === "string" ? {
          os: config.os,
          architecture: config.architecture,
          ...typeof config.variant === "string" ? { variant: config.variant } : {}
        } : void 0);
        if (!entry.digest && platforms.length === 1 && platform && platformName(platform) !== platforms[0] && `${platformName(platform)}/v8` !== platforms[0]) {
          throw new DocumentError(`${what} is ${platformName(platform)}, not ${platforms[0]}`);
        }
        return { manifest, config, platform };
      })
    );
    return { reference, client: client2, indexType, images };
  } catch (error) {
    throw documentError(ref.registry, step, error);
  }
}
var createdBy = (spec) => `migration-image: COPY ${spec.migrationsDir}${spec.runner ? ` ${spec.runner.path}` : ""}`;
function assemble(base3, spec, layer) {
  const platforms = base3.images.map(({ manifest, config, platform }) => {
    const configBytes = documentBytes(editConfig(config, spec, layer, createdBy(spec)));
    const configDescriptor = {
      mediaType: configType(manifest.mediaType),
      digest: digestOf(configBytes),
      size: configBytes.length
    };
    const bytes = documentBytes(editManifest(manifest, configDescriptor, layer));
    return {
      platform,
      manifest: { bytes, mediaType: manifest.mediaType, digest: digestOf(bytes) },
      config: { bytes: configBytes, digest: configDescriptor.digest },
      baseLayers: manifest.layers
    };
  });
  let top;
  if (base3.indexType) {
    const bytes = documentBytes(
      newIndex(
        base3.indexType,
        platforms.map((image) => ({
          mediaType: image.manifest.mediaType,
          digest: image.manifest.digest,
          size: image.manifest.bytes.length,
          platform: image.platform
        }))
      )
    );
    top = { bytes, mediaType: base3.indexType, digest: digestOf(bytes) };
  } else {
    top = platforms[0].manifest;
  }
  return { platforms, top, layer, base: base3 };
}
async function pool(items, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    })
  );
}
function verified(body, digest, size) {
  const hash = createHash3("sha256");
  let seen = 0;
  return body.pipeThrough(
    new TransformStream({
      transform(chunk, controller) {
        seen += chunk.length;
        if (seen > size) {
          controller.error(new TransientError(`blob ${digest} is longer than its ${size} bytes`));
          return;
        }
        hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush(controller) {
        const got = `sha256:${hash.digest("hex")}`;
        if (seen !== size || got !== digest) {
          controller.error(new TransientError(`blob ${digest} arrived as ${seen} bytes hashing to ${got}`));
        }
      }
    })
  );
}
async function pushImage(image, target, tags, reference) {
  const blobs = { present: 0, mounted: 0, copied: 0, bytes: 0 };
  const base3 = image.base.client;
  const sameRegistry = base3.registry === target.registry && target.registry !== "docker.io";
  const seen = /* @__PURE__ */ new Set();
  const baseLayers = image.platforms.flatMap((platform) => platform.baseLayers).filter((layer) => !seen.has(layer.digest) && seen.add(layer.digest));
  const own = [
    { digest: image.layer.digest, bytes: image.layer.bytes },
    ...image.platforms.map((platform) => platform.config)
  ];
  await pool([...baseLayers.map((layer) => ({ layer })), ...own.map((blob) => ({ blob }))], 4, async (item) => {
    const digest = "layer" in item ? item.layer.digest : item.blob.digest;
    if (await target.hasBlob(digest)) {
      blobs.present++;
      return;
    }
    if ("blob" in item) {
      const upload = await target.startUpload(digest);
      if (upload.mounted) return;
      await target.finishUpload(upload.location, digest, item.blob.bytes, item.blob.bytes.length);
      return;
    }
    await copyBlob(base3, target, item.layer, sameRegistry, blobs);
  });
  for (const platform of image.base.indexType ? image.platforms : []) {
    await target.putManifest(platform.manifest.digest, platform.manifest.bytes, platform.manifest.mediaType);
  }
  const pushed = [];
  const failed = [];
  await Promise.all(
    tags.map(async (tag) => {
      try {
        await target.putManifest(tag, image.top.bytes, image.top.mediaType);
        pushed.push(tag);
      } catch (error) {
        failed.push({ tag, error });
      }
    })
  );
  if (failed.length > 0) {
    const first = failed[0].error;
    const message = first instanceof Error ? first.message : String(first);
    const done = tags.filter((tag) => pushed.includes(tag));
    throw new PushError(
      `${message} (failed: ${failed.map(({ tag }) => tag).join(", ")}; pushed: ${done.join(", ") || "none"})`,
      done.map(reference),
      { fix: first instanceof MigrationImageError ? first.fix : void 0 }
    );
  }
  return { digest: image.top.digest, pushed: [...tags], blobs };
}
async function copyBlob(base3, target, layer, sameRegistry, blobs) {
  let upload = await target.startUpload(layer.digest, sameRegistry ? base3.repository : void 0);
  if (upload.mounted) {
    blobs.mounted++;
    return;
  }
  for (let attempt = 1; ; attempt++) {
    try {
      if (!upload.mounted) {
        const source = await base3.blobStream(layer.digest);
        if (source.size !== void 0 && source.size !== layer.size) {
          await source.body.cancel();
          throw new TransientError(`the base's registry sent ${source.size} bytes for a ${layer.size}-byte layer`);
        }
        await target.finishUpload(
          upload.location,
          layer.digest,
          verified(source.body, layer.digest, layer.size),
          layer.size
        );
      }
      blobs.copied++;
      blobs.bytes += layer.size;
      target.traffic.up += layer.size;
      base3.traffic.down += layer.size;
      return;
    } catch (error) {
      const retryable = error instanceof TransientError || error instanceof RegistryError && (error.status === void 0 || error.status >= 500 || error.status === 429);
      if (!retryable || attempt >= DEFAULT_RETRY.attempts) {
        throw error instanceof RegistryError ? error : new RegistryError(
          target.registry,
          `copy layer ${layer.digest.slice(0, 19)} from ${base3.registry}`,
          void 0,
          error instanceof Error ? error.message : String(error)
        );
      }
      await new Promise((resolve2) => setTimeout(resolve2, DEFAULT_RETRY.backoffMs * 2 ** (attempt - 1)));
      upload = await target.startUpload(layer.digest);
    }
  }
}

// src/io/layer.ts
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash as createHash4 } from "node:crypto";
import path3 from "node:path";
import { gzipSync } from "node:zlib";
var GZIP_LEVEL = 6;
var MAX_FILE = 1 << 30;
async function writeLayer(spec, contextDir, entries) {
  const tar = (0, import_tar_stream.pack)();
  const chunks = [];
  const done = new Promise((resolve2, reject) => {
    tar.on("data", (chunk) => chunks.push(Buffer.from(chunk)));
    tar.on("error", reject);
    tar.on("end", resolve2);
  });
  const mtime = new Date(LAYER_MTIME * 1e3);
  for (const entry of entries) {
    const name = entry.path.replace(/^\/+/, "");
    const header = { mode: entry.mode, uid: entry.uid, gid: entry.gid, uname: "", gname: "", mtime };
    if (entry.type === "directory") {
      tar.entry({ ...header, name: `${name}/`, type: "directory" });
      continue;
    }
    const bytes2 = entry.source && "text" in entry.source ? Buffer.from(entry.source.text, "utf8") : readBounded(path3.join(contextDir, contextPath(spec, entry.path)), MAX_FILE);
    tar.entry({ ...header, name, type: "file", size: bytes2.length }, Buffer.from(bytes2));
  }
  tar.finalize();
  await done;
  const tarBytes = Buffer.concat(chunks);
  const bytes = gzipSync(tarBytes, { level: GZIP_LEVEL });
  return {
    bytes,
    digest: `sha256:${createHash4("sha256").update(bytes).digest("hex")}`,
    size: bytes.length,
    diffId: `sha256:${createHash4("sha256").update(tarBytes).digest("hex")}`
  };
}

// src/io/oci-archive.ts
var import_tar_stream2 = __toESM(require_tar_stream(), 1);
import { createHash as createHash5 } from "node:crypto";
import { createWriteStream, rmSync as rmSync2 } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
var blobPath = (digest) => `blobs/sha256/${digest.slice("sha256:".length)}`;
async function writeOciArchive(image, file, references) {
  const tar = (0, import_tar_stream2.pack)();
  const out = createWriteStream(file, { flags: "wx", mode: 420 });
  let created = false;
  out.on("open", () => {
    created = true;
  });
  const written = pipeline(tar, out);
  written.catch(() => void 0);
  const mtime = /* @__PURE__ */ new Date(0);
  const add = (name, bytes) => {
    tar.entry({ name, mode: 420, uid: 0, gid: 0, uname: "", gname: "", mtime, size: bytes.length }, bytes);
  };
  const seen = /* @__PURE__ */ new Set();
  const once = (digest) => !seen.has(digest) && Boolean(seen.add(digest));
  try {
    add("oci-layout", Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
    const tops = references.map((reference) => ({
      mediaType: image.top.mediaType,
      digest: image.top.digest,
      size: image.top.bytes.length,
      annotations: {
        "io.containerd.image.name": reference,
        "org.opencontainers.image.ref.name": reference.slice(reference.lastIndexOf(":") + 1)
      }
    }));
    add("index.json", documentBytes({ schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: tops }));
    const first = image.platforms[0];
    add(
      "manifest.json",
      Buffer.from(
        JSON.stringify([
          {
            Config: blobPath(first.config.digest),
            RepoTags: [...references],
            Layers: [...first.baseLayers.map((layer) => blobPath(layer.digest)), blobPath(image.layer.digest)]
          }
        ])
      )
    );
    if (once(image.top.digest)) add(blobPath(image.top.digest), image.top.bytes);
    if (once(image.layer.digest)) add(blobPath(image.layer.digest), image.layer.bytes);
    for (const platform of image.platforms) {
      if (once(platform.manifest.digest)) add(blobPath(platform.manifest.digest), platform.manifest.bytes);
      if (once(platform.config.digest)) add(blobPath(platform.config.digest), platform.config.bytes);
      for (const layer of platform.baseLayers) {
        if (!once(layer.digest)) continue;
        const source = await image.base.client.blobStream(layer.digest);
        const hash = createHash5("sha256");
        let size = 0;
        let entry;
        const header = { name: blobPath(layer.digest), mode: 420, uid: 0, gid: 0, uname: "", gname: "", mtime };
        const finished = new Promise((resolve2, reject) => {
          entry = tar.entry({ ...header, size: layer.size }, (error) => error ? reject(error) : resolve2());
        });
        for await (const chunk of Readable.fromWeb(source.body)) {
          const bytes = chunk;
          size += bytes.length;
          if (size > layer.size) throw new TransientError(`layer ${layer.digest} is longer than ${layer.size} bytes`);
          hash.update(bytes);
          if (!entry.write(bytes)) await new Promise((resolve2) => entry.once("drain", () => resolve2()));
        }
        if (size !== layer.size || `sha256:${hash.digest("hex")}` !== layer.digest) {
          throw new TransientError(`layer ${layer.digest} did not arrive whole from the base's registry`);
        }
        entry.end(Buffer.alloc(0));
        await finished;
      }
    }
    tar.finalize();
    await written;
  } catch (error) {
    tar.destroy(error);
    await written.catch(() => void 0);
    if (created) rmSync2(file, { force: true });
    throw error;
  }
}

// src/io/registry-build.ts
async function buildOnRegistry(image, spec, context, target, env, log) {
  const reference = parseBaseImage(spec.base.reference).reference;
  const base3 = splitReference(reference);
  const login2 = baseLogin(image.credentials, image.name.registry, base3.registry, env);
  const [baseImage, layer] = await Promise.all([
    readBase(reference, image.platforms, login2),
    writeLayer(spec, context.dir, context.entries)
  ]);
  const assembled = assemble(baseImage, spec, layer);
  const platforms = assembled.platforms.map((platform) => platform.platform ? platformName(platform.platform) : "?");
  log.info(
    `registry engine: ${reference} (${platforms.join(", ")}) + one layer of ${context.entries.length} entries (${layer.size} bytes): ${assembled.top.digest}`
  );
  const traffic = () => ({
    up: target.traffic.up + baseImage.client.traffic.up,
    down: target.traffic.down + baseImage.client.traffic.down
  });
  if (image.push) {
    const pushed = await log.group(
      `push ${image.name.name} (${image.tags.length} tags, registry engine)`,
      () => pushImage(assembled, target, image.tags, (tag) => `${image.name.name}:${tag}`)
    );
    return { digest: pushed.digest, platforms, pushed: true, blobs: pushed.blobs, traffic: traffic() };
  }
  if (image.output) {
    const references = image.tags.map((tag) => `${image.name.name}:${tag}`);
    await log.group(`write ${image.output}`, () => writeOciArchive(assembled, image.output, references));
    log.info(`wrote ${image.output}: docker load -i ${image.output} (or podman load) gives ${references.join(", ")}`);
    return { digest: assembled.top.digest, platforms, pushed: false, archive: image.output, traffic: traffic() };
  }
  return { digest: assembled.top.digest, platforms, pushed: false, traffic: traffic() };
}

// src/io/reproducible.ts
import { lstatSync, lutimesSync, readdirSync } from "node:fs";
import path4 from "node:path";
function fixTimes(dir, seconds2) {
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    lutimesSync(path4.join(dir, name), seconds2, seconds2);
  }
  lutimesSync(dir, seconds2, seconds2);
}
var MAX_FILE2 = 1 << 30;
function readStaged(dir, dockerfile) {
  const files = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
    const file = path4.join(dir, name);
    const stat = lstatSync(file);
    if (file === dockerfile || !stat.isFile()) continue;
    const bytes = readBounded(file, MAX_FILE2);
    files.push({ name: name.split(path4.sep).join("/"), mode: stat.mode & 4095, bytes });
  }
  return files;
}

// src/io/registry-state.ts
async function readTagsBefore(target, image, preset, validation, imagePlan, context, env) {
  const baseReference = parseBaseImage(image.baseImage || preset.baseImage).reference;
  const baseRegistry = splitReference(baseReference).registry;
  const login2 = baseLogin(image.credentials, image.name.registry, baseRegistry, env);
  const [base3, tags] = await Promise.all([
    resolveBase(baseReference, login2 ? { registry: baseRegistry, ...login2 } : void 0).then(
      (resolved) => ({ resolved }),
      (error) => ({ error: error instanceof Error ? error.message : String(error) })
    ),
    Promise.all(image.tags.map((tag) => readTag(target, `${image.name.name}:${tag}`, tag)))
  ]);
  if (!("resolved" in base3)) return { noKey: base3.error, tags };
  const key = contentKey({
    checksum: validation.checksum,
    tool: preset.tool,
    base: base3.resolved,
    dockerfile: imagePlan.keyDockerfile,
    files: readStaged(context.dir, context.dockerfile),
    platforms: image.platforms,
    provenance: image.provenance
  });
  return { contentKey: key, tags };
}
async function reTag(decision, before, target, image, log) {
  const manifest = before.tags.find((tag) => tag.digest === decision.digest)?.manifest;
  if (!manifest) return false;
  try {
    await log.group(
      `re-tag ${decision.from} (${image.tags.length} tags)`,
      () => Promise.all(image.tags.map((tag) => target.putTag(tag, manifest)))
    );
  } catch (error) {
    log.warning(
      `re-tagging ${decision.from} failed (${error instanceof Error ? error.message : String(error)}): building instead`
    );
    return false;
  }
  log[decision.note.level](decision.note.text);
  return true;
}

// src/io/stage.ts
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync as mkdtempSync2,
  openSync,
  readSync,
  rmSync as rmSync3,
  writeFileSync as writeFileSync2,
  writeSync
} from "node:fs";
import path5 from "node:path";

// src/core/check/sum-file.ts
import { createHash as createHash6 } from "node:crypto";
var SUM_FILE = "atlas.sum";
function sumTotal(entries) {
  const hash = createHash6("sha256");
  for (const { name, hash: entryHash } of entries) hash.update(name, "utf8").update(entryHash, "utf8");
  return hash.digest("base64");
}
function renderSumFile(entries) {
  return `h1:${sumTotal(entries)}
${entries.map(({ name, hash }) => `${name} h1:${hash}
`).join("")}`;
}
function parseSumFile(text3) {
  const lines = text3.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const unCR = (line) => line.endsWith("\r") ? line.slice(0, -1) : line;
  const first = unCR(lines[0]);
  const total = first.startsWith("h1:") ? first.slice(3) : first;
  const entries = [];
  for (let index = 1; index < lines.length; index++) {
    const line = unCR(lines[index]);
    const at = line.indexOf("h1:");
    if (at === -1) return { ok: false, error: "format", line: index + 1, text: line };
    entries.push({ name: line.slice(0, at).trim(), hash: line.slice(at + 3) });
  }
  if (total !== sumTotal(entries)) return { ok: false, error: "mismatch", total, entries };
  return { ok: true, total, entries };
}
function firstDifference(committed, computed) {
  for (let index = 0; index < committed.length; index++) {
    const old = committed[index];
    const now = computed.at(index);
    if (now?.name === old.name && now.hash === old.hash) continue;
    const line = index + 2;
    if (now === void 0 || !computed.some(({ name }) => name === old.name)) {
      return { line, name: old.name, change: "removed" };
    }
    if (now.name === old.name) return { line, name: old.name, change: "edited" };
    return { line, name: now.name, change: "added" };
  }
  const next = computed.at(committed.length);
  return next && { line: committed.length + 2, name: next.name, change: "added" };
}

// src/io/stage.ts
function stageContext(parent, validation, spec) {
  const dir = mkdtempSync2(path5.join(parent, "migration-image-context-"));
  const target = path5.join(dir, contextMigrations(spec.migrationsDir));
  mkdirSync(target, { recursive: true });
  const files = [];
  let entries = [];
  const stage = (name) => {
    const source = path5.join(validation.dir, name);
    if (hasControlCharacter(name)) {
      throw new DirectoryError("has a control character in its name", { file: source, fix: "rename it" });
    }
    mkdirSync(path5.dirname(path5.join(target, name)), { recursive: true });
    copyRegular(source, path5.join(target, name), validation.dir);
    files.push(name);
  };
  const dockerfilePath = path5.join(dir, "Dockerfile");
  try {
    for (const migration of validation.migrations) stage(migration.name);
    for (const name of validation.shipped) if (!files.includes(name)) stage(name);
    if (existsSync(validation.sumPath)) stage(SUM_FILE);
    if (spec.runner) {
      const list2 = validation.migrations.map(({ version, name }) => `${version} ${name}
`).join("");
      writeFileSync2(path5.join(target, "migrations.list"), list2);
      files.push("migrations.list");
    }
    entries = layerEntries(spec, files);
    const staged = entries.filter((entry) => !entry.above);
    for (const entry of staged) {
      const at = path5.join(dir, contextPath(spec, entry.path));
      if (entry.source && "text" in entry.source) writeFileSync2(at, entry.source.text);
      else if (entry.type === "directory") mkdirSync(at, { recursive: true });
    }
    for (const entry of [...staged].reverse()) chmodSync(path5.join(dir, contextPath(spec, entry.path)), entry.mode);
    writeFileSync2(dockerfilePath, renderSpec(spec));
  } catch (error) {
    removeContext({ dir, migrations: target, files });
    throw error;
  }
  return { dir, dockerfile: dockerfilePath, migrations: target, files: files.sort(), entries };
}
function copyRegular(source, destination, root) {
  const { fd } = openRegular(source, Number.MAX_SAFE_INTEGER, root);
  let out;
  try {
    out = openSync(destination, "wx", 420);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let read2 = readSync(fd, buffer); read2 > 0; read2 = readSync(fd, buffer)) writeSync(out, buffer, 0, read2);
  } finally {
    closeSync(fd);
    closeSync(out);
  }
}
function removeContext(context) {
  const { migrations } = context;
  const dirs = /* @__PURE__ */ new Set([migrations]);
  for (const name of context.files) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(path5.join(migrations, ...parts.slice(0, i)));
  }
  for (const dir of dirs) if (existsSync(dir)) chmodSync(dir, 493);
  rmSync3(context.dir, { recursive: true, force: true });
}

// src/io/publish.ts
var realRegistry = (registry, repository, credentials, options) => new RegistryClient(registry, repository, credentials, options);
async function publish(image, preset, validation, imagePlan, ports) {
  if (!validation.valid) throw new MigrationImageError("refusing to build an invalid directory");
  const { log } = ports;
  const makeDocker = ports.docker ?? ((env) => new Docker(env));
  const registryPort = ports.registry ?? realRegistry;
  const context = stageContext(ports.tempDir, validation, imagePlan.spec);
  try {
    fixTimes(context.dir, STAGED_MTIME);
    const references = image.tags.map((tag) => `${image.name.name}:${tag}`);
    const base3 = splitReference(parseBaseImage(image.baseImage || preset.baseImage).reference);
    const target = registryPort(image.name.registry, image.name.repository, image.credentials, {
      pullFrom: base3.registry === image.name.registry ? [base3.repository] : []
    });
    const result = (fields) => ({
      image: references[0],
      references,
      pushedReferences: image.push ? [...references] : [],
      pushed: image.push,
      local: false,
      files: context.files,
      platforms: [],
      dockerProcesses: 0,
      ...fields
    });
    let plan = imagePlan;
    if (image.push) {
      const before = await readTagsBefore(target, image, preset, validation, imagePlan, context, ports.env);
      const reuse = decideReuse({ push: image.push, references }, before);
      if (reuse.kind === "re-tag" && await reTag(reuse, before, target, image, log)) {
        for (const note of imagePlan.notes) log[note.level](note.text);
        return result({
          engine: image.engine === "registry" ? "registry" : "buildx",
          builder: image.engine === "registry" ? "registry" : "buildx",
          cache: "not used (nothing built)",
          digest: reuse.digest,
          imageRef: `${image.name.name}@${reuse.digest}`,
          bytes: { ...target.traffic },
          unchanged: unchangedSince(reuse.since, reuse.from)
        });
      }
      if (reuse.kind === "build" && reuse.note) log[reuse.note.level](reuse.note.text);
      if (before.contentKey) {
        plan = planImage(image, preset, validation, before.contentKey);
        writeFileSync3(context.dockerfile, plan.dockerfile);
        fixTimes(context.dir, STAGED_MTIME);
      }
    }
    for (const note of imagePlan.notes) log[note.level](note.text);
    const engine = await pickEngine(image, makeDocker(ports.env), log);
    if (engine === "registry") {
      const built2 = await buildOnRegistry(image, plan.spec, context, target, ports.env, log);
      return result({
        engine,
        builder: "registry",
        cache: "not used (registry engine)",
        // As buildx: a digest for what exists somewhere (the registry, the archive), not for a dry assembly.
        digest: built2.pushed || built2.archive ? built2.digest : void 0,
        imageRef: built2.pushed ? `${image.name.name}@${built2.digest}` : void 0,
        archive: built2.archive,
        platforms: built2.platforms,
        bytes: built2.traffic,
        dockerProcesses: image.engine === "auto" ? 1 : 0
      });
    }
    const built = await buildWithDocker(image, preset, context, {
      ...ports,
      docker: makeDocker,
      baseRegistry: base3.registry
    });
    return result({
      engine,
      builder: built.builder,
      cache: built.cache,
      digest: built.digest,
      imageRef: image.push && built.digest ? `${image.name.name}@${built.digest}` : void 0,
      local: image.load && !image.push,
      dockerProcesses: built.dockerProcesses + (image.engine === "auto" ? 1 : 0)
    });
  } finally {
    removeContext(context);
  }
}
async function pickEngine(image, docker, log) {
  if (image.engine !== "auto") return image.engine;
  if (image.output !== void 0) return chooseEngine(image.engine, false, image.selfCheck, true);
  let why;
  try {
    const answer = await docker.run(["version", "--format", "{{.Server.Version}}"], { timeoutProbes: 1 });
    if (answer.code !== 0) why = lastLines(answer.stderr, 1) || `docker version exited with ${answer.code}`;
  } catch (error) {
    if (!(error instanceof DockerMissingError) && !(error instanceof MigrationImageError)) throw error;
    why = error.message;
  }
  const engine = chooseEngine(image.engine, why === void 0, image.selfCheck);
  if (engine === "registry" && image.load && !image.push && image.output === void 0) {
    throw new DockerMissingError(`no Docker engine is reachable to build the image into (${why ?? ""})`, {
      fix: "start Docker (or point DOCKER_HOST at an engine), or build on the registry: --push, or --output FILE.tar"
    });
  }
  if (engine === "registry") {
    log.notice(`engine auto: no Docker engine is reachable (${why ?? ""}): assembling the image on the registry`);
  } else if (why !== void 0) {
    log.notice(`engine auto: no Docker engine is reachable (${why}), but self-check needs one: building with docker`);
  }
  return engine;
}

// src/io/pipeline.ts
import path18 from "node:path";

// src/core/check/advice.ts
var SUM_CODES = /* @__PURE__ */ new Set(["checksum-changed", "checksum-mismatch"]);
function reconcileFixes(problems, baseName) {
  const edited = problems.filter(({ code: code3, message }) => code3 === "applied-changed" && message.startsWith("edits "));
  if (edited.length === 0) return [...problems];
  const names2 = edited.map(({ file }) => file);
  const which = names2.length === 1 ? names2[0] : `${names2[0]} and ${names2.length - 1} more`;
  return problems.map(
    (problem) => SUM_CODES.has(problem.code) ? {
      ...problem,
      fix: `restore ${which} as it is on ${baseName} first (an applied migration is never edited: put the change in a new migration), then re-hash for the new migrations only`
    } : problem
  );
}

// src/core/check/validate.ts
import { lstatSync as lstatSync2, statSync as statSync2 } from "node:fs";
import path11 from "node:path";

// src/core/check/problems.ts
var isRuleCode = (code3) => code3.includes("/");
function toolRules(tool, rules6) {
  return Object.fromEntries(Object.entries(rules6).map(([key, rule]) => [key, `${tool}/${rule}`]));
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
var RULE = toolRules("atlas", {
  duplicateVersion: "duplicate-version",
  directoryNamedSql: "directory-named-sql",
  ignoredFile: "ignored-file"
});
function rules({ names: names2, directories, problem }) {
  const files = names2.filter((name) => !name.includes("/") && !name.endsWith(".sql") && name !== "atlas.sum").map(
    (name) => problem(
      RULE.ignoredFile,
      name,
      "Atlas does not read this file: migrations are top-level files ending in .sql (lower case)",
      /\.sql$/i.test(name) ? `rename it to ${name.slice(0, -4)}.sql if Atlas should run it` : "move it out of the directory if it is not needed",
      void 0,
      "notice"
    )
  );
  const folders = directories.filter((name) => !name.includes("/") && !name.endsWith(".sql")).map(
    (name) => problem(
      RULE.ignoredFile,
      name,
      "Atlas does not read sub-directories: the migrations in it are not run",
      "move its migrations up into the directory if Atlas should run them",
      void 0,
      "notice"
    )
  );
  return [...files, ...folders];
}
function atlasName(name) {
  const stem = name.endsWith(".sql") ? name.slice(0, -4) : name;
  const at = stem.indexOf("_");
  return at === -1 ? { version: stem, description: "" } : { version: stem.slice(0, at), description: stem.slice(at + 1) };
}
var atlasFormat = {
  name: "atlas",
  ruleCodes: Object.values(RULE),
  recursive: false,
  select: topLevelEndingIn(".sql"),
  parseName: atlasName,
  // Atlas does not refuse two files of one version, but it keys revisions by version (sql/migrate/migrate.go:735-760
  // compares versions as strings): a policy warning, not an error Atlas would raise.
  duplicateVersion: (_name, twin, version) => ({
    code: RULE.duplicateVersion,
    severity: "warning",
    message: `version ${version} is also used by ${twin}: Atlas stores applied revisions by version, so the two share one revision record`,
    fix: "give one of them a new, higher version"
  }),
  // dir.go:146-158: fs.Glob lists a directory named `x.sql` and reading it as a file fails.
  directoryEntry: () => ({
    code: RULE.directoryNamedSql,
    severity: "error",
    message: "is a directory named like a migration: Atlas fails reading it as a file",
    fix: "rename the directory so it does not end in .sql, or move it out of the migrations directory"
  }),
  rules,
  nameRule: "<version>[_<description>].sql",
  nameExample: "20240101120000_create_users.sql"
};

// src/core/check/formats/dbmate.ts
var RULE2 = toolRules("dbmate", {
  ignoredName: "ignored-name",
  ignoredFile: "ignored-file",
  duplicateVersion: "duplicate-version",
  missingUp: "missing-up",
  statementBeforeUp: "statement-before-up",
  downWithoutUp: "down-without-up",
  missingDown: "missing-down",
  twoSections: "two-sections",
  noMigrations: "no-migrations"
});
var FILE = /^([0-9]+)[^\n]*\.sql$/;
function parseName(name) {
  const match = FILE.exec(name);
  return match ? { version: match[1], description: name.slice(match[1].length, -".sql".length) } : void 0;
}
var unreadName = () => ({
  code: RULE2.ignoredName,
  severity: "notice",
  message: "dbmate ignores this file: its name does not start with a version (digits)",
  fix: "rename it like 20240101120000_create_users.sql if dbmate should run it"
});
var S = "[\\t\\n\\f\\r ]";
var NS = "[^\\t\\n\\f\\r ]";
var directive = (name) => new RegExp(`(?<=^|\\n)--${S}*migrate:${name}(?:${S}*(?=\\n|$)|${S}+${NS}+)`, "g");
var UP = directive("up");
var DOWN = directive("down");
var matches2 = (pattern, text3) => [...text3.matchAll(pattern)].map(({ index }) => index);
var lineAt = (text3, index) => text3.slice(0, index).split("\n").length;
function parseDbmateSql(text3) {
  const ups = matches2(UP, text3);
  if (ups.length === 0) {
    return {
      code: RULE2.missingUp,
      line: 1,
      message: "dbmate requires each migration to define an up block with '-- migrate:up'"
    };
  }
  const before = text3.slice(0, ups[0]).split("\n");
  const statement = before.findIndex((line) => !new RegExp(`^${S}*$`).test(line) && !new RegExp(`^${S}*--`).test(line));
  if (statement !== -1) {
    return {
      code: RULE2.statementBeforeUp,
      line: statement + 1,
      message: "dbmate does not support statements preceding the '-- migrate:up' block"
    };
  }
  for (const [i, start] of ups.entries()) {
    const end = ups[i + 1] ?? text3.length;
    const downs = matches2(DOWN, text3.slice(start, end)).map((offset) => start + offset);
    if (downs.length > 1) {
      return {
        code: RULE2.downWithoutUp,
        line: lineAt(text3, downs[1]),
        message: "dbmate requires every '-- migrate:down' to be preceded by a '-- migrate:up'"
      };
    }
  }
  for (const [i, start] of ups.entries()) {
    const end = ups[i + 1] ?? text3.length;
    if (matches2(DOWN, text3.slice(start, end)).length === 0) {
      return {
        code: RULE2.missingDown,
        line: lineAt(text3, start),
        message: "dbmate requires each migration to define a down block with '-- migrate:down'"
      };
    }
  }
  if (ups.length > 1) {
    return {
      code: RULE2.twoSections,
      line: lineAt(text3, ups[1]),
      message: "a second '-- migrate:up' section records the file's version again: schema_migrations refuses the duplicate"
    };
  }
  return void 0;
}
function rules2({ names: names2, migrations, read: read2, problem }) {
  const problems = [];
  if (!migrations.some(({ parsed }) => parsed)) {
    problems.push(
      problem(
        RULE2.noMigrations,
        ".",
        "dbmate up fails: no migration files found (no file is named <digits>….sql)",
        "add a migration like 20240101120000_create_users.sql, or point dir at the directory that holds them"
      )
    );
  }
  for (const { name, parsed } of migrations) {
    if (!parsed) continue;
    const failure = parseDbmateSql(read2(name));
    if (failure) {
      problems.push(
        problem(
          failure.code,
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
        RULE2.ignoredFile,
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
  ruleCodes: Object.values(RULE2),
  recursive: false,
  select: topLevelEndingIn(".sql"),
  parseName,
  unreadName,
  // db.go:511-517 keys migrations by the version's digits as written (`01` and `1` differ); the second file of one
  // version fails inserting it into schema_migrations, whose version is the primary key
  // (pkg/driver/postgres/postgres.go:327).
  duplicateVersion: (_name, twin, version) => ({
    code: RULE2.duplicateVersion,
    severity: "error",
    message: `dbmate up fails: version ${version} is also used by ${twin}, and schema_migrations takes each version once`,
    fix: "give one of them a new, higher version"
  }),
  rules: rules2,
  nameRule: "<version>_<name>.sql",
  nameExample: "20240101120000_create_users.sql"
};

// src/core/check/formats/flyway.ts
import path6 from "node:path";

// src/core/check/formats/format.ts
var PairFinder = class {
  constructor(established) {
    this.established = established;
  }
  established;
  firsts = /* @__PURE__ */ new Map();
  /** Undefined for the first file of a key; the pair for a later one. */
  see(key, entry) {
    const first = this.firsts.get(key);
    if (first === void 0) {
      this.firsts.set(key, entry);
      return void 0;
    }
    const flipped = this.established?.(entry.name) === true && !this.established(first.name);
    if (flipped) this.firsts.set(key, entry);
    return flipped ? { file: first.name, twin: entry.name, reported: first } : { file: entry.name, twin: first.name, reported: entry };
  }
};

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
function parseUint64(text3) {
  if (!/^[0-9]+$/.test(text3)) return void 0;
  const value2 = BigInt(text3);
  return value2 <= UINT64_MAX ? value2 : void 0;
}
function parseInt64(text3) {
  if (!/^[+-]?[0-9]+$/.test(text3)) return void 0;
  const value2 = BigInt(text3);
  return value2 >= INT64_MIN && value2 <= INT64_MAX ? value2 : void 0;
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
function atoiOrZero(text3) {
  if (!/^[+-]?[0-9]+$/.test(text3)) return 0n;
  const value2 = BigInt(text3);
  return value2 > INT64_MAX ? INT64_MAX : value2 < INT64_MIN ? INT64_MIN : value2;
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
var RULE3 = toolRules("flyway", {
  skippedName: "skipped-name",
  duplicateCallback: "duplicate-callback",
  duplicateRepeatable: "duplicate-repeatable",
  duplicateVersion: "duplicate-version"
});
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
var base = (name) => path6.posix.basename(name);
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
function fixedName(name) {
  const match = /^([VB])([0-9]+)_([^_][^\n]*\.sql)$/i.exec(base(name));
  if (!match || !"VB".includes(match[1])) return void 0;
  const fixed = `${match[1]}${match[2]}__${match[3]}`;
  return flywayResource(fixed).valid ? fixed : void 0;
}
var renameFix = (name, fallback) => {
  const fixed = fixedName(name);
  return fixed ? `rename it to ${fixed} if Flyway should run it` : fallback;
};
var unreadName2 = (name) => {
  const resource = flywayResource(base(name));
  return {
    code: RULE3.skippedName,
    severity: "notice",
    message: `Flyway skips this file: ${resource.valid ? "it is a callback" : resource.reason}`,
    fix: renameFix(name, "rename it like V2__add_orders.sql, R__views.sql or B1__baseline.sql if Flyway should run it")
  };
};
function rules3({ names: names2, problem, established }) {
  const problems = [];
  const counted2 = new Set(atlasFlywayFiles(names2));
  const versions = new PairFinder(established);
  const repeatables = new PairFinder(established);
  const callbacks = new PairFinder(established);
  for (const name of [...names2].sort(compareWalkOrder)) {
    const file = base(name);
    if (name === "atlas.sum") continue;
    const resource = flywayResource(file);
    if (!resource.valid && isUndo(file)) continue;
    if (!resource.valid) {
      if (!counted2.has(name)) {
        problems.push(
          problem(
            RULE3.skippedName,
            name,
            `Flyway skips this file: ${resource.reason}`,
            renameFix(
              name,
              "rename it like V2__add_orders.sql, R__views.sql or afterMigrate.sql, or move it out of the directory"
            ),
            void 0,
            "notice"
          )
        );
      }
      continue;
    }
    if (resource.kind === "callback") {
      const key = file.slice(0, -4);
      const pair = callbacks.see(key, { name });
      if (pair !== void 0) {
        problems.push({
          ...problem(
            RULE3.duplicateCallback,
            pair.file,
            `Flyway fails: a second SQL callback called ${key} (${pair.twin})`,
            "keep one of them"
          ),
          twin: pair.twin
        });
      }
    } else if (resource.kind === "R") {
      const pair = repeatables.see(resource.description, { name });
      if (pair !== void 0) {
        problems.push({
          ...problem(
            RULE3.duplicateRepeatable,
            pair.file,
            `Flyway fails: more than one repeatable migration with description '${resource.description}' (${pair.twin})`,
            "give one of them another description"
          ),
          twin: pair.twin
        });
      }
    } else {
      const key = `${resource.kind}:${flywayKey(resource.version)}`;
      const pair = versions.see(key, { name, version: resource.version });
      if (pair !== void 0) {
        const { version } = pair.reported;
        problems.push({
          ...problem(
            RULE3.duplicateVersion,
            pair.file,
            `Flyway fails: more than one ${resource.kind === "B" ? "baseline " : ""}migration with version ${version} (${pair.twin})`,
            "give one of them a new, higher version"
          ),
          twin: pair.twin
        });
      }
    }
  }
  return problems;
}
var flywayFormat = {
  name: "flyway",
  ruleCodes: Object.values(RULE3),
  recursive: true,
  select: atlasFlywayFiles,
  parseName: parse,
  compareVersions: compareFlyway,
  versionKey: flywayKey,
  unreadName: unreadName2,
  // Flyway's duplicates are checked over every file it reads, in `rules`.
  duplicateVersion: () => void 0,
  rules: rules3,
  // What `flyway migrate` applies on a new database: versioned and repeatable migrations, by Flyway's own reading of
  // each name (ResourceNameParser, as flywayResource reads it), sub-directories included; the latest version by
  // Flyway's order. Callbacks, baselines, undo files and names it skips are not migrations it counts.
  toolMigrations(names2) {
    let count = 0;
    let latestVersion;
    for (const name of names2) {
      if (name === "atlas.sum") continue;
      const resource = flywayResource(base(name));
      if (!resource.valid || resource.kind !== "V" && resource.kind !== "R") continue;
      count++;
      if (resource.kind === "V" && resource.version !== void 0) {
        if (latestVersion === void 0 || compareFlyway(resource.version, latestVersion) > 0) {
          latestVersion = resource.version;
        }
      }
    }
    return { count, latestVersion };
  },
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
var RULE4 = toolRules("golang-migrate", {
  ignoredName: "ignored-name",
  duplicateFile: "duplicate-file",
  missingUp: "missing-up",
  missingDown: "missing-down",
  noMigrations: "no-migrations"
});
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
    code: RULE4.ignoredName,
    severity: "notice",
    message: `golang-migrate ignores this file: ${typeof parsed === "string" ? parsed : "it is not an up migration"}`,
    fix: "rename it like 1_create_users.up.sql if golang-migrate should run it"
  };
};
function rules4({ names: names2, problem, established }) {
  const problems = [];
  const hashed = new Set(counted(names2));
  const seen = new PairFinder(established);
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
            RULE4.ignoredName,
            name,
            `golang-migrate ignores this file: ${parsed}`,
            /^[0-9]+_[^\n]+\.sql$/.test(name) ? `rename it to ${name.slice(0, -4)}.up.sql (and its down file ${name.slice(0, -4)}.down.sql) if golang-migrate should run it` : "rename it like 1_create_users.up.sql or 1_create_users.down.sql if golang-migrate should run it",
            void 0,
            "notice"
          )
        );
      }
      continue;
    }
    const key = `${parsed.version}:${parsed.direction}`;
    const pair = seen.see(key, { name });
    if (pair !== void 0) {
      problems.push({
        ...problem(
          RULE4.duplicateFile,
          pair.file,
          `golang-migrate fails: duplicate migration file (${pair.twin} is also the ${parsed.direction} migration of version ${parsed.version})`,
          "give one of them a new version, or remove one"
        ),
        twin: pair.twin
      });
      continue;
    }
    ;
    (parsed.direction === "up" ? ups : downs).set(parsed.version, name);
  }
  if (ups.size === 0 && downs.size === 0) {
    problems.push(
      problem(
        RULE4.noMigrations,
        ".",
        "migrate up fails on a new database: 'first …: file does not exist' (no file is named <version>_<title>.up.<ext>)",
        "add a migration like 1_create_users.up.sql, or point dir at the directory that holds them"
      )
    );
  }
  for (const [version, name] of downs) {
    if (!ups.has(version))
      problems.push(
        problem(
          RULE4.missingUp,
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
          RULE4.missingDown,
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
  ruleCodes: Object.values(RULE4),
  recursive: false,
  select: counted,
  parseName: parseName2,
  compareVersions: compareIntegers,
  versionKey: (version) => BigInt(version).toString(),
  unreadName: unreadName3,
  // Duplicates are judged per direction over every extension, in `rules`.
  duplicateVersion: () => void 0,
  rules: rules4,
  shipped(names2) {
    const hashed = new Set(counted(names2));
    return names2.filter((name) => !name.includes("/") && !hashed.has(name) && typeof read(name) !== "string");
  },
  nameRule: "<version>_<title>.up.sql",
  nameExample: "1_create_users.up.sql"
};

// src/core/check/formats/goose.ts
var RULE5 = toolRules("goose", {
  badName: "bad-name",
  duplicateVersion: "duplicate-version",
  directoryNamedSql: "directory-named-sql",
  goMigration: "go-migration",
  ignoredFile: "ignored-file",
  badAnnotation: "bad-annotation",
  duplicateUp: "duplicate-up",
  downBeforeUp: "down-before-up",
  misplacedStatementBegin: "misplaced-statement-begin",
  statementEndWithoutBegin: "statement-end-without-begin",
  unclosedStatementBegin: "unclosed-statement-begin",
  sqlBeforeUp: "sql-before-up",
  missingUp: "missing-up",
  unfinishedStatement: "unfinished-statement",
  noMigrations: "no-migrations"
});
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
  code: RULE5.badName,
  severity: "error",
  message: `goose fails to load the directory: could not parse SQL migration file: ${numericComponent(name)}`,
  fix: "rename it like 20240101120000_create_users.sql, or move it out of the directory"
});
var SPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
var TRIM = new RegExp(`^[${SPACE}]+|[${SPACE}]+$`, "g");
var WORDS = new RegExp(`[^${SPACE}]+`, "g");
var trimSpace = (text3) => text3.replace(TRIM, "");
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
function parseGooseSql(text3, direction) {
  const lines = text3.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  let state = "start";
  let buffer = "";
  let bufferLine = 0;
  let beginLine = 0;
  const unfinished = (line) => ({
    code: RULE5.unfinishedStatement,
    line,
    message: `unfinished SQL statement: missing semicolon? (${direction})`
  });
  for (const [index, raw] of lines.entries()) {
    const lineNumber = index + 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (state === "start" && trimSpace(line) === "") continue;
    if (trimSpace(line).startsWith("--") && line.includes("+goose")) {
      const found = annotation(line);
      if ("error" in found) {
        return { code: RULE5.badAnnotation, line: lineNumber, message: `failed to parse annotation: ${found.error}` };
      }
      let fallThrough = false;
      switch (found.name) {
        case "Up":
          if (state !== "start") {
            return { code: RULE5.duplicateUp, line: lineNumber, message: "duplicate '-- +goose Up' annotation" };
          }
          state = "up";
          continue;
        case "Down":
          if (state === "beginUp") {
            return {
              code: RULE5.unclosedStatementBegin,
              line: beginLine,
              message: `'-- +goose StatementBegin' is not closed by '-- +goose StatementEnd' before '-- +goose Down' (line ${lineNumber})`
            };
          }
          if (state !== "up" && state !== "endUp") {
            return {
              code: RULE5.downBeforeUp,
              line: lineNumber,
              message: "'-- +goose Down' before '-- +goose Up' (or a second Down)"
            };
          }
          if (trimSpace(buffer) !== "") return unfinished(bufferLine);
          state = "down";
          continue;
        case "StatementBegin":
          if (state === "up" || state === "endUp") state = "beginUp";
          else if (state === "down" || state === "endDown") state = "beginDown";
          else {
            return {
              code: RULE5.misplacedStatementBegin,
              line: lineNumber,
              message: "'-- +goose StatementBegin' must come after '-- +goose Up' or '-- +goose Down' (and not inside another block)"
            };
          }
          beginLine = lineNumber;
          continue;
        case "StatementEnd":
          if (state === "beginUp") state = "endUp";
          else if (state === "beginDown") state = "endDown";
          else {
            return {
              code: RULE5.statementEndWithoutBegin,
              line: lineNumber,
              message: "'-- +goose StatementEnd' without a '-- +goose StatementBegin'"
            };
          }
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
      return {
        code: RULE5.sqlBeforeUp,
        line: lineNumber,
        message: "SQL before '-- +goose Up': a goose file must start with '-- +goose Up'"
      };
    }
    if ((state === "up" || state === "down") && endsWithSemicolon(line)) buffer = "";
    else if (state === "endUp" || state === "endDown") {
      buffer = "";
      state = state === "endUp" ? "up" : "down";
    }
  }
  if (state === "start") {
    return { code: RULE5.missingUp, line: 1, message: "no '-- +goose Up' annotation: a goose file must start with one" };
  }
  if (state === "beginUp" || state === "beginDown") {
    return {
      code: RULE5.unclosedStatementBegin,
      line: beginLine,
      message: "'-- +goose StatementBegin' is never closed by '-- +goose StatementEnd'"
    };
  }
  if (trimSpace(buffer) !== "") return unfinished(bufferLine);
  return void 0;
}
function rules5({ names: names2, migrations, read: read2, problem }) {
  const problems = [];
  const goFiles = names2.filter(
    (name) => !name.includes("/") && name.endsWith(".go") && !name.endsWith("_test.go") && typeof numericComponent(name) !== "string"
  );
  if (migrations.length === 0 && goFiles.length === 0) {
    problems.push(
      problem(
        RULE5.noMigrations,
        ".",
        "goose up fails: no migration files found (no *.sql file in the directory)",
        "add a migration like 20240101120000_create_users.sql, or point dir at the directory that holds them"
      )
    );
  }
  for (const { name, parsed } of migrations) {
    if (!parsed) continue;
    const text3 = read2(name);
    const up = parseGooseSql(text3, "up");
    if (up) {
      problems.push(
        problem(
          up.code,
          name,
          `goose up fails: ${up.message}`,
          "see https://github.com/pressly/goose#sql-migrations",
          up.line
        )
      );
      continue;
    }
    const down = parseGooseSql(text3, "down");
    if (down) {
      problems.push(
        problem(
          down.code,
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
          RULE5.goMigration,
          name,
          "goose fails when it reaches this Go migration: Go migrations must be registered and built into a custom goose binary, and the image runs the stock one",
          "write the migration in SQL, or build your own goose binary and image"
        )
      );
    } else {
      problems.push(
        problem(
          RULE5.ignoredFile,
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
  ruleCodes: Object.values(RULE5),
  recursive: false,
  select: topLevelEndingIn(".sql"),
  parseName: parseName3,
  compareVersions: compareIntegers,
  versionKey: (version) => parseInt64(version).toString(),
  unreadName: unreadName4,
  // migrate.go:35-38: sorting two migrations of one version panics.
  duplicateVersion: (_name, twin, version) => ({
    code: RULE5.duplicateVersion,
    severity: "error",
    message: `goose panics: duplicate version ${parseInt64(version)} detected (${twin})`,
    fix: "give one of them a new, higher version"
  }),
  // migrate.go:143-151: fs.Glob lists a directory named `x.sql` too; goose then fails to read or parse it.
  directoryEntry: () => ({
    code: RULE5.directoryNamedSql,
    severity: "error",
    message: "is a directory named like a migration: goose lists it as one and fails",
    fix: "rename the directory so it does not end in .sql, or move it out of the migrations directory"
  }),
  rules: rules5,
  nameRule: "<version>_<description>.sql",
  nameExample: "20240101120000_create_users.sql"
};

// src/core/check/formats/liquibase-rules.ts
var RULE6 = toolRules("liquibase", {
  noChangelog: "no-changelog",
  parseError: "parse-error",
  xmlSchema: "xml-schema",
  parseWarning: "parse-warning",
  includeTwice: "include-twice",
  includeAgainLogicalPath: "include-again-logical-path",
  includeOutside: "include-outside",
  includeMissing: "include-missing",
  includeMissingOptional: "include-missing-optional",
  includeUnknownType: "include-unknown-type",
  includeAllEmpty: "include-all-empty",
  includeAllEmptyOptional: "include-all-empty-optional",
  includeAllUnknownType: "include-all-unknown-type",
  changesetWithoutId: "changeset-without-id",
  changesetDuplicate: "changeset-duplicate",
  propertyInPath: "property-in-path",
  sqlFileMissing: "sql-file-missing",
  propertiesMissing: "properties-missing",
  propertiesMissingOptional: "properties-missing-optional"
});

// src/core/check/formats/liquibase-limits.ts
var YAML_NESTING_LIMIT = 50;
var YAML_ALIAS_LIMIT = 1e3;
var MAX_ELEMENTS = 2e5;
var MAX_COMMENT_LINE = 1e4;
function flowCollections(text3) {
  let depth = 0;
  let deepest = 0;
  let count = 0;
  for (let index = 0; index < text3.length; index++) {
    const char = text3[index];
    if (char === "[" || char === "{") {
      depth++;
      count++;
      if (depth > deepest) deepest = depth;
    } else if (char === "]" || char === "}") {
      if (depth > 0) depth--;
    } else if (char === '"') {
      for (index++; index < text3.length && text3[index] !== '"'; index++) if (text3[index] === "\\") index++;
    } else if (char === "'" && (index === 0 || /[\s[{,:]/.test(text3[index - 1]))) {
      for (index++; index < text3.length; index++) {
        if (text3[index] === "'") {
          if (text3[index + 1] !== "'") break;
          index++;
        }
      }
    } else if (char === "#" && (index === 0 || /\s/.test(text3[index - 1]))) {
      const end = text3.indexOf("\n", index);
      index = end < 0 ? text3.length : end;
    }
  }
  return { depth: deepest, count };
}
function xmlElementCount(text3) {
  let count = 0;
  for (let index = text3.indexOf("<"); index >= 0; index = text3.indexOf("<", index + 1)) {
    const next = text3.charCodeAt(index + 1);
    if (next >= 65 && next <= 90 || next >= 97 && next <= 122 || next === 95 || next === 58 || next > 127) count++;
  }
  return count;
}

// src/core/check/formats/liquibase-changelog.ts
function kindOf(name) {
  const lower = name.toLowerCase();
  if (lower.endsWith("xml")) return "xml";
  if (lower.endsWith(".yaml") || lower.endsWith(".yml")) return "yaml";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".sql")) return "sql";
  return "unknown";
}
var changesetName = ({ author, id }) => `${clipped(author)}:${clipped(id)}`;
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
function flag(value2, fallback) {
  if (value2 === void 0 || value2 === null) return fallback;
  return text(value2)?.toLowerCase() === "true";
}
function text(value2) {
  if (typeof value2 === "string") return value2;
  if (typeof value2 === "number" || typeof value2 === "boolean" || typeof value2 === "bigint") return String(value2);
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
        dbms: text(a.dbms) !== void 0,
        changes: entry.children,
        runInTransaction: flag(a.runInTransaction, true)
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
var nestedTooDeep = (line) => new ChangelogError(
  `nests collections deeper than ${YAML_NESTING_LIMIT} levels: Liquibase's YAML parser stops ("Nesting Depth exceeded max ${YAML_NESTING_LIMIT}")`,
  line,
  "flatten the changelog"
);
var tooManyElements = () => new ChangelogError(
  `holds more than ${MAX_ELEMENTS} elements, more than this check reads in one changelog`,
  void 0,
  "split it into several changelogs and include them"
);
var PARSER_WORDS_MAX = 300;
var parserWords = (message) => clipped(message, PARSER_WORDS_MAX);
var firstLine = (error) => parserWords((error instanceof Error ? error.message : String(error)).split("\n")[0].trim());

// src/core/check/formats/liquibase-sql.ts
var S2 = "[ \\t\\n\\x0B\\f\\r]";
var whole = (source) => new RegExp(`^(?:${source})$`, "i");
var FIRST_LINE = whole(`${S2}*--${S2}*liquibase${S2}*formatted.*`);
var PROPERTY_PREFIX = new RegExp(`^${S2}*--${S2}*property`, "i");
var PROPERTY = {
  test(line) {
    const prefix = PROPERTY_PREFIX.exec(line);
    if (!prefix || /[\u2028\u2029]/.test(line)) return false;
    const rest = line.slice(prefix[0].length);
    const space = (char) => char !== void 0 && " 	\n\v\f\r".includes(char);
    if (!space(rest[0])) return false;
    const colon = rest.indexOf(":", 1);
    if (colon < 0) return false;
    let gap = colon + 1;
    while (gap < rest.length && !space(rest[gap])) gap++;
    return gap < rest.length && rest.lastIndexOf(":") > gap;
  }
};
var ALT_PROPERTY = whole(`${S2}*?[-]+${S2}*property${S2}.*`);
var CHANGE_SET = whole(`${S2}*--${S2}*changeset${S2}+("[^"]+"|[^:]+):${S2}*("[^"]+"|[^ \\t\\n\\x0B\\f\\r]+).*`);
var ALT_CHANGE_SET_ONE = whole(`-${S2}*changeset${S2}.*`);
var ALT_CHANGE_SET_NO_INFO = whole(`${S2}*--${S2}*changeset${S2}*.*`);
var ROLLBACK = whole(`${S2}*--${S2}*rollback (.*)`);
var ALT_ROLLBACK = whole(`${S2}*-${S2}*rollback${S2}.*`);
var ROLLBACK_START = whole(`${S2}*\\/\\*${S2}*liquibase${S2}*rollback${S2}*`);
var ROLLBACK_END_TAIL = new RegExp(`\\*\\/${S2}*$`);
var ROLLBACK_END = { test: (line) => ROLLBACK_END_TAIL.test(line) && !/[\u2028\u2029]/.test(line) };
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
function isFormattedSql(text3) {
  const first = splitLines(text3).find((line) => line.trim() !== "");
  return first !== void 0 && FIRST_LINE.test(first);
}
function splitLines(text3) {
  const lines = text3.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines;
}
var FORMAT_FIX = "write it as '--changeset author:id' (no space after the colon), one per changeset";
function readFormattedSql(text3) {
  const lines = splitLines(text3);
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
    if (line.length > MAX_COMMENT_LINE && new RegExp(`^${S2}*[-/]`).test(line)) {
      return fail(
        number,
        `is a comment line of ${line.length} characters, longer than this check reads (${MAX_COMMENT_LINE})`,
        "shorten the comment, or break it over several lines"
      );
    }
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
          `unknown ignoreLines syntax "${clipped(ignoreLines[1])}"`,
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
          `changeset ${changesetName(current)} has no SQL: Liquibase stops with "No SQL for changeset"`,
          "add its SQL, or remove the empty changeset"
        );
      }
      const [, authorGroup, idGroup] = changeSet;
      const exact = new RegExp(`^${S2}*--${S2}*changeset${S2}+${escapeRegExp(`${authorGroup}:${idGroup}`)}.*$`, "i");
      if (!exact.test(line))
        return fail(number, `'${shown(line)}' is not a changeset header Liquibase reads`, FORMAT_FIX);
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
      return fail(number, `'${shown(line)}' is not a changeset header Liquibase reads`, FORMAT_FIX);
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
        known ? `precondition-${clipped(precondition[1])} has no arguments` : `the '${clipped(precondition[1])}' precondition type is not supported`,
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
        `changeset ${changesetName(current)} has no SQL: Liquibase fails validation ("'sql' is required")`,
        "add its SQL, or remove the empty changeset"
      );
    }
    return {
      changeSets,
      warning: {
        line: current.line,
        message: `changeset ${changesetName(current)} has no SQL of its own: Liquibase gives it the SQL of ${changesetName(previous)} and runs that a second time`,
        fix: "add its SQL, or remove the empty changeset"
      }
    };
  }
  return { changeSets };
}
var shown = (line) => clipped(line.trim(), 120);
function stripQuotes(value2) {
  return value2.length > 1 && /^(["']).*\1$/s.test(value2) ? value2.slice(1, -1) : value2;
}
function escapeRegExp(text3) {
  return text3.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
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
    parentOwner: { uid: 1001, gid: 1001 },
    runExample: "docker run --rm -e LIQUIBASE_COMMAND_URL -e LIQUIBASE_COMMAND_USERNAME -e LIQUIBASE_COMMAND_PASSWORD IMAGE update"
  },
  {
    tool: "dbmate",
    format: "dbmate",
    baseImage: "ghcr.io/amacneil/dbmate:2.36.0",
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

// src/core/check/formats/liquibase-xsd.ts
import { setFlagsFromString } from "node:v8";
import { gunzipSync } from "node:zlib";
var schemas;
async function bundledSchemas() {
  const packed = (await import("./virtual_liquibase-xsd-X66QEXV7.js")).default;
  schemas ??= JSON.parse(gunzipSync(Buffer.from(packed, "base64")).toString("utf8"));
  return schemas;
}
var JAR_DIR = "www.liquibase.org/xml/ns/dbchangelog/";
function resourcePath(location) {
  return location.toLowerCase().replace("http://www.liquibase.org/xml/ns/migrator/", "http://www.liquibase.org/xml/ns/dbchangelog/").replace(/^https?:\/\//, "");
}
var libxml;
function loadLibxml() {
  setFlagsFromString("--liftoff-only");
  return import("./lib-TC7EM2PC.js");
}
var validators = /* @__PURE__ */ new Map();
async function checkSchema(name, source, location) {
  const path19 = resourcePath(location);
  const { files, texts } = await bundledSchemas();
  const xsd = path19.startsWith(JAR_DIR) ? path19.slice(JAR_DIR.length) : void 0;
  const index = xsd === void 0 ? void 0 : files[xsd];
  if (xsd === void 0 || index === void 0) return { kind: "unknown-location", path: path19 };
  libxml ??= loadLibxml();
  const { XmlDocument, XsdValidator, XmlLibError, ParseOption } = await libxml;
  let validator = validators.get(xsd);
  if (!validator) {
    const schema = XmlDocument.fromString(texts[index], { url: xsd });
    validator = XsdValidator.fromDoc(schema);
    schema.dispose();
    validators.set(xsd, validator);
  }
  let document;
  try {
    document = XmlDocument.fromString(source, { url: name, option: ParseOption.XML_PARSE_NONET });
  } catch (error) {
    const [first] = error instanceof XmlLibError ? error.details : [];
    return { kind: "malformed", message: clean(first?.message ?? String(error)), line: first?.line };
  }
  try {
    validator.validate(document);
    return { kind: "checked", xsd, violations: [] };
  } catch (error) {
    if (!(error instanceof XmlLibError)) throw error;
    return {
      kind: "checked",
      xsd,
      violations: error.details.map((detail) => ({
        message: xercesMessage(detail.message),
        line: detail.line > 0 ? detail.line : void 0
      }))
    };
  } finally {
    document.dispose();
  }
}
function clean(message) {
  return message.trim().replace(/\{[^{}]*\}/g, "");
}
var local = (qualified) => qualified.replace(/^\{[^{}]*\}/, "");
function xercesMessage(libxml2) {
  const message = xercesWording(libxml2.trim());
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}
var value = (text3) => text3.length > 120 ? `${text3.slice(0, 120)}…` : text3;
function xercesWording(text3) {
  let match = /^Element '([^']+)': The attribute '([^']+)' is required but missing\.$/.exec(text3);
  if (match) return `cvc-complex-type.4: Attribute '${match[2]}' must appear on element '${local(match[1])}'.`;
  match = /^Element '([^']+)', attribute '([^']+)': The attribute '[^']+' is not allowed\.$/.exec(text3);
  if (match)
    return `cvc-complex-type.3.2.2: Attribute '${local(match[2])}' is not allowed to appear in element '${local(match[1])}'.`;
  match = /^Element '([^']+)': This element is not expected\. Expected is (?:one of )?\( (.*) \)\.$/.exec(text3);
  if (match) return `cvc-complex-type.2.4.a: Invalid content was found starting with element '${local(match[1])}'.`;
  match = /^Element '([^']+)': This element is not expected\.$/.exec(text3);
  if (match)
    return `cvc-complex-type.2.4.d: Invalid content was found starting with element '${local(match[1])}'. No child element is expected at this point.`;
  match = /^Element '([^']+)': Missing child element\(s\)\. Expected is (?:one of )?\( (.*) \)\.$/.exec(text3);
  if (match)
    return `cvc-complex-type.2.4.b: The content of element '${local(match[1])}' is not complete. One of '${expected(match[2])}' is expected.`;
  match = /^Element '[^']+'(?:, attribute '[^']+')?: '(.*)' is not a valid value of the union type '([^']+)'\.$/s.exec(
    text3
  );
  if (match)
    return `cvc-datatype-valid.1.2.3: '${value(match[1])}' is not a valid value of union type '${local(match[2])}'.`;
  match = /^Element '[^']+'(?:, attribute '[^']+')?: '(.*)' is not a valid value of the atomic type '([^']+)'\.$/s.exec(
    text3
  );
  if (match)
    return `cvc-datatype-valid.1.2.1: '${value(match[1])}' is not a valid value for '${local(match[2]).replace(/^xs:/, "")}'.`;
  match = /^Element '([^']+)': No matching global declaration available for the validation root\.$/.exec(text3);
  if (match) return `cvc-elt.1.a: Cannot find the declaration of element '${local(match[1])}'.`;
  match = /^Element '([^']+)': Character content other than whitespace is not allowed because the content type is 'element-only'\.$/.exec(
    text3
  );
  if (match)
    return `cvc-complex-type.2.3: Element '${local(match[1])}' cannot have character [children], because the type's content type is element-only.`;
  return clean(text3);
}
function expected(list2) {
  const names2 = list2.split(", ").map((name) => name.startsWith("##other") ? "any other namespace" : local(name));
  return names2.length > 10 ? `${names2.slice(0, 10).join(", ")}, … (${names2.length - 10} more)` : names2.join(", ");
}

// src/core/check/formats/liquibase-xml.ts
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
async function readXml(name, source) {
  const { XMLParser, XMLValidator } = await import("./fxp-7BICAFX3.js");
  if (xmlElementCount(source) > MAX_ELEMENTS) throw tooManyElements();
  const valid = XMLValidator.validate(source);
  if (valid !== true) throw new ChangelogError(`is not well-formed XML: ${parserWords(valid.err.msg)}`, valid.err.line);
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
    throw new ChangelogError(`cannot be read as XML: ${firstLine(error)}`);
  }
  const meta = XMLParser.getMetaDataSymbol();
  const lineAt3 = lineFinder(source);
  const toEntry = (node) => {
    const tag = Object.keys(node).find((key) => key !== ":@" && key !== "#text");
    if (tag === void 0) return void 0;
    const name2 = tag.slice(tag.indexOf(":") + 1);
    const raw = node[":@"] ?? {};
    const attributes = Object.fromEntries(
      Object.entries(raw).map(([key, value2]) => [
        key,
        String(value2).replace(/&(amp|lt|gt|quot|apos);/g, (_, entity) => XML_ENTITIES[entity])
      ])
    );
    const start = node[meta]?.startIndex;
    const content = node[tag] ?? [];
    const children = content.map(toEntry).filter((entry) => !!entry);
    const texts = content.map((child) => child["#text"]).filter((value2) => value2 !== void 0);
    const text3 = texts.length > 0 ? texts.map(String).join("").replace(/&(amp|lt|gt|quot|apos);/g, (_, entity) => XML_ENTITIES[entity]) : void 0;
    return { name: name2, tag, attributes, children, line: start === void 0 ? void 0 : lineAt3(start), text: text3 };
  };
  const roots = tree.map(toEntry).filter((entry) => !!entry);
  const root = roots[0];
  if (root?.name !== "databaseChangeLog") {
    throw new ChangelogError('"databaseChangeLog" expected as root element', root?.line);
  }
  const location = schemaLocation(root);
  if (location === void 0) {
    throw new ChangelogError(
      `does not declare Liquibase's XML schema: Liquibase validates XML changelogs against it and stops ("Cannot find the declaration of element 'databaseChangeLog'")`,
      root.line,
      `give the root xmlns="${CHANGELOG_NAMESPACE}" and an xsi:schemaLocation naming a dbchangelog XSD (Liquibase's image validates XML unless LIQUIBASE_VALIDATE_XML_CHANGELOG_FILES=false)`
    );
  }
  const check = await checkSchema(name, source, location);
  if (check.kind === "unknown-location") {
    throw new ChangelogError(
      `names the XSD '${clipped(location)}', which Liquibase ${LIQUIBASE_VERSION} does not hold: it stops ("Unable to resolve xml entity ${clipped(location)}")`,
      root.line,
      `name ${CHANGELOG_NAMESPACE}/dbchangelog-latest.xsd (or a version up to ${LIQUIBASE_VERSION.split(".").slice(0, 2).join(".")})`
    );
  }
  if (check.kind === "malformed")
    throw new ChangelogError(`cannot be read as XML: ${parserWords(check.message)}`, check.line);
  const failures = check.violations.map(({ message, line }) => ({
    message: `does not match Liquibase's XML schema (${check.xsd}), and Liquibase stops: ${parserWords(message)}`,
    line,
    fix: `fix the changelog as ${check.xsd} requires`,
    rule: RULE6.xmlSchema
  }));
  return { changelog: readEntries(root.children), failures };
}
var CHANGELOG_NAMESPACE = "http://www.liquibase.org/xml/ns/dbchangelog";
var LIQUIBASE_VERSION = getPreset("liquibase").baseImage.split(":")[1];
function schemaLocation(root) {
  const prefix = root.tag?.includes(":") ? root.tag.slice(0, root.tag.indexOf(":")) : void 0;
  const namespace = root.attributes[prefix === void 0 ? "xmlns" : `xmlns:${prefix}`];
  if (namespace !== CHANGELOG_NAMESPACE) return void 0;
  const location = Object.entries(root.attributes).find(
    ([key]) => key === "schemaLocation" || key.endsWith(":schemaLocation")
  );
  const pairs3 = typeof location?.[1] === "string" ? location[1].trim().split(/\s+/) : [];
  const at = pairs3.findIndex((token, index) => index % 2 === 0 && token === CHANGELOG_NAMESPACE);
  return at >= 0 ? pairs3[at + 1] : void 0;
}

// src/core/check/formats/liquibase-yaml.ts
async function yamlApi() {
  const module = await import("./dist-6TNEM67H.js");
  return module.default?.parseDocument ? module.default : module;
}
async function readYaml(source) {
  const { parseDocument: parseDocument2, LineCounter, isSeq, isMap, isPair } = await yamlApi();
  const flow = flowCollections(source);
  if (flow.depth > YAML_NESTING_LIMIT) throw nestedTooDeep();
  if (flow.count > MAX_ELEMENTS) throw tooManyElements();
  const lineCounter = new LineCounter();
  const document = parseDocument2(source, { version: "1.1", lineCounter, uniqueKeys: false });
  if (document.errors.length > 0) {
    const [first] = document.errors;
    throw new ChangelogError(`syntax error: ${parserWords(first.message.split("\n")[0])}`, first.linePos?.[0].line);
  }
  const pending = [{ node: document.contents, depth: 0 }];
  let collections = 0;
  while (pending.length > 0) {
    const { node: node2, depth } = pending.pop();
    if (!isMap(node2) && !isSeq(node2)) continue;
    if (depth + 1 > YAML_NESTING_LIMIT) {
      const start = node2.range?.[0];
      throw nestedTooDeep(start === void 0 ? void 0 : lineCounter.linePos(start).line);
    }
    if (++collections > MAX_ELEMENTS) throw tooManyElements();
    for (const item of node2.items) {
      if (isPair(item)) {
        pending.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else pending.push({ node: item, depth: depth + 1 });
    }
  }
  let root;
  try {
    root = document.toJS({ maxAliasCount: YAML_ALIAS_LIMIT });
  } catch (error) {
    throw new ChangelogError(
      `expands more than ${YAML_ALIAS_LIMIT} YAML aliases: read as an alias bomb (${firstLine(error)})`,
      void 0,
      "write the values out instead of nesting aliases"
    );
  }
  if (root === null || root === void 0 || typeof root === "object" && Object.keys(root).length === 0) {
    throw new ChangelogError('is empty: Liquibase stops with "Empty file"');
  }
  if (typeof root !== "object" || Array.isArray(root) || !("databaseChangeLog" in root)) {
    throw new ChangelogError("has no databaseChangeLog node", 1, "start the file with databaseChangeLog:");
  }
  const list2 = root.databaseChangeLog;
  if (list2 === null || list2 === void 0) return empty();
  if (!Array.isArray(list2)) {
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
  const toEntry = (name, value2, line) => {
    const attributes = {};
    const children = [];
    if (value2 && typeof value2 === "object" && !Array.isArray(value2)) {
      for (const [key, inner] of Object.entries(value2)) {
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
  for (const [index, item] of list2.entries()) {
    if (!item || typeof item !== "object" || Array.isArray(item)) continue;
    for (const [name, value2] of Object.entries(item))
      entries.push(toEntry(name, value2, itemLines[index]));
  }
  return readEntries(entries);
}

// src/core/check/formats/liquibase-parse.ts
async function parseChangelog(name, text3) {
  const source = text3.replace(/^\uFEFF/, "");
  try {
    switch (kindOf(name)) {
      case "xml": {
        return await readXml(name, source);
      }
      case "yaml":
      case "json":
        return { changelog: await readYaml(source) };
      case "sql": {
        if (!isFormattedSql(source)) {
          if (source.trim() === "")
            return {
              changelog: empty(),
              failures: [
                {
                  message: 'is empty: Liquibase stops with "Unable to parse empty file"',
                  fix: "add SQL, or remove the file and its include"
                }
              ]
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
        return sql.error ? { changelog, failures: [sql.error] } : { changelog, warning: sql.warning };
      }
      default:
        return { changelog: empty() };
    }
  } catch (error) {
    if (error instanceof ChangelogError)
      return { changelog: empty(), failures: [{ message: error.message, line: error.line, fix: error.fix }] };
    if (error instanceof Error)
      return {
        changelog: empty(),
        failures: [{ message: `cannot be parsed: ${firstLine(error)}`, fix: "fix the changelog syntax" }]
      };
    throw error;
  }
}

// src/core/check/formats/liquibase-walk.ts
import path7 from "node:path";
async function readAndParse(name, read2) {
  let text3;
  try {
    text3 = read2(name);
  } catch (error) {
    if (error instanceof DirectoryError)
      return {
        changelog: { includes: [], changeSets: [], sqlFiles: [], properties: [] },
        failures: [{ message: error.message, fix: error.fix ?? "fix the file" }]
      };
    throw new MigrationImageError(`cannot be read (${errnoCode(error) ?? String(error)})`, { file: name });
  }
  return parseChangelog(name, text3);
}
async function changelogTree(master, names2, read2, problem) {
  const problems = [];
  const loaded = /* @__PURE__ */ new Set();
  const walk = {
    names: names2,
    available: new Set(names2),
    problem,
    problems,
    extra: /* @__PURE__ */ new Set(),
    seen: /* @__PURE__ */ new Map(),
    dbmsChangeSets: 0,
    queue: [{ name: master }]
  };
  const { queue, extra } = walk;
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
          RULE6.includeAgainLogicalPath,
          from ?? name,
          `includes ${clipped(name)} again under another logicalFilePath: Liquibase runs its changesets a second time`,
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
          RULE6.includeTwice,
          from ?? name,
          `includes ${clipped(name)} a second time: Liquibase fails validation with duplicate changesets`,
          "include each changelog once",
          line
        )
      );
      continue;
    }
    loaded.add(name);
    const { changelog, failures = [], warning } = await readAndParse(name, read2);
    if (failures.length > 0) {
      for (const failure of failures)
        problems.push(problem(failure.rule ?? RULE6.parseError, name, failure.message, failure.fix, failure.line));
      continue;
    }
    if (warning) problems.push(problem(RULE6.parseWarning, name, warning.message, warning.fix, warning.line, "warning"));
    contributes.set(name, changelog.includes.length > 0 || changelog.changeSets.some(({ ignored: ignored2 }) => !ignored2));
    checkChangeSets(walk, name, changelog);
    followSqlFiles(walk, name, changelog.sqlFiles);
    followProperties(walk, name, changelog.properties);
    followIncludes(walk, name, changelog.includes);
  }
  for (const name of loaded) extra.delete(name);
  return { files: [...loaded, ...extra], problems, changeSets: walk.seen.size + walk.dbmsChangeSets };
}
function resolve(from, target, relative2) {
  const cleaned = target.replace(/^classpath\*?:/, "").replaceAll("\\", "/");
  const joined = relative2 ? path7.posix.join(path7.posix.dirname(from), cleaned) : cleaned.replace(/^\/+/, "");
  const normal = path7.posix.normalize(joined).replace(/^\.\/+/, "").replace(/\/+$/, "");
  if (normal === ".." || normal.startsWith("../") || path7.posix.isAbsolute(normal)) return void 0;
  return normal === "." ? "" : normal;
}
var hasProperty = (text3) => text3.includes("${");
function checkChangeSets(walk, name, changelog) {
  const { problem, problems, seen } = walk;
  for (const changeSet of changelog.changeSets) {
    if (changeSet.ignored) continue;
    if (changeSet.id.trim() === "") {
      problems.push(
        problem(
          RULE6.changesetWithoutId,
          name,
          changeSet.author === "" ? "a changeset has no id and no author" : "a changeset has no id",
          "give every changeset an id (and an author)",
          changeSet.line
        )
      );
      continue;
    }
    if (changeSet.dbms) {
      walk.dbmsChangeSets++;
      continue;
    }
    const key = `${changeSet.logicalPath ?? name}::${changeSet.id}::${changeSet.author}`;
    const twin = seen.get(key);
    if (twin !== void 0) {
      problems.push(
        problem(
          RULE6.changesetDuplicate,
          name,
          `changeset ${changesetName(changeSet)} is defined twice in this file (also at line ${twin}): Liquibase fails validation`,
          "give one of them a new id",
          changeSet.line
        )
      );
    } else seen.set(key, String(changeSet.line ?? "?"));
  }
}
function unchecked({ problem, problems }, name, what, line) {
  problems.push(
    problem(
      RULE6.propertyInPath,
      name,
      `${what} uses a changelog property: Liquibase expands it at run time, so it is not checked or shipped here`,
      "write the path without ${…} to have it checked and shipped",
      line,
      "warning"
    )
  );
}
function followSqlFiles(walk, name, refs) {
  const { available, extra, problem, problems } = walk;
  for (const ref of refs) {
    if (hasProperty(ref.path)) {
      unchecked(walk, name, `sqlFile '${clipped(ref.path)}'`, ref.line);
      continue;
    }
    const target = resolve(name, ref.path, ref.relative);
    if (target !== void 0 && available.has(target)) {
      extra.add(target);
      continue;
    }
    problems.push(
      problem(
        RULE6.sqlFileMissing,
        name,
        target === void 0 ? `sqlFile '${clipped(ref.path)}' is outside the migrations directory: it would be missing from the image` : `sqlFile '${clipped(ref.path)}' does not exist in the directory`,
        "fix the path or add the file",
        ref.line,
        ref.rollback ? "warning" : "error"
      )
    );
  }
}
function followProperties(walk, name, properties) {
  const { available, extra, problem, problems } = walk;
  for (const property of properties) {
    if (hasProperty(property.file)) {
      unchecked(walk, name, `properties file '${clipped(property.file)}'`, property.line);
      continue;
    }
    const target = resolve(name, property.file, property.relative);
    if (target !== void 0 && available.has(target)) {
      extra.add(target);
    } else if (property.errorIfMissing) {
      problems.push(
        problem(
          RULE6.propertiesMissing,
          name,
          `properties file '${clipped(property.file)}' does not exist in the directory`,
          "fix the path or add the file",
          property.line
        )
      );
    } else {
      problems.push(
        problem(
          RULE6.propertiesMissingOptional,
          name,
          `properties file '${clipped(property.file)}' is missing: Liquibase skips it (errorIfMissing="false")`,
          "add the file or remove the property",
          property.line,
          "notice"
        )
      );
    }
  }
}
function followIncludes(walk, name, includes) {
  const { problem, problems } = walk;
  for (const include of includes) {
    if (hasProperty(include.path)) {
      unchecked(walk, name, `${include.all ? "includeAll" : "include"} '${clipped(include.path)}'`, include.line);
      continue;
    }
    const target = resolve(name, include.path, include.relative);
    if (target === void 0) {
      problems.push(
        problem(
          RULE6.includeOutside,
          name,
          `includes '${clipped(include.path)}', outside the migrations directory: it would be missing from the image`,
          "move the file into the directory",
          include.line
        )
      );
      continue;
    }
    if (include.all) followIncludeAll(walk, name, include, target);
    else followInclude(walk, name, include, target);
  }
}
function followInclude({ available, problem, problems, queue }, name, include, target) {
  if (/^(\.svn|cvs)$/i.test(include.path)) return;
  if (!available.has(target)) {
    problems.push(
      include.errorIfMissing ? problem(
        RULE6.includeMissing,
        name,
        `includes '${clipped(include.path)}', which does not exist in the directory`,
        missingIncludeFix(include.path),
        include.line
      ) : problem(
        RULE6.includeMissingOptional,
        name,
        `includes '${clipped(include.path)}', which does not exist: Liquibase skips it (errorIfMissing="false")`,
        "add the file or remove the include",
        include.line,
        "notice"
      )
    );
    return;
  }
  if (kindOf(target) === "unknown") {
    problems.push(
      problem(
        RULE6.includeUnknownType,
        name,
        `includes '${clipped(include.path)}': Liquibase has no parser for this file type and stops`,
        "include .xml, .yaml, .yml, .json or .sql changelogs only",
        include.line
      )
    );
    return;
  }
  queue.push({ name: target, from: name, line: include.line, logicalPath: include.logicalPath });
  return;
}
function missingIncludeFix(target) {
  if (/^(classpath\*?:\/?)?db\/changelog\//.test(target))
    return "the path is written from Spring Boot's classpath root: point dir at that root (src/main/resources) and changelog at the master inside it (db/changelog/db.changelog-master.yaml)";
  return target.startsWith("/") ? "write the path relative to the migrations directory (Liquibase looks it up in its search path)" : "fix the path or add the file";
}
function followIncludeAll({ names: names2, problem, problems, queue }, name, include, target) {
  const prefix = target === "" ? "" : `${target}/`;
  const found = names2.filter((candidate) => candidate.startsWith(prefix)).filter((candidate) => include.endsWith === "" || candidate.toLowerCase().endsWith(include.endsWith.toLowerCase())).sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  if (found.length === 0) {
    problems.push(
      include.errorIfMissing ? problem(
        RULE6.includeAllEmpty,
        name,
        `includeAll '${clipped(include.path)}' finds no files: Liquibase stops ("directory was empty")`,
        'add changelogs there, fix the path, or set errorIfMissingOrEmpty="false"',
        include.line
      ) : problem(
        RULE6.includeAllEmptyOptional,
        name,
        `includeAll '${clipped(include.path)}' finds no files: Liquibase includes nothing (errorIfMissingOrEmpty="false")`,
        "add changelogs there or remove the includeAll",
        include.line,
        "notice"
      )
    );
    return;
  }
  for (const file of found) {
    if (kindOf(file) === "unknown") {
      problems.push(
        problem(
          RULE6.includeAllUnknownType,
          file,
          `includeAll '${clipped(include.path)}' finds this file, but Liquibase has no parser for it and skips it`,
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

// src/core/check/formats/liquibase.ts
var MASTERS = ["changelog.xml", "changelog.yaml", "changelog.yml", "changelog.json", "changelog.sql"].flatMap(
  (name) => [name, `db.${name.replace("changelog", "changelog-master")}`]
);
function masterChangelog(names2, options) {
  if (options.changelog) return names2.includes(options.changelog) ? options.changelog : void 0;
  return MASTERS.find((name) => names2.includes(name));
}
var liquibaseFormat = {
  ...atlasFormat,
  name: "liquibase",
  ruleCodes: Object.values(RULE6),
  recursive: true,
  select: (names2) => atlasFormat.select(names2),
  parseName: (name) => ({ description: name }),
  // Atlas's own rules (the files it skips) are not Liquibase's: the tree is read from the master changelog.
  rules: void 0,
  // The tree is built once per run: its problems are the rules' verdict, its files what the image ships.
  countUnit: "changeset",
  async tree(input) {
    const master = masterChangelog(input.names, input.options);
    if (!master) {
      const named = input.options.changelog;
      return {
        problems: [
          input.problem(
            RULE6.noChangelog,
            named ?? ".",
            named ? `the changelog '${named}' is not in the directory` : "no master changelog (changelog.xml, .yaml, .yml, .json or .sql)",
            named ? "check the changelog input" : "add one, or name it with the changelog input"
          )
        ],
        shipped: []
      };
    }
    const { problems, files, changeSets } = await changelogTree(master, input.names, input.read, input.problem);
    return { problems, shipped: files, count: changeSets };
  },
  nameRule: "a changelog file",
  nameExample: "changelog.xml"
};

// src/core/check/formats/psql.ts
var RULE7 = toolRules("psql", {
  badName: "bad-name",
  duplicateVersion: "duplicate-version",
  ignoredFile: "ignored-file"
});
var psqlFormat = {
  name: "psql",
  ruleCodes: Object.values(RULE7),
  recursive: false,
  select: topLevelEndingIn(".up.sql"),
  // `[^\n]`: one migration per line of migrations.list.
  parseName: versionedName(/^([0-9]+)_([^\n]*)\.up\.sql$/),
  compareVersions: compareIntegers,
  versionKey: integerKey,
  // The runner runs migrations.list, which build-time code writes from the counted files: a name it cannot read, or
  // a second file of one version, would make that list ambiguous.
  unreadName: () => ({
    code: RULE7.badName,
    severity: "error",
    message: "file name does not match <version>_<name>.up.sql",
    fix: "rename it like 1_create_users.up.sql"
  }),
  duplicateVersion: (_name, twin, version) => ({
    code: RULE7.duplicateVersion,
    severity: "error",
    message: `version ${version} is also used by ${twin}`,
    fix: "give one of them a new, higher version"
  }),
  rules({ names: names2, problem }) {
    return names2.filter((name) => !name.includes("/") && name !== "atlas.sum" && !/\.(up|down)\.sql$/.test(name)).map(
      (name) => problem(
        RULE7.ignoredFile,
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
import path8 from "node:path";
var base2 = (name) => path8.posix.basename(name);
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

// src/core/check/hash.ts
import { createHash as createHash7 } from "node:crypto";
import { closeSync as closeSync2, readSync as readSync2 } from "node:fs";
import path9 from "node:path";

// src/core/check/directive.ts
var DIRECTIVE = /^([ -~]*)atlas:(\w+)(?: +([^\n]+))*/;
function isSumIgnored(firstLine2) {
  const match = DIRECTIVE.exec(firstLine2);
  return match !== null && match[2] === "sum" && match[3] === "ignore";
}

// src/core/check/hash.ts
var CHUNK = 1 << 20;
var LF = 10;
var CR = 13;
function hashDirectory(dir, names2, options = {}) {
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const running = { hash: createHash7("sha256") };
  const buffer = Buffer.allocUnsafe(CHUNK);
  const entries = [];
  const files = [];
  for (const name of names2) {
    running.hash.update(name, "utf8");
    const file = options.unread?.has(name) ? { name, size: 0, ignored: false, crlf: false, bom: false, binary: false, unread: true } : hashFile(dir, name, running, buffer, limit);
    files.push(file);
    if (!file.ignored) entries.push({ name, hash: running.hash.copy().digest("base64") });
  }
  return { entries, files };
}
var LongFirstLine = class {
  printable = true;
  tail = "";
  /** Feeds a chunk; true once the line has ended in it. */
  feed(chunk) {
    const end = chunk.indexOf(LF);
    const part = end === -1 ? chunk : chunk.subarray(0, end);
    if (this.printable) {
      const text3 = part.toString("latin1");
      if (/[^ -~]/.test(text3)) {
        this.printable = false;
        this.tail = "";
      } else {
        this.tail = `${this.tail}${text3}`.replace(/ {2,}/g, " ").slice(-4096);
      }
    }
    return end !== -1;
  }
  get ignored() {
    return this.printable && isSumIgnored(this.tail);
  }
};
function hashFile(dir, name, running, buffer, limit) {
  const filePath = path9.join(dir, name);
  const { fd, size: statSize } = openRegular(filePath, limit, dir);
  const ignored2 = () => ({ name, size: statSize, ignored: true, crlf: false, bom: false, binary: false });
  try {
    let chunk = buffer.subarray(0, readSync2(fd, buffer, 0, buffer.length, null));
    const lineEnd = chunk.indexOf(LF);
    let longLine;
    let before;
    if (lineEnd !== -1 || chunk.length < buffer.length) {
      if (isSumIgnored(chunk.toString("latin1", 0, lineEnd === -1 ? chunk.length : lineEnd))) return ignored2();
    } else {
      longLine = new LongFirstLine();
      before = running.hash.copy();
    }
    const bom = chunk.length >= 3 && chunk[0] === 239 && chunk[1] === 187 && chunk[2] === 191;
    let size = 0;
    let crlf = false;
    let binary = false;
    let previous = 0;
    while (chunk.length > 0) {
      size += chunk.length;
      if (size > limit) throw tooLarge(filePath, limit);
      running.hash.update(chunk);
      if (longLine?.feed(chunk)) {
        if (longLine.ignored) {
          running.hash = before;
          return ignored2();
        }
        longLine = void 0;
        before = void 0;
      }
      if (!crlf) crlf = previous === CR && chunk[0] === LF || chunk.includes("\r\n");
      if (!binary) binary = chunk.includes(0);
      previous = chunk[chunk.length - 1];
      if (chunk.length < buffer.length && size >= statSize) break;
      chunk = buffer.subarray(0, readSync2(fd, buffer, 0, buffer.length, null));
    }
    if (longLine?.ignored) {
      running.hash = before;
      return ignored2();
    }
    return { name, size, ignored: false, crlf, bom, binary };
  } catch (error) {
    throw readError(filePath, error);
  } finally {
    closeSync2(fd);
  }
}

// src/core/check/scan.ts
import { readdirSync as readdirSync2, statSync } from "node:fs";
import path10 from "node:path";
function assertDirectory(dir) {
  let isDirectory;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (error) {
    throw unreadable(dir, error);
  }
  if (!isDirectory) {
    throw new DirectoryError("is not a directory", {
      file: dir,
      fix: "point dir at the folder that holds the migrations"
    });
  }
}
function listDirectory(dir, recursive) {
  assertDirectory(dir);
  const entries = [];
  const walk = (relative2) => {
    let dirents;
    try {
      dirents = readdirSync2(relative2 === "" ? dir : path10.join(dir, relative2), { withFileTypes: true });
    } catch (error) {
      throw unreadable(relative2 === "" ? dir : path10.join(dir, relative2), error);
    }
    for (const dirent of dirents) {
      if (recursive && dirent.name.startsWith(".")) continue;
      const name = relative2 === "" ? dirent.name : `${relative2}/${dirent.name}`;
      const kind = dirent.isSymbolicLink() ? "symlink" : dirent.isDirectory() ? "directory" : dirent.isFile() ? "file" : "other";
      entries.push({ name, kind });
      if (recursive && kind === "directory") walk(name);
    }
  };
  walk("");
  if (entries.some(({ name }) => name.includes("�"))) assertUtf8Names(dir, recursive);
  return Promise.resolve(entries);
}
function assertUtf8Names(dir, recursive) {
  const raw = readdirSync2(dir, { encoding: "buffer", recursive });
  for (const name of raw) {
    if (!Buffer.from(name.toString("utf8"), "utf8").equals(name)) {
      const shown3 = [...name].map((byte) => byte < 128 ? String.fromCharCode(byte) : `\\x${byte.toString(16)}`).join("");
      throw new DirectoryError("file name is not valid UTF-8", {
        file: path10.join(dir, shown3),
        fix: "rename it with UTF-8 characters only"
      });
    }
  }
}
function unreadable(dir, error) {
  switch (errnoCode(error)) {
    case "ENOENT":
      return new DirectoryError("does not exist", {
        file: dir,
        fix: `check ${OPTION.dir}`
      });
    case "ENOTDIR":
      return new DirectoryError("is not a directory", {
        file: dir,
        fix: "point dir at the folder that holds the migrations"
      });
    case "EACCES":
    case "EPERM":
      return new DirectoryError("cannot be read (permission denied)", {
        file: dir,
        fix: "make it readable by the user running this"
      });
    default:
      return new DirectoryError(`cannot be read: ${error instanceof Error ? error.message : String(error)}`, {
        file: dir
      });
  }
}

// src/core/check/validate.ts
var hasErrors = (problems) => problems.some(({ severity }) => severity === "error");
function withProblems(validation, extra) {
  const problems = [...validation.problems, ...extra];
  return { ...validation, problems, valid: !hasErrors(problems) };
}
var REHASH = (dir, format) => format === "atlas" ? `run 'migration-image hash ${dir}' (or 'atlas migrate hash') and commit atlas.sum` : `run 'migration-image hash ${dir} --tool ${format}' (or 'atlas migrate hash --dir "file://${dir}?format=${format}"') and commit atlas.sum`;
async function validateDirectory(dir, options = {}) {
  const format = getFormat(options.format ?? "atlas");
  const policy = options.checksum ?? (format.name === "atlas" ? "required" : "optional");
  const limit = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const listed = await listDirectory(dir, format.recursive);
  const listing = listed.filter(({ name }) => !hasControlCharacter(name));
  const counted2 = format.select(listing.filter(({ kind }) => kind !== "directory").map(({ name }) => name));
  const unhashable = [
    ...controlCharacterProblems(dir, listed),
    ...entryProblems(dir, listing, new Set(counted2), format.recursive),
    ...directoryProblems(dir, listing, format)
  ];
  const problems = [...unhashable];
  const unread = new Set(listing.filter(({ kind }) => kind !== "file").map(({ name }) => name));
  const hashed = hashDirectory(dir, counted2, { maxFileSize: limit, unread });
  const parsed = hashed.files.map((file) => format.parseName(path11.posix.basename(file.name)));
  const described = hashed.files.map((file, index) => describe(file, parsed[index]));
  problems.push(...fileProblems(dir, hashed.files, parsed, format, options.established));
  const formatOptions = { changelog: options.changelog };
  const fileNames = listing.filter(({ kind }) => kind === "file").map(({ name }) => name);
  const ruleInput = {
    dir,
    options: formatOptions,
    established: options.established,
    names: fileNames,
    directories: listing.filter(({ kind }) => kind === "directory").map(({ name }) => name),
    migrations: hashed.files.map((file, index) => ({ name: file.name, parsed: parsed[index] })),
    // Bounded by max-file-size and never through a link: a rule reading a link or a FIFO gets a typed error naming
    // the file.
    read: (name) => readTextBounded(path11.join(dir, name), limit, dir),
    problem: (code3, name, message, fix, line, severity = "error") => ({
      code: code3,
      severity,
      file: path11.join(dir, name),
      line,
      message,
      fix
    })
  };
  if (format.rules) problems.push(...await format.rules(ruleInput));
  const tree = format.tree ? await format.tree(ruleInput) : void 0;
  if (tree) problems.push(...tree.problems);
  const migrations = inToolOrder(described, format);
  const rulesHold = !hasErrors(problems);
  const shipped = !rulesHold ? [] : tree ? tree.shipped : format.shipped ? await format.shipped(fileNames, dir, formatOptions) : [];
  const sumPath = path11.join(dir, SUM_FILE);
  const checksum = `h1:${sumTotal(hashed.entries)}`;
  const allRead = hashed.files.every((file) => !file.unread);
  const sumProblem = allRead ? checkSumFile(dir, format.name, sumPath, counted2.length, hashed.entries, policy, limit) : void 0;
  if (sumProblem) problems.push(...withLineEndingHint(sumProblem.problem, dir, hashed.files));
  return {
    dir,
    format: format.name,
    sumPath,
    migrations,
    entries: hashed.entries,
    checksum,
    sumFile: renderSumFile(hashed.entries),
    difference: sumProblem?.difference,
    problems,
    valid: !hasErrors(problems),
    countUnit: format.countUnit ?? "migration",
    ...format.toolMigrations?.(fileNames) ?? {
      count: tree?.count ?? migrations.length,
      latestVersion: migrations.findLast(({ version }) => version !== void 0)?.version
    },
    shipped,
    uncovered: uncoveredFiles(format, shipped, hashed.entries),
    crlf: hashed.files.filter(({ crlf }) => crlf).map(({ name }) => name),
    unhashable
  };
}
function uncoveredFiles(format, shipped, entries) {
  const hashed = new Set(entries.map(({ name }) => name));
  return shipped.filter((name) => !hashed.has(name)).map((name) => ({
    name,
    reason: format.uncoveredReason?.(name) ?? `Atlas's ${format.name} format does not hash this file`
  }));
}
function inToolOrder(migrations, format) {
  const { compareVersions } = format;
  if (!compareVersions) return migrations;
  const versioned = migrations.filter((migration) => migration.version !== void 0);
  const rest = migrations.filter((migration) => migration.version === void 0);
  return [...versioned.sort((a, b) => compareVersions(a.version, b.version)), ...rest];
}
function describe(file, parsed) {
  return {
    name: file.name,
    version: parsed?.version,
    description: parsed?.description,
    size: file.size,
    ignored: file.ignored
  };
}
function controlCharacterProblems(dir, listing) {
  return listing.filter(({ name }) => hasControlCharacter(name)).map(({ name }) => ({
    code: "bad-name",
    severity: "error",
    file: path11.join(dir, showName(name)),
    message: "file name holds a control character (newline, tab, escape…); atlas.sum cannot hold it",
    fix: "rename it with printable characters only"
  }));
}
function entryProblems(dir, listing, counted2, recursive) {
  const problems = [];
  for (const { name, kind } of listing) {
    if (!counted2.has(name)) {
      if (recursive && kind === "symlink" && isDirectoryBehind(path11.join(dir, name))) {
        problems.push({
          code: "symlink",
          severity: "error",
          file: path11.join(dir, name),
          message: "is a symlink to a directory; links are never followed, so its migrations are not checked",
          fix: "replace the link with the directory itself"
        });
      }
      continue;
    }
    const file = path11.join(dir, name);
    if (kind === "symlink") {
      problems.push({
        code: "symlink",
        severity: "error",
        file,
        message: "is a symlink; it could pull a file from outside the directory into the image",
        fix: "replace the link with the file itself"
      });
    } else if (kind === "other") {
      throw new DirectoryError("is not a regular file (a fifo, socket or device)", { file, fix: "remove it" });
    }
  }
  return problems;
}
function directoryProblems(dir, listing, format) {
  if (format.recursive) return [];
  const directories = listing.filter(({ kind, name }) => kind === "directory" && !name.includes("/"));
  return format.select(directories.map(({ name }) => name)).map((name) => {
    const verdict = format.directoryEntry?.(name) ?? {
      code: "not-regular",
      severity: "warning",
      message: `is a directory named like a migration: 'atlas migrate hash --dir "file://DIR?format=${format.name}"' fails reading it`,
      fix: "rename the directory or move it out of the migrations directory"
    };
    return { file: path11.join(dir, name), ...verdict };
  });
}
function fileProblems(dir, files, parsed, format, established) {
  const problems = [];
  const byVersion = new PairFinder(established);
  for (const [index, file] of files.entries()) {
    const at = path11.join(dir, file.name);
    const name = parsed[index];
    if (file.binary) {
      problems.push({
        code: "binary",
        severity: "error",
        file: at,
        message: "holds NUL bytes: it is binary, not SQL",
        fix: "remove it or save it as UTF-8 text"
      });
    }
    if (name === void 0) {
      const verdict = format.unreadName?.(file.name) ?? {
        code: "bad-name",
        severity: "error",
        message: `file name does not match ${format.nameRule}`,
        fix: `rename it like ${format.nameExample}`
      };
      problems.push({ file: at, ...verdict });
      continue;
    }
    if (name.version === void 0) continue;
    const key = `${name.kind ?? ""}:${format.versionKey ? format.versionKey(name.version) : name.version}`;
    const pair = byVersion.see(key, { name: file.name, version: name.version });
    if (pair !== void 0) {
      const { version } = pair.reported;
      const verdict = format.duplicateVersion ? format.duplicateVersion(pair.file, pair.twin, version) : {
        code: "duplicate-version",
        severity: "error",
        message: `version ${version} is also used by ${pair.twin}`,
        fix: "give one of them a new, higher version"
      };
      if (verdict) problems.push({ file: path11.join(dir, pair.file), ...verdict, twin: pair.twin });
    }
  }
  return problems;
}
function checkSumFile(dir, format, sumPath, countedFiles, entries, policy, limit) {
  const text3 = entryExists(sumPath) ? readTextBounded(sumPath, limit, dir) : void 0;
  if (text3 === void 0) {
    if (countedFiles === 0) return void 0;
    const optional = policy === "optional";
    return {
      problem: {
        code: "checksum-not-found",
        severity: optional ? "notice" : "error",
        file: sumPath,
        message: optional ? "no atlas.sum: the migrations are not protected against edits after they are applied" : "checksum file not found",
        fix: optional ? `run 'migration-image hash ${dir} --tool ${format}' and commit atlas.sum` : REHASH(dir, format)
      }
    };
  }
  const parsed = parseSumFile(text3);
  const conflictAt = text3.split("\n").findIndex((line) => /^(<{7}|={7}|>{7})(?: |\r?$)/.test(line));
  if (!parsed.ok && parsed.error === "format" || conflictAt !== -1) {
    const conflict = conflictAt !== -1;
    return {
      problem: {
        code: "checksum-format",
        severity: "error",
        file: sumPath,
        line: conflict ? conflictAt + 1 : !parsed.ok && parsed.error === "format" ? parsed.line : void 0,
        message: conflict ? "checksum file format invalid: it holds a git conflict marker" : "checksum file format invalid: a line has no h1: hash",
        fix: conflict ? `rebase, then ${REHASH(dir, format)} (never merge atlas.sum by hand)` : REHASH(dir, format)
      }
    };
  }
  if (!parsed.ok) {
    return {
      problem: {
        code: "checksum-mismatch",
        severity: "error",
        file: sumPath,
        line: 1,
        message: text3.length === 0 ? "checksum mismatch: the file is empty" : "checksum mismatch: line 1 does not sum the entries below it",
        fix: REHASH(dir, format)
      }
    };
  }
  if (parsed.total === sumTotal(entries)) return void 0;
  const difference = firstDifference(parsed.entries, entries);
  return {
    difference,
    problem: {
      code: "checksum-changed",
      severity: "error",
      file: sumPath,
      // The line the message names (L3); a file added after the last entry is named at the line after it.
      line: difference ? Math.min(difference.line, parsed.entries.length + 1) : 1,
      message: difference ? `checksum error: L${difference.line}: ${showName(difference.name)} was ${difference.change}` : "checksum error: the directory no longer matches atlas.sum",
      fix: REHASH(dir, format)
    }
  };
}
function entryExists(file) {
  try {
    lstatSync2(file);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw new DirectoryError("cannot be read", { file });
  }
}
function isDirectoryBehind(link) {
  try {
    return statSync2(link).isDirectory();
  } catch {
    return false;
  }
}
function withLineEndingHint(problem, dir, files) {
  if (problem.code === "checksum-not-found") return [problem];
  const crlf = files.filter(({ crlf: crlf2 }) => crlf2).map(({ name }) => name);
  const bom = files.filter(({ bom: bom2 }) => bom2).map(({ name }) => name);
  if (crlf.length === 0 && bom.length === 0) return [problem];
  const list2 = (names2) => names2.slice(0, 3).join(", ") + (names2.length > 3 ? ` and ${names2.length - 3} more` : "");
  const found = [
    crlf.length > 0 ? `CRLF line endings in ${list2(crlf)}` : "",
    bom.length > 0 ? `a UTF-8 BOM in ${list2(bom)}` : ""
  ].filter(Boolean);
  const fixed = crlf.length > 0 ? {
    ...problem,
    fix: `fix the line endings first (see the warning on ${crlf[0]}): if a checkout converted them, re-hashing now writes an atlas.sum that fails on every LF checkout; re-hash only if it still fails after that`
  } : problem;
  return [
    fixed,
    {
      code: "line-endings",
      severity: "warning",
      file: path11.join(dir, crlf[0] ?? bom[0]),
      message: `${found.join(" and ")}: hashes cover raw bytes, so a checkout that converts line endings breaks atlas.sum`,
      fix: "add '*.sql text eol=lf' and 'atlas.sum text eol=lf' to .gitattributes, run 'git add --renormalize .' and check out again"
    }
  ];
}

// src/io/apply-check.ts
import { randomBytes } from "node:crypto";
import { chmodSync as chmodSync2, rmSync as rmSync5, writeFileSync as writeFileSync4 } from "node:fs";
import path14 from "node:path";

// src/core/apply/database.ts
var CHECK_DATABASE = "migrations";
function databaseKind(image) {
  const repository = image.split("@")[0].replace(/:[^/]*$/, "");
  const last = repository.split("/").at(-1) ?? "";
  if (/mariadb/.test(last)) return "mariadb";
  if (/mysql|percona/.test(last)) return "mysql";
  if (/postgres|postgis|timescale|^pg/.test(last)) return "postgres";
  throw new UsageError(`database '${showName(image)}' is neither a PostgreSQL, MySQL nor MariaDB image`, {
    fix: "use postgres:17-alpine, mysql:8.4 or mariadb:11 (or an image whose name says which it is)"
  });
}
function databaseServer(image, password, what = "database") {
  parseBaseImage(image, "postgres:17-alpine", what);
  const kind = databaseKind(image);
  if (kind === "postgres") {
    return {
      image,
      kind,
      env: { POSTGRES_PASSWORD: password, POSTGRES_USER: "postgres", POSTGRES_DB: CHECK_DATABASE },
      port: 5432,
      user: "postgres",
      database: CHECK_DATABASE
    };
  }
  const prefix = kind === "mysql" ? "MYSQL" : "MARIADB";
  return {
    image,
    kind,
    env: { [`${prefix}_ROOT_PASSWORD`]: password, [`${prefix}_DATABASE`]: CHECK_DATABASE },
    port: 3306,
    user: "root",
    database: CHECK_DATABASE
  };
}
var client = (kind, tool) => kind === "mariadb" ? `mariadb${tool === "shell" ? "" : `-${tool}`}` : `mysql${tool === "shell" ? "" : tool}`;
var passwordEnv = (target) => target.kind === "postgres" ? { PGPASSWORD: target.password } : { MYSQL_PWD: target.password };
function readinessCommand(target) {
  if (target.kind === "postgres") {
    return {
      argv: ["pg_isready", "-q", "-h", target.host, "-p", String(target.port), "-U", target.user, "-d", target.name],
      env: passwordEnv(target)
    };
  }
  return {
    argv: [
      client(target.kind, "admin"),
      "--protocol=tcp",
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${target.user}`,
      "ping"
    ],
    env: passwordEnv(target)
  };
}
function dumpCommand(target) {
  if (target.kind === "postgres") {
    return {
      argv: [
        "pg_dump",
        "--schema-only",
        "--no-owner",
        "--no-privileges",
        "--no-comments",
        "-h",
        target.host,
        "-p",
        String(target.port),
        "-U",
        target.user,
        "-d",
        target.name
      ],
      env: passwordEnv(target)
    };
  }
  return {
    argv: [
      client(target.kind, "dump"),
      "--protocol=tcp",
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${target.user}`,
      "--no-data",
      "--skip-comments",
      "--skip-dump-date",
      "--compact",
      "--routines",
      "--triggers",
      target.name
    ],
    env: passwordEnv(target)
  };
}
function sqlCommand(target, sql, database) {
  if (target.kind === "postgres") {
    return {
      argv: [
        "psql",
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        target.host,
        "-p",
        String(target.port),
        "-U",
        target.user,
        "-d",
        database ?? "postgres",
        "-c",
        sql
      ],
      env: passwordEnv(target)
    };
  }
  return {
    argv: [
      client(target.kind, "shell"),
      "--protocol=tcp",
      `--host=${target.host}`,
      `--port=${target.port}`,
      `--user=${target.user}`,
      "-N",
      "-B",
      "-e",
      sql,
      ...database === void 0 ? [] : [database]
    ],
    env: passwordEnv(target)
  };
}
var checkDatabaseName = (random) => `migration_image_check_${random}`;
function createDatabaseSql(name) {
  if (!/^migration_image_check_[a-z0-9]{8,32}$/.test(name)) throw new RangeError("not a generated database name");
  return `CREATE DATABASE ${name}`;
}
function dropDatabaseSql(kind, name) {
  if (!/^migration_image_check_[a-z0-9]{8,32}$/.test(name)) throw new RangeError("not a generated database name");
  return kind === "postgres" ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`;
}
function parseDatabaseUrl(input, what = "database-url") {
  let url;
  const refuse = (why) => {
    throw new UsageError(`${what} ${why}`, {
      fix: "give postgres://USER:PASSWORD@HOST:PORT/DB (or mysql://, mariadb://) of a disposable database"
    });
  };
  try {
    url = new URL(input.trim());
  } catch {
    return refuse("is not a URL");
  }
  const scheme = url.protocol.replace(/:$/, "");
  const kind = scheme === "postgres" || scheme === "postgresql" ? "postgres" : scheme === "mysql" ? "mysql" : scheme === "mariadb" ? "mariadb" : void 0;
  if (!kind) return refuse(`has the scheme '${showName(scheme)}': only postgres, mysql and mariadb are supported`);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!host || !/^[A-Za-z0-9.:-]+$/.test(host)) return refuse("has no usable host");
  const user = decodeURIComponent(url.username);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!user) return refuse("has no user");
  if (!/^[A-Za-z0-9_$-]{1,63}$/.test(name)) return refuse("names no database (…/DB, letters, digits, _ - $)");
  if (/\s/.test(user) || hasControlCharacter(user)) return refuse("has a space or control character in its user");
  const port = url.port ? Number(url.port) : kind === "postgres" ? 5432 : 3306;
  return {
    target: { kind, host, port, user, password: decodeURIComponent(url.password), name },
    loopback: host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)
  };
}
var withDatabase = (target, name) => ({ ...target, name });

// src/core/apply/failure.ts
var plain = (output) => output.replace(/\x1b\[[0-9;]*m/g, "").replace(/\r/g, "");
function relative(printed, migrationsDir) {
  const dir = migrationsDir.replace(/\/+$/, "");
  let name = printed.trim();
  if (name.startsWith("filesystem:")) name = name.slice("filesystem:".length);
  if (name.startsWith(`${dir}/`)) name = name.slice(dir.length + 1);
  return name.replace(/^\.\//, "");
}
function statementLine(content, statement) {
  const text3 = statement.trim();
  if (!text3) return void 0;
  let at = content.indexOf(text3);
  if (at < 0) {
    const first = text3.split("\n")[0].trim();
    if (first.length < 4) return void 0;
    at = content.indexOf(first);
    if (at < 0) return void 0;
  }
  return content.slice(0, at).split("\n").length;
}
function positionLine(content, statement, position) {
  const start = statementLine(content, statement);
  if (start === void 0) return void 0;
  const within = [...statement.trim()].slice(0, Math.max(0, position - 1)).join("");
  return start + within.split("\n").length - 1;
}
function psqlQuotedLine(content, endLine, quoted) {
  const text3 = quoted.replace(/^\.\.\./, "").replace(/\.\.\.$/, "").trim();
  if (!text3) return void 0;
  const lines = content.split("\n");
  for (let index = Math.min(endLine, lines.length) - 1; index >= 0; index--) {
    if (lines[index].includes(text3)) return index + 1;
  }
  return void 0;
}
function psqlFailure(output, migrationsDir, read2) {
  const match = /^psql:(.+?):(\d+): (?:ERROR|FATAL): +(.*)$/m.exec(output);
  if (!match) {
    const runner = /^migrate: (.+) failed; it was rolled back/m.exec(output);
    return runner ? { file: relative(runner[1], migrationsDir), message: lastLine(output) } : void 0;
  }
  const file = relative(match[1], migrationsDir);
  const end = Number(match[2]);
  const quoted = /^LINE \d+: (.*)$/m.exec(output.slice(match.index))?.[1];
  const content = read2(file);
  const line = quoted !== void 0 && content !== void 0 && psqlQuotedLine(content, end, quoted) || end;
  return { file, line, message: match[3].trim() };
}
function dbmateFailure(output, migrationsDir) {
  const error = /^Error: (.*)$/m.exec(output);
  if (!error) return void 0;
  const applying = [...output.matchAll(/^(?:Applying|Rolling back): (.+)$/gm)].at(-1)?.[1];
  const located = /^line: (\d+), column: \d+, position: \d+: (.*)$/.exec(error[1]);
  return {
    file: applying === void 0 ? void 0 : relative(applying, migrationsDir),
    line: located ? Number(located[1]) : void 0,
    message: (located ? located[2] : error[1]).trim()
  };
}
function golangMigrateFailure(output) {
  const match = /^error: (.*?) in line (\d+): /m.exec(output);
  if (match) return { line: Number(match[2]), message: match[1].trim() };
  const error = /^error: (.*)$/m.exec(output);
  return error ? { message: error[1].trim() } : void 0;
}
function flywayFailure(output, migrationsDir) {
  const migration = /Migration (\S+) failed/.exec(output);
  const location = /^Location\s+: (\S+)/m.exec(output);
  const line = /^Line\s+: (\d+)/m.exec(output);
  const message = /^Message\s+: (.*)$/m.exec(output)?.[1] ?? /^ERROR: (.*)$/m.exec(output)?.[1];
  if (!migration && !location && !message) return void 0;
  const file = location ? relative(location[1], migrationsDir) : migration ? migration[1] : void 0;
  return { file, line: line ? Number(line[1]) : void 0, message: (message ?? lastLine(output)).trim() };
}
function liquibaseFailure(output, migrationsDir, read2) {
  const changeset = /Migration failed for change ?set ([^:\s]+(?:\.[A-Za-z]+))::/.exec(output);
  const reason = /Reason: (?:liquibase\.exception\.\w+: )?(.*)$/m.exec(output)?.[1];
  if (!changeset && !reason) return void 0;
  const file = changeset ? relative(changeset[1], migrationsDir) : void 0;
  const position = /Position: (\d+)/.exec(output)?.[1];
  const statement = /\[Failed SQL: \(\d+\) ([\s\S]*?)\]\s*$/m.exec(output)?.[1];
  const content = file === void 0 ? void 0 : read2(file);
  let line;
  if (content !== void 0 && statement !== void 0) {
    line = position === void 0 ? statementLine(content, statement) : positionLine(content, statement, Number(position));
  }
  return { file, line, message: (reason ?? lastLine(output)).replace(/\s*\[Failed SQL:.*$/, "").trim() };
}
function unquoteGo(text3) {
  try {
    return JSON.parse(`"${text3.replace(/\\'/g, "'")}"`);
  } catch {
    return text3.replace(/\\n/g, "\n").replace(/\\t/g, "	").replace(/\\"/g, '"');
  }
}
function gooseFailure(output, read2) {
  const match = /ERROR (\S+?\.sql): failed to run SQL migration: (?:failed to execute SQL query "((?:[^"\\]|\\.)*)": )?(.*)$/m.exec(
    output
  );
  if (!match) return void 0;
  const file = match[1];
  const content = read2(file);
  const line = match[2] !== void 0 && content !== void 0 ? statementLine(content, unquoteGo(match[2])) : void 0;
  return { file, line, message: match[3].trim() };
}
function atlasFailure(output, read2, files) {
  const match = /executing statement "((?:[^"\\]|\\.)*)" from version "([^"]*)": (.*)$/m.exec(output);
  if (!match) {
    const error = /^Error: (.*)$/m.exec(output);
    return error ? { message: error[1].trim() } : void 0;
  }
  const version = match[2];
  const file = files.find((name) => name === `${version}.sql` || name.startsWith(`${version}_`));
  const content = file === void 0 ? void 0 : read2(file);
  const line = content === void 0 ? void 0 : statementLine(content, unquoteGo(match[1]));
  return { file, line, message: match[3].trim() };
}
function lastLine(output) {
  return output.split("\n").map((line) => line.trim()).filter(Boolean).at(-1) ?? "failed";
}
function parseFailure(tool, output, context) {
  const text3 = plain(output);
  const found = (() => {
    switch (tool) {
      case "psql":
        return psqlFailure(text3, context.migrationsDir, context.read);
      case "dbmate":
        return dbmateFailure(text3, context.migrationsDir);
      case "golang-migrate":
        return golangMigrateFailure(text3);
      case "flyway":
        return flywayFailure(text3, context.migrationsDir);
      case "liquibase":
        return liquibaseFailure(text3, context.migrationsDir, context.read);
      case "goose":
        return gooseFailure(text3, context.read);
      case "atlas":
        return atlasFailure(text3, context.read, context.files);
      default:
        return void 0;
    }
  })();
  const file = found?.file !== void 0 && context.files.includes(found.file) ? found.file : context.fallback;
  const line = found?.file === void 0 || found.file === file ? found?.line : void 0;
  return { file, line: file === void 0 ? void 0 : line, message: found?.message ?? lastLine(text3) };
}

// src/core/apply/trace-sql.ts
var TRACE_SCHEMA = "migration_image_trace";
var NOT_SUPERUSER = "MI_TRACE_NOT_SUPERUSER";
var MAX_EVENTS = 1e4;
var S3 = TRACE_SCHEMA;
var USER_RELATION = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', '${S3}') AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;
function traceInstallSql() {
  return `
DO $check$ BEGIN
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION '${NOT_SUPERUSER}';
  END IF;
END $check$;
CREATE SCHEMA ${S3};
CREATE TABLE ${S3}.relations AS
  SELECT c.oid AS relid, c.relfilenode, c.relkind::text AS relkind, n.nspname || '.' || c.relname AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE ${USER_RELATION} AND c.relkind IN ('r', 'p', 'm', 'i', 'I');
CREATE TABLE ${S3}.constraints AS
  SELECT r.name AS tbl, k.conname::text AS name, k.contype::text AS kind, k.convalidated AS validated
  FROM pg_catalog.pg_constraint k JOIN ${S3}.relations r ON r.relid = k.conrelid;
CREATE TABLE ${S3}.not_null AS
  SELECT r.name AS tbl, a.attname::text AS col
  FROM pg_catalog.pg_attribute a JOIN ${S3}.relations r ON r.relid = a.attrelid
  WHERE r.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull;
CREATE TABLE ${S3}.events (
  seq bigserial PRIMARY KEY, at double precision, pid int, xact text, tag text, tbl text, reason int,
  locks jsonb, lock_timeout text, scans jsonb, constraints jsonb, not_null jsonb);
CREATE FUNCTION ${S3}.on_ddl() RETURNS event_trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
DECLARE
  command record;
  rel oid;
BEGIN
  FOR command IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
    BEGIN
      IF (SELECT count(*) FROM ${S3}.events) >= ${MAX_EVENTS} THEN RETURN; END IF;
      rel := NULL;
      IF command.classid = 'pg_class'::regclass THEN
        rel := coalesce((SELECT indrelid FROM pg_index WHERE indexrelid = command.objid), command.objid);
      END IF;
      INSERT INTO ${S3}.events (at, pid, xact, tag, tbl, locks, lock_timeout, scans, constraints, not_null)
      SELECT extract(epoch FROM clock_timestamp()) * 1000, pg_backend_pid(), txid_current_if_assigned()::text,
        command.command_tag, r.name,
        (SELECT coalesce(jsonb_agg(jsonb_build_array(e.name, l.mode)), '[]') FROM pg_locks l
           JOIN ${S3}.relations e ON e.relid = l.relation
           WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND e.relkind IN ('r', 'p', 'm')),
        current_setting('lock_timeout'),
        (SELECT coalesce(jsonb_agg(jsonb_build_array(e.name, pg_stat_get_xact_numscans(e.relid))), '[]')
           FROM ${S3}.relations e WHERE e.relkind IN ('r', 'p') AND pg_stat_get_xact_numscans(e.relid) > 0),
        CASE WHEN r.name IS NOT NULL THEN (SELECT coalesce(jsonb_agg(jsonb_build_array(k.conname, k.contype, k.convalidated)), '[]')
           FROM pg_constraint k WHERE k.conrelid = rel) END,
        CASE WHEN r.name IS NOT NULL THEN (SELECT coalesce(jsonb_agg(a.attname), '[]') FROM pg_attribute a
           WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attnotnull) END
      FROM (SELECT (SELECT name FROM ${S3}.relations WHERE relid = rel AND relkind IN ('r', 'p', 'm')) AS name) r;
    EXCEPTION WHEN OTHERS THEN NULL;
    END;
  END LOOP;
END $f$;
CREATE FUNCTION ${S3}.on_rewrite() RETURNS event_trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
  INSERT INTO ${S3}.events (at, pid, xact, tag, tbl, reason, lock_timeout)
  SELECT extract(epoch FROM clock_timestamp()) * 1000, pg_backend_pid(), txid_current_if_assigned()::text,
    'table_rewrite', e.name, pg_event_trigger_table_rewrite_reason(), current_setting('lock_timeout')
  FROM ${S3}.relations e WHERE e.relid = pg_event_trigger_table_rewrite_oid();
EXCEPTION WHEN OTHERS THEN NULL;
END $f$;
CREATE EVENT TRIGGER migration_image_trace_ddl ON ddl_command_end EXECUTE PROCEDURE ${S3}.on_ddl();
CREATE EVENT TRIGGER migration_image_trace_rewrite ON table_rewrite EXECUTE PROCEDURE ${S3}.on_rewrite();
SELECT 'MI_TRACE_CLOCK ' || (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
`;
}
function traceReadSql() {
  return `
SELECT 'MI_TRACE ' || jsonb_build_object(
  'version', current_setting('server_version_num'),
  'events', (SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.seq), '[]') FROM (SELECT * FROM ${S3}.events ORDER BY seq LIMIT ${MAX_EVENTS}) e),
  'constraints', (SELECT coalesce(jsonb_agg(jsonb_build_array(tbl, name, kind, validated)), '[]') FROM ${S3}.constraints),
  'not_null', (SELECT coalesce(jsonb_agg(jsonb_build_array(tbl, col)), '[]') FROM ${S3}.not_null),
  'tables', (SELECT coalesce(jsonb_agg(name), '[]') FROM ${S3}.relations WHERE relkind IN ('r', 'p', 'm')),
  'refiled', (SELECT coalesce(jsonb_agg(r.name), '[]') FROM ${S3}.relations r JOIN pg_catalog.pg_class c ON c.oid = r.relid
     WHERE r.relkind IN ('r', 'p', 'm') AND c.relfilenode <> r.relfilenode AND c.relfilenode <> 0)
)::text;
`;
}
function traceRemoveSql() {
  return `
DROP EVENT TRIGGER IF EXISTS migration_image_trace_ddl;
DROP EVENT TRIGGER IF EXISTS migration_image_trace_rewrite;
DROP SCHEMA IF EXISTS ${S3} CASCADE;
`;
}

// src/core/apply/trace.ts
var MODES = {
  AccessExclusiveLock: "ACCESS EXCLUSIVE",
  ShareRowExclusiveLock: "SHARE ROW EXCLUSIVE",
  ShareLock: "SHARE",
  ShareUpdateExclusiveLock: "SHARE UPDATE EXCLUSIVE"
};
var REWRITE_REASONS = [
  [1, "persistence changed"],
  [2, "a default must be written to every row"],
  [4, "a column is rewritten"],
  [8, "the access method changed"]
];
var MAX_NAME = 200;
var MAX_TRACE_BYTES = 8 << 20;
var text2 = (value2) => typeof value2 === "string" ? clipped(value2, MAX_NAME) : typeof value2 === "number" ? String(value2) : void 0;
var array = (value2) => Array.isArray(value2) ? value2.slice(0, 1e3) : [];
var pairs2 = (value2) => array(value2).flatMap((item) => {
  const [a, b] = array(item);
  const name = text2(a);
  return name === void 0 ? [] : [[name, b]];
});
function event(value2) {
  if (!value2 || typeof value2 !== "object" || Array.isArray(value2)) return void 0;
  const row = value2;
  const at = typeof row.at === "number" ? row.at : NaN;
  const pid = typeof row.pid === "number" ? row.pid : NaN;
  const tag = text2(row.tag);
  if (!Number.isFinite(at) || !Number.isFinite(pid) || tag === void 0) return void 0;
  return {
    at,
    pid,
    tag,
    table: text2(row.tbl),
    reason: typeof row.reason === "number" ? row.reason : void 0,
    locks: pairs2(row.locks).map(([table2, mode]) => [table2, text2(mode) ?? ""]),
    lockTimeout: text2(row.lock_timeout) ?? "0",
    scans: new Map(pairs2(row.scans).map(([table2, count]) => [table2, typeof count === "number" ? count : 0])),
    constraints: Array.isArray(row.constraints) ? array(row.constraints).flatMap((item) => {
      const [name, kind, validated] = array(item);
      const shown3 = text2(name);
      return shown3 === void 0 ? [] : [{ name: shown3, kind: text2(kind) ?? "", validated: validated === true }];
    }) : void 0,
    notNull: Array.isArray(row.not_null) ? array(row.not_null).flatMap((item) => text2(item) === void 0 ? [] : [text2(item)]) : void 0
  };
}
function parseTrace(output, windows) {
  const line = output.split("\n").find((row) => row.startsWith("MI_TRACE "));
  if (line === void 0 || line.length > MAX_TRACE_BYTES)
    return { measured: false, why: "the trace could not be read back from the database" };
  let document;
  try {
    document = JSON.parse(line.slice("MI_TRACE ".length));
  } catch {
    return { measured: false, why: "the trace read back from the database is not JSON" };
  }
  const rows = array(document.events);
  const events = rows.map(event).filter((row) => row !== void 0);
  const snapshot = {
    constraints: /* @__PURE__ */ new Map(),
    notNull: /* @__PURE__ */ new Map()
  };
  for (const item of array(document.constraints)) {
    const [table2, name, , validated] = array(item);
    const key = text2(table2);
    const constraint = text2(name);
    if (key === void 0 || constraint === void 0) continue;
    if (!snapshot.constraints.has(key)) snapshot.constraints.set(key, /* @__PURE__ */ new Map());
    snapshot.constraints.get(key).set(constraint, validated === true);
  }
  for (const [table2, column] of pairs2(document.not_null)) {
    const name = text2(column);
    if (name === void 0) continue;
    if (!snapshot.notNull.has(table2)) snapshot.notNull.set(table2, /* @__PURE__ */ new Set());
    snapshot.notNull.get(table2).add(name);
  }
  return {
    measured: true,
    serverVersion: Number(text2(document.version) ?? 0),
    runs: windows.map((window) => ({ adds: window.adds, statements: statementsOf(events, windows, window, snapshot) })),
    refiled: array(document.refiled).flatMap((name) => text2(name) === void 0 ? [] : [text2(name)]),
    truncated: rows.length >= MAX_EVENTS
  };
}
function windowOf(at, windows) {
  let best;
  let distance = Infinity;
  for (const window of windows) {
    const off = at < window.from ? window.from - at : at > window.to ? at - window.to : 0;
    if (off < distance) [best, distance] = [window, off];
  }
  return best;
}
function statementsOf(events, windows, window, snapshot) {
  const held = /* @__PURE__ */ new Map();
  const scans2 = /* @__PURE__ */ new Map();
  const constraints = new Map(snapshot.constraints);
  const notNull = new Map(snapshot.notNull);
  const statements = [];
  let rewrites2 = [];
  for (const event2 of events) {
    const mine = windowOf(event2.at, windows) === window;
    if (event2.tag === "table_rewrite") {
      if (mine && event2.table !== void 0)
        rewrites2.push({ table: event2.table, reasons: reasonsOf(event2.reason ?? 0) });
      continue;
    }
    const before = held.get(event2.pid) ?? /* @__PURE__ */ new Set();
    const now = new Set(event2.locks.map(([table2, mode]) => `${table2}\0${mode}`));
    held.set(event2.pid, now);
    const counted2 = scans2.get(event2.pid) ?? /* @__PURE__ */ new Map();
    scans2.set(event2.pid, event2.scans);
    const scanned = [...event2.scans].filter(([table2, count]) => {
      const last = counted2.get(table2) ?? 0;
      return count >= last ? count > last : count > 0;
    }).map(([table2]) => table2);
    const changes = event2.table === void 0 ? { constraints: [], setNotNull: [] } : tableChanges(event2, constraints, notNull);
    if (!mine) {
      rewrites2 = [];
      continue;
    }
    const took = event2.locks.filter(([table2, mode]) => !before.has(`${table2}\0${mode}`) && MODES[mode] !== void 0).map(([table2, mode]) => ({ table: table2, mode: MODES[mode] }));
    statements.push({
      tag: event2.tag,
      table: event2.table,
      took,
      lockTimeout: event2.lockTimeout,
      scanned,
      rewrote: rewrites2.filter((rewrite) => rewrite.table === event2.table || event2.table === void 0),
      ...changes
    });
    rewrites2 = [];
  }
  return statements;
}
function tableChanges(event2, constraints, notNull) {
  const table2 = event2.table;
  const known = constraints.get(table2) ?? /* @__PURE__ */ new Map();
  const changed = [];
  if (event2.constraints) {
    for (const { name, kind, validated } of event2.constraints) {
      const was = known.get(name);
      if (was === void 0 || was === false && validated)
        changed.push({ name, kind: KINDS[kind] ?? kind, validated, added: was === void 0 });
    }
    constraints.set(table2, new Map(event2.constraints.map(({ name, validated }) => [name, validated])));
  }
  const columns = notNull.get(table2) ?? /* @__PURE__ */ new Set();
  const setNotNull2 = event2.notNull ? event2.notNull.filter((column) => !columns.has(column)) : [];
  if (event2.notNull) notNull.set(table2, new Set(event2.notNull));
  return { constraints: changed, setNotNull: setNotNull2 };
}
var KINDS = {
  c: "check",
  f: "foreign key",
  p: "primary key",
  u: "unique",
  x: "exclusion",
  n: "not null"
};
function reasonsOf(bits) {
  const reasons = REWRITE_REASONS.filter(([bit]) => (bits & bit) !== 0).map(([, why]) => why);
  return reasons.length > 0 ? reasons : ["the server rewrote it"];
}

// src/core/apply/plan.ts
var MAX_STEPS = 10;
function planApplyCheck(input) {
  if (input.base === void 0) {
    return {
      base: [],
      added: input.head.map(({ name }) => name),
      steps: [{ adds: input.head.map(({ name }) => name) }],
      neverApplied: []
    };
  }
  const baseNames = new Set(input.base);
  const base3 = input.head.filter(({ name }) => baseNames.has(name)).map(({ name }) => name);
  const added2 = input.head.filter(({ name }) => !baseNames.has(name));
  const addedNames = added2.map(({ name }) => name);
  const neverApplied = [];
  if (input.tool === "golang-migrate") {
    const compare2 = getFormat(input.format).compareVersions ?? compareUtf8;
    const latest = input.head.filter(({ name }) => baseNames.has(name)).map(({ version }) => version).filter((version) => version !== void 0).sort(compare2).at(-1);
    for (const migration of added2) {
      if (latest !== void 0 && migration.version !== void 0 && compare2(migration.version, latest) <= 0) {
        neverApplied.push({
          file: migration.name,
          why: `golang-migrate never applies version ${migration.version}: databases are at ${latest} already and it only applies versions above the current one`
        });
      }
    }
  }
  if (added2.length <= 1 || added2.length > MAX_STEPS || input.tool === "liquibase") {
    return { base: base3, added: addedNames, steps: [{ adds: addedNames }], neverApplied };
  }
  const steps = added2.map((migration, index) => ({
    adds: [migration.name],
    subset: index === added2.length - 1 ? void 0 : [...base3, ...addedNames.slice(0, index + 1)]
  }));
  return { base: base3, added: addedNames, steps, neverApplied };
}

// src/core/apply/schema.ts
function normaliseSchema(dump, kind, bookkeeping) {
  const statements = splitStatements(dump.replace(/\r\n?/g, "\n"));
  const kept = [];
  for (const raw of statements) {
    const statement = raw.split("\n").filter((line) => !/^\s*--/.test(line)).join("\n").trim();
    if (!statement || dropped(statement, kind, bookkeeping)) continue;
    kept.push(kind === "postgres" ? statement : statement.replace(/ AUTO_INCREMENT=\d+/g, ""));
  }
  return kept.length === 0 ? "" : `${kept.join("\n\n")}
`;
}
function dropped(statement, kind, bookkeeping) {
  if (/^\\(?:un)?restrict\b/.test(statement)) return true;
  if (/^SET\s/i.test(statement) || /^SELECT pg_catalog\.set_config\(/i.test(statement)) return true;
  if (/^(?:GRANT|REVOKE|COMMENT ON)\s/i.test(statement)) return true;
  if (/^ALTER\s.*\sOWNER TO\s/is.test(statement)) return true;
  if (/^\/\*!\d+.*\*\/;?$/s.test(statement)) return true;
  if (/^(?:CREATE|ALTER) DEFAULT PRIVILEGES/i.test(statement)) return true;
  return bookkeeping.some((table2) => mentions(statement, table2, kind));
}
function mentions(statement, table2, kind) {
  const head = statement.split("\n")[0];
  const name = kind === "postgres" ? `(?:"?[A-Za-z_][\\w$]*"?\\.)?"?${table2}(?:_\\w+)?"?` : `\`?${table2}\`?`;
  return new RegExp(
    `^(?:CREATE|ALTER|DROP)\\b[^(]*?\\s${name}(?:\\s|$|\\()|\\sON\\s(?:ONLY\\s)?${name}(?:\\s|\\()|OWNED BY\\s${name}\\.`,
    "i"
  ).test(head);
}
function splitStatements(dump) {
  const out = [];
  let current = [];
  let dollar;
  let delimiter = ";";
  for (const line of dump.split("\n")) {
    const delimiterLine = /^DELIMITER\s+(\S+)\s*$/i.exec(line);
    if (delimiterLine) {
      delimiter = delimiterLine[1];
      continue;
    }
    current.push(line);
    for (const match of line.matchAll(/\$[A-Za-z_]*\$/g)) {
      if (dollar === void 0) dollar = match[0];
      else if (dollar === match[0]) dollar = void 0;
    }
    const ends = line.trimEnd().endsWith(delimiter) || /^\\(?:un)?restrict\b/.test(line);
    if (dollar === void 0 && ends) {
      out.push(current.join("\n"));
      current = [];
    }
  }
  if (current.join("").trim()) out.push(current.join("\n"));
  return out;
}
var MAX_CELLS = 4e6;
function unifiedDiff(before, after, labels = { before: "before", after: "after" }) {
  if (before === after) return "";
  const a = splitLines2(before);
  const b = splitLines2(after);
  const ops = diffLines(a, b);
  if (!ops) {
    return `--- ${labels.before}
+++ ${labels.after}
@@ too large to diff: ${a.length} lines before, ${b.length} after @@
`;
  }
  const context = 3;
  const hunks = [];
  let index = 0;
  while (index < ops.length) {
    if (ops[index].kind === " ") {
      index++;
      continue;
    }
    let start = Math.max(0, index - context);
    let end = index;
    for (let probe2 = index; probe2 < ops.length; probe2++) {
      if (ops[probe2].kind !== " ") end = probe2;
      else if (probe2 - end > 2 * context) break;
    }
    end = Math.min(ops.length - 1, end + context);
    const slice = ops.slice(start, end + 1);
    const aStart = ops[start].a;
    const bStart = ops[start].b;
    const aCount = slice.filter((op) => op.kind !== "+").length;
    const bCount = slice.filter((op) => op.kind !== "-").length;
    hunks.push(
      `@@ -${aCount === 0 ? aStart : aStart + 1},${aCount} +${bCount === 0 ? bStart : bStart + 1},${bCount} @@`,
      ...slice.map((op) => `${op.kind}${op.text}`)
    );
    index = end + 1;
    start = index;
  }
  return `--- ${labels.before}
+++ ${labels.after}
${hunks.join("\n")}
`;
}
var splitLines2 = (text3) => text3 === "" ? [] : text3.replace(/\n$/, "").split("\n");
function diffLines(a, b) {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix])
    suffix++;
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const rows = midA.length + 1;
  const cols = midB.length + 1;
  if (rows * cols > MAX_CELLS) return void 0;
  const table2 = new Uint32Array(rows * cols);
  for (let i2 = midA.length - 1; i2 >= 0; i2--) {
    for (let j2 = midB.length - 1; j2 >= 0; j2--) {
      table2[i2 * cols + j2] = midA[i2] === midB[j2] ? table2[(i2 + 1) * cols + j2 + 1] + 1 : Math.max(table2[(i2 + 1) * cols + j2], table2[i2 * cols + j2 + 1]);
    }
  }
  const ops = [];
  for (let k = 0; k < prefix; k++) ops.push({ kind: " ", text: a[k], a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < midA.length || j < midB.length) {
    if (i < midA.length && j < midB.length && midA[i] === midB[j]) {
      ops.push({ kind: " ", text: midA[i], a: prefix + i, b: prefix + j });
      i++;
      j++;
    } else if (i < midA.length && (j === midB.length || table2[(i + 1) * cols + j] >= table2[i * cols + j + 1])) {
      ops.push({ kind: "-", text: midA[i], a: prefix + i, b: prefix + j });
      i++;
    } else {
      ops.push({ kind: "+", text: midB[j], a: prefix + i, b: prefix + j });
      j++;
    }
  }
  for (let k = 0; k < suffix; k++) {
    ops.push({ kind: " ", text: a[a.length - suffix + k], a: a.length - suffix + k, b: b.length - suffix + k });
  }
  return ops;
}

// src/core/apply/tools.ts
var enc = encodeURIComponent;
var hostPort = (target) => `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;
function uri(scheme, target, query = "") {
  return `${scheme}://${enc(target.user)}:${enc(target.password)}@${hostPort(target)}/${target.name}${query}`;
}
var goMysqlDsn = (target, params) => `${target.user}:${target.password}@tcp(${hostPort(target)})/${target.name}?${params}`;
function jdbc(target, mysqlDriver) {
  if (target.kind === "postgres") return `jdbc:postgresql://${hostPort(target)}/${target.name}`;
  if (mysqlDriver === "mysql" && target.kind === "mysql")
    return `jdbc:mysql://${hostPort(target)}/${target.name}?allowPublicKeyRetrieval=true&useSSL=false`;
  return `jdbc:mariadb://${hostPort(target)}/${target.name}`;
}
var postgresOnly = (tool, kind) => {
  if (kind !== "postgres")
    throw new UsageError(`${tool} runs on PostgreSQL only, not ${kind}`, {
      fix: "use a PostgreSQL database image (postgres:17-alpine) for the apply check"
    });
};
function applyRun(tool, target, options) {
  const pgUrl = uri("postgres", target, "?sslmode=disable");
  switch (tool) {
    case "atlas": {
      const url = target.kind === "postgres" ? pgUrl : uri(target.kind === "mariadb" ? "maria" : "mysql", target);
      return { args: ["migrate", "apply", "--dir", "file:///migrations", "--url", url], env: {} };
    }
    case "golang-migrate":
      return { args: ["-database", golangMigrateUrl(target), "up"], env: {} };
    case "flyway":
      return {
        args: ["migrate"],
        env: {
          FLYWAY_URL: jdbc(target, "mysql"),
          FLYWAY_USER: target.user,
          FLYWAY_PASSWORD: target.password,
          ...options.allowOutOfOrder ? { FLYWAY_OUT_OF_ORDER: "true" } : {}
        }
      };
    case "liquibase":
      return { args: ["update"], env: liquibaseEnv(target) };
    case "dbmate":
      return { args: ["--no-dump-schema", "up"], env: { DATABASE_URL: dbmateUrl(target) } };
    case "goose":
      return {
        args: [],
        env: {
          ...gooseEnv(target),
          GOOSE_COMMAND: "up",
          ...options.allowOutOfOrder ? { GOOSE_EXTRA_ARGS: "-allow-missing" } : {}
        }
      };
    case "psql":
      postgresOnly("the psql runner", target.kind);
      return { args: [], env: { DATABASE_URL: pgUrl } };
    default:
      throw new UsageError(`the apply check does not know the tool '${tool}'`);
  }
}
function golangMigrateUrl(target) {
  return target.kind === "postgres" ? uri("postgres", target, "?sslmode=disable") : `mysql://${goMysqlDsn(target, "multiStatements=true")}`;
}
var dbmateUrl = (target) => target.kind === "postgres" ? uri("postgres", target, "?sslmode=disable") : uri("mysql", target);
var liquibaseEnv = (target) => ({
  LIQUIBASE_COMMAND_URL: jdbc(target, "mariadb"),
  LIQUIBASE_COMMAND_USERNAME: target.user,
  LIQUIBASE_COMMAND_PASSWORD: target.password
});
var gooseEnv = (target) => target.kind === "postgres" ? { GOOSE_DRIVER: "postgres", GOOSE_DBSTRING: uri("postgres", target, "?sslmode=disable") } : { GOOSE_DRIVER: "mysql", GOOSE_DBSTRING: goMysqlDsn(target, "parseTime=true&multiStatements=true") };
function rollBack(tool, target, count) {
  if (count <= 0) return { kind: "none", why: "no new migration to roll back" };
  const repeat = (run) => Array.from({ length: count }, () => run);
  switch (tool) {
    case "golang-migrate":
      return {
        kind: "runs",
        runs: [{ args: ["-database", golangMigrateUrl(target), "down", String(count)], env: {} }],
        how: `down ${count}`
      };
    case "dbmate":
      return {
        kind: "runs",
        runs: repeat({ args: ["--no-dump-schema", "rollback"], env: { DATABASE_URL: dbmateUrl(target) } }),
        how: `rollback × ${count}`
      };
    case "goose":
      return {
        kind: "runs",
        runs: repeat({ args: [], env: { ...gooseEnv(target), GOOSE_COMMAND: "down" } }),
        how: `down × ${count}`
      };
    case "liquibase":
      return {
        kind: "runs",
        runs: [{ args: ["rollback-count", `--count=${count}`], env: liquibaseEnv(target) }],
        how: `rollback-count --count=${count}`
      };
    case "atlas":
      return { kind: "none", why: "atlas migrate down needs a dev database (--dev-url) to plan the reverse" };
    case "flyway":
      return { kind: "none", why: "Flyway's undo is in the paid editions only; the community image has no down" };
    case "psql":
      return { kind: "none", why: "the psql runner applies up migrations only (no down files ship)" };
    default:
      return { kind: "none", why: `no down command known for ${tool}` };
  }
}
var BOOKKEEPING_TABLES = {
  atlas: ["atlas_schema_revisions"],
  "golang-migrate": ["schema_migrations"],
  dbmate: ["schema_migrations"],
  flyway: ["flyway_schema_history"],
  liquibase: ["databasechangelog", "databasechangeloglock"],
  goose: ["goose_db_version"],
  psql: ["migration_image_versions"]
};

// src/io/git-base.ts
import { spawn, spawnSync } from "node:child_process";
import { lstatSync as lstatSync3, mkdtempSync as mkdtempSync3, rmSync as rmSync4 } from "node:fs";
import path13 from "node:path";

// src/core/check/base-rules.ts
import path12 from "node:path";
function baseBranchProblems(comparison) {
  const { base: base3, head, baseName, sameContent, allowOutOfOrder } = comparison;
  const problems = [];
  const at = (name) => path12.join(head.dir, name);
  const headNames = new Set(head.migrations.map(({ name }) => name));
  const baseNames = new Set(base3.migrations.map(({ name }) => name));
  const added2 = head.migrations.filter(({ name }) => !baseNames.has(name));
  const renamedTo = /* @__PURE__ */ new Set();
  for (const { name } of base3.migrations) {
    if (headNames.has(name)) {
      if (!sameContent(name, name)) {
        problems.push({
          code: "applied-changed",
          severity: "error",
          file: at(name),
          line: comparison.changedLine?.(name, name),
          message: `edits a migration that is already on ${baseName}: databases that applied it will never run the change`,
          fix: `restore it as it is on ${baseName} and put the change in a new migration`
        });
      }
      continue;
    }
    const twin = added2.find((candidate) => !renamedTo.has(candidate.name) && sameContent(name, candidate.name));
    if (twin) renamedTo.add(twin.name);
    problems.push({
      code: "applied-changed",
      severity: "error",
      file: twin ? at(twin.name) : at(name),
      message: twin ? `renames ${name}, a migration that is already on ${baseName}, to ${twin.name}: tools track applied migrations by name and version` : `deletes ${name}, a migration that is already on ${baseName}`,
      fix: `restore ${name} as it is on ${baseName}; undo its effect with a new migration if needed`
    });
  }
  const format = getFormat(head.format);
  const compare2 = format.compareVersions ?? compareUtf8;
  const latest = base3.latestVersion;
  const hasSum = !head.problems.some(({ code: code3 }) => code3 === "checksum-not-found");
  if (latest !== void 0 && !allowOutOfOrder) {
    for (const migration of added2) {
      if (migration.version === void 0 || renamedTo.has(migration.name)) continue;
      if (compare2(migration.version, latest) <= 0) {
        problems.push({
          code: "out-of-order",
          severity: "error",
          file: at(migration.name),
          message: `out of order: version ${migration.version} sorts at or before ${latest}, the latest version on ${baseName} (another pull request merged first)`,
          fix: hasSum ? `give it a version after ${latest} and re-run 'migration-image hash', or set ${OPTION.allowOutOfOrder}` : `give it a version after ${latest}, or set ${OPTION.allowOutOfOrder}`
        });
      }
    }
  }
  return { problems, added: added2.map(({ name }) => name) };
}

// src/core/names.ts
function assertRef(ref, what) {
  if (ref.startsWith("-") || !/^[^\s:?*[\\]+$/.test(ref) || hasControlCharacter(ref) || ref.includes("..")) {
    throw new UsageError(`${what} '${showName(ref)}' is not a branch, tag or commit`, {
      fix: `give ${what} a branch name, tag or commit sha (it cannot start with '-' or hold spaces or control characters)`
    });
  }
  return ref;
}
function assertBuilderName(name) {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) {
    throw new UsageError(`builder '${showName(name)}' is not a buildx builder name`, {
      fix: "use the name docker buildx ls shows (letters, digits, _ . -; not starting with -)"
    });
  }
  return name;
}

// src/io/git-base.ts
var gitEnv = () => childEnv(process.env);
function git(dir, args) {
  const ran = spawnSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: gitEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 16 << 20
  });
  if (ran.error) throw new MigrationImageError(`git is needed for the base-branch checks: ${ran.error.message}`);
  return { code: ran.status ?? 1, stdout: ran.stdout, stderr: ran.stderr };
}
function commitAt(dir, ref = "HEAD") {
  let ran;
  try {
    ran = git(dir, ["log", "-1", "--format=%H %cI", "--end-of-options", assertRef(ref, "ref"), "--"]);
  } catch {
    return void 0;
  }
  const match = /^([0-9a-f]{40,64}) (\S+)$/.exec(ran.stdout.trim());
  return ran.code === 0 && match ? { sha: match[1], time: new Date(match[2]).toISOString() } : void 0;
}
function ensureCommit(dir, ref, log, fix) {
  assertRef(ref, "ref");
  const present = () => git(dir, ["cat-file", "-e", "--end-of-options", `${ref}^{commit}`]).code === 0;
  if (present()) return;
  if (/[~^]|@\{/.test(ref)) {
    throw new MigrationImageError(`cannot find commit ${showName(ref)} to compare with in this checkout`, { fix });
  }
  log.info(`fetching ${ref} (not in this checkout)`);
  const fetched = git(dir, ["fetch", "--no-tags", "--depth=1", "--end-of-options", "origin", ref]);
  if (fetched.code !== 0 || !present()) {
    const lines = fetched.stderr.split("\n").map((line) => line.trim()).filter(Boolean);
    const said = showName(lines.find((line) => /^(fatal|error):/.test(line)) ?? lines[0] ?? "");
    throw new MigrationImageError(
      `cannot find commit ${showName(ref)} to compare with: it is not in this checkout, and fetching it from origin ${said ? `failed (git: ${said})` : "did not bring it"}`,
      { fix }
    );
  }
}
async function treeAt(dir, ref, tempParent) {
  const into = mkdtempSync3(path13.join(tempParent, "migration-image-base-"));
  const prefix = git(dir, ["rev-parse", "--show-prefix"]).stdout.trim();
  const top = git(dir, ["rev-parse", "--show-toplevel"]).stdout.trim();
  if (git(top, ["cat-file", "-e", "--end-of-options", `${ref}:${prefix}`]).code !== 0) return into;
  try {
    await new Promise((resolve2, reject) => {
      const archive = spawn("git", ["-C", top, "archive", "--format=tar", "--end-of-options", `${ref}:${prefix}`], {
        stdio: ["ignore", "pipe", "pipe"],
        env: gitEnv()
      });
      const tar = spawn("tar", ["-x", "--no-same-owner", "--no-same-permissions", "-C", into], {
        stdio: ["pipe", "ignore", "pipe"],
        env: gitEnv()
      });
      archive.stdout.pipe(tar.stdin);
      tar.stdin.on("error", () => void 0);
      let failed = "";
      archive.stderr.on("data", (chunk) => failed = (failed + chunk.toString()).slice(-4096));
      archive.on("error", reject);
      tar.on("error", reject);
      tar.on(
        "close",
        (code3) => code3 === 0 && !failed ? resolve2() : reject(new MigrationImageError(`cannot read ${ref}:${prefix}: ${showName(failed.trim())}`))
      );
    });
  } catch (error) {
    rmSync4(into, { recursive: true, force: true });
    throw error;
  }
  return into;
}
function firstChangedLine(before, after) {
  const length = Math.min(before.length, after.length);
  let line = 1;
  for (let index = 0; index < length; index++) {
    if (before[index] !== after[index]) return line;
    if (before[index] === 10) line++;
  }
  return before.length === after.length ? void 0 : line;
}
async function checkAgainstBase(input) {
  const { log } = input;
  let head = input.head;
  let rejudged;
  const limit = input.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  ensureCommit(head.dir, input.baseRef, log, input.missingFix);
  const baseDir = await treeAt(head.dir, input.baseRef, input.tempDir);
  let result;
  let inspected;
  try {
    const base3 = await validateDirectory(baseDir, { ...input.options, checksum: "optional" });
    inspected = await input.inspectBase?.(baseDir, base3);
    const established = (name) => lstatSync3(path13.join(baseDir, name), { throwIfNoEntry: false })?.isFile() ?? false;
    if (pairOnBaseFile(head, established)) {
      rejudged = await validateDirectory(head.dir, { ...input.options, established });
      head = rejudged;
    }
    result = baseBranchProblems({
      base: base3,
      head,
      baseName: input.baseName,
      allowOutOfOrder: input.allowOutOfOrder,
      // Bounded, never through a link, on both sides.
      sameContent: (baseFile, headFile) => readBounded(path13.join(baseDir, baseFile), limit, baseDir).equals(
        readBounded(path13.join(head.dir, headFile), limit, head.dir)
      ),
      changedLine: (baseFile, headFile) => firstChangedLine(
        readBounded(path13.join(baseDir, baseFile), limit, baseDir),
        readBounded(path13.join(head.dir, headFile), limit, head.dir)
      )
    });
  } finally {
    rmSync4(baseDir, { recursive: true, force: true });
  }
  const sumProblem = head.problems.find(
    ({ code: code3 }) => code3 === "checksum-changed" || code3 === "checksum-mismatch" || code3 === "checksum-format"
  );
  if (sumProblem && input.headRef) {
    ensureCommit(head.dir, input.headRef, log, input.missingFix);
    const ownDir = await treeAt(head.dir, input.headRef, input.tempDir);
    const own = await validateDirectory(ownDir, input.options).finally(
      () => rmSync4(ownDir, { recursive: true, force: true })
    );
    if (!own.problems.some(({ code: code3 }) => code3.startsWith("checksum") && code3 !== "checksum-not-found")) {
      const merged = {
        ...sumProblem,
        fix: `the pull request's own atlas.sum matches its files, so the merge with ${input.baseName} broke it: rebase onto ${input.baseName}, re-run 'migration-image hash ${head.dir}' (or 'atlas migrate hash') and push`
      };
      return { ...result, head: rejudged, inspected, mergeOnly: { problem: sumProblem, replacement: merged } };
    }
  }
  return { ...result, head: rejudged, inspected };
}
function pairOnBaseFile(head, established) {
  return head.problems.some(
    ({ file, twin }) => twin !== void 0 && !established(twin) && established(path13.relative(head.dir, file).split(path13.sep).join(path13.posix.sep))
  );
}

// src/io/apply-check.ts
var LIMITS = ["--memory=1g", "--pids-limit=512"];
var HARDENED = ["--cap-drop=ALL", "--security-opt=no-new-privileges"];
var DATABASE_START_MS = 12e4;
var DUMP_CAP = (1 << 20) - 1;
var CheckTimeout = class extends MigrationImageError {
};
async function runApplyCheck(input, ports) {
  const session = new Session(input, ports);
  ports.cleanup.add({ apply: session.prefix });
  try {
    return await session.run();
  } finally {
    await session.close();
  }
}
var Session = class {
  constructor(input, ports) {
    this.input = input;
    this.ports = ports;
    this.deadline = this.started + input.request.timeoutMs;
  }
  input;
  ports;
  prefix = `migration-image-apply-${randomBytes(6).toString("hex")}`;
  started = Date.now();
  deadline;
  staged = [];
  dirs = [];
  database;
  runs = 0;
  networkCreated = false;
  docker(env = {}) {
    return new Docker({ ...this.ports.env, ...env });
  }
  remaining(what) {
    const left = this.deadline - Date.now();
    if (left <= 0) throw this.timeout(what);
    return left;
  }
  timeout(what) {
    return new CheckTimeout(
      `apply-timeout (${Math.round(this.input.request.timeoutMs / 1e3)} s) ended the check while ${what}`,
      { fix: "make the migration finish (a lock wait or an endless loop?), or raise apply-timeout" }
    );
  }
  async run() {
    const { input } = this;
    const { preset } = input;
    const failures = [];
    const notes = [];
    const runs = [];
    let base3;
    let roundTrip = { kind: "skipped", why: "the new migrations did not all apply" };
    let schemaDiff;
    let databaseMs = 0;
    let timedOut;
    let trace;
    let shown3 = input.request.databaseUrl ? "database-url" : input.request.database;
    const bookkeeping = BOOKKEEPING_TABLES[preset.tool] ?? [];
    try {
      const t0 = Date.now();
      const database = await this.startDatabase();
      this.database = database;
      shown3 = database.shown;
      databaseMs = Date.now() - t0;
      const baseNames = input.base ? await this.baseMigrations(input.base.ref, input.base.missingFix) : void 0;
      const plan = planApplyCheck({
        tool: preset.tool,
        format: input.head.format,
        head: input.head.migrations,
        base: baseNames?.validation.migrations.map(({ name }) => name)
      });
      for (const skipped of plan.neverApplied)
        failures.push({ file: skipped.file, message: skipped.why, title: "never applied" });
      const toolOptions = { allowOutOfOrder: input.base?.allowOutOfOrder ?? false };
      const apply = applyRun(preset.tool, database.target, toolOptions);
      if (baseNames && plan.base.length > 0) {
        const context = await this.stage(baseNames.validation, false);
        const ran = await this.tool(apply, `base: ${plan.base.length} migrations`, context.migrations);
        const failure = ran.ok ? void 0 : this.located(ran, baseNames.validation, plan.base);
        base3 = { adds: plan.base, count: plan.base.length, ms: ran.ms, ok: ran.ok, failure };
        if (failure) {
          failures.push({ ...failure, title: "base migrations failed" });
          notes.push("the base branch's own migrations failed on this database: the new ones were not run");
          return this.result({ shown: shown3, databaseMs, base: base3, runs, roundTrip, failures, notes });
        }
      } else if (baseNames) {
        base3 = { adds: [], count: 0, ms: 0, ok: true };
      }
      const before = await this.dump(database, bookkeeping);
      const changesetsBefore = preset.tool === "liquibase" ? await this.countChangesets(database) : 0;
      const tracing = input.trace && database.kind === "postgres" ? await this.installTrace(database) : void 0;
      if (tracing && "why" in tracing) trace = { measured: false, why: tracing.why };
      const windows = [];
      let allOk = plan.neverApplied.length === 0;
      for (const step of plan.steps) {
        const label = step.adds.length === 1 ? step.adds[0] : `${step.adds.length} migrations`;
        const context = step.subset ? await this.stage(this.subset(step.subset), true) : void 0;
        const from = Date.now();
        const ran = await this.tool(
          apply,
          label,
          context?.migrations,
          step.adds.length === 1 ? step.adds[0] : void 0
        );
        if (tracing && "offset" in tracing)
          windows.push({ adds: step.adds, from: from + tracing.offset, to: Date.now() + tracing.offset });
        const failure = ran.ok ? void 0 : this.located(ran, input.head, step.adds);
        runs.push({ adds: step.adds, ms: ran.ms, ok: ran.ok, failure });
        if (failure) {
          failures.push({ ...failure, title: "migration failed" });
          allOk = false;
          break;
        }
      }
      if (tracing && "offset" in tracing) trace = await this.readTrace(database, windows);
      if (!allOk) return this.result({ shown: shown3, databaseMs, base: base3, runs, roundTrip, failures, notes, trace });
      const after = await this.dump(database, bookkeeping);
      schemaDiff = this.diff(before, after, "base", "with the new migrations");
      const count = preset.tool === "liquibase" ? await this.countChangesets(database) - changesetsBefore : plan.added.length;
      roundTrip = await this.roundTrip(database, apply, plan, count, { before, after }, bookkeeping, failures);
    } catch (error) {
      if (!(error instanceof CheckTimeout)) throw error;
      timedOut = error.message;
      const last = this.current;
      failures.push({ file: last, message: `did not finish: ${error.message}`, title: "apply-timeout" });
    }
    return this.result({ shown: shown3, databaseMs, base: base3, runs, roundTrip, schemaDiff, failures, notes, timedOut, trace });
  }
  /** Whether the trace is in the database now (removed after the new migrations, or at the end). */
  traceInstalled = false;
  /**
   * The trace's snapshot and event triggers (src/core/apply/trace-sql.ts), and the server's clock against this
   * runner's (to give each event its run). Refused by a login that is not a superuser: the check then says so.
   */
  async installTrace(database) {
    const sent = Date.now();
    const installed = await database.client(
      sqlCommand(database.clientTarget, traceInstallSql(), database.clientTarget.name)
    );
    const received = Date.now();
    if (installed.code !== 0) {
      const output = installed.stdout + installed.stderr;
      return {
        why: output.includes(NOT_SUPERUSER) ? `the login ${database.clientTarget.user} is not a superuser, and event triggers need one: what each migration does was not measured (the static findings stand)` : `the trace could not be set up (${lastLines(output, 1)}): what each migration does was not measured`
      };
    }
    this.traceInstalled = true;
    const clock = /MI_TRACE_CLOCK (\d+)/.exec(installed.stdout);
    return { offset: clock ? Number(clock[1]) - (sent + received) / 2 : 0 };
  }
  /**
   * What the trace saw, read once, and the trace removed in the same client run (before the schema dump: it never
   * shows in the diff); a failed read still removes it.
   */
  async readTrace(database, windows) {
    const read2 = await database.client(
      sqlCommand(database.clientTarget, `${traceReadSql()}${traceRemoveSql()}`, database.clientTarget.name)
    );
    if (read2.code !== 0) {
      await this.removeTrace(database);
      return {
        measured: false,
        why: `the trace could not be read back (${lastLines(read2.stderr, 1)}): nothing was measured`
      };
    }
    this.traceInstalled = false;
    return parseTrace(read2.stdout, windows);
  }
  async removeTrace(database) {
    const removed = await database.client(
      sqlCommand(database.clientTarget, traceRemoveSql(), database.clientTarget.name)
    );
    if (removed.code === 0) this.traceInstalled = false;
    else
      this.ports.log.warning(`could not remove the deploy-safety trace from the database: ${lastLines(removed.stderr, 1)}`);
  }
  /** The migration being applied right now (for a timeout's annotation). */
  current;
  result(parts) {
    const ok = parts.failures.length === 0 && (parts.base?.ok ?? true) && parts.runs.every((run) => run.ok) && (parts.roundTrip.kind !== "ran" || parts.roundTrip.ok) && parts.timedOut === void 0;
    return {
      database: parts.shown,
      databaseMs: parts.databaseMs,
      base: parts.base,
      runs: parts.runs,
      roundTrip: parts.roundTrip,
      schemaDiff: parts.schemaDiff,
      dumpMs: this.dumpMs,
      timedOut: parts.timedOut,
      failures: parts.failures,
      notes: parts.notes,
      ok,
      totalMs: Date.now() - this.started,
      ...parts.trace ? { trace: parts.trace } : {}
    };
  }
  async roundTrip(database, apply, plan, count, schema, bookkeeping, failures) {
    const back = rollBack(this.input.preset.tool, database.target, count);
    if (back.kind === "none") return back;
    const t0 = Date.now();
    for (const [index, run] of back.runs.entries()) {
      const ran = await this.tool(run, `down ${index + 1}/${back.runs.length}`);
      if (!ran.ok) {
        const failure = this.located(ran, this.input.head, plan.added);
        failures.push({ ...failure, title: "down failed" });
        return {
          kind: "ran",
          how: back.how,
          downMs: Date.now() - t0,
          upMs: 0,
          ok: false,
          problem: "the down failed",
          failure
        };
      }
    }
    const downMs = Date.now() - t0;
    const afterDown = await this.dump(database, bookkeeping);
    if (afterDown !== schema.before) {
      const diff = this.diff(schema.before, afterDown, "base", "after the down");
      const problem = "the down migrations do not undo the up ones: the schema after the down is not the base's";
      failures.push({ file: plan.added.at(-1), message: problem, title: "down does not undo up" });
      return { kind: "ran", how: back.how, downMs, upMs: 0, ok: false, problem, diff };
    }
    const t1 = Date.now();
    const up = await this.tool(apply, "up again");
    const upMs = Date.now() - t1;
    if (!up.ok) {
      const failure = this.located(up, this.input.head, plan.added);
      failures.push({ ...failure, title: "up after down failed" });
      return { kind: "ran", how: back.how, downMs, upMs, ok: false, problem: "the up failed after the down", failure };
    }
    const again = await this.dump(database, bookkeeping);
    if (again !== schema.after) {
      const problem = "applied again after the down, the new migrations give another schema";
      failures.push({ file: plan.added.at(-1), message: problem, title: "up after down differs" });
      return {
        kind: "ran",
        how: back.how,
        downMs,
        upMs,
        ok: false,
        problem,
        diff: this.diff(schema.after, again, "first up", "second up")
      };
    }
    return { kind: "ran", how: back.how, downMs, upMs, ok: true };
  }
  diff(before, after, a, b) {
    if (before.length >= DUMP_CAP || after.length >= DUMP_CAP)
      return `--- ${a}
+++ ${b}
@@ schema larger than 1 MiB: not diffed @@
`;
    return unifiedDiff(before, after, { before: a, after: b });
  }
  /** A failed run's file and line, from the tool's output (the run's one new migration when it names none). */
  located(ran, validation, files) {
    const limit = this.input.options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    const read2 = (name) => {
      if (!validation.migrations.some((m) => m.name === name) && !validation.shipped.includes(name)) return void 0;
      try {
        return readBounded(path14.join(validation.dir, name), limit, validation.dir).toString("utf8");
      } catch {
        return void 0;
      }
    };
    const names2 = [...validation.migrations.map(({ name }) => name), ...validation.shipped];
    return parseFailure(this.input.preset.tool, ran.output, {
      migrationsDir: this.input.preset.migrationsDir,
      read: read2,
      files: names2,
      fallback: files.length === 1 ? files[0] : void 0
    });
  }
  // ---------------------------------------------------------------- the database ---
  async startDatabase() {
    const { request } = this.input;
    if (request.databaseUrl) return this.useDatabaseUrl(request.databaseUrl, request.database);
    const password = randomBytes(18).toString("hex");
    const server = databaseServer(request.database, password);
    const name = `${this.prefix}-db`;
    const created = await this.docker().run(
      ["network", "create", "--internal", "--label", applyLabel(this.prefix), this.prefix],
      {
        timeoutProbes: 1
      }
    );
    if (created.code !== 0) throw new MigrationImageError(`cannot create the check's network: ${lastLines(created.stderr)}`);
    this.networkCreated = true;
    const envNames = Object.keys(server.env).flatMap((key) => ["-e", key]);
    const started = await this.docker(server.env).run(
      [
        "run",
        "-d",
        `--name=${name}`,
        "--label",
        applyLabel(this.prefix),
        `--network=${this.prefix}`,
        ...LIMITS,
        ...envNames,
        "--",
        server.image
      ],
      { timeoutMs: this.remaining("starting the database") }
    );
    if (started.timedOut) throw this.timeout(`pulling and starting ${server.image}`);
    if (started.code !== 0) {
      throw new MigrationImageError(`cannot start the database ${server.image}: ${lastLines(started.stderr)}`, {
        fix: "check the database input (an image the engine can pull, e.g. postgres:17-alpine)"
      });
    }
    const inspected = await this.docker().run(
      ["inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", "--", name],
      { timeoutProbes: 1 }
    );
    const ip = inspected.stdout.trim();
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip))
      throw new MigrationImageError(`the database container has no address: '${showName(ip)}'`);
    const target = {
      kind: server.kind,
      host: ip,
      port: server.port,
      user: server.user,
      password,
      name: server.database
    };
    const clientTarget = { ...target, host: "127.0.0.1" };
    const database = {
      target,
      clientTarget,
      network: `--network=${this.prefix}`,
      kind: server.kind,
      shown: server.image,
      client: (command) => this.docker(command.env).run(
        ["exec", ...Object.keys(command.env).flatMap((key) => ["-e", key]), name, ...command.argv],
        {
          timeoutMs: this.remaining("running the database client")
        }
      )
    };
    await this.ready(database, name);
    return database;
  }
  /** Polls the server's own readiness client until it answers (or the container exits, or time runs out). */
  async ready(database, container) {
    const until = Math.min(this.deadline, Date.now() + DATABASE_START_MS);
    for (; ; ) {
      const probe2 = await database.client(readinessCommand(database.clientTarget));
      if (probe2.code === 0) return;
      const state = await this.docker().run(["inspect", "--format", "{{.State.Running}}", "--", container], {
        timeoutProbes: 1
      });
      if (state.stdout.trim() !== "true") {
        const logs = await this.docker().run(["logs", "--tail", "20", "--", container], { timeoutProbes: 1 });
        throw new MigrationImageError(`the database exited while starting: ${lastLines(logs.stdout + logs.stderr)}`, {
          fix: "check the database input (its image and version)"
        });
      }
      if (Date.now() >= until) {
        if (until === this.deadline) throw this.timeout("waiting for the database");
        throw new MigrationImageError(`the database did not accept connections within ${DATABASE_START_MS / 1e3} s`);
      }
      await new Promise((resolve2) => setTimeout(resolve2, 200));
    }
  }
  /**
   * `database-url`: the tools run on the host network to reach it; the database's own clients run from the
   * `database` image. The check works in a database of its own there when the login may create one (dropped at
   * the end), else in the URL's database itself.
   */
  async useDatabaseUrl(url, clientImage) {
    const parsed = parseDatabaseUrl(url);
    const serviceName = /^[a-z0-9][a-z0-9-]*$/i.test(parsed.target.host);
    if (!parsed.loopback && !serviceName) {
      this.ports.log.warning(
        `database-url points at ${parsed.target.host}, not this runner (loopback) or a service container: the check runs the pull request's SQL there, and creates and drops a database in it`
      );
    }
    let target = parsed.target;
    const client2 = (command) => this.docker(command.env).run(
      [
        "run",
        "--rm",
        `--name=${this.prefix}-client-${++this.runs}`,
        "--label",
        applyLabel(this.prefix),
        "--network=host",
        ...LIMITS,
        ...HARDENED,
        ...Object.keys(command.env).flatMap((key) => ["-e", key]),
        `--entrypoint=${command.argv[0]}`,
        "--",
        clientImage,
        ...command.argv.slice(1)
      ],
      { timeoutMs: this.remaining("running the database client") }
    );
    const own = checkDatabaseName(randomBytes(6).toString("hex"));
    const created = await client2(sqlCommand(target, createDatabaseSql(own)));
    let drop;
    if (created.code === 0) {
      target = withDatabase(target, own);
      const server = parsed.target;
      drop = async () => {
        await client2(sqlCommand(server, dropDatabaseSql(server.kind, own))).catch(() => void 0);
      };
    } else {
      this.ports.log.warning(
        `cannot create a database of the check's own through database-url (${lastLines(created.stderr, 1)}): the check runs in ${parsed.target.name} itself`
      );
    }
    return {
      target,
      clientTarget: target,
      network: "--network=host",
      kind: target.kind,
      shown: `database-url (${target.kind} at ${target.host}:${target.port})`,
      client: client2,
      drop
    };
  }
  /** Time spent dumping the schema (before, after, and the round trip's two). */
  dumpMs = 0;
  async dump(database, bookkeeping) {
    const t0 = Date.now();
    const dumped = await database.client(dumpCommand(database.clientTarget)).finally(() => {
      this.dumpMs += Date.now() - t0;
    });
    if (dumped.timedOut) throw this.timeout("dumping the schema");
    if (dumped.code !== 0) throw new MigrationImageError(`the schema dump failed: ${lastLines(dumped.stderr)}`);
    return normaliseSchema(dumped.stdout, database.kind, bookkeeping);
  }
  async countChangesets(database) {
    const counted2 = await database.client(
      sqlCommand(database.clientTarget, "SELECT count(*) FROM databasechangelog", database.clientTarget.name)
    );
    const value2 = Number(counted2.stdout.trim());
    return counted2.code === 0 && Number.isInteger(value2) ? value2 : 0;
  }
  // ---------------------------------------------------------------- the tool ---
  /** One run of the built image, with only the run's variables, optionally a staged directory over its migrations. */
  async tool(run, label, mount, file) {
    const database = this.database;
    if (!database) throw new MigrationImageError("no database");
    const name = `${this.prefix}-run-${++this.runs}`;
    this.current = file;
    const argv = [
      "run",
      "--rm",
      `--name=${name}`,
      "--label",
      applyLabel(this.prefix),
      database.network,
      ...LIMITS,
      ...HARDENED,
      ...Object.keys(run.env).flatMap((key) => ["-e", key]),
      ...mount ? ["--mount", `type=bind,source=${mount},target=${this.input.preset.migrationsDir},readonly`] : [],
      "--",
      this.input.image,
      ...run.args
    ];
    const t0 = Date.now();
    const ran = await this.ports.log.group(
      `apply check: ${label}`,
      () => this.docker(run.env).run(argv, {
        timeoutMs: this.remaining(`applying ${label}`),
        echo: (chunk) => this.ports.log.output(chunk)
      })
    );
    const ms = Date.now() - t0;
    if (ran.timedOut) {
      await this.docker().run(["rm", "-f", "-v", name], { timeoutProbes: 1 }).catch(() => void 0);
      throw this.timeout(`applying ${label}`);
    }
    return { ok: ran.code === 0, ms, output: ran.stdout + "\n" + ran.stderr };
  }
  // ---------------------------------------------------------------- staging ---
  async baseMigrations(ref, missingFix) {
    ensureCommit(this.input.head.dir, ref, this.ports.log, missingFix);
    const dir = await treeAt(this.input.head.dir, ref, this.ports.tempDir);
    this.dirs.push(dir);
    const validation = await validateDirectory(dir, { ...this.input.options, checksum: "optional" });
    return { validation };
  }
  /** The head's directory reduced to `names` (and the files that go with them: down files, changelogs). */
  subset(names2) {
    const { head } = this.input;
    const keep = new Set(names2);
    const versionOf = (name) => path14.posix.basename(name).split(/[_.]/)[0];
    const dropped2 = new Set(head.migrations.filter(({ name }) => !keep.has(name)).map(({ name }) => versionOf(name)));
    return {
      ...head,
      migrations: head.migrations.filter(({ name }) => keep.has(name)),
      shipped: head.shipped.filter((name) => !dropped2.has(versionOf(name))),
      sumPath: path14.join(this.ports.tempDir, "migration-image-no-such-file")
    };
  }
  async stage(validation, subset) {
    const context = stageContext(this.ports.tempDir, validation, this.input.spec);
    this.staged.push(context);
    if (this.input.preset.tool === "atlas" && subset) {
      chmodSync2(context.migrations, 493);
      const own = await validateDirectory(context.migrations, { ...this.input.options, checksum: "optional" });
      writeFileSync4(path14.join(context.migrations, SUM_FILE), own.sumFile, { mode: 292 });
      chmodSync2(context.migrations, 365);
    }
    return context;
  }
  async close() {
    if (this.traceInstalled && this.database && !this.database.drop)
      await this.removeTrace(this.database).catch(() => void 0);
    await this.database?.drop?.().catch(() => void 0);
    const docker = this.docker();
    await removeApplyParts(docker, this.prefix).catch(() => void 0);
    if (this.networkCreated)
      await docker.run(["network", "rm", this.prefix], { timeoutProbes: 1 }).catch(() => void 0);
    for (const context of this.staged) removeContext(context);
    for (const dir of this.dirs) rmSync5(dir, { recursive: true, force: true });
  }
};

// src/core/safety/collect.ts
import path17 from "node:path";

// src/core/safety/ast.ts
function unwrap(node) {
  if (!node || typeof node !== "object") return void 0;
  const [type] = Object.keys(node);
  const value2 = node[type];
  return type && value2 && typeof value2 === "object" ? [type, value2] : void 0;
}
function as(node, type) {
  const unwrapped = unwrap(node);
  return unwrapped && unwrapped[0] === type ? unwrapped[1] : void 0;
}
var list = (value2) => Array.isArray(value2) ? value2 : [];
var str = (value2) => typeof value2 === "string" ? value2 : void 0;
function names(value2) {
  return list(value2).map((item) => str(as(item, "String")?.sval)).filter((name) => name !== void 0);
}
function relationKey(rangeVar) {
  const relation = rangeVar;
  const name = str(relation?.relname);
  if (name === void 0) return void 0;
  return `${str(relation?.schemaname) ?? "public"}.${name}`;
}
function qualifiedKey(parts) {
  if (parts.length === 0) return void 0;
  const name = parts.at(-1);
  const schema = parts.length > 1 ? parts.at(-2) : "public";
  return `${schema}.${name}`;
}
var shown2 = (key) => key.startsWith("public.") ? key.slice("public.".length) : key;
function columnType(typeName) {
  const type = as({ TypeName: typeName }, "TypeName");
  if (!type) return void 0;
  const parts = names(type.names);
  if (parts.length === 0) return void 0;
  const mods = list(type.typmods).map((mod) => {
    const value2 = as(mod, "A_Const")?.ival;
    return typeof value2 === "object" && value2 !== null ? Number(value2.ival ?? 0) : NaN;
  });
  return { name: parts.at(-1).toLowerCase(), mods, array: list(type.arrayBounds).length > 0 };
}
var typeText = (type) => `${type.name}${type.mods.length > 0 ? `(${type.mods.join(",")})` : ""}${type.array ? "[]" : ""}`;
function* descendants(root) {
  const stack = [root];
  while (stack.length > 0) {
    const value2 = stack.pop();
    if (Array.isArray(value2)) {
      for (const item of value2) stack.push(item);
      continue;
    }
    const unwrapped = unwrap(value2);
    if (!unwrapped) continue;
    yield unwrapped;
    for (const field2 of Object.values(unwrapped[1])) if (field2 && typeof field2 === "object") stack.push(field2);
  }
}
function hasOption(options, name) {
  return list(options).some((option) => str(as(option, "DefElem")?.defname) === name);
}

// src/core/safety/codes.ts
var SAFETY_CODES = [
  "safety/index-without-concurrently",
  "safety/drop-index-without-concurrently",
  "safety/reindex-without-concurrently",
  "safety/concurrently-in-transaction",
  "safety/constraint-without-not-valid",
  "safety/set-not-null",
  "safety/unique-without-index",
  "safety/table-rewrite",
  "safety/no-lock-timeout",
  "safety/add-required-column",
  "safety/drop-table",
  "safety/drop-column",
  "safety/drop-schema",
  "safety/rename-table",
  "safety/rename-column",
  "safety/unused-ignore",
  "safety/bad-ignore",
  "safety/unparsed"
];

// src/core/safety/ignores.ts
var IGNORE = /migration-image:ignore(?:[ \t]+(\S+))?(?:[ \t]+(.*))?/;
function readIgnores(text3) {
  const ignores = /* @__PURE__ */ new Map();
  const lines = text3.split("\n");
  const first = lines.findIndex((line) => !/^\s*<\?xml[^>]*\?>\s*$/.test(line));
  for (const [index, line] of lines.entries()) {
    if (!line.includes("migration-image:ignore")) continue;
    const match = IGNORE.exec(line);
    if (!match) continue;
    const reason = (match[2] ?? "").replace(/\s*(-->|\*\/)\s*$/, "").trim();
    ignores.set(index + 1, {
      line: index + 1,
      code: (match[1] ?? "").replace(/(-->|\*\/)$/, ""),
      reason,
      wholeFile: index === first,
      used: false
    });
  }
  return ignores;
}
var isSafetyCode = (code3) => SAFETY_CODES.includes(code3);
function ignoring(ignores, code3, line) {
  const usable = (ignore) => ignore !== void 0 && ignore.code === code3 && ignore.reason !== "" ? ignore : void 0;
  for (let above = line - 1; ignores.has(above); above--) {
    const found = usable(ignores.get(above));
    if (found) return mark(found);
  }
  for (const ignore of ignores.values()) if (ignore.wholeFile && usable(ignore)) return mark(ignore);
  return void 0;
}
function mark(ignore) {
  ignore.used = true;
  return ignore;
}

// src/core/safety/locks.ts
var BLOCKS = {
  "ACCESS EXCLUSIVE": "blocks every read and write of the table",
  "SHARE ROW EXCLUSIVE": "blocks every write to the table (reads go on)",
  SHARE: "blocks every write to the table (reads go on)",
  "SHARE UPDATE EXCLUSIVE": "lets reads and writes go on"
};
var BLOCKING = /* @__PURE__ */ new Set(["ACCESS EXCLUSIVE", "SHARE ROW EXCLUSIVE", "SHARE"]);
var STRENGTH = ["SHARE UPDATE EXCLUSIVE", "SHARE", "SHARE ROW EXCLUSIVE", "ACCESS EXCLUSIVE"];
var strongest = (modes) => modes.reduce(
  (best, mode) => best === void 0 || STRENGTH.indexOf(mode) > STRENGTH.indexOf(best) ? mode : best,
  void 0
);
var ALTER_TABLE_LOCKS = {
  AT_ValidateConstraint: "SHARE UPDATE EXCLUSIVE",
  AT_SetStatistics: "SHARE UPDATE EXCLUSIVE",
  AT_ClusterOn: "SHARE UPDATE EXCLUSIVE",
  AT_DropCluster: "SHARE UPDATE EXCLUSIVE",
  AT_SetRelOptions: "SHARE UPDATE EXCLUSIVE",
  AT_ResetRelOptions: "SHARE UPDATE EXCLUSIVE",
  AT_AttachPartition: "SHARE UPDATE EXCLUSIVE",
  AT_EnableTrig: "SHARE ROW EXCLUSIVE",
  AT_DisableTrig: "SHARE ROW EXCLUSIVE"
};
var strongestFirst = (modes) => [...modes].sort((a, b) => STRENGTH.indexOf(b) - STRENGTH.indexOf(a));

// src/core/safety/parser.ts
import { setFlagsFromString as setFlagsFromString2 } from "node:v8";
var MAX_STATEMENTS = 1e4;
var MAX_NESTING = 500;
var loading;
async function loadParser() {
  setFlagsFromString2("--liftoff-only");
  loading ??= import("./wasm-4YNSJQR2.js").then(async (module) => {
    const api2 = module.loadModule ? module : module.default;
    await api2.loadModule();
    return api2;
  });
  const api = await loading;
  return { parse: (sql) => parseWith(api, sql) };
}
function parseWith(api, text3) {
  const { sql, skipped } = relevantOnly(text3);
  const nesting = deepestNesting(sql);
  if (nesting.depth > MAX_NESTING) {
    return {
      ok: false,
      message: `brackets nest more than ${MAX_NESTING} deep; the statements were not read`,
      offset: nesting.at
    };
  }
  if (sql.trim() === "") return { ok: true, statements: [], skipped };
  let tree;
  try {
    tree = api.parseSync(sql);
  } catch (error) {
    const details = error.sqlDetails;
    const message = error instanceof Error ? error.message : String(error);
    const bytes = details?.cursorPosition ?? 0;
    return { ok: false, message: message.split("\n")[0].slice(0, 200), offset: charOffset(sql, bytes) };
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length > MAX_STATEMENTS) {
    return { ok: false, message: `holds more than ${MAX_STATEMENTS} statements; they were not read`, offset: 0 };
  }
  const toChar = byteToCharMap(sql);
  return {
    ok: true,
    skipped,
    statements: stmts.map(({ stmt, stmt_location = 0, stmt_len }) => {
      const from = toChar(stmt_location);
      const to = stmt_len === void 0 || stmt_len === 0 ? trimmedEnd(sql) : toChar(stmt_location + stmt_len);
      return { node: stmt, start: skipBlanks(sql, from, to), end: to };
    })
  };
}
function deepestNesting(sql) {
  let depth = 0;
  let deepest = 0;
  let at = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      i = end === -1 ? sql.length : end;
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? sql.length : end + tag[0].length - 1;
      }
    } else if (c === "(" || c === "[") {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        at = i;
      }
    } else if ((c === ")" || c === "]") && depth > 0) {
      depth--;
    }
  }
  return { depth: deepest, at };
}
function byteToCharMap(sql) {
  if (Buffer.byteLength(sql, "utf8") === sql.length) return (byte) => Math.min(byte, sql.length);
  const starts = [];
  let bytes = 0;
  for (let i = 0; i < sql.length; i++) {
    const code3 = sql.codePointAt(i);
    starts.push(bytes);
    const width = code3 < 128 ? 1 : code3 < 2048 ? 2 : code3 < 65536 ? 3 : 4;
    bytes += width;
    if (code3 >= 65536) {
      starts.push(bytes);
      i++;
    }
  }
  return (byte) => {
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = low + high >> 1;
      if (starts[middle] < byte) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}
function charOffset(sql, byte) {
  return byteToCharMap(sql)(byte);
}
function trimmedEnd(sql) {
  return sql.trimEnd().length;
}
function skipBlanks(sql, from, to) {
  let i = from;
  while (i < to) {
    if (/\s/.test(sql[i])) i++;
    else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? to : end + 1;
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? to : end + 2;
    } else break;
  }
  return Math.min(i, to);
}
var RELEVANT = /^(?:alter\s+(?:table|system|type|index|database)|create\s+(?:(?:unique\s+)?index|(?:(?:global|local)\s+)?(?:temp|temporary|unlogged)?\s*table|schema|trigger|constraint\s+trigger|database|tablespace)|drop|reindex|vacuum|cluster|truncate|set|reset|begin|start|commit|end|rollback|abort|lock|savepoint|release)\b/i;
function relevantOnly(text3) {
  let out = "";
  let skipped = 0;
  let start = 0;
  const finish = (end) => {
    const statement = text3.slice(start, end);
    const head = leading(statement);
    if (head === "" || RELEVANT.test(head)) out += statement;
    else {
      skipped++;
      out += statement.replace(/[^\n]/g, " ");
    }
    start = end;
  };
  for (let i = 0; i < text3.length; i++) {
    const c = text3[i];
    if (c === "-" && text3[i + 1] === "-") {
      const end = text3.indexOf("\n", i);
      i = end === -1 ? text3.length : end;
    } else if (c === "/" && text3[i + 1] === "*") {
      let depth = 1;
      let j = i + 2;
      for (; j < text3.length && depth > 0; j++) {
        if (text3[j] === "/" && text3[j + 1] === "*") {
          depth++;
          j++;
        } else if (text3[j] === "*" && text3[j + 1] === "/") {
          depth--;
          j++;
        }
      }
      i = j - 1;
    } else if (c === "'") {
      const escapes = /[eE]/.test(text3[i - 1] ?? "") && !/[\w$]/.test(text3[i - 2] ?? "");
      let j = i + 1;
      for (; j < text3.length; j++) {
        if (escapes && text3[j] === "\\") j++;
        else if (text3[j] === "'") {
          if (text3[j + 1] === "'") j++;
          else break;
        }
      }
      i = j;
    } else if (c === '"') {
      const end = text3.indexOf('"', i + 1);
      i = end === -1 ? text3.length : end;
    } else if (c === "$" && !/[\w$]/.test(text3[i - 1] ?? "")) {
      const tag = /^\$[A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*\$|^\$\$/.exec(text3.slice(i, i + 64));
      if (tag) {
        const end = text3.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? text3.length : end + tag[0].length - 1;
      }
    } else if (c === ";") {
      finish(i + 1);
    }
  }
  if (start < text3.length) finish(text3.length);
  return { sql: out, skipped };
}
function leading(statement) {
  const from = skipBlanks(statement, 0, statement.length);
  return statement.slice(from, from + 64);
}

// src/core/safety/rules/columns.ts
var addRequiredColumn = {
  code: "safety/add-required-column",
  check: ({ type, node, model, group }) => {
    if (type !== "AlterTableStmt") return [];
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    const findings = [];
    for (const item of list(node.cmds)) {
      const command = as(item, "AlterTableCmd") ?? {};
      if (command.subtype !== "AT_AddColumn") continue;
      const def = as(command.def, "ColumnDef") ?? {};
      const kinds = list(def.constraints).map((constraint) => str(as(constraint, "Constraint")?.contype));
      const filled = kinds.some(
        (kind) => kind === "CONSTR_DEFAULT" || kind === "CONSTR_IDENTITY" || kind === "CONSTR_GENERATED"
      );
      const serial = /serial/i.test(JSON.stringify(def.typeName ?? {}));
      if (!kinds.includes("CONSTR_NOTNULL") || filled || serial) continue;
      findings.push({
        code: "safety/add-required-column",
        table: table2 && shown2(table2),
        message: `ADD COLUMN ${str(def.colname)} … NOT NULL without a default on ${shown2(table2)}: it fails when the table has rows, and the running release's INSERTs, which do not set ${str(def.colname)}, fail after it`,
        fix: "add the column with a default (a constant one does not rewrite the table since PostgreSQL 11), or add it nullable, backfill it, and set NOT NULL safely (see safety/set-not-null)"
      });
    }
    return findings;
  }
};

// src/core/safety/rules/concurrently.ts
function nonTransactional(type, node, postgresVersion) {
  switch (type) {
    case "IndexStmt":
      return node.concurrent === true ? "CREATE INDEX CONCURRENTLY" : void 0;
    case "DropStmt":
      return node.concurrent === true && node.removeType === "OBJECT_INDEX" ? "DROP INDEX CONCURRENTLY" : void 0;
    case "ReindexStmt":
      return hasOption(node.params, "concurrently") ? "REINDEX CONCURRENTLY" : void 0;
    case "AlterTableStmt":
      return list(node.cmds).some((cmd) => {
        const command = as(cmd, "AlterTableCmd");
        return command?.subtype === "AT_DetachPartition" && as(command.def, "PartitionCmd")?.concurrent === true;
      }) ? "ALTER TABLE … DETACH PARTITION CONCURRENTLY" : void 0;
    case "VacuumStmt":
      return node.is_vacuumcmd === true ? "VACUUM" : void 0;
    case "CreatedbStmt":
      return "CREATE DATABASE";
    case "DropdbStmt":
      return "DROP DATABASE";
    case "AlterSystemStmt":
      return "ALTER SYSTEM";
    case "CreateTableSpaceStmt":
      return "CREATE TABLESPACE";
    case "DropTableSpaceStmt":
      return "DROP TABLESPACE";
    case "AlterEnumStmt":
      return postgresVersion < 12 && node.newVal !== void 0 ? "ALTER TYPE … ADD VALUE (before PostgreSQL 12)" : void 0;
    default:
      return void 0;
  }
}
var concurrentlyInTransaction = {
  code: "safety/concurrently-in-transaction",
  check: ({ type, node, inTransaction, transactionWhy, unit, postgresVersion }) => {
    const what = nonTransactional(type, node, postgresVersion);
    if (what === void 0 || !inTransaction) return [];
    return [
      {
        code: "safety/concurrently-in-transaction",
        message: `${what} cannot run inside a transaction block, and ${transactionWhy}: the migration fails${unit.transaction.kind === "flyway" && /refuses/.test(transactionWhy) ? "" : ` ("${what.replace(/ …| \(before PostgreSQL 12\)/g, "").split(" ").slice(0, 4).join(" ")} cannot run inside a transaction block")`}`,
        fix: unit.outsideTransaction,
        fails: true
      }
    ];
  }
};

// src/core/safety/rules/constraints.ts
var commands = ({ type, node }) => type === "AlterTableStmt" ? list(node.cmds).map((cmd) => as(cmd, "AlterTableCmd") ?? {}) : [];
var constraintWithoutNotValid = {
  code: "safety/constraint-without-not-valid",
  check: (context) => {
    const { node, model, group, transaction } = context;
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    const findings = [];
    for (const command of commands(context)) {
      if (command.subtype === "AT_AddConstraint") {
        const constraint = as(command.def, "Constraint") ?? {};
        const kind = constraint.contype;
        if (kind !== "CONSTR_FOREIGN" && kind !== "CONSTR_CHECK" || constraint.skip_validation === true) continue;
        const foreign = kind === "CONSTR_FOREIGN";
        const referenced = foreign ? relationKey(constraint.pktable) : void 0;
        const lock = foreign ? "SHARE ROW EXCLUSIVE" : "ACCESS EXCLUSIVE";
        const name = str(constraint.conname) ?? (foreign ? "the_fkey" : "the_check");
        findings.push({
          code: "safety/constraint-without-not-valid",
          table: table2 && shown2(table2),
          lock,
          message: `ADD ${foreign ? "FOREIGN KEY" : "CHECK"} on ${shown2(table2)} checks every existing row at once under a ${lock} lock${foreign && referenced ? ` on ${shown2(table2)} and ${shown2(referenced)}` : ""}: it ${BLOCKS[lock]} for the whole scan`,
          fix: `add it NOT VALID (\`ALTER TABLE ${shown2(table2)} ADD CONSTRAINT ${name} … NOT VALID\`), then run \`ALTER TABLE ${shown2(table2)} VALIDATE CONSTRAINT ${name}\` in a later migration (or another transaction): it scans under SHARE UPDATE EXCLUSIVE, which lets reads and writes go on`
        });
      } else if (command.subtype === "AT_ValidateConstraint") {
        const name = str(command.name);
        const added2 = name ? model.tables.get(table2 ?? "")?.constraints.get(name) : void 0;
        if (added2 && !added2.validated && added2.transaction === transaction) {
          findings.push({
            code: "safety/constraint-without-not-valid",
            table: table2 && shown2(table2),
            lock: "ACCESS EXCLUSIVE",
            message: `VALIDATE CONSTRAINT ${name} runs in the same transaction as the ADD … NOT VALID that created it: the ADD's lock on ${shown2(table2)} is still held for the whole scan, so NOT VALID gains nothing`,
            fix: "move the `VALIDATE CONSTRAINT` to a later migration (or after a `COMMIT`, in a tool that runs this file outside a transaction)"
          });
        }
      }
    }
    return findings;
  }
};
var setNotNull = {
  code: "safety/set-not-null",
  check: (context) => {
    const { node, model, group, postgresVersion } = context;
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    const findings = [];
    for (const command of commands(context)) {
      if (command.subtype !== "AT_SetNotNull") continue;
      const column = str(command.name);
      const existing = model.column(table2, column);
      if (existing && existing.group === group) continue;
      const proven = [...model.tables.get(table2 ?? "")?.constraints.values() ?? []].some(
        (constraint) => constraint.kind === "check" && constraint.validated && constraint.notNullOf === column
      );
      if (proven && postgresVersion >= 12) continue;
      findings.push({
        code: "safety/set-not-null",
        table: table2 && shown2(table2),
        lock: "ACCESS EXCLUSIVE",
        message: `SET NOT NULL on ${shown2(table2)}.${column} scans every row under an ACCESS EXCLUSIVE lock: it ${BLOCKS["ACCESS EXCLUSIVE"]} for the whole scan${proven ? " (PostgreSQL before 12 does not use the CHECK that proves it)" : ""}`,
        fix: postgresVersion >= 12 ? `first \`ALTER TABLE ${shown2(table2)} ADD CONSTRAINT ${column}_not_null CHECK (${column} IS NOT NULL) NOT VALID\`, then \`ALTER TABLE ${shown2(table2)} VALIDATE CONSTRAINT ${column}_not_null\` in a later migration; \`SET NOT NULL\` after that skips the scan (drop the CHECK afterwards)` : "PostgreSQL before 12 always scans: keep a validated `CHECK (col IS NOT NULL)` constraint instead of `SET NOT NULL`, or run it in a quiet window"
      });
    }
    return findings;
  }
};
var uniqueWithoutIndex = {
  code: "safety/unique-without-index",
  check: (context) => {
    const { node, model, group } = context;
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    const findings = [];
    for (const command of commands(context)) {
      const constraints = command.subtype === "AT_AddConstraint" ? [as(command.def, "Constraint") ?? {}] : command.subtype === "AT_AddColumn" ? list(as(command.def, "ColumnDef")?.constraints).map((item) => as(item, "Constraint") ?? {}) : [];
      for (const constraint of constraints) {
        const kind = constraint.contype;
        if (kind !== "CONSTR_UNIQUE" && kind !== "CONSTR_PRIMARY" || str(constraint.indexname) !== void 0) continue;
        const what = kind === "CONSTR_PRIMARY" ? "PRIMARY KEY" : "UNIQUE";
        const columns = names(constraint.keys);
        const column = str(as(command.def, "ColumnDef")?.colname);
        const on2 = columns.length > 0 ? columns.join(", ") : column ?? "col";
        findings.push({
          code: "safety/unique-without-index",
          table: table2 && shown2(table2),
          lock: "ACCESS EXCLUSIVE",
          message: `ADD ${what} on ${shown2(table2)} builds its unique index under an ACCESS EXCLUSIVE lock: it ${BLOCKS["ACCESS EXCLUSIVE"]} until the index is built`,
          fix: `build the index first with \`CREATE UNIQUE INDEX CONCURRENTLY ${shown2(table2).replace(/\W/g, "_")}_${on2.replace(/\W/g, "_")}_key ON ${shown2(table2)} (${on2})\` (outside a transaction), then \`ALTER TABLE ${shown2(table2)} ADD CONSTRAINT … ${what} USING INDEX …\``
        });
      }
    }
    return findings;
  }
};

// src/core/safety/rules/destructive.ts
var EXPAND_CONTRACT = "ship a release that no longer uses it first, and drop it in a later migration (expand, then contract)";
var dropTable = {
  code: "safety/drop-table",
  check: ({ type, node, model, group }) => {
    if (type !== "DropStmt" || node.removeType !== "OBJECT_TABLE") return [];
    return list(node.objects).map((object) => qualifiedKey(names(as(object, "List")?.items))).filter((key) => key !== void 0 && model.established(key, group)).map((key) => ({
      code: "safety/drop-table",
      table: shown2(key),
      lock: "ACCESS EXCLUSIVE",
      message: `DROP TABLE ${shown2(key)} deletes the table and its data, and the release still running fails on every query of it`,
      fix: EXPAND_CONTRACT
    }));
  }
};
var dropColumn = {
  code: "safety/drop-column",
  check: ({ type, node, model, group }) => {
    if (type !== "AlterTableStmt") return [];
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    return list(node.cmds).map((item) => as(item, "AlterTableCmd") ?? {}).filter(({ subtype, name }) => {
      if (subtype !== "AT_DropColumn") return false;
      const column = model.column(table2, str(name));
      return column === void 0 || column.group !== group;
    }).map(({ name }) => ({
      code: "safety/drop-column",
      table: shown2(table2),
      lock: "ACCESS EXCLUSIVE",
      message: `DROP COLUMN ${str(name)} deletes ${shown2(table2)}.${str(name)} and its data, and the release still running fails on every query that names it`,
      fix: EXPAND_CONTRACT
    }));
  }
};
var dropSchema = {
  code: "safety/drop-schema",
  check: ({ type, node, model, group }) => {
    const schemas2 = type === "DropStmt" && node.removeType === "OBJECT_SCHEMA" ? names(node.objects).filter((name) => model.schemas.get(name) !== group) : [];
    const database = type === "DropdbStmt" ? str(node.dbname) : void 0;
    return [
      ...schemas2.map((name) => `SCHEMA ${name}`),
      ...database === void 0 ? [] : [`DATABASE ${database}`]
    ].map((what) => ({
      code: "safety/drop-schema",
      message: `DROP ${what} deletes everything in it, and the release still running fails on all of it`,
      fix: EXPAND_CONTRACT
    }));
  }
};
var renameTable = {
  code: "safety/rename-table",
  check: ({ type, node, model, group }) => {
    if (type !== "RenameStmt" || node.renameType !== "OBJECT_TABLE") return [];
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    return [
      {
        code: "safety/rename-table",
        table: shown2(table2),
        lock: "ACCESS EXCLUSIVE",
        message: `RENAME ${shown2(table2)} TO ${str(node.newname)}: the release still running queries ${shown2(table2)} and fails until the new one is out`,
        fix: `create the new name beside the old (a view ${shown2(table2)} over the renamed table keeps the running release working), switch the application, then drop the old name`
      }
    ];
  }
};
var renameColumn = {
  code: "safety/rename-column",
  check: ({ type, node, model, group }) => {
    if (type !== "RenameStmt" || node.renameType !== "OBJECT_COLUMN") return [];
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    const column = model.column(table2, str(node.subname));
    if (column && column.group === group) return [];
    return [
      {
        code: "safety/rename-column",
        table: shown2(table2),
        lock: "ACCESS EXCLUSIVE",
        message: `RENAME COLUMN ${str(node.subname)} TO ${str(node.newname)} on ${shown2(table2)}: the release still running names ${str(node.subname)} and fails until the new one is out`,
        fix: "add the new column, write both and backfill, switch the application to it, then drop the old column"
      }
    ];
  }
};

// src/core/safety/rules/indexes.ts
var indexWithoutConcurrently = {
  code: "safety/index-without-concurrently",
  check: ({ type, node, model, group, unit }) => {
    if (type !== "IndexStmt" || node.concurrent === true) return [];
    const table2 = relationKey(node.relation);
    if (!model.established(table2, group)) return [];
    return [
      {
        code: "safety/index-without-concurrently",
        table: table2 && shown2(table2),
        lock: "SHARE",
        message: `CREATE INDEX on ${table2 ? shown2(table2) : "the table"}, which already exists, takes a SHARE lock for the whole build: it ${BLOCKS.SHARE} until the index is built`,
        fix: `write \`CREATE ${node.unique === true ? "UNIQUE " : ""}INDEX CONCURRENTLY\` (reads and writes go on while it builds); ${unit.outsideTransaction}`
      }
    ];
  }
};
var dropIndexWithoutConcurrently = {
  code: "safety/drop-index-without-concurrently",
  check: ({ type, node, model, group, unit }) => {
    if (type !== "DropStmt" || node.removeType !== "OBJECT_INDEX" || node.concurrent === true) return [];
    const dropped2 = list(node.objects).map((object) => qualifiedKey(names(object.List?.items ?? [object]))).filter((key) => model.indexEstablished(key, group));
    if (dropped2.length === 0) return [];
    const table2 = model.indexes.get(dropped2[0] ?? "")?.table;
    return [
      {
        code: "safety/drop-index-without-concurrently",
        table: table2 && shown2(table2),
        lock: "ACCESS EXCLUSIVE",
        message: `DROP INDEX ${dropped2.map((key) => shown2(key)).join(", ")} takes an ACCESS EXCLUSIVE lock on ${table2 ? shown2(table2) : "its table"}: it ${BLOCKS["ACCESS EXCLUSIVE"]} while it waits and drops`,
        fix: `write \`DROP INDEX CONCURRENTLY\` (one index per statement); ${unit.outsideTransaction}`
      }
    ];
  }
};
var reindexWithoutConcurrently = {
  code: "safety/reindex-without-concurrently",
  check: ({ type, node, model, group, unit, postgresVersion }) => {
    if (type !== "ReindexStmt" || hasOption(node.params, "concurrently")) return [];
    const kind = str(node.kind);
    const target = kind === "REINDEX_OBJECT_TABLE" ? relationKey(node.relation) : kind === "REINDEX_OBJECT_INDEX" ? model.indexes.get(relationKey(node.relation) ?? "")?.table : void 0;
    if (kind === "REINDEX_OBJECT_TABLE" && !model.established(target, group)) return [];
    if (kind === "REINDEX_OBJECT_INDEX" && !model.indexEstablished(relationKey(node.relation), group)) return [];
    const what = target ? shown2(target) : kind === "REINDEX_OBJECT_INDEX" ? "the index's table" : "every table it covers";
    return [
      {
        code: "safety/reindex-without-concurrently",
        table: target && shown2(target),
        lock: "SHARE",
        message: `REINDEX takes a SHARE lock on ${what} (${BLOCKS.SHARE}) and an ACCESS EXCLUSIVE lock on each index it rebuilds (queries that would use it wait) until it is done`,
        fix: postgresVersion >= 12 ? `write \`REINDEX (CONCURRENTLY) …\` (PostgreSQL 12+); ${unit.outsideTransaction}` : "PostgreSQL before 12 has no `REINDEX CONCURRENTLY`: build a new index with `CREATE INDEX CONCURRENTLY`, then `DROP INDEX CONCURRENTLY` the old one"
      }
    ];
  }
};

// src/core/safety/rules/rewrite.ts
var NOT_VOLATILE = /* @__PURE__ */ new Set([
  "now",
  "transaction_timestamp",
  "statement_timestamp",
  "current_date",
  "current_setting",
  "lower",
  "upper",
  "length",
  "coalesce",
  "to_timestamp",
  "make_date",
  "make_interval",
  "jsonb_build_object",
  "json_build_object",
  "jsonb_build_array",
  "array_fill"
]);
var VOLATILE = /* @__PURE__ */ new Set([
  "random",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "txid_current",
  "setseed"
]);
var SERIAL = /* @__PURE__ */ new Set(["serial", "serial4", "bigserial", "serial8", "smallserial", "serial2"]);
function volatileDefault(expression) {
  for (const [type, node] of descendants(expression)) {
    if (type !== "FuncCall") continue;
    const name = names(node.funcname).at(-1)?.toLowerCase() ?? "";
    if (VOLATILE.has(name)) return `its default calls ${name}(), which is VOLATILE`;
    if (!NOT_VOLATILE.has(name))
      return `its default calls ${name}(), which rewrites the table unless it is STABLE or IMMUTABLE`;
  }
  return void 0;
}
function binaryCoercible(from, to) {
  if (from.array !== to.array) return false;
  const text3 = (type) => type.name === "text" || type.name === "varchar" && type.mods.length === 0;
  if (from.name === to.name && from.mods.join() === to.mods.join()) return true;
  if ((from.name === "varchar" || from.name === "text") && text3(to)) return true;
  if (from.name === "text" && to.name === "varchar") return to.mods.length === 0;
  if (from.name === "varchar" && to.name === "varchar" || from.name === "varbit" && to.name === "varbit")
    return to.mods.length === 0 || from.mods.length > 0 && to.mods[0] >= from.mods[0];
  if (from.name === "numeric" && to.name === "numeric") {
    if (to.mods.length === 0) return true;
    return from.mods.length > 0 && to.mods[0] >= from.mods[0] && (to.mods[1] ?? 0) === (from.mods[1] ?? 0);
  }
  return from.name === "cidr" && to.name === "inet";
}
function rewrites(context) {
  const { type, node, model, postgresVersion } = context;
  const table2 = relationKey(node.relation);
  const found = [];
  if (type === "VacuumStmt" && hasOption(node.options, "full")) {
    const relations = list(node.rels).map((item) => relationKey(as(item, "VacuumRelation")?.relation));
    for (const relation of relations.length > 0 ? relations : [void 0])
      found.push({
        what: `VACUUM FULL ${relation ? shown2(relation) : "(every table)"}`,
        why: "it writes a new copy of the table"
      });
  }
  if (type === "ClusterStmt")
    found.push({
      what: `CLUSTER ${table2 ? shown2(table2) : ""}`.trim(),
      why: "it writes a new copy of the table in index order"
    });
  if (type !== "AlterTableStmt") return found;
  for (const item of list(node.cmds)) {
    const command = as(item, "AlterTableCmd") ?? {};
    if (command.subtype === "AT_SetLogged" || command.subtype === "AT_SetUnLogged") {
      found.push({
        what: `SET ${command.subtype === "AT_SetLogged" ? "LOGGED" : "UNLOGGED"}`,
        why: "it writes a new copy of the table"
      });
    } else if (command.subtype === "AT_AlterColumnType") {
      const column = str(command.name);
      const def = as(command.def, "ColumnDef") ?? {};
      const target = columnType(def.typeName);
      const old = model.column(table2, column)?.type;
      const using = def.raw_default !== void 0;
      if (!target) continue;
      if (old && !using && binaryCoercible(old, target)) continue;
      found.push({
        what: `ALTER COLUMN ${column} TYPE ${typeText(target)}`,
        why: using ? "a USING expression computes every row again" : old ? `${typeText(old)} to ${typeText(target)} is not binary-coercible, so every row is rewritten` : "every row is rewritten unless the old type is binary-coercible to the new one (varchar(n) to text is; int to bigint is not)"
      });
    } else if (command.subtype === "AT_AddColumn") {
      const def = as(command.def, "ColumnDef") ?? {};
      const column = str(def.colname);
      const constraints = list(def.constraints).map((constraint) => as(constraint, "Constraint") ?? {});
      const kind = columnType(def.typeName);
      const defaults = constraints.filter(({ contype }) => contype === "CONSTR_DEFAULT");
      if (kind && SERIAL.has(kind.name)) {
        found.push({
          what: `ADD COLUMN ${column} ${kind.name}`,
          why: "a serial column fills every row from a sequence"
        });
      } else if (constraints.some(({ contype }) => contype === "CONSTR_IDENTITY")) {
        found.push({
          what: `ADD COLUMN ${column} … GENERATED AS IDENTITY`,
          why: "an identity column fills every row from a sequence"
        });
      } else if (constraints.some(({ contype, generated_kind }) => contype === "CONSTR_GENERATED" && generated_kind !== "v")) {
        found.push({
          what: `ADD COLUMN ${column} … GENERATED ALWAYS AS (…) STORED`,
          why: "a stored generated column computes every row"
        });
      } else if (defaults.length > 0) {
        const isNull = defaults.every(({ raw_expr }) => (as(raw_expr, "A_Const") ?? {}).isnull === true);
        const volatile = volatileDefault(defaults.map(({ raw_expr }) => raw_expr));
        if (postgresVersion < 11 && !isNull) {
          found.push({
            what: `ADD COLUMN ${column} … DEFAULT`,
            why: "before PostgreSQL 11 any default is written into every row"
          });
        } else if (volatile) {
          found.push({ what: `ADD COLUMN ${column} … DEFAULT`, why: volatile });
        }
      }
    }
  }
  return found;
}
var tableRewrite = {
  code: "safety/table-rewrite",
  check: (context) => {
    const { type, node, model, group } = context;
    const table2 = type === "VacuumStmt" ? void 0 : relationKey(node.relation);
    if (type !== "VacuumStmt" && !model.established(table2, group)) return [];
    return rewrites(context).map(({ what, why }) => ({
      code: "safety/table-rewrite",
      table: table2 && shown2(table2),
      lock: "ACCESS EXCLUSIVE",
      message: `${what} rewrites ${table2 ? shown2(table2) : "the table"} (${why}) under an ACCESS EXCLUSIVE lock: it ${BLOCKS["ACCESS EXCLUSIVE"]} for the whole rewrite, which takes as long as the table is large`,
      fix: /TYPE/.test(what) ? "add a new column of the new type, backfill it in batches, switch the application to it, then drop the old column" : /DEFAULT/.test(what) ? "add the column without the default (or with a constant one), then set the default and backfill existing rows in batches" : /VACUUM FULL|CLUSTER/.test(what) ? "use pg_repack (no long lock), or run it in a maintenance window outside the migrations" : /serial|IDENTITY|GENERATED/.test(what) ? "add a plain nullable column, backfill it in batches, then attach the sequence or expression" : "run it in a maintenance window, outside the deploy"
    }));
  }
};

// src/core/safety/rules/index.ts
var RULES = [
  concurrentlyInTransaction,
  indexWithoutConcurrently,
  dropIndexWithoutConcurrently,
  reindexWithoutConcurrently,
  constraintWithoutNotValid,
  setNotNull,
  uniqueWithoutIndex,
  tableRewrite,
  addRequiredColumn,
  dropTable,
  dropColumn,
  dropSchema,
  renameTable,
  renameColumn
];

// src/core/safety/schema.ts
var SchemaModel = class {
  tables = /* @__PURE__ */ new Map();
  indexes = /* @__PURE__ */ new Map();
  schemas = /* @__PURE__ */ new Map();
  /**
   * Whether a table existed before the group that is running now. A table the migrations never created (made
   * outside them, or by a statement that could not be read) is taken to exist: it is not new in this change.
   */
  established(key, group) {
    if (key === void 0) return true;
    const table2 = this.tables.get(key);
    return table2 === void 0 || table2.group !== group;
  }
  indexEstablished(key, group) {
    if (key === void 0) return true;
    const index = this.indexes.get(key);
    if (index === void 0) return true;
    return index.group !== group && this.established(index.table, group);
  }
  column(table2, name) {
    return table2 === void 0 || name === void 0 ? void 0 : this.tables.get(table2)?.columns.get(name);
  }
  /** Applies one statement's effect (after its rules were checked against the model as it was). */
  apply(statement, group, transaction) {
    const [type, node] = unwrap(statement) ?? ["", {}];
    switch (type) {
      case "CreateStmt":
        this.createTable(node, group, transaction);
        break;
      case "CreateTableAsStmt": {
        const key = relationKey((as(node.into, "IntoClause") ?? {}).rel);
        if (key) this.tables.set(key, { key, group, columns: /* @__PURE__ */ new Map(), constraints: /* @__PURE__ */ new Map() });
        break;
      }
      case "AlterTableStmt":
        this.alterTable(node, group, transaction);
        break;
      case "IndexStmt": {
        const table2 = relationKey(node.relation);
        const schema = table2?.split(".")[0] ?? "public";
        const name = str(node.idxname);
        if (name) this.indexes.set(`${schema}.${name}`, { key: `${schema}.${name}`, table: table2, group });
        break;
      }
      case "DropStmt":
        this.drop(node);
        break;
      case "RenameStmt":
        this.rename(node);
        break;
      case "CreateSchemaStmt": {
        const name = str(node.schemaname);
        if (name) this.schemas.set(name, group);
        break;
      }
    }
  }
  createTable(node, group, transaction) {
    const key = relationKey(node.relation);
    if (!key) return;
    const table2 = { key, group, columns: /* @__PURE__ */ new Map(), constraints: /* @__PURE__ */ new Map() };
    for (const element of list(node.tableElts)) {
      const column = as(element, "ColumnDef");
      if (column) this.addColumn(table2, column, group, transaction);
      const constraint = as(element, "Constraint");
      if (constraint) this.addConstraint(table2, constraint, group, transaction);
    }
    this.tables.set(key, table2);
  }
  addColumn(table2, column, group, transaction) {
    const name = str(column.colname);
    if (!name) return;
    const constraints = list(column.constraints).map((item) => as(item, "Constraint") ?? {});
    const notNull = constraints.some(({ contype }) => contype === "CONSTR_NOTNULL" || contype === "CONSTR_PRIMARY");
    table2.columns.set(name, { type: columnType(column.typeName), notNull, group });
    for (const constraint of constraints) {
      if (constraint.contype === "CONSTR_CHECK" || constraint.contype === "CONSTR_FOREIGN")
        this.addConstraint(table2, constraint, group, transaction);
    }
  }
  addConstraint(table2, constraint, group, transaction) {
    const kinds = {
      CONSTR_CHECK: "check",
      CONSTR_FOREIGN: "foreign",
      CONSTR_UNIQUE: "unique",
      CONSTR_PRIMARY: "primary"
    };
    const kind = kinds[str(constraint.contype) ?? ""] ?? "other";
    const name = str(constraint.conname) ?? `${kind}#${table2.constraints.size + 1}`;
    table2.constraints.set(name, {
      kind,
      validated: constraint.skip_validation !== true,
      notNullOf: kind === "check" ? notNullColumn(constraint.raw_expr) : void 0,
      group,
      transaction
    });
    if (kind === "primary") {
      for (const key of names(constraint.keys)) {
        const column = table2.columns.get(key);
        if (column) column.notNull = true;
      }
    }
  }
  alterTable(node, group, transaction) {
    const key = relationKey(node.relation);
    if (!key || (str(node.objtype) ?? "OBJECT_TABLE") !== "OBJECT_TABLE") return;
    let table2 = this.tables.get(key);
    if (!table2) {
      table2 = { key, group: "(existing)", columns: /* @__PURE__ */ new Map(), constraints: /* @__PURE__ */ new Map() };
      this.tables.set(key, table2);
    }
    for (const item of list(node.cmds)) {
      const command = as(item, "AlterTableCmd");
      if (!command) continue;
      const name = str(command.name);
      switch (command.subtype) {
        case "AT_AddColumn": {
          const column = as(command.def, "ColumnDef");
          if (column) this.addColumn(table2, column, group, transaction);
          break;
        }
        case "AT_DropColumn":
          if (name) table2.columns.delete(name);
          break;
        case "AT_AlterColumnType": {
          const column = name ? table2.columns.get(name) : void 0;
          const def = as(command.def, "ColumnDef");
          if (name && column) table2.columns.set(name, { ...column, type: columnType(def?.typeName) });
          break;
        }
        case "AT_SetNotNull": {
          const column = name ? table2.columns.get(name) : void 0;
          if (column) column.notNull = true;
          else if (name) table2.columns.set(name, { notNull: true, group: table2.group });
          break;
        }
        case "AT_DropNotNull": {
          const column = name ? table2.columns.get(name) : void 0;
          if (column) column.notNull = false;
          break;
        }
        case "AT_AddConstraint": {
          const constraint = as(command.def, "Constraint");
          if (constraint) this.addConstraint(table2, constraint, group, transaction);
          break;
        }
        case "AT_ValidateConstraint": {
          const constraint = name ? table2.constraints.get(name) : void 0;
          if (constraint) constraint.validated = true;
          break;
        }
        case "AT_DropConstraint":
          if (name) table2.constraints.delete(name);
          break;
      }
    }
  }
  drop(node) {
    for (const object of list(node.objects)) {
      const parts = as(object, "List") ? names(as(object, "List").items) : names([object]);
      const key = qualifiedKey(parts);
      if (!key) continue;
      if (node.removeType === "OBJECT_TABLE") this.tables.delete(key);
      if (node.removeType === "OBJECT_INDEX") this.indexes.delete(key);
    }
  }
  rename(node) {
    const key = relationKey(node.relation);
    const newName = str(node.newname);
    if (!key || !newName) return;
    if (node.renameType === "OBJECT_TABLE") {
      const table2 = this.tables.get(key);
      if (table2) {
        const renamed = `${key.split(".")[0]}.${newName}`;
        this.tables.delete(key);
        this.tables.set(renamed, { ...table2, key: renamed });
      }
    } else if (node.renameType === "OBJECT_COLUMN") {
      const table2 = this.tables.get(key);
      const old = str(node.subname);
      const column = old ? table2?.columns.get(old) : void 0;
      if (table2 && old && column) {
        table2.columns.delete(old);
        table2.columns.set(newName, column);
      }
    }
  }
};
function notNullColumn(expression) {
  const test = as(expression, "NullTest");
  if (!test || test.nulltesttype !== "IS_NOT_NULL") return void 0;
  const fields = names(as(test.arg, "ColumnRef")?.fields);
  return fields.length === 1 ? fields[0] : void 0;
}

// src/core/safety/analyze.ts
var groupOf = (unit, established) => established === void 0 ? unit.key : established.has(unit.key) ? "base" : "change";
async function analyzeSafety(input) {
  const parser = await loadParser();
  const model = new SchemaModel();
  const findings = [];
  const judged = [];
  const statements = [];
  const ignoresByFile = /* @__PURE__ */ new Map();
  const ignoresOf = (file) => {
    let found = ignoresByFile.get(file);
    if (!found) {
      found = readIgnores(input.read(file));
      ignoresByFile.set(file, found);
    }
    return found;
  };
  const severity = (finding) => finding.fails || input.mode === "error" ? "error" : "warning";
  for (const unit of input.units) {
    const group = groupOf(unit, input.established);
    const isNew = group !== "base";
    const parsed = parser.parse(unit.sql);
    const lines = unit.line === void 0 ? lineStarts(unit.sql) : [];
    const lineOf = (offset) => unit.line ?? lineAt2(lines, offset);
    if (isNew) judged.push(unit.label);
    if (!parsed.ok) {
      if (isNew && !unit.generatedFrom)
        findings.push({
          code: "safety/unparsed",
          file: unit.file,
          line: lineOf(parsed.offset),
          migration: unit.label,
          statement: "",
          severity: "notice",
          message: `PostgreSQL's parser cannot read this (${parsed.message}), so its deploy safety was not checked (the tool's own rules decide whether it runs)`,
          fix: "if these migrations are not for PostgreSQL (MySQL, MariaDB), set the safety option to off; if they use the tool's placeholders, nothing needs doing"
        });
      continue;
    }
    const placed = [];
    for (const context of contexts(unit, parsed.statements, parsed.skipped, model, group, input.postgresVersion)) {
      const { statement } = context;
      if (isNew && statements.length < MAX_JUDGED_STATEMENTS) {
        statements.push({
          file: unit.file,
          line: lineOf(statement.start),
          migration: unit.label,
          type: context.type,
          table: tableOf(context),
          statement: oneLine(unit.sql.slice(statement.start, statement.end))
        });
      }
      if (isNew) {
        const found = RULES.flatMap((rule) => rule.check(context));
        const lock = untimedLock(context);
        if (lock) found.push(lock);
        for (const finding of found)
          placed.push({
            ...finding,
            file: unit.file,
            line: lineOf(statement.start),
            migration: unit.label,
            statement: oneLine(unit.sql.slice(statement.start, statement.end)),
            blocks: finding.lock ? BLOCKS[finding.lock] : void 0,
            severity: severity(finding)
          });
      }
      model.apply(statement.node, group, context.transaction);
    }
    if (!isNew) continue;
    const ignores2 = ignoresOf(unit.file);
    for (const finding of onceForLockTimeout(placed)) {
      if (!ignoring(ignores2, finding.code, finding.line)) findings.push(finding);
    }
  }
  const ignores = [...ignoresByFile].flatMap(
    ([file, byLine]) => [...byLine.values()].map(({ line, code: code3, wholeFile }) => ({ file, line, code: code3, wholeFile }))
  );
  for (const [file, byLine] of ignoresByFile) findings.push(...ignoreFindings(file, byLine));
  return { postgresVersion: input.postgresVersion, migrations: judged, findings, mode: input.mode, statements, ignores };
}
function* contexts(unit, statements, skipped, model, group, postgresVersion) {
  const rule = unit.transaction;
  const typed = statements.map((statement) => ({ statement, ...typeOf(statement.node) }));
  const detected = typed.filter(({ type, node }) => flywayDetects(type, node, postgresVersion));
  const total = typed.length + skipped;
  const mixed = rule.kind === "flyway" && detected.length > 0 && detected.length < total;
  let inTransaction;
  let why;
  switch (rule.kind) {
    case "wrapped":
      ;
      [inTransaction, why] = [true, rule.why];
      break;
    case "one-query":
      ;
      [inTransaction, why] = [total > 1, `${rule.why}, and this one holds ${total} statements`];
      break;
    case "per-statement":
      ;
      [inTransaction, why] = [false, rule.why];
      break;
    case "flyway":
      ;
      [inTransaction, why] = mixed ? [
        true,
        'Flyway refuses a script that mixes it with other statements ("Detected both transactional and non-transactional statements within the same migration")'
      ] : detected.length > 0 ? [false, "Flyway runs this script outside a transaction"] : [true, `${rule.why}, and its parser does not recognise this one (PostgreSQLParser.java:35-43)`];
      break;
  }
  let transaction = 0;
  let sessionTimeout = false;
  let localTimeout = false;
  for (const { statement, type, node } of typed) {
    if (type === "TransactionStmt") {
      const kind = str(node.kind) ?? "";
      if (kind === "TRANS_STMT_BEGIN" || kind === "TRANS_STMT_START") {
        inTransaction = true;
        why = "the file opens a transaction block with BEGIN";
        transaction++;
      } else if (/COMMIT|ROLLBACK/.test(kind)) {
        inTransaction = false;
        why = "after COMMIT the statements run on their own";
        localTimeout = false;
        transaction++;
      }
    }
    if (type === "VariableSetStmt" && str(node.name) === "lock_timeout") {
      const on2 = node.kind === "VAR_SET_VALUE" && !isZero(list(node.args)[0]);
      if (node.is_local === true) localTimeout = on2;
      else sessionTimeout = on2;
    }
    yield {
      type,
      node,
      unit,
      model,
      group,
      statement,
      inTransaction,
      transactionWhy: why,
      transaction: `${unit.key}#${transaction}`,
      postgresVersion,
      lockTimeout: sessionTimeout || localTimeout && inTransaction
    };
  }
}
var MAX_JUDGED_STATEMENTS = 2e4;
function tableOf({ type, node }) {
  if (type === "DropStmt" || type === "TruncateStmt") return void 0;
  const key = relationKey(node.relation);
  return key === void 0 ? void 0 : shown2(key);
}
var typeOf = (statement) => {
  const [type, node] = unwrap(statement) ?? ["", {}];
  return { type, node };
};
function isZero(value2) {
  const constant = as(value2, "A_Const") ?? {};
  const integer = constant.ival;
  if (integer !== void 0) return Number(integer.ival ?? 0) === 0;
  const text3 = str(constant.sval?.sval);
  return text3 !== void 0 && /^\s*0+\s*[a-z]*\s*$/i.test(text3);
}
function flywayDetects(type, node, postgresVersion) {
  switch (type) {
    case "IndexStmt":
      return node.concurrent === true;
    case "DropStmt":
      return node.concurrent === true;
    case "ReindexStmt":
      return /SCHEMA|DATABASE|SYSTEM/.test(str(node.kind) ?? "");
    case "VacuumStmt":
      return node.is_vacuumcmd === true;
    case "CreatedbStmt":
    case "DropdbStmt":
    case "CreateTableSpaceStmt":
    case "DropTableSpaceStmt":
    case "AlterSystemStmt":
      return true;
    case "AlterEnumStmt":
      return postgresVersion < 12;
    default:
      return false;
  }
}
function locksTaken({ type, node, model, group }) {
  const on2 = (table2, mode) => table2 !== void 0 && model.established(table2, group) ? [{ table: table2, mode }] : [];
  switch (type) {
    case "AlterTableStmt": {
      const commands2 = list(node.cmds).map((cmd) => as(cmd, "AlterTableCmd") ?? {});
      const modes = commands2.map(
        ({ subtype, def }) => subtype === "AT_AddConstraint" && as(def, "Constraint")?.contype === "CONSTR_FOREIGN" ? "SHARE ROW EXCLUSIVE" : ALTER_TABLE_LOCKS[str(subtype) ?? ""] ?? "ACCESS EXCLUSIVE"
      );
      const mode = strongest(modes);
      const referenced = commands2.map(({ def }) => as(def, "Constraint")).filter((constraint) => constraint?.contype === "CONSTR_FOREIGN").flatMap((constraint) => on2(relationKey(constraint.pktable), "SHARE ROW EXCLUSIVE"));
      return [...mode ? on2(relationKey(node.relation), mode) : [], ...referenced];
    }
    case "IndexStmt":
      return node.concurrent === true ? [] : on2(relationKey(node.relation), "SHARE");
    case "ReindexStmt":
      return on2(relationKey(node.relation), "SHARE");
    case "RenameStmt":
    case "ClusterStmt":
      return on2(relationKey(node.relation), "ACCESS EXCLUSIVE");
    case "CreateTrigStmt":
      return on2(relationKey(node.relation), "SHARE ROW EXCLUSIVE");
    case "TruncateStmt":
      return list(node.relations).flatMap((relation) => on2(relationKey(as(relation, "RangeVar")), "ACCESS EXCLUSIVE"));
    case "DropStmt": {
      if (node.concurrent === true) return [];
      const keys = list(node.objects).map((object) => qualifiedKey(names(as(object, "List")?.items ?? [object])));
      if (node.removeType === "OBJECT_TABLE") return keys.flatMap((key) => on2(key, "ACCESS EXCLUSIVE"));
      if (node.removeType === "OBJECT_INDEX")
        return keys.flatMap(
          (key) => key && model.indexEstablished(key, group) ? on2(model.indexes.get(key)?.table ?? key, "ACCESS EXCLUSIVE") : []
        );
      return [];
    }
    default:
      return [];
  }
}
function untimedLock(context) {
  if (context.lockTimeout) return void 0;
  const blocking = locksTaken(context).filter(({ mode: mode2 }) => BLOCKING.has(mode2));
  if (blocking.length === 0) return void 0;
  const { table: table2, mode } = blocking[0];
  return {
    code: "safety/no-lock-timeout",
    table: shown2(table2),
    lock: mode,
    message: `takes ${mode} on ${shown2(table2)} with no lock_timeout: behind a long query on ${shown2(table2)} it waits, and every query that comes after it waits too, for as long as that query runs`,
    fix: context.unit.transaction.kind === "wrapped" ? "start the migration with `SET LOCAL lock_timeout = '5s'` (it holds to the end of the tool's transaction), and retry the deploy if it times out" : "start the migration with `SET lock_timeout = '5s'`, and retry the deploy if it times out"
  };
}
function onceForLockTimeout(findings) {
  const untimed = findings.filter(({ code: code3 }) => code3 === "safety/no-lock-timeout");
  if (untimed.length <= 1) return [...findings];
  const [first] = untimed;
  return findings.filter((finding) => finding.code !== "safety/no-lock-timeout" || finding === first).map(
    (finding) => finding === first ? {
      ...finding,
      message: `${finding.message} (and ${untimed.length - 1} more statement${untimed.length > 2 ? "s" : ""} of this migration after it)`
    } : finding
  );
}
function ignoreFindings(file, ignores) {
  const findings = [];
  for (const ignore of ignores.values()) {
    const base3 = { file, line: ignore.line, migration: file, statement: "", severity: "warning" };
    if (!isSafetyCode(ignore.code) || ignore.reason === "") {
      findings.push({
        ...base3,
        code: "safety/bad-ignore",
        message: ignore.reason === "" && isSafetyCode(ignore.code) ? `this ignore of ${ignore.code} gives no reason, so it ignores nothing` : `'${clipped(ignore.code, 60)}' is not a deploy-safety code, so this ignore ignores nothing`,
        fix: "write it as -- migration-image:ignore safety/<rule> <why it is safe here>"
      });
    } else if (!ignore.used) {
      findings.push({
        ...base3,
        code: "safety/unused-ignore",
        message: `this ignore of ${ignore.code} matches no finding ${ignore.wholeFile ? "in the file" : "on the statement after it"}`,
        fix: "remove it (the statement it was for is safe now, or it sits on the wrong line: the line right before the statement)"
      });
    }
  }
  return findings;
}
function lineStarts(text3) {
  const starts = [0];
  for (let i = text3.indexOf("\n"); i !== -1; i = text3.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}
function lineAt2(starts, offset) {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = low + high >> 1;
    if (starts[middle] <= offset) low = middle + 1;
    else high = middle;
  }
  return low;
}
var oneLine = (sql) => clipped(sql.replace(/\s+/g, " ").trim(), 160);

// src/core/safety/liquibase-units.ts
import path16 from "node:path";

// src/core/safety/units.ts
import path15 from "node:path";
function keepOnly(text3, from, to) {
  const blank = (part) => part.replace(/[^\n]/g, " ");
  return blank(text3.slice(0, from)) + text3.slice(from, to) + blank(text3.slice(to));
}
function nextLine(text3, index) {
  const end = text3.indexOf("\n", index);
  return end === -1 ? text3.length : end + 1;
}
function sqlToolUnits(tool, migrations, config = () => void 0) {
  const units = [];
  for (const { name, text: text3 } of migrations) {
    const unit = TOOL_UNITS[tool]?.(name, text3, tool === "flyway" ? config(`${name}.conf`) : void 0);
    if (unit) units.push(unit);
  }
  return units;
}
var whole2 = (name, text3, transaction, outsideTransaction) => ({
  file: name,
  key: name,
  label: name,
  sql: text3,
  transaction,
  outsideTransaction
});
function atlasUnit(name, text3) {
  const none = atlasDirectives(text3).some(([directive2, value2]) => directive2 === "txmode" && value2 === "none");
  return whole2(
    name,
    text3,
    none ? { kind: "per-statement", why: "Atlas runs this file statement by statement ('-- atlas:txmode none')" } : { kind: "wrapped", why: "Atlas runs each file in one transaction (tx-mode file, the default)" },
    "put the statement in a migration of its own that starts with `-- atlas:txmode none` and a blank line"
  );
}
function atlasDirectives(text3) {
  const lines = text3.split("\n");
  const header = [];
  for (const line of lines) {
    if (!line.startsWith("--") && !line.startsWith("#")) break;
    header.push(line);
  }
  if (header.length === 0 || lines[header.length] !== "") return [];
  return header.flatMap((line) => {
    const match = /^([ -~]*)atlas:(\w+)(?: +([^\n]+))*/.exec(line.trim());
    return match ? [[match[2], (match[3] ?? "").trim()]] : [];
  });
}
function golangMigrateUnit(name, text3) {
  return whole2(
    name,
    text3,
    {
      kind: "one-query",
      why: "golang-migrate sends the whole file as one query, and PostgreSQL runs a query of several statements as one transaction (unless the URL sets 'x-multi-statement=true')"
    },
    "put the statement alone in a migration file of its own"
  );
}
function flywayUnit(name, text3, config) {
  if (config !== void 0 && /^[ \t]*executeInTransaction[ \t]*=[ \t]*false[ \t]*$/im.test(config)) {
    return whole2(
      name,
      text3,
      {
        kind: "per-statement",
        why: `Flyway runs this script outside a transaction (${path15.posix.basename(name)}.conf)`
      },
      `keep \`executeInTransaction=false\` in ${path15.posix.basename(name)}.conf`
    );
  }
  return whole2(
    name,
    text3,
    {
      kind: "flyway",
      why: "Flyway runs a script in one transaction unless a statement in it cannot run in one"
    },
    `put the statement alone in a migration of its own (or set \`executeInTransaction=false\` in ${path15.posix.basename(name)}.conf)`
  );
}
function dbmateUnit(name, text3) {
  const up = /(?<=^|\n)--[\t\f\r ]*migrate:up([^\n]*)/.exec(text3);
  if (!up) return void 0;
  const from = nextLine(text3, up.index);
  const down = /(?<=^|\n)--[\t\f\r ]*migrate:down/.exec(text3.slice(from));
  const to = down ? from + down.index : text3.length;
  const noTransaction = /(?:^|[\t\f\r ])transaction:false(?:[\t\f\r ]|$)/.test(up[1]);
  return {
    ...whole2(
      name,
      keepOnly(text3, from, to),
      noTransaction ? {
        kind: "one-query",
        why: "dbmate sends the up block as one query ('transaction:false'), and PostgreSQL runs a query of several statements as one transaction"
      } : { kind: "wrapped", why: "dbmate runs each migration in one transaction" },
      "put the statement alone in a migration of its own whose first line is `-- migrate:up transaction:false`"
    ),
    source: text3
  };
}
function gooseUnit(name, text3) {
  const up = /(?<=^|\n)--[\t ]*\+goose[\t ]+up\b[^\n]*/i.exec(text3);
  if (!up) return void 0;
  const from = nextLine(text3, up.index);
  const down = /(?<=^|\n)--[\t ]*\+goose[\t ]+down\b/i.exec(text3.slice(from));
  const to = down ? from + down.index : text3.length;
  const noTransaction = /(?<=^|\n)--[\t ]*\+goose[\t ]+no[\t ]+transaction\b/i.test(text3);
  return {
    ...whole2(
      name,
      keepOnly(text3, from, to),
      noTransaction ? { kind: "per-statement", why: "goose runs this file statement by statement ('-- +goose NO TRANSACTION')" } : { kind: "wrapped", why: "goose runs each migration in one transaction" },
      "put the statement in a migration of its own with `-- +goose NO TRANSACTION` at the top"
    ),
    source: text3
  };
}
function psqlUnit(name, text3) {
  return whole2(
    name,
    text3,
    {
      kind: "wrapped",
      why: "the psql runner runs each file in one transaction (BEGIN … COMMIT, so that a failing file leaves nothing behind)"
    },
    "use a tool that can run a migration outside a transaction (dbmate, goose, Atlas), or run the statement by hand"
  );
}
var TOOL_UNITS = {
  atlas: atlasUnit,
  "golang-migrate": golangMigrateUnit,
  flyway: flywayUnit,
  dbmate: dbmateUnit,
  goose: gooseUnit,
  psql: psqlUnit
};

// src/core/safety/liquibase-units.ts
var MAX_DEPTH = 32;
async function liquibaseUnits(master, names2, read2) {
  const units = [];
  const visiting = /* @__PURE__ */ new Set();
  const loaded = /* @__PURE__ */ new Set();
  const available = new Set(names2);
  const load = async (name, depth) => {
    if (depth > MAX_DEPTH || visiting.has(name) || loaded.has(name) || !available.has(name)) return;
    visiting.add(name);
    loaded.add(name);
    let source;
    try {
      source = read2(name);
    } catch {
      return;
    }
    const { changelog, failures } = await parseChangelog(name, source);
    if (failures && failures.length > 0) return;
    if (kindOf(name) === "sql") {
      units.push(
        ...formattedSqlUnits(
          name,
          source,
          changelog.changeSets.map((changeSet) => ({ ...changeSet, line: changeSet.line ?? 1 }))
        )
      );
      visiting.delete(name);
      return;
    }
    const steps = [
      ...changelog.changeSets.map((changeSet) => ({ line: changeSet.line ?? 0, changeSet })),
      ...changelog.includes.map((include) => ({ line: include.line ?? 0, include }))
    ].sort((a, b) => a.line - b.line);
    for (const step of steps) {
      if ("changeSet" in step) {
        units.push(...changeTypeUnits(name, step.changeSet, read2, available));
        continue;
      }
      const { include } = step;
      const target = resolve(name, include.path, include.relative);
      if (target === void 0) continue;
      if (!include.all) {
        await load(target, depth + 1);
        continue;
      }
      const prefix = target === "" ? "" : `${target}/`;
      const found = names2.filter((candidate) => candidate.startsWith(prefix) && kindOf(candidate) !== "unknown").filter(
        (candidate) => include.endsWith === "" || candidate.toLowerCase().endsWith(include.endsWith.toLowerCase())
      ).sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
      for (const file of found) await load(file, depth + 1);
    }
    visiting.delete(name);
  };
  await load(master, 0);
  return units;
}
var transactionOf = (runInTransaction) => runInTransaction ? { kind: "wrapped", why: "Liquibase runs each changeset in one transaction (runInTransaction, the default)" } : { kind: "per-statement", why: "Liquibase runs this changeset statement by statement (runInTransaction:false)" };
var OUTSIDE = "put the statement in a changeset of its own with runInTransaction:false (formatted SQL: --changeset author:id runInTransaction:false)";
function formattedSqlUnits(file, source, changeSets) {
  const lines = source.split("\n");
  const starts = [];
  for (let index = 0, offset = 0; index < lines.length; index++) {
    starts.push(offset);
    offset += lines[index].length + 1;
  }
  return changeSets.flatMap((changeSet, index) => {
    if (changeSet.ignored) return [];
    const header = lines[changeSet.line - 1] ?? "";
    const run = /runInTransaction:(\w+)/i.exec(header)?.[1];
    const from = starts[changeSet.line] ?? source.length;
    const next = changeSets[index + 1];
    const to = next ? starts[next.line - 1] : source.length;
    const kept = keepOnly(source, from, to);
    return [
      {
        file,
        key: `${file}#${changeSet.author}:${changeSet.id}`,
        label: `${file} (changeset ${changeSet.author}:${changeSet.id})`,
        sql: kept,
        transaction: transactionOf(run === void 0 || run.toLowerCase() === "true"),
        outsideTransaction: OUTSIDE
      }
    ];
  });
}
var ident = (name) => name === void 0 ? '"?"' : /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
var table = (a, key = "tableName") => `${text(a.schemaName) ? `${ident(text(a.schemaName))}.` : ""}${ident(text(a[key]))}`;
var columnList = (value2) => (text(value2) ?? "").split(",").map((column) => ident(column.trim())).join(", ");
var literal = (value2) => `'${value2.replaceAll("'", "''")}'`;
function columnDefinition(column) {
  const a = column.attributes;
  const constraints = column.children.find(({ name }) => name === "constraints")?.attributes ?? {};
  const defaults = text(a.defaultValueComputed) ?? (text(a.defaultValue) !== void 0 ? literal(text(a.defaultValue)) : void 0) ?? text(a.defaultValueNumeric) ?? text(a.defaultValueBoolean) ?? (text(a.defaultValueDate) !== void 0 ? literal(text(a.defaultValueDate)) : void 0);
  return [
    ident(text(a.name)),
    text(a.type) ?? "text",
    defaults !== void 0 ? `DEFAULT ${defaults}` : "",
    text(constraints.nullable)?.toLowerCase() === "false" ? "NOT NULL" : "",
    text(constraints.primaryKey)?.toLowerCase() === "true" ? "PRIMARY KEY" : "",
    text(constraints.unique)?.toLowerCase() === "true" ? "UNIQUE" : ""
  ].filter(Boolean).join(" ");
}
var columnsOf = (entry) => entry.children.filter(({ name }) => name === "column");
function generatedSql(change) {
  const a = change.attributes;
  switch (change.name) {
    case "sql":
      return change.text ?? text(a.sql);
    case "createTable":
      return `CREATE TABLE ${table(a)} (${columnsOf(change).map(columnDefinition).join(", ")})`;
    case "addColumn":
      return `ALTER TABLE ${table(a)} ${columnsOf(change).map((column) => `ADD COLUMN ${columnDefinition(column)}`).join(", ")}`;
    case "createIndex":
      return `CREATE ${text(a.unique)?.toLowerCase() === "true" ? "UNIQUE " : ""}INDEX ${ident(text(a.indexName))} ON ${table(a)} (${columnsOf(
        change
      ).map((column) => ident(text(column.attributes.name))).join(", ")})`;
    case "dropIndex":
      return `DROP INDEX ${text(a.schemaName) ? `${ident(text(a.schemaName))}.` : ""}${ident(text(a.indexName))}`;
    case "addForeignKeyConstraint":
      return `ALTER TABLE ${table(a, "baseTableName")} ADD CONSTRAINT ${ident(text(a.constraintName) ?? "fk")} FOREIGN KEY (${columnList(a.baseColumnNames)}) REFERENCES ${text(a.referencedTableSchemaName) ? `${ident(text(a.referencedTableSchemaName))}.` : ""}${ident(text(a.referencedTableName))} (${columnList(a.referencedColumnNames)})${text(a.validate)?.toLowerCase() === "false" ? " NOT VALID" : ""}`;
    case "addNotNullConstraint":
      return `ALTER TABLE ${table(a)} ALTER COLUMN ${ident(text(a.columnName))} SET NOT NULL`;
    case "modifyDataType":
      return `ALTER TABLE ${table(a)} ALTER COLUMN ${ident(text(a.columnName))} TYPE ${text(a.newDataType) ?? "text"}`;
    case "dropColumn": {
      const columns = text(a.columnName) !== void 0 ? [text(a.columnName)] : columnsOf(change).map((c) => text(c.attributes.name));
      return `ALTER TABLE ${table(a)} ${columns.map((column) => `DROP COLUMN ${ident(column)}`).join(", ")}`;
    }
    case "renameColumn":
      return `ALTER TABLE ${table(a)} RENAME COLUMN ${ident(text(a.oldColumnName))} TO ${ident(text(a.newColumnName))}`;
    case "renameTable":
      return `ALTER TABLE ${table(a, "oldTableName")} RENAME TO ${ident(text(a.newTableName))}`;
    case "dropTable":
      return `DROP TABLE ${table(a)}`;
    case "addUniqueConstraint":
    case "addPrimaryKey": {
      const kind = change.name === "addPrimaryKey" ? "PRIMARY KEY" : "UNIQUE";
      const index = text(a.forIndexName);
      return `ALTER TABLE ${table(a)} ADD CONSTRAINT ${ident(text(a.constraintName) ?? "key")} ${kind} ${index ? `USING INDEX ${ident(index)}` : `(${columnList(a.columnNames)})`}`;
    }
    default:
      return void 0;
  }
}
function changeTypeUnits(file, changeSet, read2, available) {
  if (changeSet.ignored || !changeSet.changes) return [];
  const key = `${file}#${changeSet.author}:${changeSet.id}`;
  const label = `${file} (changeset ${changeSet.author}:${changeSet.id})`;
  const transaction = transactionOf(changeSet.runInTransaction ?? true);
  const units = [];
  let sql = "";
  let line = 1;
  let written = false;
  for (const change of changeSet.changes) {
    if (change.name === "sql") written = true;
    if (change.name === "sqlFile") {
      const target = resolve(
        file,
        text(change.attributes.path) ?? "",
        text(change.attributes.relativeToChangelogFile) === "true"
      );
      if (target === void 0 || !available.has(target)) continue;
      try {
        units.push({
          file: target,
          key: `${key}#${target}`,
          label: `${target} (sqlFile of changeset ${changeSet.author}:${changeSet.id} in ${path16.posix.basename(file)})`,
          sql: read2(target),
          transaction,
          outsideTransaction: OUTSIDE
        });
      } catch {
      }
      continue;
    }
    const generated = generatedSql(change);
    if (generated === void 0) continue;
    const at = change.line ?? changeSet.line ?? line;
    while (line < at) {
      sql += "\n";
      line++;
    }
    sql += `${generated.trim().replace(/;\s*$/, "")};
`;
    line += 1 + (generated.trim().match(/\n/g)?.length ?? 0);
  }
  if (sql.trim() !== "")
    units.unshift({
      file,
      key,
      label,
      sql,
      transaction,
      outsideTransaction: OUTSIDE,
      // SQL this project wrote from change types: what the parser cannot read (a ${property} type) is not reported.
      ...written ? {} : { generatedFrom: "change types" }
    });
  return units;
}

// src/core/safety/collect.ts
function reader({ dir, maxFileSize }) {
  const texts = /* @__PURE__ */ new Map();
  return (name) => {
    let text3 = texts.get(name);
    if (text3 === void 0) {
      text3 = readTextBounded(path17.join(dir, name), maxFileSize, dir);
      texts.set(name, text3);
    }
    return text3;
  };
}
async function collectUnits(source, read2 = reader(source)) {
  const { tool, validation, changelog } = source;
  if (tool === "liquibase") {
    const names2 = validation.shipped;
    const master = masterChangelog(names2, { changelog });
    return master === void 0 ? [] : liquibaseUnits(master, names2, read2);
  }
  const migrations = validation.migrations.map(({ name }) => ({ name, text: read2(name) }));
  return sqlToolUnits(tool, migrations, (name) => {
    try {
      return read2(name);
    } catch {
      return void 0;
    }
  });
}
async function establishedKeys(source) {
  return new Set((await collectUnits(source)).map(({ key }) => key));
}
async function checkSafety(source, settings, established) {
  const read2 = reader(source);
  const units = await collectUnits(source, read2);
  const report = await analyzeSafety({
    units,
    established,
    postgresVersion: settings.postgresVersion,
    mode: settings.mode === "error" ? "error" : "warn",
    read: read2
  });
  return { report, problems: safetyProblems(report, source.dir) };
}
function safetyProblems(report, dir) {
  return report.findings.map((finding) => ({
    code: finding.code,
    severity: finding.severity,
    file: path17.join(dir, finding.file),
    line: finding.line,
    message: finding.measured ? `${finding.message} [measured: ${(finding.facts ?? []).join("; ")}]` : finding.message,
    fix: finding.fix
  }));
}

// src/core/safety/measured.ts
var TAG_TYPES = {
  "ALTER TABLE": "AlterTableStmt",
  "CREATE INDEX": "IndexStmt",
  "CREATE TABLE": "CreateStmt",
  REINDEX: "ReindexStmt"
};
function withMeasurements(report, trace, options) {
  if (!trace.measured) return { ...report, measurement: { measured: false, why: trace.why } };
  const bookkeeping = new Set(options.bookkeeping.map((name) => name.toLowerCase()));
  const isBookkeeping = (table2) => table2 !== void 0 && bookkeeping.has((table2.split(".").at(-1) ?? table2).toLowerCase());
  const views = trace.runs.map((run) => ({
    run,
    files: new Set(run.adds),
    statements: run.statements.filter((statement) => !isBookkeeping(statement.table)).map((statement) => ({ ...statement, shownTable: statement.table && shown2(statement.table) }))
  }));
  const viewOf = (file) => views.find((view) => view.files.has(file)) ?? (views.length === 1 ? views[0] : void 0);
  const refiled = new Set(trace.refiled.map(shown2));
  const findings = [];
  const corrected = [];
  for (const finding of report.findings) {
    const view = viewOf(finding.file);
    const verdict = view ? judge(finding, view, refiled, options.refiledAttributable) : void 0;
    if (verdict?.kind === "disproved") {
      corrected.push({
        code: finding.code,
        file: finding.file,
        line: finding.line,
        migration: finding.migration,
        statement: finding.statement,
        why: verdict.why
      });
    } else if (verdict?.kind === "confirmed") {
      findings.push({ ...finding, measured: true, facts: verdict.facts });
    } else {
      findings.push(finding);
    }
  }
  findings.push(...added(report, views, findings));
  return {
    ...report,
    findings,
    corrected,
    measurement: { measured: true, serverVersion: trace.serverVersion }
  };
}
var on = (view, table2, tag) => view.statements.filter(
  (statement) => table2 !== void 0 && statement.shownTable === table2 && (tag === void 0 || statement.tag === tag)
);
var tookOn = (statements, table2) => strongestFirst([
  ...new Set(
    statements.flatMap(({ took }) => took.filter((lock) => shown2(lock.table) === table2).map(({ mode }) => mode))
  )
]);
function lockFacts(statements, table2) {
  return tookOn(statements, table2).map(
    (mode) => `took ${mode} on ${table2} (${BLOCKS[mode].replace(/^blocks/, "it blocks")})`
  );
}
function judge(finding, view, refiled, refiledAttributable) {
  const table2 = finding.table;
  if (table2 === void 0) return void 0;
  switch (finding.code) {
    case "safety/index-without-concurrently": {
      const built = on(view, table2, "CREATE INDEX").filter(({ took }) => took.length > 0);
      return built.length > 0 ? { kind: "confirmed", facts: [...lockFacts(built, table2), ...scans(built, table2)] } : void 0;
    }
    case "safety/table-rewrite": {
      const rewrites2 = view.statements.flatMap(
        ({ rewrote }) => rewrote.filter((rewrite) => shown2(rewrite.table) === table2)
      );
      if (rewrites2.length > 0) {
        const touched = on(view, table2);
        return {
          kind: "confirmed",
          facts: [
            ...lockFacts(touched, table2),
            `rewrote ${table2} (${[...new Set(rewrites2.flatMap(({ reasons }) => reasons))].join("; ")}): reads and writes wait for the whole rewrite`
          ]
        };
      }
      if (refiled.has(table2) && (refiledAttributable || /VACUUM|CLUSTER/i.test(finding.statement)))
        return {
          kind: "confirmed",
          facts: [`replaced the storage of ${table2} (a new relfilenode): it rewrote the table`]
        };
      const altered = on(view, table2, "ALTER TABLE");
      if (altered.length > 0 && !refiled.has(table2))
        return { kind: "disproved", why: `measured: the server ran it without rewriting ${table2}` };
      return void 0;
    }
    case "safety/constraint-without-not-valid": {
      const changes = on(view, table2, "ALTER TABLE").flatMap(
        (statement) => statement.constraints.map((constraint) => ({ statement, constraint }))
      );
      const validated = changes.filter(({ constraint }) => constraint.validated && constraint.kind !== "not null");
      if (validated.length > 0) {
        const statements = validated.map(({ statement }) => statement);
        return {
          kind: "confirmed",
          facts: [
            ...lockFacts(statements, table2),
            ...validated.map(
              ({ constraint }) => `${constraint.added ? "added" : "validated"} ${constraint.kind} ${constraint.name} validated at once`
            ),
            ...scans(statements, table2)
          ]
        };
      }
      if (changes.length > 0 && changes.every(({ constraint }) => !constraint.validated))
        return { kind: "disproved", why: `measured: the constraint was added NOT VALID (no scan under lock)` };
      return void 0;
    }
    case "safety/set-not-null": {
      const set = on(view, table2, "ALTER TABLE").filter(({ setNotNull: setNotNull2 }) => setNotNull2.length > 0);
      if (set.length === 0) return void 0;
      const scanned = set.filter(({ scanned: scanned2 }) => scanned2.some((name) => shown2(name) === table2));
      if (scanned.length > 0)
        return {
          kind: "confirmed",
          facts: [...lockFacts(set, table2), `scanned ${table2} to prove the column has no NULL`]
        };
      return {
        kind: "disproved",
        why: `measured: the server set NOT NULL without scanning ${table2} (a validated CHECK proves it)`
      };
    }
    case "safety/no-lock-timeout": {
      const locking = view.statements.filter(
        ({ took }) => took.some((lock) => shown2(lock.table) === table2 && BLOCKING.has(lock.mode))
      );
      if (locking.length === 0) return void 0;
      const untimed = locking.filter(({ lockTimeout }) => isZero2(lockTimeout));
      if (untimed.length > 0)
        return {
          kind: "confirmed",
          facts: [...lockFacts(untimed.slice(0, 1), table2), "lock_timeout was 0 (none) as it ran"]
        };
      return {
        kind: "disproved",
        why: `measured: lock_timeout was ${locking[0].lockTimeout} as it ran (set for the login or the database)`
      };
    }
    case "safety/unique-without-index":
    case "safety/add-required-column":
    case "safety/drop-column":
    case "safety/rename-column":
    case "safety/rename-table": {
      const touched = on(view, table2, "ALTER TABLE");
      const facts = lockFacts(touched, table2);
      return facts.length > 0 ? { kind: "confirmed", facts: [...facts, ...scans(touched, table2)] } : void 0;
    }
    default:
      return void 0;
  }
}
function scans(statements, table2) {
  return statements.some(({ scanned }) => scanned.some((name) => shown2(name) === table2)) ? [`scanned ${table2} while holding it`] : [];
}
var isZero2 = (value2) => /^\s*0+\s*[a-z]*\s*$/i.test(value2);
function added(report, views, findings) {
  const out = [];
  const severity = report.mode === "error" ? "error" : "warning";
  const has = (files, code3, table2) => findings.some(
    (finding) => finding.code === code3 && (files.size === 0 || files.has(finding.file)) && (table2 === void 0 || finding.table === table2)
  );
  for (const view of views) {
    const files = view.files;
    const place = (table2, tag) => placeOn(report.statements ?? [], files, table2, TAG_TYPES[tag]);
    const add = (code3, table2, tag, lock, message, fix, facts) => {
      const where2 = place(table2, tag);
      if (!where2 || ignored(report, where2, code3)) return;
      out.push({
        code: code3,
        table: table2,
        lock,
        blocks: lock ? BLOCKS[lock] : void 0,
        file: where2.file,
        line: where2.line,
        migration: where2.migration,
        statement: where2.statement,
        severity,
        message,
        fix,
        measured: true,
        measuredOnly: true,
        facts
      });
    };
    let timed = has(files, "safety/no-lock-timeout");
    for (const statement of view.statements) {
      const table2 = statement.shownTable;
      for (const rewrite of statement.rewrote) {
        const name = shown2(rewrite.table);
        if (has(files, "safety/table-rewrite", name)) continue;
        add(
          "safety/table-rewrite",
          name,
          statement.tag,
          "ACCESS EXCLUSIVE",
          `the server rewrote ${name} (${rewrite.reasons.join("; ")}) under an ACCESS EXCLUSIVE lock, which no static rule predicted: reads and writes wait for the whole rewrite`,
          "find the statement that rewrites it (a type change, a volatile default) and do it the expand-and-backfill way",
          [`rewrote ${name} (${rewrite.reasons.join("; ")})`]
        );
      }
      if (table2 !== void 0) {
        for (const constraint of statement.constraints) {
          if (!constraint.added || !constraint.validated || !/foreign key|check/.test(constraint.kind)) continue;
          if (has(files, "safety/constraint-without-not-valid", table2)) continue;
          add(
            "safety/constraint-without-not-valid",
            table2,
            statement.tag,
            void 0,
            `the server added ${constraint.kind} ${constraint.name} on ${table2} validated at once, scanning the table under lock`,
            "add it `NOT VALID`, then `VALIDATE CONSTRAINT` in a later migration",
            [`added ${constraint.kind} ${constraint.name} validated at once`]
          );
        }
      }
      const blocking = statement.took.find(({ mode }) => BLOCKING.has(mode));
      if (!timed && blocking && isZero2(statement.lockTimeout)) {
        timed = true;
        const name = shown2(blocking.table);
        add(
          "safety/no-lock-timeout",
          name,
          statement.tag,
          blocking.mode,
          `took ${blocking.mode} on ${name} with lock_timeout 0 (measured): behind a long query on ${name} it waits, and every query that comes after it waits too`,
          "start the migration with `SET lock_timeout = '5s'`, and retry the deploy if it times out",
          [`took ${blocking.mode} on ${name}`, "lock_timeout was 0 (none) as it ran"]
        );
      }
    }
  }
  return out;
}
function placeOn(statements, files, table2, type) {
  const mine = statements.filter((statement) => files.size === 0 || files.has(statement.file));
  return mine.find((statement) => statement.table === table2 && (type === void 0 || statement.type === type)) ?? mine.find((statement) => statement.table === table2) ?? mine[0] ?? // Nothing the parser read (dynamic SQL in a DO block, a function): the migration's first line.
  [...files].slice(0, 1).map((file) => ({ file, line: 1, migration: file, type: "", statement: "" }))[0];
}
function ignored(report, where2, code3) {
  const mine = (report.ignores ?? []).filter((ignore) => ignore.file === where2.file);
  if (mine.some((ignore) => ignore.wholeFile && ignore.code === code3)) return true;
  const byLine = new Map(mine.map((ignore) => [ignore.line, ignore]));
  for (let line = where2.line - 1; byLine.has(line); line--) if (byLine.get(line).code === code3) return true;
  return false;
}

// src/io/pipeline.ts
async function runPipeline(request, ports) {
  const preset = getPreset(request.check.tool);
  const options = {
    format: request.check.format,
    checksum: request.check.checksum,
    changelog: request.check.changelog,
    maxFileSize: request.check.maxFileSize
  };
  if (request.command === "build" && request.image) checkEngine(request.image, request.names);
  const started = Date.now();
  const own = withNamedFixes(await validateDirectory(request.check.dir, options), request);
  if (request.command === "hash") {
    if (own.unhashable.length > 0) return { preset, validation: own, durations: { validate: Date.now() - started } };
    if (own.crlf.length > 0) {
      throw new DirectoryError(
        `has CRLF line endings: an atlas.sum hashed over them fails on every checkout with LF endings (Linux runners, Atlas on CI); nothing was written`,
        {
          file: path18.join(request.check.dir, own.crlf[0]),
          fix: `fix the line endings first (add '*.sql text eol=lf' to .gitattributes, run 'git add --renormalize .' and check out again${own.crlf.length > 1 ? `; ${own.crlf.length} files have them` : ""}), then run hash`
        }
      );
    }
    writeRegular(own.sumPath, own.sumFile);
    return { preset, validation: own, wrote: own.sumPath, durations: { validate: Date.now() - started } };
  }
  let validation = own;
  let base3;
  let established;
  const validated = Date.now();
  if (request.base) {
    const { head: rejudged, ...checked2 } = await checkAgainstBase({
      head: own,
      options,
      baseRef: request.base.ref,
      baseName: request.base.name,
      headRef: request.base.headRef,
      allowOutOfOrder: request.base.allowOutOfOrder,
      tempDir: ports.tempDir,
      log: ports.log,
      missingFix: request.base.missingFix,
      inspectBase: safetyRuns(request) ? (baseDir, baseValidation) => establishedKeys(unitSource(request, baseDir, baseValidation)) : void 0
    });
    established = checked2.inspected;
    base3 = {
      ...withoutInspected(checked2),
      problems: checked2.problems.map((problem) => nameFix(problem, request)),
      name: request.base.name
    };
    const head = rejudged ? withNamedFixes(rejudged, request) : own;
    const merged = withProblems(replaced(head, checked2.mergeOnly), base3.problems);
    validation = withProblems({ ...merged, problems: reconcileFixes(merged.problems, request.base.name) }, []);
  }
  validation = await withSafety(validation, request, established);
  const durations = {
    validate: validated - started,
    ...request.base ? { base: Date.now() - validated } : {}
  };
  if (!validation.valid || request.command === "validate" || !request.image) {
    ports.validated?.(validation);
    return { preset, validation, base: base3, durations };
  }
  if (request.command === "build" && validation.migrations.length === 0 && validation.shipped.length === 0) {
    throw new DirectoryError(`holds no migrations for ${preset.tool}: there is nothing to build`, {
      file: request.check.dir,
      fix: nameOptions(`check ${OPTION.dir} and the tool`, request.names)
    });
  }
  ports.validated?.(validation);
  const imageRequest = withCommit(request.image, request);
  const imagePlan = planImage(imageRequest, preset, validation);
  if (request.command === "dockerfile") {
    for (const note of imagePlan.notes) ports.log[note.level](note.text);
    if (imageRequest.contextDir !== void 0) {
      const staged = stageContext(imageRequest.contextDir, validation, imagePlan.spec);
      ports.log.info(
        `wrote the build context to ${staged.dir}: 'docker buildx build ${staged.dir}' builds this Dockerfile (BuildKit reads its COPY --link; its modes are the image's: 'chmod -R u+w' before removing it)`
      );
    }
    return { preset, validation, base: base3, dockerfile: imagePlan.dockerfile, durations };
  }
  ports.log.info(`${imageRequest.push ? "pushing" : "not pushing"}: ${imageRequest.pushReason}`);
  const building = Date.now();
  let image;
  let imageTime;
  let applyTime;
  const outcome = (more = {}) => ({
    preset,
    validation,
    base: base3,
    dockerfile: imagePlan.dockerfile,
    image,
    ...more,
    durations: {
      ...durations,
      image: imageTime ?? Date.now() - building,
      ...applyTime === void 0 ? {} : { apply: applyTime }
    }
  });
  try {
    image = await publish(imageRequest, preset, validation, imagePlan, { ...ports, names: request.names });
    imageTime = Date.now() - building;
    if (!request.apply) return outcome();
    if (imageRequest.platforms.length > 1) {
      ports.log.warning("apply check skipped: an image built for several platforms cannot be loaded into the engine");
      return outcome();
    }
    if (!image.pushed && image.builder === "registry") {
      ports.log.warning("apply check skipped: the registry engine built no image in a Docker engine to run");
      return outcome();
    }
    const applying = Date.now();
    const apply = await runApplyCheck(
      {
        request: request.apply,
        preset,
        image: image.pushed ? image.imageRef ?? image.image : image.image,
        spec: imagePlan.spec,
        head: validation,
        options,
        base: request.base ? {
          ref: request.base.ref,
          allowOutOfOrder: request.base.allowOutOfOrder,
          missingFix: request.base.missingFix
        } : void 0,
        trace: safetyRuns(request)
      },
      ports
    );
    applyTime = Date.now() - applying;
    if (apply.trace && validation.safety) {
      const measured = measuredSafety(validation, apply, request);
      validation = measured.validation;
      return outcome({ apply: measured.apply });
    }
    return outcome({ apply });
  } catch (error) {
    if (imageTime === void 0) imageTime = Date.now() - building;
    return outcome({ failure: error instanceof Error ? error : new Error(String(error)) });
  }
}
function measuredSafety(validation, apply, request) {
  const report = withMeasurements(validation.safety, apply.trace, {
    bookkeeping: BOOKKEEPING_TABLES[request.check.tool] ?? [],
    refiledAttributable: apply.runs.length === 1
  });
  const others = validation.problems.filter(({ code: code3 }) => !code3.startsWith("safety/"));
  const problems = safetyProblems(report, request.check.dir).map((problem) => nameFix(problem, request));
  const failing = report.findings.filter((finding) => finding.measuredOnly && finding.severity === "error");
  const failures = [
    ...apply.failures,
    ...failing.map((finding) => ({
      file: finding.file,
      line: finding.line,
      message: `${finding.code}: ${finding.message}`,
      title: "deploy safety (measured)"
    }))
  ];
  return {
    validation: { ...validation, problems: [...others, ...problems], safety: report },
    apply: failing.length > 0 ? { ...apply, failures, ok: false } : apply
  };
}
var safetyRuns = (request) => request.check.safety !== void 0 && request.check.safety.mode !== "off" && !request.check.safety.skipped;
var unitSource = (request, dir, validation) => ({
  tool: request.check.tool,
  dir,
  validation,
  changelog: request.check.changelog,
  maxFileSize: request.check.maxFileSize ?? DEFAULT_MAX_FILE_SIZE
});
function withoutInspected(checked2) {
  const { inspected: _inspected, ...rest } = checked2;
  void _inspected;
  return rest;
}
async function withSafety(validation, request, established) {
  const settings = request.check.safety;
  if (!settings || settings.mode === "off" || !validation.valid || request.command === "hash") return validation;
  if (settings.skipped) {
    return {
      ...validation,
      safety: { postgresVersion: settings.postgresVersion, migrations: [], findings: [], notChecked: settings.skipped }
    };
  }
  const { report, problems } = await checkSafety(
    unitSource(request, request.check.dir, validation),
    settings,
    established
  );
  return {
    ...withProblems(
      validation,
      problems.map((problem) => nameFix(problem, request))
    ),
    safety: report
  };
}
function withNamedFixes(validation, request) {
  return { ...validation, problems: validation.problems.map((problem) => nameFix(problem, request)) };
}
var nameFix = (problem, request) => problem.fix === void 0 ? problem : { ...problem, fix: nameOptions(problem.fix, request.names) };
function replaced(validation, mergeOnly) {
  if (!mergeOnly) return validation;
  const problems = validation.problems.map(
    (problem) => problem.code === mergeOnly.problem.code && problem.file === mergeOnly.problem.file ? mergeOnly.replacement : problem
  );
  return withProblems({ ...validation, problems }, []);
}
function withCommit(image, request) {
  const needed = image.fromHead || image.revision !== void 0 && image.created === void 0;
  const commit = needed ? commitAt(request.check.dir, image.fromHead ? "HEAD" : image.revision) : void 0;
  const revision = image.fromHead ? commit?.sha : image.revision;
  const tags = [.../* @__PURE__ */ new Set([...image.fromHead && commit ? [commit.sha] : [], ...image.tags])];
  if (request.command === "build" && tags.length === 0) {
    throw new UsageError("no tag: DIR is not in a git checkout and no tag was given", {
      fix: nameOptions(`give a tag (${OPTION.tags})`, request.names)
    });
  }
  return { ...image, revision, created: image.created ?? commit?.time, tags };
}

// src/core/option-values.ts
function optionLabel(key, adapter) {
  const spec = OPTIONS[key];
  if (adapter === "action" && "input" in spec) return `input ${spec.input}`;
  return "flag" in spec ? spec.flag.name === "DIR" ? "DIR" : `--${spec.flag.name}` : key;
}
function readOption(key, raw, who) {
  const spec = OPTIONS[key];
  if (spec.kind === "list") {
    const items = (typeof raw === "string" ? [raw] : raw ?? []).flatMap(splitList);
    for (const item of items) noControl(item, who);
    return items;
  }
  if (typeof raw !== "string" && raw !== void 0) throw new UsageError(`${who} is given more than once`);
  if (raw === void 0 || raw === "") return void 0;
  switch (spec.kind) {
    case "secret":
      return raw;
    case "bool": {
      const value2 = raw.trim().toLowerCase();
      if (value2 === "") return void 0;
      if (value2 !== "true" && value2 !== "false") {
        throw new UsageError(`${who} must be true or false, not '${showName(value2)}'`);
      }
      return value2 === "true";
    }
    case "choice": {
      const value2 = raw.trim().toLowerCase();
      if (value2 === "") return void 0;
      const choices = spec.choices;
      if (!choices.includes(value2)) {
        throw new UsageError(`${who} must be ${orList(choices)}, not '${showName(value2)}'`);
      }
      return value2;
    }
    case "size":
      return parseSize(noControl(raw, who), who);
    case "ref":
      return assertRef(raw, who);
    case "builder":
      return assertBuilderName(raw);
    case "text":
      return noControl(raw, who);
  }
}
function orList(items) {
  return items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
function noControl(value2, who) {
  if (hasControlCharacter(value2)) throw new UsageError(`${who} has a control character: '${showName(value2)}'`);
  return value2;
}

// src/core/apply/request.ts
function parseTimeout(text3, who) {
  const match = /^\s*(\d{1,6})\s*(s|m|h)?\s*$/i.exec(text3);
  const unit = { s: 1e3, m: 6e4, h: 36e5 }[(match?.[2] ?? "s").toLowerCase()];
  const ms = match ? Number(match[1]) * unit : NaN;
  if (!(ms > 0) || ms > 6 * 36e5) {
    throw new UsageError(`${who} must be a duration such as 90s or 10m (at most 6h), not '${showName(text3)}'`);
  }
  return ms;
}
function applyRequest(values, names2) {
  const database = values.database?.trim() || "postgres:17-alpine";
  databaseServer(database, "probe", names2.database);
  if (values.databaseUrl) parseDatabaseUrl(values.databaseUrl, names2.databaseUrl);
  return {
    database,
    databaseUrl: values.databaseUrl || void 0,
    timeoutMs: parseTimeout(values.timeout ?? "10m", names2.timeout)
  };
}

// src/core/safety/settings.ts
var DEFAULT_POSTGRES_VERSION = 17;
function safetySettings(values, names2) {
  const mode = values.mode ?? "warn";
  let version = DEFAULT_POSTGRES_VERSION;
  if (values.postgresVersion !== void 0) {
    const match = /^\s*(\d{1,2})(?:\.\d+)?\s*$/.exec(values.postgresVersion);
    const major = match ? Number(match[1]) : NaN;
    if (!(major >= 9 && major <= 40)) {
      throw new UsageError(
        `${names2.postgresVersion} must be a PostgreSQL major version such as 16, not '${showName(values.postgresVersion)}'`
      );
    }
    version = major;
  }
  const url = values.databaseUrl ? parseDatabaseUrl(values.databaseUrl).target.kind : void 0;
  const kind = url ?? (values.database ? databaseKind(values.database) : "postgres");
  if (values.postgresVersion === void 0 && kind === "postgres" && values.database && !values.databaseUrl) {
    const tag = /:(\d{1,2})(?:[.\-_][^/]*)?$/.exec(values.database.split("@")[0]);
    if (tag) version = Number(tag[1]);
  }
  if (mode !== "off" && kind !== "postgres") {
    return {
      mode,
      postgresVersion: version,
      skipped: `deploy safety's static rules read PostgreSQL only, and the database is ${kind === "mysql" ? "MySQL" : "MariaDB"}: not checked (set ${names2.safety} to off to drop this notice)`
    };
  }
  return { mode, postgresVersion: version };
}

export {
  hasControlCharacter,
  didYouMean,
  readRunContext,
  sourceDateEpoch,
  runnerPath,
  isRuleCode,
  formatProblem,
  bySeverity,
  renderValidationText,
  uncoveredGroups,
  verdictLine,
  validationJson,
  renderSafetySection,
  renderSafetyText,
  parseImageName,
  assertTag,
  checkedBaseImage,
  toolNames,
  getPreset,
  optionLabel,
  readOption,
  applyRequest,
  safetySettings,
  renderApplySection,
  renderApplyText,
  applyJson,
  runPipeline
};
