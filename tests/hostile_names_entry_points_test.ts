/**
 * Every entry point that takes a name from outside, fed the one battery of
 * hostile names (`tests/hostile_names.ts`): an S3 key in a `cache` URI,
 * keys listed from the store by a store → local `vc mirror`, a versioned
 * path given to `vc add` and read from a manifest by `vc sync`, a
 * repository path, tag and a snapshot's path given to `vc repo restore`,
 * and an uploaded file's name at `vc serve`. Each name is either refused
 * with an error naming it, or kept under a safe local name inside the
 * intended directory with its content intact; no raw control character
 * reaches a terminal line; a name with whitespace at an end is shown in
 * quotes, never as its twin without.
 *
 * Found by it: `vc cache rm` of a key whose cached path would be longer
 * than the system takes failed with a bare OS error ("File name too long
 * (os error 36): stat '…'", exit 1) where `cache invalidate` said it was
 * not cached; `vc mirror --dry-run`'s lines and `vc repo ls`'s rows showed
 * `trail ` exactly as `trail`.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { filesUnder } from "./files_under.ts";
import { HOSTILE_NAMES, label, namesInput, rawControl } from "./hostile_names.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { isInside } from "../src/path.ts";
import { gzip } from "./gzip.ts";

const WHITESPACE_ENDS = /^\s|\s$/u;

/** Problems of one run's output: raw controls, and a refusal that does not name `name`. */
function outputProblems(
  what: string,
  name: string,
  run: { code: number; stdout: string; stderr: string },
): string[] {
  const problems: string[] = [];
  const raw = rawControl(run.stdout + run.stderr);
  if (raw !== undefined) problems.push(`${what} ${label(name)}: raw control ${raw}`);
  if (run.code !== 0 && !namesInput(run.stderr, name)) {
    problems.push(`${what} ${label(name)}: exit ${run.code} without naming it: ${run.stderr}`);
  }
  if (/os error \d+/.test(run.stderr)) {
    problems.push(`${what} ${label(name)}: a bare OS error: ${run.stderr}`);
  }
  return problems;
}

/** Files under `dir` outside `allowed` (relative directories), as relative paths. */
function filesOutside(dir: string, allowed: readonly string[]): string[] {
  return filesUnder(dir, { relative: true }).filter((f) =>
    !allowed.some((a) => f === a || f.startsWith(`${a}/`))
  );
}

