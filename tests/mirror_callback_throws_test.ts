/**
 * A `mirror` callback that throws was counted as a failure of every file:
 * `onAction` throwing made the mirror resolve with each file failed "cb
 * boom" (the files were fine; the caller's code was not), and `onProgress`
 * throwing stopped the run with a `VcError` around it. Now either stops the
 * run with a `CallbackError` naming the callback, its `cause` what was
 * thrown: nothing is counted as failed, nothing more is transferred or
 * deleted, and a run without the callback then mirrors everything.
 */
import { join } from "node:path";
import { CallbackError, openStore } from "../mod.ts";
import { mirror, type MirrorOptions } from "../src/mirror/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { storeContents, treeContents, writeTree } from "./mirror_helpers.ts";

/** The objects of the `file://` store at `dir` (none when it was never made). */
async function objects(dir: string): Promise<Record<string, string>> {
  try {
    await Deno.stat(dir);
  } catch {
    return {};
  }
  return await storeContents(await openStore(`file://${dir}`));
}

const FILES = { "a.txt": "aaa", "b.txt": "bbb", "d/c.txt": "ccc" };

async function rejectsWith(options: MirrorOptions, callback: string, thrown: Error): Promise<void> {
  const error = await assertRejects(() => mirror(options), CallbackError);
  assertEquals(error.callback, callback);
  assert(error.cause === thrown, `cause: ${error.cause}`);
  assert(error.message.includes(callback) && error.message.includes(thrown.message), error.message);
}

Deno.test("mirror: an onAction that throws stops the upload, no file counted failed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_mirror_cb_" });
  try {
    await writeTree(join(dir, "src"), FILES);
    const store = join(dir, "store");
    const target = `file://${store}`;
    const base = { sources: [join(dir, "src")], target, statePath: join(dir, "s.db") };
    const boom = new Error("cb boom");
    await rejectsWith(
      {
        ...base,
        onAction: () => {
          throw boom;
        },
      },
      "onAction",
      boom,
    );
    // Nothing uploaded (each upload is told before it starts), no temp file.
    assertEquals(await objects(store), {});
    const report = await mirror(base);
    assertEquals([report.transferred, report.failed], [3, []]);
    assertEquals(await objects(store), FILES);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror: an onAction that throws stops a download and the deletes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_mirror_cb_" });
  try {
    await writeTree(join(dir, "store"), FILES);
    const boom = new Error("cb boom");
    const down = {
      sources: [`file://${join(dir, "store")}`],
      target: join(dir, "down"),
      statePath: join(dir, "d.db"),
    };
    await rejectsWith(
      {
        ...down,
        onAction: () => {
          throw boom;
        },
      },
      "onAction",
      boom,
    );
    assertEquals(await treeContents(join(dir, "down")).catch(() => ({})), {});
    // Up to date but for one key to delete: its delete is told, and not done.
    await writeTree(join(dir, "src"), { "a.txt": "aaa" });
    const up = {
      sources: [join(dir, "src")],
      target: `file://${join(dir, "store")}`,
      statePath: join(dir, "u.db"),
      delete: true,
    };
    await rejectsWith(
      {
        ...up,
        onAction: (a) => {
          if (a.action === "delete") throw boom;
        },
      },
      "onAction",
      boom,
    );
    assertEquals(await objects(join(dir, "store")), FILES);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror: an onProgress that throws rejects with a CallbackError carrying it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_mirror_cb_" });
  try {
    await writeTree(join(dir, "src"), FILES);
    const boom = new Error("progress boom");
    const options = {
      sources: [join(dir, "src")],
      target: `file://${join(dir, "store")}`,
      statePath: join(dir, "s.db"),
      onProgress: () => {
        throw boom;
      },
    };
    await rejectsWith(options, "onProgress", boom);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
