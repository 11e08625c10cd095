/**
 * Instances on one store whose `--auth-url` is spelled differently (a
 * trailing slash, the host's case, a default port): the token_id keeps the
 * URL as written (KBase compatibility), so the same user is another owner on
 * each, and a cache ID asked for on one was refused on the other with a bare
 * "belongs to another identity", which an operator behind a load balancer
 * could not tell from a stolen ID.
 */
import { join } from "node:path";
import { KBaseAuth } from "../src/server/auth.ts";
import { Entries } from "../src/server/entries.ts";
import { FsStore } from "../src/store/fs.ts";
import { serveCache } from "../src/server/serve.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startFakeAuth, upload } from "./server_helpers.ts";
import { serveStartupStderr } from "./serve_startup_stderr.ts";

Deno.test("serve: an ID from an instance whose --auth-url is spelled otherwise says so, in the 403 and the log", async () => {
  await using auth = startFakeAuth({ "tok-a": "alice", "tok-b": "bob" });
  const dir = await Deno.makeTempDir({ prefix: "vc_auth_url_spelling_" });
  const logs: string[][] = [[], []];
  const spellings = [auth.url, `${auth.url}/`];
  const stores = [new FsStore(dir), new FsStore(dir)];
  try {
    const services = await Promise.all(spellings.map((authUrl, i) =>
      serveCache({
        store: stores[i]!,
        auth: new KBaseAuth({ authUrl }),
        port: 0,
        sweepIntervalMs: 0,
        log: (line) => logs[i]!.push(line),
      })
    ));
    try {
      const [a, b] = services.map((s) => s.url) as [string, string];
      const { doc } = await newCacheId(a, "tok-a", { k: 1 });
      const id = doc.cache_id as string;
      // The same user through the other instance: still refused (the ID is
      // derived from the other spelling), but saying why.
      const up = await upload(b, "tok-a", id, "result");
      assertEquals(up.status, 403);
      const message = String(up.doc.error);
      assertStringIncludes(message, "auth URL");
      // The client is not told the other instance's URL; the log is.
      assert(!message.includes(spellings[0]!), message);
      const line = logs[1]!.find((l) => l.includes('"status":403'));
      assert(line !== undefined, logs[1]!.join("\n"));
      assertStringIncludes(line, JSON.stringify(`${spellings[0]}:alice`).slice(1, -1));
      assertStringIncludes(line, "--auth-url");
      const got = await fetch(`${b}/v1/cache/${id}`, { headers: { authorization: "tok-a" } });
      assertEquals(got.status, 403);
      assertStringIncludes((await got.json()).error, "auth URL");
      // Another user stays "another identity", with no word of whose.
      const bob = await upload(a, "tok-b", id, "x");
      assertEquals([bob.status, bob.doc.error], [403, `cache ${id} belongs to another identity`]);
    } finally {
      for (const s of services) await s.shutdown();
    }
  } finally {
    for (const s of stores) await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});

/** What `vc serve --auth-url AUTHURL` says at start on `dir/store`. */
function startupStderr(dir: string, authUrl: string): Promise<string> {
  return serveStartupStderr(dir, ["--auth-url", authUrl]);
}

Deno.test("serve: started with --auth-url spelled otherwise than the store's entries were made with, it warns", async () => {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "vc_auth_url_spelling_start_" }),
  );
  try {
    await Deno.mkdir(join(dir, "store"));
    // No lookup is made at start: the URL need not answer.
    const url = "http://127.0.0.1:9/services/auth";
    {
      // The entries of a deployment whose URL had a trailing slash (KBase's own config).
      await using store = new FsStore(join(dir, "store"));
      await new Entries(store).reserve("a".repeat(128), `${url}/:alice`);
    }
    const warned = await startupStderr(dir, url);
    assertStringIncludes(warned, "vc: warning: the store's entries were made with --auth-url");
    assertStringIncludes(warned, `${url}/`);
    // Spelled as they were: nothing to say.
    assert(!(await startupStderr(dir, `${url}/`)).includes("warning"), "same spelling");
    // Another auth service's entries are not a spelling slip.
    assert(
      !(await startupStderr(dir, "http://127.0.0.1:9/other")).includes("warning"),
      "another URL",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
