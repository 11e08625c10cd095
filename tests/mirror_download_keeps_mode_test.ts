/**
 * A store → local mirror that replaces a file whose object changed keeps the
 * file's permission bits: a user's private (0600) file came back 0644 under
 * the usual umask, readable by everyone, and a script the user made
 * executable lost its x bit at every update of its object. `vc get` and the
 * cache service's download keep an existing DEST's bits the same way.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

const posix = Deno.build.os !== "windows";

Deno.test({
  name: "mirror store → local: a replaced file keeps its permission bits",
  ignore: !posix, // permission bits are POSIX
  async fn() {
    await using w = await tempDir();
    const fs = new FsStore(join(w.dir, "store"));
    try {
      const put = (key: string, text: string) => fs.put(key, new TextEncoder().encode(text));
      await put("secret.txt", "v1");
      await put("run.sh", "echo v1\n");
      await put("plain.txt", "v1");
      const dl = join(w.dir, "dl");
      const statePath = join(w.dir, "s.db");
      const first = await mirror({ sources: [fs], target: dl, statePath });
      assertEquals(first.failed, []);
      await Deno.chmod(join(dl, "secret.txt"), 0o600);
      await Deno.chmod(join(dl, "run.sh"), 0o750);
      const plainMode = (await Deno.stat(join(dl, "plain.txt"))).mode! & 0o777;
      await put("secret.txt", "v2, longer");
      await put("run.sh", "echo v2, longer\n");
      await put("plain.txt", "v2, longer");
      const second = await mirror({ sources: [fs], target: dl, statePath });
      assertEquals(second.failed, []);
      assertEquals(second.transferred, 3);
      assertEquals(await Deno.readTextFile(join(dl, "secret.txt")), "v2, longer");
      const mode = async (name: string) => (await Deno.stat(join(dl, name))).mode! & 0o7777;
      assertEquals(await mode("secret.txt"), 0o600);
      assertEquals(await mode("run.sh"), 0o750);
      assertEquals(await mode("plain.txt"), plainMode);
    } finally {
      await fs.close?.();
    }
  },
});

Deno.test({
  name: "mirror store → local: a set-ID bit of a replaced file is not kept",
  ignore: !posix, // permission bits are POSIX
  async fn() {
    await using w = await tempDir();
    const fs = new FsStore(join(w.dir, "store"));
    try {
      await fs.put("tool", new TextEncoder().encode("v1"));
      const dl = join(w.dir, "dl");
      const statePath = join(w.dir, "s.db");
      assertEquals((await mirror({ sources: [fs], target: dl, statePath })).failed, []);
      await Deno.chmod(join(dl, "tool"), 0o4755);
      await fs.put("tool", new TextEncoder().encode("v2, other bytes"));
      assertEquals((await mirror({ sources: [fs], target: dl, statePath })).failed, []);
      assertEquals((await Deno.stat(join(dl, "tool"))).mode! & 0o7777, 0o755);
    } finally {
      await fs.close?.();
    }
  },
});

Deno.test({
  name: "mirror store → local run as root: a replaced file keeps its owner and group",
  ignore: !posix || Deno.uid() !== 0, // only root may give a file away
  async fn() {
    await using w = await tempDir();
    const fs = new FsStore(join(w.dir, "store"));
    try {
      await fs.put("mine.txt", new TextEncoder().encode("v1"));
      const dl = join(w.dir, "dl");
      const statePath = join(w.dir, "s.db");
      assertEquals((await mirror({ sources: [fs], target: dl, statePath })).failed, []);
      await Deno.chown(join(dl, "mine.txt"), 65534, 65534);
      await fs.put("mine.txt", new TextEncoder().encode("v2, other bytes"));
      assertEquals((await mirror({ sources: [fs], target: dl, statePath })).failed, []);
      const info = await Deno.stat(join(dl, "mine.txt"));
      assertEquals([info.uid, info.gid], [65534, 65534]);
      assertEquals(await Deno.readTextFile(join(dl, "mine.txt")), "v2, other bytes");
    } finally {
      await fs.close?.();
    }
  },
});