Deno.test("hostile names: vc cache get / rm / invalidate of s3://bkt/KEY", async () => {
  await using fake = await startFakeS3({ credentials: false, buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  const stored = new Map<string, string>();
  for (const [i, key] of HOSTILE_NAMES.entries()) {
    try {
      await fake.putObject("bkt", key, `object ${i}`);
      stored.set(key, `object ${i}`);
    } catch {
      // a key the fake itself refuses (a lone surrogate): the URI is still fed below
    }
  }
  assert(stored.size >= HOSTILE_NAMES.length - 1, `${stored.size} stored`);
  const problems: string[] = [];
  await withProcessEnv(fake.env, async () => {
    for (const key of HOSTILE_NAMES) {
      const uri = `s3://bkt/${key}`;
      const got = await ws.run(["cache", "get", uri], fake.env);
      problems.push(...outputProblems("cache get", key, got));
      if (got.code === 0) {
        // Only the line break: the path itself may end with non-ASCII whitespace.
        const path = got.stdout.replace(/\n$/, "");
        if (!isInside(path, ws.cacheDir)) problems.push(`cache get ${label(key)}: ${path}`);
        else if (await Deno.readTextFile(path) !== stored.get(key)) {
          problems.push(`cache get ${label(key)}: ${path} is not its object`);
        }
      }
      for (const verb of ["invalidate", "rm"]) {
        const run = await ws.run(["cache", verb, uri], fake.env);
        problems.push(...outputProblems(`cache ${verb}`, key, run));
        // NUL and a lone surrogate make a malformed URI (exit 2); anything
        // else was cached or not.
        if (run.code !== (key.includes("\0") || !key.isWellFormed() ? 2 : 0)) {
          problems.push(`cache ${verb} ${label(key)}: exit ${run.code}: ${run.stderr}`);
        }
      }
    }
  });
  assertEquals(problems, []);
  assertEquals(filesOutside(ws.dir, ["bucket", "home", "cache"]), []);
  // Nothing lost: the store holds every object as it was.
  for (const [key, body] of stored) {
    assertEquals(new TextDecoder().decode(await fake.getObject("bkt", key)), body, label(key));
  }
});

Deno.test("hostile names: keys listed by a store → local vc mirror", async () => {
  await using fake = await startFakeS3({ credentials: false, buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  const stored = new Map<string, string>();
  for (const [i, key] of HOSTILE_NAMES.entries()) {
    try {
      await fake.putObject("bkt", `pre/${key}`, `object ${i}`);
      stored.set(key, `object ${i}`);
    } catch {
      // a key the fake itself refuses (a lone surrogate)
    }
  }
  // The twin of the name with a trailing space, which it must not print as.
  await fake.putObject("bkt", "pre/trail", "twin");
  stored.set("trail", "twin");
  const problems: string[] = [];
  await withProcessEnv(fake.env, async () => {
    const args = ["mirror", "s3://bkt/pre", "out", "--state", "s.db"];
    const dry = await ws.run([...args, "--dry-run"], fake.env);
    const real = await ws.run(args, fake.env);
    for (const [what, run] of [["dry run", dry], ["run", real]] as const) {
      const raw = rawControl(run.stdout + run.stderr);
      if (raw !== undefined) problems.push(`${what}: raw control ${raw}`);
      if (/os error \d+/.test(run.stderr)) problems.push(`${what}: a bare OS error`);
    }
    for (const key of stored.keys()) {
      if (WHITESPACE_ENDS.test(key) && !dry.stdout.includes(JSON.stringify(key))) {
        problems.push(`dry run: ${label(key)} not in quotes: ${dry.stdout}`);
      }
    }
    const written = new Set(filesUnder(ws.path("out"), { relative: true, missingOk: true }));
    for (const [key, body] of stored) {
      if (written.has(key)) {
        if (await Deno.readTextFile(join(ws.path("out"), key)) !== body) {
          problems.push(`${label(key)}: written with another object's content`);
        }
      } else if (!namesInput(real.stderr, key)) {
        problems.push(`${label(key)}: neither written nor named: ${real.stderr}`);
      }
    }
    for (const file of written) {
      if (!stored.has(file)) problems.push(`out/${label(file)}: no key of that name`);
    }
  });
  assertEquals(problems, []);
  assertEquals(filesOutside(ws.dir, ["bucket", "home", "cache", "out", "s.db", "s.db.lock"]), []);
  assertEquals(fake.listKeys("bkt", "pre/").length, stored.size);
});

Deno.test("hostile names: vc add PATH, then vc sync of a manifest naming each", async () => {
  await using fake = await startFakeS3({ credentials: false, buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "content\n");
  const env = { ...fake.env, VC_BUCKET: "s3://bkt" };
  const problems: string[] = [];
  const added: string[] = [];
  await withProcessEnv(env, async () => {
    for (const name of HOSTILE_NAMES) {
      const path = name.startsWith("/") ? name : `/${name}`;
      const run = await ws.run(["add", path, "f.txt"], env);
      problems.push(...outputProblems("add", path, run));
      if (run.code === 0) added.push(path);
      // Nothing lost: every path added before is still in the manifest.
      if (added.length === 0) continue;
      const manifest = JSON.parse(await ws.read("versioned_assets.json")) as Record<string, string>;
      for (const p of added) if (manifest[p] !== "1.0.0") problems.push(`add: ${label(p)} lost`);
    }
    // `vc sync` of one manifest entry at a time: a hand-edited manifest
    // holding the name, whatever `vc add` took.
    for (const [i, name] of HOSTILE_NAMES.entries()) {
      const path = name.startsWith("/") ? name : `/${name}`;
      await ws.write(`m${i}.json`, JSON.stringify({ [path]: "1.0.0" }));
      const run = await ws.run(["sync", `out${i}`, "--manifest", `m${i}.json`], env);
      problems.push(...outputProblems("sync", path, run));
      const files = filesUnder(ws.path(`out${i}`), { relative: true, missingOk: true })
        .filter((f) => !f.startsWith(".vc-sync"));
      if (run.code === 0 && files.length !== 1) problems.push(`sync ${label(path)}: ${files}`);
      for (const f of files) {
        if (await Deno.readTextFile(join(ws.path(`out${i}`), f)) !== "content\n") {
          problems.push(`sync ${label(path)}: ${f} is not its content`);
        }
      }
    }
  });
  assertEquals(problems, []);
  assert(added.includes("/ok.csv") && added.length >= 5, added.join(" "));
  const outs = HOSTILE_NAMES.map((_, i) => [`out${i}`, `m${i}.json`]).flat();
  assertEquals(
    filesOutside(ws.dir, ["bucket", "home", "cache", "f.txt", "versioned_assets.json", ...outs])
      .filter((f) => f !== "versioned_assets.lock.json" && f !== ".versioned_assets.json.lock"),
    [],
  );
});

Deno.test("hostile names: repository paths and tags, and a snapshot's paths given to restore", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "content\n");
  const env = { VC_REPO: ws.bucket };
  const problems: string[] = [];
  await withProcessEnv(env, async () => {
    assertEquals((await ws.run(["repo", "init"], env)).code, 0);
    const first = await ws.run(["repo", "add", "/first", "f.txt"], env);
    assertEquals(first.stdout.trim(), "1", first.stderr);
    for (const name of HOSTILE_NAMES) {
      const path = name.startsWith("/") ? name : `/${name}`;
      const add = await ws.run(["repo", "add", path, "f.txt"], env);
      problems.push(...outputProblems("repo add", path, add));
      const tag = await ws.run(["repo", "tag", "1", name], env);
      problems.push(...outputProblems("repo tag", name, tag));
    }
    // A snapshot is input from outside: each path in one (restored whole or
    // refused whole), beside its twin without whitespace at the ends.
    const header = JSON.stringify({ format: "vc-repo-backup", version: 1, createdAt: "x" });
    for (const name of HOSTILE_NAMES) {
      const path = name.startsWith("/") ? name : `/${name}`;
      const record = (id: number, p: string) =>
        JSON.stringify({
          record: {
            id,
            path: p,
            state: "expired",
            content_key: `content/k${id}`,
            size: 8,
            md5: "f75b8179e4bbe7e2b4a074dcef62de95",
            origin_host: "h",
            created_at: 1,
            expired_at: 2,
          },
        });
      const twin = path.trim() === path ? "/twin" : path.trim();
      await Deno.writeFile(
        ws.path("s.jsonl.gz"),
        await gzip(`${header}\n${record(7, path)}\n${record(8, twin)}\n`),
      );
      const restore = await ws.run(["repo", "restore", "s.jsonl.gz", "--force"], env);
      problems.push(...outputProblems("repo restore", path, restore));
      if (restore.code !== 0) continue;
      const ls = await ws.run(["repo", "ls", "--state", "expired"], env);
      problems.push(...outputProblems("repo ls", path, ls));
      // The rows without their ids: what tells the two paths apart.
      const rows = ls.stdout.trimEnd().split("\n").slice(1).map((r) => r.replace(/^\d+/, ""));
      if (rows.length !== 2 || rows[0] === rows[1]) {
        problems.push(`repo ls: ${label(path)} and ${label(twin)} print alike: ${ls.stdout}`);
      }
    }
  });
  assertEquals(problems, []);
});

Deno.test("hostile names: an uploaded file's name at vc serve", async () => {
  await using service = await startService();
  const token = service.tokens.alice;
  const problems: string[] = [];
  for (const [i, name] of HOSTILE_NAMES.entries()) {
    const { doc } = await newCacheId(service.url, token, { i });
    const id = String(doc.cache_id);
    const up = await upload(service.url, token, id, `body ${i}`, name);
    const error = String(up.doc.error ?? "");
    if (up.status !== 200 && !namesInput(error, name)) {
      problems.push(`upload ${label(name)}: ${up.status} without naming it: ${error}`);
    }
    if (up.status !== 200) continue;
    const res = await fetch(`${service.url}/v1/cache/${id}`, { headers: { authorization: token } });
    const disposition = res.headers.get("content-disposition") ?? "";
    const body = await res.text();
    if (body !== `body ${i}`) problems.push(`download ${label(name)}: ${body}`);
    const raw = rawControl(disposition);
    if (raw !== undefined) problems.push(`download ${label(name)}: raw control ${raw}`);
    // The name kept is a base name: no separator, never `.` or `..`.
    const kept = /filename\*=UTF-8''([^;]*)/.exec(disposition)?.[1];
    const decoded = kept === undefined ? "" : decodeURIComponent(kept);
    if (/[/\\]/.test(decoded) || decoded === "." || decoded === ".." || decoded === "") {
      problems.push(`download ${label(name)}: kept as ${JSON.stringify(decoded)}`);
    }
  }
  assertEquals(problems, []);
  for (const line of service.logs) assertEquals(rawControl(line), undefined, line);
});
