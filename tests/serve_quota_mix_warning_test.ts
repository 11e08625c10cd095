/**
 * `vc serve` without `--max-bytes-per-identity` on a store where instances
 * with a quota keep usage warns at start: its uploads are not counted, yet
 * their removal by an instance with a quota is (the usage went below zero,
 * leaving room past the quota, with no word of why).
 */
import { join } from "node:path";
import { addToken } from "../src/server/mod.ts";
import { UsageCounter } from "../src/server/quota.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertStringIncludes } from "./assert.ts";
import { serveStartupStderr } from "./serve_startup_stderr.ts";

/** What `vc serve` with `tokenFile` and `extra` says at start on `dir/store`. */
function startupStderr(dir: string, tokenFile: string, extra: string[]): Promise<string> {
  return serveStartupStderr(dir, ["--token-file", tokenFile, ...extra]);
}

Deno.test("serve: without a quota on a store whose usage instances with one keep, it warns", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_serve_quota_mix_" }));
  try {
    const tokenFile = join(dir, "tokens.json");
    await addToken(tokenFile, "alice");
    await Deno.mkdir(join(dir, "store"));
    // No usage kept yet: nothing to say.
    assert(!(await startupStderr(dir, tokenFile, [])).includes("warning"));
    {
      // An instance with a quota counted an upload.
      await using store = new FsStore(join(dir, "store"));
      await new UsageCounter(store, 1000).add("token-file:alice", 10);
    }
    assertStringIncludes(
      await startupStderr(dir, tokenFile, []),
      "vc: warning: the store keeps usage for --max-bytes-per-identity, which this instance was not given",
    );
    // With a quota it keeps that usage itself.
    assert(
      !(await startupStderr(dir, tokenFile, ["--max-bytes-per-identity", "1MiB"])).includes(
        "warning",
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: with a quota on a store that holds files but keeps no usage, it warns to recount", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_serve_quota_new_" }));
  try {
    const tokenFile = join(dir, "tokens.json");
    await addToken(tokenFile, "alice");
    await Deno.mkdir(join(dir, "store"));
    const quota = ["--max-bytes-per-identity", "1MiB"];
    // An empty store: nothing to count, nothing to say.
    assert(!(await startupStderr(dir, tokenFile, quota)).includes("warning"));
    {
      // A file an instance without a quota stored (its entry under meta/).
      await using store = new FsStore(join(dir, "store"));
      await store.put("meta/0123abcd", new TextEncoder().encode("{}"));
    }
    assertStringIncludes(
      await startupStderr(dir, tokenFile, quota),
      "vc: warning: the store holds files but keeps no usage for --max-bytes-per-identity",
    );
    // Without a quota there is no usage to keep.
    assert(!(await startupStderr(dir, tokenFile, [])).includes("warning"));
    {
      // Once usage is kept (a recount, or uploads under the quota), no warning.
      await using store = new FsStore(join(dir, "store"));
      await new UsageCounter(store, 1000).add("token-file:alice", 10);
    }
    assert(!(await startupStderr(dir, tokenFile, quota)).includes("warning"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
