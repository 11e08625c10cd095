/**
 * A seeded fuzz of every file vc reads from a user or from outside: the
 * versioned manifest, the lock file, a vc.json / deno.json, a prefill list,
 * a serve token file, a mirror state file and a repository snapshot. Each
 * valid example is mutated (truncation, byte flips, deep nesting, huge
 * numbers, duplicate keys, BOMs, UTF-16, invalid UTF-8, NUL bytes, very long
 * lines, wrong types) by a deterministic PRNG, a fixed number of times, and
 * each reader must either accept the input or throw one of vc's own errors
 * naming the file: never a bare TypeError / RangeError, and never changing
 * or deleting the file or anything beside it.
 */
import { join } from "node:path";
import { assert } from "./assert.ts";
import { VcError } from "../src/errors.ts";
import { readManifest, updateManifest } from "../src/versioned/manifest.ts";
import { readLockFile, updateLockFile } from "../src/versioned/lock_file.ts";
import { findProjectConfig, loadConfigFile } from "../src/config.ts";
import { readListEntries } from "../src/prefill/list_file.ts";
import { addToken, TokenFileAuth } from "../src/server/auth.ts";
import { MirrorState } from "../src/mirror/state.ts";
import { readSnapshot } from "../src/repo/backup.ts";
import { closest, editDistance } from "../src/suggest.ts";
import { didYouMean } from "../src/versioned/helpers.ts";
import { gzip } from "./gzip.ts";

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function utf16le(text: string, bom: boolean): Uint8Array {
  const out = new Uint8Array((bom ? 2 : 0) + text.length * 2);
  let at = 0;
  if (bom) out.set([0xff, 0xfe], (at += 2) - 2);
  for (let i = 0; i < text.length; i++, at += 2) {
    const c = text.charCodeAt(i);
    out[at] = c & 0xff;
    out[at + 1] = c >> 8;
  }
  return out;
}

const WRONG_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  "",
  "x",
  [],
  {},
  [1, 2],
  { a: 1 },
  "\u0000",
  "1.2.5",
  "s3://",
  "/",
  "..",
];

// A JSON value with one of its values (at any depth) replaced by one of
// another type, or a key renamed.
function wrongType(doc: unknown, rnd: () => number): unknown {
  if (typeof doc !== "object" || doc === null || rnd() < 0.2) {
    return WRONG_VALUES[Math.floor(rnd() * WRONG_VALUES.length)];
  }
  if (Array.isArray(doc)) {
    if (doc.length === 0) return WRONG_VALUES[Math.floor(rnd() * WRONG_VALUES.length)];
    const i = Math.floor(rnd() * doc.length);
    const out = [...doc];
    out[i] = wrongType(out[i], rnd);
    return out;
  }
  const keys = Object.keys(doc);
  if (keys.length === 0) return WRONG_VALUES[Math.floor(rnd() * WRONG_VALUES.length)];
  const key = keys[Math.floor(rnd() * keys.length)]!;
  const out: Record<string, unknown> = { ...doc as Record<string, unknown> };
  if (rnd() < 0.15) {
    const value = out[key];
    delete out[key];
    out[
      ["__proto__", "constructor", "", "x".repeat(300), "é", key.toUpperCase()][
        Math.floor(rnd() * 6)
      ]!
    ] = value;
  } else {
    out[key] = wrongType(out[key], rnd);
  }
  return out;
}

