// A prefill that stops before the end of its items (an abort) closes the
// caller's iterator of `uris`, as a `for` loop that breaks would: a
// generator reading a file or a stream gets to run its `finally`. An
// iterator that throws midway is reported as the error, after the items
// already taken have finished.
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { prefill, PrefillInterruptedError } from "../src/prefill/prefill.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

async function files(dir: string, n: number): Promise<string[]> {
  const uris: string[] = [];
  for (let i = 0; i < n; i++) {
    uris.push(pathToFileURL(await writeFile(join(dir, "many"), `f${i}.txt`, `${i}`)).href);
  }
  return uris;
}

for (const kind of ["async", "sync"] as const) {
  Deno.test(`prefill aborted mid-stream closes the caller's ${kind} iterator of items`, async () => {
    await using ws = await workspace();
    const uris = await files(ws.dir, 30);
    const controller = new AbortController();
    const reason = new Error("stop");
    let closed = false;
    function* sync(): Generator<string> {
      try {
        for (const [i, uri] of uris.entries()) {
          if (i === 10) controller.abort(reason);
          yield uri;
        }
      } finally {
        closed = true;
      }
    }
    async function* asynchronous(): AsyncGenerator<string> {
      yield* sync();
    }
    const error = await prefill({
      cache: ws.cache,
      uris: kind === "sync" ? sync() : asynchronous(),
      concurrency: 2,
      signal: controller.signal,
    }).then(() => undefined, (e: unknown) => e);
    assert(error instanceof PrefillInterruptedError, String(error));
    assertEquals(error.cause, reason);
    assert(closed, "the iterator of items was left open");
  });
}

Deno.test("prefill: an iterator of items that throws midway is the error; items taken first are done", async () => {
  await using ws = await workspace();
  const uris = await files(ws.dir, 10);
  async function* items(): AsyncGenerator<string> {
    for (const [i, uri] of uris.entries()) {
      if (i === 5) throw new Error("the list broke");
      yield uri;
    }
  }
  let done = 0;
  const error = await prefill({
    cache: ws.cache,
    uris: items(),
    concurrency: 3,
    onProgress: (p) => done = p.done,
  }).then(() => undefined, (e: unknown) => e);
  assertEquals((error as Error).message, "the list broke");
  assertEquals(done, 5);
  for (const uri of uris.slice(0, 5)) {
    assertEquals(await Deno.readTextFile(ws.cache.localPath(uri)), uri.slice(-5, -4));
  }
});
