/**
 * `Repository.gc` and `check` with a callback that throws (`onPhase`,
 * `onProgress`, `onListed`) rejected with the bare value thrown, as if the
 * store or catalog had failed; one whose promise rejects (an `async`
 * callback) ended the process with an unhandled rejection. Now each stops
 * the call as an abort does and rejects with a `CallbackError` naming the
 * callback, its `cause` what was thrown, and the repository is left as a
 * later gc or check finds it whole.
 */
import { CallbackError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";
import { assert, assertEquals } from "./assert.ts";

type Call = "gc" | "check";
const CASES: [Call, "onPhase" | "onProgress" | "onListed", "throws" | "rejects"][] = [
  ["gc", "onPhase", "throws"],
  ["gc", "onProgress", "throws"],
  ["gc", "onProgress", "rejects"],
  ["check", "onProgress", "throws"],
  ["check", "onListed", "rejects"],
];

for (const [call, name, how] of CASES) {
  Deno.test(`Repository.${call}: an ${name} that ${how} rejects with a CallbackError`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-repo-cb-" });
    try {
      await using repo = await Repository.init(`file://${dir}/repo`);
      for (let i = 0; i < 3; i++) {
        await repo.publish((await repo.add("/a.bin", new Uint8Array(16).fill(i))).id);
      }
      const boom = new Error(`${name} ${how}`);
      const callback = how === "throws"
        ? () => {
          throw boom;
        }
        : () => Promise.reject(boom);
      const result =
        await (call === "gc" ? repo.gc({ [name]: callback }) : repo.check({ [name]: callback }))
          .then((ok) => ({ ok }), (error: unknown) => ({ error }));
      assert("error" in result, `resolved: ${JSON.stringify(result)}`);
      assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
      assertEquals(result.error.callback, name);
      assert(result.error.cause === boom, `cause: ${result.error.cause}`);
      // Whole: a gc and a check without the callback go through.
      await repo.gc();
      assertEquals((await repo.check()).problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
