/**
 * An upload whose `If-Match` / `If-None-Match` already fails on the stored
 * entry is refused with 412 as its body starts to arrive, not after all of
 * it went to the store: two jobs racing to store one output with
 * `If-None-Match: *` (the second is refused) no longer send, and write to
 * the store and delete, a whole file for a 412. Before, the precondition was
 * checked only at the switch, once the file had arrived (a 60 MB curl upload
 * sent every byte, and the store got all of it, for its 412). The check at
 * the switch stays: it is the one on the version the upload replaces.
 *
 * Driven by Deno's fetch (always) and by curl (where installed), each with a
 * body that sends its first bytes and then holds the rest back: refused
 * early, the answer is 412; checked only at the end, it was a 408 once the
 * body had been silent for the service's body idle timeout.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import { keys, newCacheId, startService, type TestService, upload } from "./server_helpers.ts";
import { commandAvailable } from "./command_available.ts";

const enc = new TextEncoder();
const BOUNDARY = "vcEarlyCheck";
const HEAD = enc.encode(
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="late.bin"\r\n` +
    `Content-Type: application/octet-stream\r\n\r\n`,
);

/** A service (body idle timeout 3 s: a body held back is a 408 there) with one stored file. */
async function serviceWithFile(
  options: { maxBytesPerIdentity?: number } = {},
): Promise<{ t: TestService; id: string; etag: string }> {
  const t = await startService({ bodyIdleTimeoutMs: 3_000, ...options });
  try {
    const alice = t.tokens.alice;
    const id = (await newCacheId(t.url, alice, { early: 1 })).doc.cache_id as string;
    assertEquals((await upload(t.url, alice, id, "first")).status, 200);
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      method: "HEAD",
      headers: { authorization: alice },
    });
    await res.body?.cancel();
    return { t, id, etag: res.headers.get("etag")! };
  } catch (e) {
    await t[Symbol.asyncDispose]();
    throw e;
  }
}

async function assertUnchanged(t: TestService, id: string): Promise<void> {
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    headers: { authorization: t.tokens.alice },
  });
  assertEquals(await res.text(), "first");
  assertEquals((await keys(t.store, "data/")).length, 1, "the refused upload left no data");
}

Deno.test("fetch: an upload whose If-None-Match / If-Match fails gets 412 before its body is sent", async () => {
  // With a quota too, whose upload path reads the entry before the body.
  for (const options of [{}, { maxBytesPerIdentity: 1 << 30 }]) {
    await refusedEarly(options);
  }
});

async function refusedEarly(options: { maxBytesPerIdentity?: number }): Promise<void> {
  const { t, id, etag } = await serviceWithFile(options);
  await using _ = t;
  for (
    const headers of [{ "if-none-match": "*" }, { "if-match": '"another"' }, {
      "if-none-match": etag,
    }]
  ) {
    let held: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        held = controller;
        controller.enqueue(HEAD);
        controller.enqueue(new Uint8Array(64 * 1024));
        // The rest is held back until the answer came.
      },
    });
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      method: "POST",
      headers: {
        authorization: t.tokens.alice,
        "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
        ...headers,
      },
      body,
    });
    const doc = await res.json();
    try {
      held!.close();
    } catch {
      // cancelled by fetch once the answer came
    }
    assertEquals([res.status, doc.status], [412, "error"], JSON.stringify(headers));
    assertEquals(res.headers.get("etag"), etag);
    await assertUnchanged(t, id);
  }
  // A precondition that holds still stores the file.
  assertEquals((await upload(t.url, t.tokens.alice, id, "second")).status, 200);
}

Deno.test({
  name: "curl: -H 'If-None-Match: *' -F file=@/dev/stdin gets 412 while its input is still open",
  ignore: !commandAvailable("curl") || Deno.build.os === "windows", // curl not installed; no /dev/stdin
  async fn() {
    const { t, id } = await serviceWithFile();
    await using _ = t;
    const child = new Deno.Command("curl", {
      args: [
        "-sS",
        "-o",
        "-",
        "-w",
        "\n%{http_code}",
        "-H",
        `Authorization: ${t.tokens.alice}`,
        "-H",
        "If-None-Match: *",
        "-F",
        // A pipe of unknown length: curl streams it chunked (`@-` reads it all first).
        "file=@/dev/stdin;filename=late.bin",
        `${t.url}/v1/cache/${id}`,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Standard input never ends: curl can only finish on an answer that
    // comes before its body is whole. Checked only once the file had
    // arrived, the upload ran on until a limit or the guard below ended it.
    const writer = child.stdin.getWriter();
    const feeding = (async () => {
      const chunk = new Uint8Array(64 * 1024);
      while (await writer.write(chunk).then(() => true, () => false));
    })();
    const guard = setTimeout(() => child.kill(), 30_000);
    try {
      const out = await child.output();
      const text = new TextDecoder().decode(out.stdout);
      assertEquals(text.slice(text.lastIndexOf("\n") + 1), "412", text);
      assertStringIncludes(text, "If-None-Match");
    } finally {
      clearTimeout(guard);
      try {
        child.kill();
      } catch {
        // already exited
      }
      await feeding;
      await writer.close().catch(() => {});
    }
    await assertUnchanged(t, id);
  },
});

Deno.test("an early refusal is never made on a stale view: another instance's delete lets If-None-Match: * store", async () => {
  const { t: a, id } = await serviceWithFile();
  await using _ = a;
  // Instance B on the same store and token file deletes the file A stored
  // (A still remembers it) and asks for the ID again (a new placeholder).
  await using b = await startService({ store: new FsStore(`${a.dir}/store`) });
  await Deno.copyFile(a.tokenFile, b.tokenFile);
  const del = await fetch(`${b.url}/v1/cache/${id}`, {
    method: "DELETE",
    headers: { authorization: a.tokens.alice },
  });
  assertEquals([del.status, (await del.json()).status], [200, "ok"]);
  const again = await newCacheId(b.url, a.tokens.alice, { early: 1 });
  assertEquals(again.doc.cache_id, id);
  const form = new FormData();
  form.append("file", new Blob(["after"]), "out.txt");
  const res = await fetch(`${a.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: a.tokens.alice, "if-none-match": "*" },
    body: form,
  });
  assertEquals([res.status, (await res.json()).status], [200, "ok"]);
  const got = await fetch(`${b.url}/v1/cache/${id}`, {
    headers: { authorization: a.tokens.alice },
  });
  assertEquals(await got.text(), "after");
});
