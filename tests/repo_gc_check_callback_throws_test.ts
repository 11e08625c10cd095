/**
 * `Repository.gc` and `check` with a callback that throws (`onPhase`,
 * `onProgress`, `onListed`) rejected with the bare value thrown, as if the
 * store or catalog had failed; one whose promise rejects (an `async`
 * callback) ended the process with an unhandled rejection. Now each stops
 * the call as an abort does and rejects with a `CallbackError` naming the
 * callback (in its message too, with what was thrown, an `Error` or not),
 * its `cause` what was thrown, and the repository is left whole: a gc
 * stopped at its first call changed nothing, one whose callback's promise
 * rejected finished only the step under way (nothing purged), and a later
 * gc and check find it whole.
 */
import { CallbackError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";
import { assert, assertEquals } from "./assert.ts";

type Call = "gc" | "check";
type How = "throws" | "rejects" | "throws a non-Error";
const CASES: [Call, "onPhase" | "onProgress" | "onListed", How][] = [
  ["gc", "onPhase", "throws"],
  ["gc", "onPhase", "rejects"],
  ["gc", "onPhase", "throws a non-Error"],
  ["gc", "onProgress", "throws"],
  ["gc", "onProgress", "rejects"],
  ["gc", "onProgress", "throws a non-Error"],
  ["check", "onProgress", "throws"],
  ["check", "onListed", "rejects"],
  ["check", "onListed", "throws a non-Error"],
];

for (const [call, name, how] of CASES) {
  Deno.test(`Repository.${call}: an ${name} that ${how} rejects with a CallbackError`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-repo-cb-" });
    try {
      await using repo = await Repository.init(`file://${dir}/repo`);
      for (let i = 0; i < 3; i++) {
        await repo.publish((await repo.add("/a.bin", new Uint8Array(16).fill(i))).id);
      }
      const states = async () => (await repo.list()).map((r) => `${r.id}:${r.state}`);
      const before = await states();
      // A string, for the callback that throws what is no Error.
      const thrown = how === "throws a non-Error" ? `${name} broke` : new Error(`${name} broke`);
      const callback = how === "rejects" ? () => Promise.reject(thrown) : () => {
        throw thrown;
      };
      const options = { [name]: callback, graceMs: 0 };
      const result = await (call === "gc" ? repo.gc(options) : repo.check({ [name]: callback }))
        .then((ok) => ({ ok }), (error: unknown) => ({ error }));
      assert("error" in result, `resolved: ${JSON.stringify(result)}`);
      assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
      assertEquals(result.error.callback, name);
      assert(result.error.cause === thrown, `cause: ${result.error.cause}`);
      assert(
        result.error.message.includes(`the ${name} callback threw: ${name} broke`),
        result.error.message,
      );
      const after = await states();
      if (how === "rejects") {
        // Seen once its promise rejected: the step under way (superseded
        // versions expired, each in a transaction of its own) is done, and
        // every record is still there.
        assertEquals(after.map((s) => s.split(":")[0]), before.map((s) => s.split(":")[0]));
      } else {
        // Stopped at its first call, before it changed anything.
        assertEquals(after, before);
      }
      // Whole: a gc and a check without the callback go through.
      await repo.gc({ graceMs: 0 });
      assertEquals((await states()).map((s) => s.split(":")[1]), [
        "expired",
        "expired",
        "published",
      ]);
      assertEquals((await repo.check()).problems, []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