/** One mutation of `bytes`, chosen by `rnd`. */
function mutate(bytes: Uint8Array, rnd: () => number, json: boolean): Uint8Array {
  const pick = (n: number) => Math.floor(rnd() * n);
  const at = () => pick(bytes.length + 1);
  const insert = (extra: Uint8Array) => {
    const i = at();
    return concat(bytes.subarray(0, i), extra, bytes.subarray(i));
  };
  const text = dec.decode(bytes);
  switch (pick(14)) {
    case 0: // truncation
      return bytes.subarray(0, at());
    case 1: { // byte flips
      const out = bytes.slice();
      for (let n = 1 + pick(4); n > 0 && out.length > 0; n--) {
        const i = pick(out.length);
        out[i] = out[i]! ^ (1 << pick(8));
      }
      return out;
    }
    case 2: { // deep nesting
      const depth = [100, 5000, 200_000][pick(3)]!;
      const open = pick(2) ? "[" : '{"a":';
      const close = open === "[" ? "]" : "}";
      return insert(enc.encode(open.repeat(depth) + "1" + (pick(2) ? close.repeat(depth) : "")));
    }
    case 3: // huge numbers
      return insert(
        enc.encode(
          ["1e400", "-1e400", "123456789012345678901234567890", "9007199254740993", "1e-400", "-0"][
            pick(6)
          ]!,
        ),
      );
    case 4: { // duplicate keys: the first "key": value pair given again
      const m = /"[^"\\]*"\s*:\s*("[^"\\]*"|[-0-9.eE]+|true|false|null)/.exec(text);
      if (!m) return insert(enc.encode(',"a":1,"a":2'));
      const i = m.index + m[0].length;
      return enc.encode(text.slice(0, i) + "," + m[0] + text.slice(i));
    }
    case 5: // BOMs (one, two, or one in the middle)
      return pick(3) === 0 ? insert(new Uint8Array([0xef, 0xbb, 0xbf])) : concat(
        new Uint8Array(pick(2) ? [0xef, 0xbb, 0xbf] : [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]),
        bytes,
      );
    case 6: // UTF-16 (LE, with or without its BOM; or BE)
      if (pick(3) === 0) {
        const le = utf16le(text, false);
        const be = new Uint8Array(le.length + 2);
        be.set([0xfe, 0xff]);
        for (let i = 0; i < le.length; i += 2) [be[i + 2], be[i + 3]] = [le[i + 1]!, le[i]!];
        return be;
      }
      return utf16le(text, pick(2) === 0);
    case 7: // invalid UTF-8
      return insert(
        [
          new Uint8Array([0xff]),
          new Uint8Array([0xc3, 0x28]),
          new Uint8Array([0xed, 0xa0, 0x80]),
          new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
          new Uint8Array([0xe2, 0x82]),
        ][pick(5)]!,
      );
    case 8: // NUL bytes
      return insert(new Uint8Array(1 + pick(3)));
    case 9: // very long lines
      return insert(
        enc.encode((pick(2) ? "a" : " ").repeat([10_000, 300_000, 2_000_000][pick(3)]!)),
      );
    case 10: { // wrong types
      if (!json) {
        return insert(enc.encode(["{}", "[]", "null", "\t", "\r", "\u2028", "@"][pick(7)]!));
      }
      let doc: unknown;
      try {
        doc = JSON.parse(text.replace(/^\ufeff/, ""));
      } catch {
        return insert(enc.encode("null"));
      }
      return enc.encode(JSON.stringify(wrongType(doc, rnd), null, pick(2) ? 4 : undefined));
    }
    case 11: // line ends: CR, CRLF, U+2028
      return enc.encode(text.replaceAll("\n", ["\r", "\r\n", "\u2028", "\n\n\n"][pick(4)]!));
    case 12: // the whole file replaced by something short
      return enc.encode(
        ["", " ", "\n", "null", "0", '""', "[]", "{}", "{", "}", "\u0000"][pick(11)]!,
      );
    default: // a random byte run
      return insert(Uint8Array.from({ length: 1 + pick(16) }, () => pick(256)));
  }
}

/** Every file in `dir` (recursively) with its bytes. */
async function snapshotDir(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string) {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.isFile) out.set(p, Array.from(await Deno.readFile(p)).join(","));
      else out.set(p, "symlink");
    }
  }
  await walk(dir);
  return out;
}

interface Kind {
  name: string;
  /** Its seeds' base: fixed, so a kind added later does not change another's cases. */
  seed: number;
  json: boolean;
  valid: (dir: string) => Promise<Uint8Array>;
  /** The file's name in the fuzz directory. */
  file: string;
  /** Reads the file as vc does; `path` is where it was written. */
  read: (path: string, bytes: Uint8Array) => Promise<unknown>;
  /**
   * Whether reading it may change the directory: `always` (a state file vc
   * writes), `accepted` (an update: only when the file was accepted).
   */
  writes?: "always" | "accepted";
}

