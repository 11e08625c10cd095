/**
 * `Repository.gc`, `check` and `backup` stop on their signal with its reason
 * (Ctrl-C in `vc repo gc` / `check` / `backup`); what a stopped gc did stays
 * done and a later gc finishes the rest; a stopped backup writes nothing.
 */
import { assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/repository.ts";

Deno.test("repo gc and check stop on their signal; a later gc finishes the work", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using repo = await Repository.init(`file://${dir}`);
    const a = await repo.add("/x", new Uint8Array([1]));
    const b = await repo.add("/x", new Uint8Array([2]));
    await repo.publish(a.id);
    await repo.publish(b.id);
    const reason = new Error("interrupted");
    const stopped = AbortSignal.abort(reason);
    assertEquals(await repo.gc({ signal: stopped }).then(() => "done", (e) => e), reason);
    assertEquals(await repo.check({ signal: stopped }).then(() => "done", (e) => e), reason);
    // Stopped before its first step: nothing changed.
    assertEquals((await repo.get(a.id)).state, "published");
    // Stopped after the step that expires (gc lists the store's content
    // first, which changes nothing): that step stays done.
    const phases: string[] = [];
    const controller = new AbortController();
    const midway = await repo.gc({
      signal: controller.signal,
      onPhase: (phase) => {
        if (phases.at(-1) === "expiring superseded versions") controller.abort(reason);
        phases.push(phase);
      },
    }).then(() => "done", (e) => e);
    assertEquals(midway, reason);
    assertEquals(phases.slice(0, 2), ["listing content", "expiring superseded versions"]);
    assertEquals((await repo.get(a.id)).state, "expired");
    const report = await repo.gc();
    assertEquals(report.expired, []);
    assertEquals((await repo.check()).ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo backup stops on its signal: no snapshot is written, its upload is stopped too", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using repo = await Repository.init(`file://${dir}/repo`);
    await repo.add("/x", new Uint8Array([1]));
    const reason = new Error("interrupted");
    const stopped = AbortSignal.abort(reason);
    assertEquals(
      await repo.backup(undefined, { signal: stopped }).then(() => "done", (e) => e),
      reason,
    );
    const dest = `file://${dir}/elsewhere/catalog.jsonl.gz`;
    assertEquals(await repo.backup(dest, { signal: stopped }).then(() => "done", (e) => e), reason);
    const names = async (path: string) => {
      try {
        return (await Array.fromAsync(Deno.readDir(path))).map((e) => e.name);
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) return [];
        throw e;
      }
    };
    assertEquals(await names(`${dir}/repo/backups`), []);
    assertEquals(await names(`${dir}/elsewhere`), []);
    // The upload itself gets the signal: a store that waits for it is stopped by it.
    const controller = new AbortController();
    const put = repo.store.put.bind(repo.store);
    let sawSignal = false;
    repo.store.put = (key, body, options) => {
      sawSignal = options?.signal === controller.signal;
      controller.abort(reason);
      return put(key, body, options);
    };
    assertEquals(
      await repo.backup(undefined, { signal: controller.signal }).then(() => "done", (e) => e),
      reason,
    );
    assertEquals(sawSignal, true);
    assertEquals(await names(`${dir}/repo/backups`), []);
    // Without a signal it still works.
    const done = await repo.backup();
    assertEquals(done.counts.records, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
