/**
 * `Repository.add` with an `onProgress` that throws rejected with the bare
 * value thrown (as if the store had failed), and one whose promise rejects
 * (an `async` callback) ended the process with an unhandled rejection. Now
 * either rejects with a `CallbackError` naming `onProgress`, its `cause`
 * what was thrown: the upload is aborted, nothing is recorded and no
 * content object is left in the store. A record added afterwards is as ever.
 */
import { join } from "node:path";
import { CallbackError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";
import { walkFiles } from "../src/walk.ts";
import { assert, assertEquals } from "./assert.ts";

/** The repository's files but its catalog's (which an add writes to whatever it does). */
async function storeFiles(root: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const f of walkFiles(root)) if (!f.key.includes("repo.sqlite")) keys.push(f.key);
  return keys.sort();
}

for (const how of ["throws", "rejects"] as const) {
  Deno.test(`Repository.add: an onProgress that ${how} rejects with a CallbackError, nothing kept`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-repo-add-progress-" });
    try {
      const file = join(dir, "big.bin");
      await Deno.writeFile(file, new Uint8Array(8 * 1024 * 1024).fill(1));
      await using repo = await Repository.init(`file://${dir}/repo`);
      const before = await storeFiles(join(dir, "repo"));
      const boom = new Error(`progress ${how}`);
      const result = await repo.add("/data/big.bin", file, {
        onProgress: how === "throws"
          ? () => {
            throw boom;
          }
          : () => Promise.reject(boom),
      }).then((ok) => ({ ok }), (error: unknown) => ({ error }));
      assert("error" in result, `resolved: ${JSON.stringify(result)}`);
      assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
      assertEquals(result.error.callback, "onProgress");
      assert(result.error.cause === boom, `cause: ${result.error.cause}`);
      assertEquals(await repo.list(), []);
      assertEquals(await storeFiles(join(dir, "repo")), before);
      const r = await repo.add("/data/big.bin", file);
      assertEquals(r.size, 8 * 1024 * 1024);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