const HEADER = { format: "vc-repo-backup", version: 1, createdAt: "2026-01-01T00:00:00.000Z" };
const SNAPSHOT_TEXT = [
  JSON.stringify(HEADER),
  JSON.stringify({
    record: {
      id: 7,
      path: "/m.txt",
      state: "expired",
      content_key: "content/x.txt",
      size: 5,
      md5: "6137cde4893c59f76f005a8123d8e8e6",
      origin_host: "h",
      created_at: 1,
      expired_at: 2,
    },
  }),
  JSON.stringify({ recordTag: [7, "t"] }),
  "",
].join("\n");

const KINDS: Kind[] = [
  {
    name: "manifest",
    seed: 0,
    json: true,
    file: "versioned_assets.json",
    valid: () =>
      Promise.resolve(enc.encode(
        JSON.stringify(
          { "/demo/greeting.txt": "1.0.0", "/demo/table.csv": "1.1.0", "/x/y.bin": "s3://b/k" },
          null,
          4,
        ) + "\n",
      )),
    read: (path) => readManifest(path),
  },
  {
    name: "lock file",
    seed: 1,
    json: true,
    file: "versioned_assets.lock.json",
    valid: () =>
      Promise.resolve(enc.encode(
        JSON.stringify(
          {
            "/demo/greeting.txt@1.0.0": { size: 6, sha256: "a".repeat(64) },
            "/demo/table.csv@1.1.0": { size: 0, sha256: "B".repeat(64) },
          },
          null,
          4,
        ) + "\n",
      )),
    read: (path) => readLockFile(path),
  },
  {
    name: "manifest update",
    seed: 10,
    json: true,
    file: "versioned_assets.json",
    writes: "accepted",
    valid: () =>
      Promise.resolve(enc.encode(
        JSON.stringify({ "/demo/greeting.txt": "1.0.0", "/demo/table.csv": "1.1.0" }, null, 4) +
          "\n",
      )),
    read: (path) => updateManifest(path, (m) => void (m["/new.csv"] = "1.0.0")),
  },
  {
    name: "lock file update",
    seed: 11,
    json: true,
    file: "versioned_assets.lock.json",
    writes: "accepted",
    valid: () =>
      Promise.resolve(enc.encode(
        JSON.stringify(
          { "/demo/greeting.txt@1.0.0": { size: 6, sha256: "a".repeat(64) } },
          null,
          4,
        ) +
          "\n",
      )),
    read: (path) =>
      updateLockFile(path, (e) => void (e["/new.csv@1.0.0"] = { size: 1, sha256: "0".repeat(64) })),
  },
  {
    name: "token file add-token",
    seed: 12,
    json: true,
    file: "tokens.json",
    writes: "accepted",
    valid: async (dir) => {
      const p = join(dir, "tokens.json");
      await addToken(p, "alice");
      const bytes = await Deno.readFile(p);
      await Deno.remove(p);
      return bytes;
    },
    read: (path) => addToken(path, "carol"),
  },
  {
    name: "config file",
    seed: 2,
    json: true,
    file: "config.json",
    valid: () =>
      Promise.resolve(enc.encode(JSON.stringify({
        bucket: "my-assets",
        timeout: "1d",
        immutableBuckets: ["s3://frozen"],
        offline: false,
        cacheDir: "cache",
        manifest: "m.json",
        parallelThreshold: 1048576,
        rangeSize: 1048576,
      }))),
    read: (path) => Promise.resolve().then(() => loadConfigFile(path, { env: {} })),
  },
  {
    name: "vc.json",
    seed: 3,
    json: true,
    file: "vc.json",
    valid: () => Promise.resolve(enc.encode('{"bucket": "own-assets", "timeout": 30}\n')),
    read: (path) =>
      Promise.resolve().then(() =>
        findProjectConfig(join(path, ".."), { env: { HOME: "/nonexistent" } })
      ),
  },
  {
    name: "deno.json",
    seed: 4,
    json: true,
    file: "deno.json",
    valid: () =>
      Promise.resolve(enc.encode(
        '{\n  // tasks\n  "tasks": {"t": "deno test"},\n  "vc": {"bucket": "own-assets", "offline": true},\n}\n',
      )),
    read: (path) =>
      Promise.resolve().then(() =>
        findProjectConfig(join(path, ".."), { env: { HOME: "/nonexistent" } })
      ),
  },
  {
    name: "prefill list",
    seed: 5,
    json: false,
    file: "assets.txt",
    valid: () =>
      Promise.resolve(
        enc.encode("# assets for CI\ns3://b/k.csv\n\n/foo/bar.csv@1.2.5\nfile:///srv/a.bin\n"),
      ),
    read: (path) => readListEntries(path),
  },
  {
    name: "token file",
    seed: 6,
    json: true,
    file: "tokens.json",
    valid: async (dir) => {
      const p = join(dir, "tokens.json");
      await addToken(p, "alice");
      await addToken(p, "bob");
      const bytes = await Deno.readFile(p);
      await Deno.remove(p);
      return bytes;
    },
    read: (path) => new TokenFileAuth({ path }).check(),
  },
  {
    name: "mirror state",
    seed: 7,
    json: false,
    file: "state.sqlite",
    writes: "always",
    valid: async (dir) => {
      const p = join(dir, "state.sqlite");
      const state = new MirrorState(p);
      for (const [i, key] of ["a", "b/c.txt", "é", "z".repeat(300)].entries()) {
        state.set(key, {
          size: i,
          mtimeMs: 1.5 + i,
          ctimeMs: 2 + i,
          ino: 1000 + i,
          md5: "0123456789abcdef0123456789abcdef",
          etag: i ? `"${"f".repeat(32)}"` : "",
          validator: i ? "v" : "",
        });
      }
      state.queueDelete("old", "prefix/old", 3);
      state.close();
      const bytes = await Deno.readFile(p);
      for await (const e of Deno.readDir(dir)) await Deno.remove(join(dir, e.name));
      return bytes;
    },
    read: (path) =>
      Promise.resolve().then(() => {
        const state = new MirrorState(path);
        try {
          state.get("a");
          const lookup = state.cursor();
          for (const key of ["a", "b/c.txt", "é", "z".repeat(300)]) lookup(key);
          state.withContent("0123456789abcdef0123456789abcdef", 1, "a");
          for (const batch of state.queuedDeletes(10)) void batch;
          state.set("new", { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1, md5: "m", etag: "e" });
          state.flush();
        } finally {
          state.close();
        }
      }),
  },
  {
    name: "repository snapshot (text)",
    seed: 8,
    json: false,
    file: "catalog.jsonl",
    valid: () => Promise.resolve(enc.encode(SNAPSHOT_TEXT)),
    read: async (path, bytes) => {
      const snap = await readSnapshot(await gzip(bytes), { source: path });
      await snap.rows(() => Promise.resolve());
    },
  },
  {
    name: "repository snapshot (gzip)",
    seed: 9,
    json: false,
    file: "catalog.jsonl.gz",
    valid: async () => await gzip(enc.encode(SNAPSHOT_TEXT)),
    read: async (path, bytes) => {
      const snap = await readSnapshot(bytes, { source: path });
      await snap.rows(() => Promise.resolve());
    },
  },
];

