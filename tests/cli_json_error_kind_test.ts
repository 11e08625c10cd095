/**
 * The JSON error document of a whole command that failed under `--json`
 * (`{"error": {"name", "kind", "message", "exitCode"}}`): `kind` is one of
 * the stable kinds `errorName` uses in `vc prefill --json` and
 * `vc sync --json` (`ERROR_KINDS`), whatever the error's own class, so a CI
 * script can branch on it; `name` stays the class name it always was. A
 * usage error is `InvalidInputError` (exit 2), an interrupt `VcError`
 * (exit 130).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { ERROR_KINDS } from "../src/errors.ts";
import { assert, assertEquals } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";
import { closedPort } from "./closed_port.ts";

interface ErrorDoc {
  error: { name: string; kind: string; message: string; exitCode: number };
}

function errorDoc(stdout: string, code: number): ErrorDoc["error"] {
  const doc = JSON.parse(stdout) as ErrorDoc;
  assertEquals(Object.keys(doc), ["error"]);
  assertEquals(Object.keys(doc.error), ["name", "kind", "message", "exitCode"]);
  assertEquals(doc.error.exitCode, code);
  assert((ERROR_KINDS as readonly string[]).includes(doc.error.kind), doc.error.kind);
  return doc.error;
}

Deno.test("--json command-level error: kind is a stable kind for usage, interrupt, not found, integrity, unreachable", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_json_error_kind_" }));
  try {
    const bucket = join(dir, "bucket");
    await Deno.mkdir(bucket);
    const env = {
      HOME: join(dir, "home"),
      VC_CACHE_DIR: join(dir, "cache"),
      VC_BUCKET: pathToFileURL(bucket).href,
      VC_MANIFEST: join(dir, "m.json"),
    };
    const vc = async (args: string[], extra: Record<string, string> = {}, signal?: AbortSignal) => {
      const io = memoryIo({ env: { ...env, ...extra }, cwd: dir, ...(signal ? { signal } : {}) });
      const code = await runCli([...args, "--json"], io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    };
    const expect = async (
      run: Promise<{ code: number; stdout: string; stderr: string }>,
      code: number,
      name: string,
      kind: string,
    ) => {
      const r = await run;
      assertEquals(r.code, code, r.stderr);
      const e = errorDoc(r.stdout, code);
      assertEquals([e.name, e.kind], [name, kind], r.stdout);
    };
    const file = join(dir, "t.csv");
    await Deno.writeTextFile(file, "a\n");
    assertEquals((await vc(["add", "/t.csv", file])).code, 0);
    assertEquals((await vc(["lock"])).code, 0);

    // Usage error (exit 2): the command line is invalid input.
    await expect(vc(["path", "/t.csv", "1.0"]), 2, "UsageError", "InvalidInputError");
    // Interrupted (Ctrl-C, exit 130).
    const c = new AbortController();
    c.abort(new DOMException("interrupted", "AbortError"));
    await expect(
      vc(["cache", "get", pathToFileURL(file).href], { VC_CACHE_DIR: join(dir, "c2") }, c.signal),
      130,
      "AbortError",
      "VcError",
    );
    // Not found.
    await expect(
      vc(["cache", "get", pathToFileURL(join(dir, "nope.csv")).href]),
      1,
      "NotFoundError",
      "NotFoundError",
    );
    // Integrity: the object behind a locked version was replaced.
    await Deno.writeTextFile(join(bucket, "t.1.0.0.csv"), "evil\n");
    await expect(vc(["path", "/t.csv"]), 1, "IntegrityError", "IntegrityError");
    // Store unreachable: nothing listens on the port.
    const port = closedPort();
    await withProcessEnv({
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    }, async () => {
      const r = await vc(["cache", "get", "s3://b/k"]);
      assertEquals(r.code, 1, r.stderr);
      assertEquals(errorDoc(r.stdout, 1).kind, "OfflineError", r.stdout);
    });
    // A Deno error class (not one of vc's) is classified too: a cache dir under a file.
    const r = await vc(["cache", "get", pathToFileURL(file).href], {
      VC_CACHE_DIR: join(file, "cache"),
    });
    assertEquals(r.code, 1, r.stderr);
    assert(ERROR_KINDS.includes(errorDoc(r.stdout, 1).kind as never), r.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "--json command-level error: a cache dir this user may not write is AccessDeniedError " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_json_error_denied_" }));
    try {
      const cacheDir = join(dir, "cache");
      await Deno.mkdir(cacheDir);
      await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(cacheDir, 0o755); // root's: nobody may not write in it
      const uri = pathToFileURL(join(dir, "a.csv")).href;
      const out = await asNobody(dir, {
        vc: ["cache", "get", uri, "--cache-dir", cacheDir, "--json"],
      });
      assertEquals(out.code, 1, out.stderr);
      const e = errorDoc(out.stdout, 1);
      assertEquals(e.kind, "AccessDeniedError", out.stdout);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
