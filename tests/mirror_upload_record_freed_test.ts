/**
 * A mirror run's upload record (an in-memory SQLite database,
 * `src/mirror/upload_record.ts`) is closed however the run ends: also when
 * it is aborted after some uploads, before they were confirmed. Left to the
 * garbage collector, its native memory (V8 does not see it) stayed with a
 * long-lived process (a library caller, `vc mirror --watch`) after each
 * failed run.
 */
import { join } from "node:path";
import { toFileUrl } from "../src/path.ts";
import { mirror, MirrorInterruptedError } from "../src/mirror/mod.ts";
import { UploadRecord } from "../src/mirror/upload_record.ts";
import { assert, assertEquals } from "./assert.ts";

/** Runs `body` with every UploadRecord that is written to tracked; returns those left open. */
async function openRecordsAfter(body: () => Promise<void>): Promise<number> {
  const open = new Set<UploadRecord>();
  const proto = UploadRecord.prototype;
  const set = proto.set;
  const dispose = proto[Symbol.dispose];
  proto.set = function (this: UploadRecord, ...args: Parameters<UploadRecord["set"]>) {
    open.add(this);
    return set.apply(this, args);
  };
  proto[Symbol.dispose] = function (this: UploadRecord) {
    open.delete(this);
    return dispose.apply(this);
  };
  try {
    await body();
  } finally {
    proto.set = set;
    proto[Symbol.dispose] = dispose;
  }
  for (const record of open) record[Symbol.dispose]();
  return open.size;
}

Deno.test("mirror(): a run aborted after an upload closes its upload record", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_record_freed_" }));
  try {
    await Deno.mkdir(join(dir, "data"));
    await Deno.mkdir(join(dir, "store"));
    for (const name of ["a.txt", "b.txt", "c.txt"]) {
      await Deno.writeTextFile(join(dir, "data", name), name);
    }
    const stop = new AbortController();
    let error: unknown;
    const left = await openRecordsAfter(async () => {
      error = await mirror({
        sources: [join(dir, "data")],
        target: toFileUrl(join(dir, "store")).href,
        statePath: join(dir, "state.sqlite"),
        concurrency: 1,
        signal: stop.signal,
        onProgress: (p) => {
          if (p.done >= 1) stop.abort(new DOMException("interrupted", "AbortError"));
        },
      }).then(() => undefined, (e) => e);
    });
    assert(error instanceof MirrorInterruptedError, String(error));
    assert(error.report.transferred >= 1, "an upload was recorded before the abort");
    assertEquals(left, 0, "upload records left open");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror(): a run that ends well closes its upload record", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_mirror_record_freed_" }));
  try {
    await Deno.mkdir(join(dir, "data"));
    await Deno.mkdir(join(dir, "store"));
    await Deno.writeTextFile(join(dir, "data", "a.txt"), "a");
    let transferred = 0;
    const left = await openRecordsAfter(async () => {
      transferred = (await mirror({
        sources: [join(dir, "data")],
        target: toFileUrl(join(dir, "store")).href,
        statePath: join(dir, "state.sqlite"),
      })).transferred;
    });
    assertEquals(transferred, 1);
    assertEquals(left, 0, "upload records left open");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