// 40 a type keeps the file near 10 s of CPU in the suite; the wider runs (800 a type) passed
// too when this was written: raise it locally to search further.
const ITERATIONS = 40;

/** Runs one case; returns a failure description, or undefined when the contract held. */
async function runCase(
  kind: Kind,
  dir: string,
  bytes: Uint8Array,
): Promise<string | undefined> {
  const path = join(dir, kind.file);
  await Deno.writeFile(path, bytes);
  const before = await snapshotDir(dir);
  let failure: string | undefined;
  let accepted = false;
  try {
    await kind.read(path, bytes);
    accepted = true;
  } catch (e) {
    if (!(e instanceof VcError)) {
      failure = `threw ${(e as Error)?.constructor?.name}: ${
        String((e as Error)?.message).slice(0, 300)
      }`;
    } else if (!e.message.includes(path)) {
      failure = `${e.constructor.name} does not name the file: ${e.message.slice(0, 300)}`;
    }
  }
  const after = await snapshotDir(dir);
  if (kind.writes === undefined || (kind.writes === "accepted" && !accepted)) {
    for (const [p, b] of before) {
      if (!after.has(p)) failure ??= `deleted ${p}`;
      else if (after.get(p) !== b) failure ??= `changed ${p}`;
    }
    // An update's cross-process lock guard (`.NAME.lock`) is left by design.
    for (const p of after.keys()) {
      if (!before.has(p) && !/[/\\]\.[^/\\]+\.lock$/.test(p)) failure ??= `created ${p}`;
    }
  } else if (!after.has(path)) {
    failure ??= `deleted ${path}`;
  }
  for await (const e of Deno.readDir(dir)) {
    await Deno.remove(join(dir, e.name), { recursive: true });
  }
  return failure;
}

