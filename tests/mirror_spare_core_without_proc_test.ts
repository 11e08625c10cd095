/**
 * A mirror walks a large tree on a second thread only when the machine has
 * a core to spare (`spareCore`: the 1-minute load at least one below the
 * cores). The load was read from `/proc/loadavg`, which Deno opens only
 * with `--allow-all`: under the permissions the `vc` binary and `deno task
 * vc` run with, the load was never known, so a busy machine always got the
 * second thread, which costs there. Run here in a child with the release
 * permission flags, not `-A`: two cores, a load of 50 (its own `loadavg`
 * answer stubbed; the real one must be allowed too), no core to spare.
 */
import { assertEquals } from "./assert.ts";
import { runWithReleaseFlags } from "./release_flags_script.ts";

const WALK_THREAD = JSON.stringify(new URL("../src/mirror/walk_thread.ts", import.meta.url).href);

const CHILD = `
import { spareCore } from ${WALK_THREAD};
const real = Deno.loadavg(); // allowed under these flags
Object.defineProperty(navigator, "hardwareConcurrency", { value: 2 });
Deno.loadavg = () => [50, 50, 50];
const busy = spareCore();
Deno.loadavg = () => [0, 0, 0];
const idle = spareCore();
console.log(JSON.stringify({ real: real.length, busy, idle }));
`;

Deno.test({
  name: "mirror: under the binary's permissions a busy machine has no core to spare",
  // Windows reports no load: a core is always taken as spare there.
  ignore: Deno.build.os === "windows",
  async fn() {
    const script = await Deno.makeTempFile({ prefix: "vc_spare_core_", suffix: ".ts" });
    try {
      await Deno.writeTextFile(script, CHILD);
      const said = JSON.parse(await runWithReleaseFlags(script));
      assertEquals(said, { real: 3, busy: false, idle: true });
    } finally {
      await Deno.remove(script);
    }
  },
});
