/**
 * `VersionedCache`'s callbacks other than `add`'s and `update`'s upload
 * `onProgress` (`versions`' and `lsRemote`'s `onProgress` and `onWarning`,
 * `sync`'s and `verify`'s `onProgress`, `add`'s and `update`'s
 * `onListProgress`, `onHashProgress` and `onWarning`, `fillLock`'s and
 * `checkLock`'s `onProgress`) that threw rejected
 * with the bare value thrown (or, in `sync`, failed one entry while the
 * others went on); one whose promise rejects (an `async` callback) ended the
 * process with an unhandled rejection. Now each stops the call as an abort
 * does and rejects with a `CallbackError` naming the callback, its `cause`
 * what was thrown; nothing is published, the manifest is unchanged.
 */
import { join } from "node:path";
import { CallbackError } from "../src/errors.ts";
import { checkLock, fillLock } from "../src/versioned/lock_ops.ts";
import { assert, assertEquals } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

type How = "throws" | "rejects";
type Call =
  | "versions"
  | "lsRemote"
  | "sync"
  | "verify"
  | "add onListProgress"
  | "add onHashProgress"
  | "update onHashProgress"
  | "update onListProgress"
  | "versions onWarning"
  | "fillLock"
  | "checkLock";

const CASES: [Call, How][] = [
  ["versions", "throws"],
  ["versions", "rejects"],
  ["lsRemote", "throws"],
  ["lsRemote", "rejects"],
  ["sync", "throws"],
  ["sync", "rejects"],
  ["verify", "throws"],
  ["verify", "rejects"],
  ["add onListProgress", "throws"],
  ["add onListProgress", "rejects"],
  ["add onHashProgress", "throws"],
  ["update onHashProgress", "rejects"],
  ["update onListProgress", "throws"],
  ["versions onWarning", "throws"],
  ["fillLock", "throws"],
  ["fillLock", "rejects"],
  ["checkLock", "throws"],
  ["checkLock", "rejects"],
];

for (const [call, how] of CASES) {
  Deno.test(`VersionedCache.${call}: a callback that ${how} rejects with a CallbackError`, async () => {
    await using w = await workspace();
    const file = join(w.dir, "a.csv");
    await Deno.writeTextFile(file, "a\n");
    assertEquals(await w.vc.add("/data/a.csv", file), "1.0.0");
    await Deno.writeTextFile(file, "b\n");
    const manifest = await Deno.readTextFile(w.manifest);
    const lockFile = w.vc.lockFile!;
    // Nothing to lock, fillLock calls no callback: it has the entry to add.
    if (call === "fillLock") await Deno.remove(lockFile);
    const lock = await Deno.readTextFile(lockFile).catch(() => undefined);
    const boom = new Error(`${call} ${how}`);
    const fail = () => {
      if (how === "throws") throw boom;
      return Promise.reject(boom);
    };
    let name = "onProgress";
    let run: Promise<unknown>;
    switch (call) {
      case "versions":
        run = w.vc.versions("/data/a.csv", { onProgress: fail });
        break;
      case "versions onWarning":
        // A key shaped as a version too large to order: said to onWarning.
        await Deno.writeTextFile(join(w.bucket, "data", "a.1.0.99999999999999999999.csv"), "x");
        name = "onWarning";
        run = w.vc.versions("/data/a.csv", { onWarning: fail });
        break;
      case "lsRemote":
        run = w.vc.lsRemote({ onProgress: fail });
        break;
      case "sync":
        run = w.vc.sync(join(w.dir, "out"), { onProgress: fail });
        break;
      case "verify":
        run = w.vc.verify({ onProgress: fail });
        break;
      case "add onListProgress":
        name = "onListProgress";
        run = w.vc.add("/data/b.csv", file, { onListProgress: fail });
        break;
      case "add onHashProgress":
        name = "onHashProgress";
        run = w.vc.add("/data/b.csv", file, { onHashProgress: fail });
        break;
      case "update onHashProgress":
        name = "onHashProgress";
        run = w.vc.update("/data/a.csv", file, { minor: true }, { onHashProgress: fail });
        break;
      case "fillLock":
        run = fillLock(w.vc, { onProgress: fail });
        break;
      case "checkLock":
        run = checkLock(w.vc, { onProgress: fail });
        break;
      case "update onListProgress":
        name = "onListProgress";
        run = w.vc.update("/data/a.csv", file, { minor: true }, { onListProgress: fail });
        break;
    }
    const result = await run.then((ok) => ({ ok }), (error: unknown) => ({ error }));
    assert("error" in result, `resolved: ${JSON.stringify(result)}`);
    assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
    assertEquals(result.error.callback, name);
    assert(result.error.cause === boom, `cause: ${result.error.cause}`);
    // Nothing published, the manifest as it was.
    assertEquals(await Deno.readTextFile(w.manifest), manifest);
    assertEquals(await Deno.readTextFile(lockFile).catch(() => undefined), lock);
    assertEquals(await w.vc.versions("/data/a.csv", { onWarning: () => {} }), ["1.0.0"]);
    assertEquals(await w.vc.versions("/data/b.csv"), []);
  });
}