/** The bytes of case `iteration` of `kind` (1–3 mutations of its valid example). */
function caseBytes(kind: Kind, valid: Uint8Array, iteration: number): Uint8Array {
  const rnd = prng(0x5eed0000 + kind.seed * 10_000 + iteration);
  let bytes = valid;
  for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) bytes = mutate(bytes, rnd, kind.json);
  return bytes;
}

for (const kind of KINDS) {
  Deno.test(`hostile ${kind.name}: ${ITERATIONS} seeded mutations accepted or refused with vc's error naming it`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_hostile_input_fuzz_" });
    try {
      const valid = await kind.valid(dir);
      // The valid example itself is accepted.
      assert(
        (await runCase(kind, dir, valid)) === undefined,
        `${kind.name}: valid example refused`,
      );
      const failures: string[] = [];
      for (let i = 0; i < ITERATIONS; i++) {
        const failure = await runCase(kind, dir, caseBytes(kind, valid, i));
        if (failure !== undefined) failures.push(`seed ${i}: ${failure}`);
      }
      assert(failures.length === 0, `${kind.name}:\n${failures.join("\n")}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

const CLI = new URL("../cli.ts", import.meta.url).pathname;

// Seed 39 of the config file: a 2 MB run of letters inside a key. The
// "did you mean" for the unknown key compared it letter by letter with each
// known key, a table of 2 million rows each (seconds, and hundreds of MB:
// under a 64 MB heap `vc config` died "out of memory" rather than naming
// the key). Run as the CLI, in a small heap.
Deno.test("hostile config file, seed 39: a 2 MB unknown key is named by vc config in a 64 MB heap", async () => {
  const kind = KINDS.find((k) => k.name === "config file")!;
  const dir = await Deno.makeTempDir({ prefix: "vc_hostile_input_fuzz_" });
  try {
    const valid = await kind.valid(dir);
    const bytes = caseBytes(kind, valid, 39);
    assert(bytes.length > 2_000_000, "seed 39 is the 2 MB case");
    const path = join(dir, "config.json");
    await Deno.writeFile(path, bytes);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-prompt", "--v8-flags=--max-old-space-size=64", CLI, "config"],
      cwd: dir,
      env: { HOME: dir, VC_CONFIG: path, VC_CACHE_DIR: "", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = dec.decode(out.stderr);
    assert(out.code === 1, `exit ${out.code}: ${stderr.slice(0, 500)}`);
    assert(/^vc: config file .*: unknown key "/m.test(stderr), stderr.slice(0, 500));
    assert(stderr.includes(path), stderr.slice(0, 500));
    assert(dec.decode(await Deno.readFile(path)) === dec.decode(bytes), "the file is unchanged");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// The same, in-process: the suggestion for a long key is no work at all.
Deno.test("closest() and didYouMean() skip words too far apart in length to be a typo", () => {
  const long = "timeout" + "a".repeat(2_000_000);
  assert(closest(long, ["timeout", "bucket"]) === undefined);
  assert(closest("timeotu", ["timeout", "bucket"]) === "timeout");
  assert(editDistance("a".repeat(100_000), "ab") === 99_999);
  assert(
    didYouMean("/" + "x".repeat(8000) + "/t.csv", ["/data/t.csv", "/q.csv"]) ===
      "; did you mean /data/t.csv?",
  );
});
