/**
 * `Repository.gc` and `check` stop on their signal with its reason (Ctrl-C
 * in `vc repo gc` / `vc repo check`); what a stopped gc did stays done and a
 * later gc finishes the rest.
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
    // Stopped after its first step: that step stays done.
    const phases: string[] = [];
    const controller = new AbortController();
    const midway = await repo.gc({
      signal: controller.signal,
      onPhase: (phase) => {
        phases.push(phase);
        if (phases.length === 2) controller.abort(reason);
      },
    }).then(() => "done", (e) => e);
    assertEquals(midway, reason);
    assertEquals((await repo.get(a.id)).state, "expired");
    const report = await repo.gc();
    assertEquals(report.expired, []);
    assertEquals((await repo.check()).ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
