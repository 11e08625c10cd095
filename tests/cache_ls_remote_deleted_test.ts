import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { withTempDir } from "./versioned_helpers.ts";

Deno.test("cache ls --check-remote: an object deleted from the store is `deleted`, not `outdated`", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/data/a.csv", "a\n");
  await ws.write("bucket/data/b.csv", "bb\n");
  await ws.write("bucket/data/c.csv", "c\n");
  const a = `${ws.bucket}/data/a.csv`;
  const b = `${ws.bucket}/data/b.csv`;
  const c = `${ws.bucket}/data/c.csv`;
  for (const uri of [a, b, c]) assertEquals((await ws.run(["cache", "get", uri])).code, 0);
  await Deno.remove(ws.path("bucket/data/a.csv"));
  await ws.write("bucket/data/b.csv", "changed\n");

  const json = await ws.run(["cache", "ls", "--check-remote", "--json"]);
  assertEquals(json.code, 0, json.stderr);
  const entries = json.json<{ uri: string; outdated?: boolean; remoteDeleted?: boolean }[]>();
  const of = (uri: string) => entries.find((e) => e.uri === uri);
  assertEquals([of(a)?.outdated, of(a)?.remoteDeleted], [true, true]);
  assertEquals([of(b)?.outdated, of(b)?.remoteDeleted], [true, undefined]);
  assertEquals([of(c)?.outdated, of(c)?.remoteDeleted], [false, undefined]);

  const human = await ws.run(["cache", "ls", "--check-remote"]);
  const row = (uri: string) => human.stdout.split("\n").find((l) => l.startsWith(uri + " "));
  assert(row(a)?.trimEnd().endsWith(" deleted"), human.stdout);
  assert(row(b)?.trimEnd().endsWith(" outdated"), human.stdout);
  assert(row(c)?.trimEnd().endsWith(" current"), human.stdout);
});

Deno.test("entry lock: a lock wait under a second is named as given, not rounded to 0s", async () => {
  await withTempDir(async (dir) => {
    const data = `${dir}/data/a.csv`;
    using holder = await acquireEntryLock(data);
    const err = await assertRejects(() => acquireEntryLock(data, { timeout: 200 }));
    assertStringIncludes((err as Error).message, "for more than 0.2s");
    assert(holder.path.endsWith(".vc-tmp-0-shared"));
  }, "vc-lock-");
});
