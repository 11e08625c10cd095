/**
 * Every `Repository` method returns a promise, so its refusals must reject
 * it: `repo.get(-1).catch(handle)` must reach `handle`. `get`, `current`,
 * `list`, `find`, `claim` and `renew` threw their `InvalidInputError`
 * synchronously instead (they were not `async`), past any `.catch()`; now
 * each rejects, as the other methods do.
 */
import { assert, assertRejects } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("repo: every method's refusal is a rejected promise, never a synchronous throw", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_rejects_" });
  const A = (x: unknown) => x as never;
  try {
    await using repo = await Repository.init(`file://${dir}/repo`);
    const calls: [string, () => Promise<unknown>][] = [
      ["get", () => repo.get(-1)],
      ["current", () => repo.current("/a/../b")],
      ["heldSpelling", () => repo.heldSpelling(A({ path: "/a", tag: "x" }))],
      ["heldSpelling path", () => repo.heldSpelling({ path: "/a/../b" })],
      ["list state", () => repo.list({ state: A("live") })],
      ["list limit", () => repo.list({ limit: 0 })],
      ["list option", () => repo.list(A({ limt: 1 }))],
      ["find", () => repo.find({ exclude: ["x"] })],
      ["claim", () => repo.claim({ ttlMs: 0 })],
      ["renew", () => repo.renew(-1, "h", 10)],
      ["release", () => repo.release(-1, "h")],
      ["publish", () => repo.publish(-1)],
      ["expire", () => repo.expire(-1)],
      ["purge", () => repo.purge(-1)],
      ["tag", () => repo.tag({ id: -1 }, ["x"])],
      ["untag", () => repo.untag({ id: 1 }, [])],
      ["add", () => repo.add("/a/../b", new Uint8Array(1))],
      ["contentUri", () => repo.contentUri(-1)],
      ["download", () => repo.download(-1)],
      ["gc", () => repo.gc({ graceMs: -1 })],
      ["check", () => repo.check(A({ x: 1 }))],
      ["backup", () => repo.backup(A(5))],
      ["init", () => Repository.init(`file://${dir}/other`, A({ catalg: "x" }))],
      ["open", () => Repository.open(`file://${dir}/repo`, A({ hots: "x" }))],
      ["restore", () => Repository.restore(`file://${dir}/repo`, "x", A({ forse: true }))],
    ];
    for (const [name, call] of calls) {
      let promise: Promise<unknown>;
      try {
        promise = call();
      } catch (error) {
        throw new Error(`${name} threw synchronously: ${(error as Error).message}`);
      }
      assert(promise instanceof Promise, name);
      await assertRejects(() => promise, InvalidInputError);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
