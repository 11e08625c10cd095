/**
 * A PostgreSQL catalog's time in a long-running process: the offset to the
 * server's clock, measured when the repository opened, is measured again once
 * this machine's wall clock is set (an NTP step after boot), so a worker whose
 * clock was stepped forward cannot take another machine's live claim; and
 * again every 10 minutes, as a machine without NTP drifts away from the
 * server's time with no step to notice (50 ppm is 4.3 s a day): a worker
 * running for days judged claims by a clock seconds off the server's.
 */
import { assert, assertEquals } from "./assert.ts";
import { pgCases } from "./pg_server.ts";
import { catalogClock, Repository } from "../src/repo/repository.ts";
import { systemClock } from "../src/clock.ts";

const TEN_MINUTES = 600_000;

pgCases("repo on PostgreSQL: clock steps", [[
  "a catalog clock measures its offset again after a wall clock step",
  async (url) => {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_clock_step_" });
    try {
      await using repo = await Repository.init(`file://${dir}/store`, { catalog: url });
      let step = 0;
      const base = {
        now: () => Date.now() + step,
        sleep: systemClock.sleep,
        monotonic: () => performance.now(),
      };
      const clock = await catalogClock(repo.catalog, base);
      for (const set of [TEN_MINUTES, -TEN_MINUTES]) {
        step = set;
        await clock.resync();
        const off = clock.now() - Date.now();
        assert(Math.abs(off) < 2_000, `after a ${set} ms step the clock reads ${off} ms off`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
], [
  "a catalog clock measures its offset again as time passes (a drifting clock, no step)",
  async (url) => {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_clock_drift_" });
    try {
      await using repo = await Repository.init(`file://${dir}/store`, { catalog: url });
      // A day on this machine's clocks (wall and monotonic alike: no step),
      // and the 4.32 s a clock 50 ppm fast gains over it on the server's.
      let ran = 0;
      const base = {
        now: () => Date.now() + ran,
        sleep: systemClock.sleep,
        monotonic: () => performance.now() + ran,
      };
      const clock = await catalogClock(repo.catalog, base);
      ran = 86_400_000 + 4_320;
      await clock.resync();
      const off = clock.now() - Date.now();
      assert(Math.abs(off) < 2_000, `after a day's drift the clock reads ${off} ms off`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
], [
  "a worker whose clock is stepped forward after opening cannot take a live claim",
  async (url) => {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_clock_step_" });
    const realNow = Date.now;
    try {
      await using first = await Repository.init(`file://${dir}/store`, { catalog: url });
      const record = await first.add("/a.csv", new TextEncoder().encode("a"), { tags: ["todo"] });
      await first.publish(record.id);
      // The worker opens (measuring its offset), then its clock is stepped.
      await using worker = await Repository.open(`file://${dir}/store`, { postgresUrl: url });
      const held = await first.claim({ tag: "todo", ttlMs: 300_000 });
      assertEquals(held?.record.id, record.id);
      // This process's wall clock set 10 minutes forward (the monotonic one,
      // as a real step, not): `first` is on server time as well, so only the
      // claim's holder and its ttl decide.
      Date.now = () => realNow() + TEN_MINUTES;
      assertEquals(await worker.claim({ tag: "todo", ttlMs: 300_000 }), undefined);
      // Its own claims last their ttl on the server's time too.
      const other = await first.add("/b.csv", new TextEncoder().encode("b"), { tags: ["todo"] });
      await first.publish(other.id);
      const mine = await worker.claim({ tag: "todo", ttlMs: 300_000 });
      assertEquals(mine?.record.id, other.id);
      const until = Date.parse(mine!.until) - realNow();
      assert(Math.abs(until - 300_000) < 5_000, `a 5 min claim holds ${until} ms on server time`);
    } finally {
      Date.now = realNow;
      await Deno.remove(dir, { recursive: true });
    }
  },
]]);
