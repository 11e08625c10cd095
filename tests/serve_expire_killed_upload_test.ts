/**
 * A `vc serve` killed (`kill -9`) mid-upload over a directory store leaves
 * the upload's partial temp file under `data/<id>/`. `vc serve expire`
 * removed it (its writer is gone) and reported "0 abandoned uploads": the
 * listing swept it unsaid. The report counts it and names it, and the
 * upload's directory goes with it (it stayed, empty, for good).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, ok, vcCommand, withWorkspace } from "./cli_process.ts";
import { filesUnder } from "./files_under.ts";
import { servedUrl } from "./serve_process.ts";

/** Waits (bounded) until `test` holds. */
async function until(what: string, test: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 30_000;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Names in `dir` (none when it is gone). */
async function dirNames(dir: string): Promise<string[]> {
  try {
    return (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
}

Deno.test("serve expire: the temp file of an upload killed by kill -9 is counted and named", async () => {
  await withWorkspace(async (dir, vc) => {
    const store = join(dir, "store");
    await Deno.mkdir(store);
    const tokens = join(dir, "tokens.json");
    const token = ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "add-token")
      .stdout.trim();
    const env = childEnv(dir);
    const serve = vcCommand(dir, env, [
      "serve",
      "--store",
      pathToFileURL(store).href,
      "--token-file",
      tokens,
      "--port",
      "0",
    ], 60_000).spawn();
    const started = servedUrl(serve);
    let sent: ReadableStreamDefaultController<Uint8Array> | undefined;
    let upload: Promise<unknown> | undefined;
    try {
      const { url } = await started;
      const idAnswer = await fetch(`${url}/v1/cache_id`, {
        method: "POST",
        headers: { authorization: token, "content-type": "application/json" },
        body: '{"k": 1}',
      });
      const id = (await idAnswer.json()).cache_id as string;
      // An upload whose body stops half-way, its part on disk.
      const boundary = "b0undary";
      const enc = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          sent = c;
          c.enqueue(enc.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\n`,
          ));
          c.enqueue(new Uint8Array(1 << 20).fill(7));
        },
      });
      upload = fetch(`${url}/v1/cache/${id}`, {
        method: "POST",
        headers: {
          authorization: token,
          "content-type": `multipart/form-data; boundary=${boundary}`,
        },
        body,
      }).catch((e) => e);
      await until(
        "the upload's temp file",
        () => filesUnder(join(store, "data"), { missingOk: true }).length > 0,
      );
      serve.kill("SIGKILL");
      await serve.status;
      const [temp] = filesUnder(join(store, "data"), { missingOk: true });
      const key = temp!.slice(store.length + 1);
      // A day later.
      const dayAgo = new Date(Date.now() - 86_400_000 - 60_000);
      await Deno.utime(temp!, dayAgo, dayAgo);

      const run = ok(await vc(["serve", "expire", "--store", pathToFileURL(store).href]), "expire");
      assertStringIncludes(run.stdout, "1 abandoned upload");
      assertStringIncludes(run.stdout, `removed ${key}, left by an abandoned upload`);
      assertEquals(filesUnder(join(store, "data"), { missingOk: true }), []);
      // Nor is the upload's directory left behind, empty, for good (one per crashed upload).
      assertEquals(await dirNames(join(store, "data")), []);
      const json = JSON.parse(
        ok(await vc(["serve", "expire", "--store", pathToFileURL(store).href, "--json"]), "again")
          .stdout,
      );
      assertEquals(json.uploadsAborted, 0);
      assert(json.abandoned === undefined);
    } finally {
      try {
        serve.kill("SIGKILL");
      } catch {
        // already gone
      }
      await serve.status;
      await started.then((s) => Promise.all([s.stdoutEnd, s.stderr])).catch(() => {});
      try {
        sent?.close();
      } catch {
        // the connection is gone
      }
      await upload;
    }
  });
});
