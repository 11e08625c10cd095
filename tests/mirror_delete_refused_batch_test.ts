/**
 * `vc mirror --delete` when the store refuses deletes. S3's DeleteObjects
 * answers per key: with a policy that lets the key delete some objects and
 * not others, or none (an upload-only key, no s3:DeleteObject), the batch
 * answers 200 naming the refused keys. The mirror took any failure of a
 * batch for one it could not place and deleted each of its keys again
 * alone: one DELETE request per object (10,000 refused DELETEs for an
 * upload-only key), though the answer already said which keys failed and
 * the others were gone. It now takes the answer's word: the refused keys
 * fail, each named, the rest count as deleted, and nothing is asked twice.
 */
import { join } from "node:path";
import { assertEquals, assertMatch } from "./assert.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { mirrorUp, tempDir, writeTree } from "./mirror_helpers.ts";
import { mirror } from "../src/mirror/mirror.ts";
import type { ObjectStore } from "../src/store/types.ts";

const DENIED = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";

/** The fake S3 behind a proxy that refuses the deletes of keys `refused` names (all of a batch with `whole`). */
async function refusingDeletes(refused: (key: string) => boolean, whole = false) {
  const seen = { batches: 0, alone: 0 };
  const proxied: Awaited<ReturnType<typeof startS3Proxy>> = await startS3Proxy(
    async (req, forward) => {
      const url = new URL(req.url);
      if (req.method === "POST" && url.searchParams.has("delete")) {
        seen.batches++;
        if (whole) return new Response(DENIED, { status: 403 });
        const keys = [...(await req.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]!);
        for (const key of keys.filter((k) => !refused(k))) await proxied.direct.delete([key]);
        const errors = keys.filter(refused).map((k) =>
          `<Error><Key>${k}</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`
        );
        return new Response(`<DeleteResult>${errors.join("")}</DeleteResult>`, {
          headers: { "content-type": "application/xml" },
        });
      }
      if (req.method === "DELETE") {
        seen.alone++;
        if (whole || refused(decodeURIComponent(url.pathname.slice("/b/".length)))) {
          return new Response(DENIED, { status: 403 });
        }
      }
      return await forward();
    },
    { store: { maxAttempts: 1 } },
  );
  for (let i = 0; i < 30; i++) {
    await proxied.fake.putObject("b", `old/${String(i).padStart(2, "0")}.txt`, "old");
  }
  return { proxied, seen };
}

function mirrorDeleting(dir: string, store: ObjectStore) {
  return mirror({
    sources: [join(dir, "src")],
    target: "s3://b",
    statePath: join(dir, "state.db"),
    openStore: () => Promise.resolve(store),
    delete: true,
  });
}

Deno.test("mirror --delete: keys a DeleteObjects answer refuses fail, the others count as deleted, none is asked again alone", async () => {
  const refused = (key: string) => /^old\/0\d\.txt$/.test(key);
  const { proxied, seen } = await refusingDeletes(refused);
  await using _proxied = proxied;
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "a.txt": "a" });
  const report = await mirrorDeleting(w.dir, proxied.store);
  assertEquals(seen, { batches: 1, alone: 0 });
  assertEquals(report.deleted, 20);
  assertEquals(report.failed.map((f) => f.key), [...Array(10)].map((_, i) => `old/0${i}.txt`));
  for (const f of report.failed) {
    assertMatch(f.error, /^DELETE: access denied \(403 AccessDenied: Access Denied\)/);
  }
  assertEquals(proxied.fake.listKeys("b"), ["a.txt", ...report.failed.map((f) => f.key!)]);
  // The refused keys are tried again by the next run, the deleted ones are not.
  Object.assign(seen, { batches: 0, alone: 0 });
  const again = await mirrorDeleting(w.dir, proxied.store);
  assertEquals([again.deleted, again.failed.length, seen.batches], [0, 10, 1]);
});

Deno.test("mirror --delete: a DeleteObjects refused whole (no s3:DeleteObject) fails its keys without a DELETE each", async () => {
  const { proxied, seen } = await refusingDeletes(() => true, true);
  await using _proxied = proxied;
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "a.txt": "a" });
  const report = await mirrorDeleting(w.dir, proxied.store);
  assertEquals(seen, { batches: 1, alone: 0 });
  assertEquals([report.deleted, report.failed.length], [0, 30]);
  // Each key's line says what a DELETE of it would have said, so the CLI
  // puts them in one line.
  for (const f of report.failed) assertMatch(f.error, /^DELETE: access denied \(403/);
  assertEquals(proxied.fake.listKeys("b").length, 31);
  // Without --delete nothing is asked at all.
  Object.assign(seen, { batches: 0, alone: 0 });
  assertEquals((await mirrorUp(w.dir, proxied.store)).extra, 30);
  assertEquals(seen, { batches: 0, alone: 0 });
});
