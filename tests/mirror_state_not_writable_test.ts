/**
 * A mirror state file in a place this user may not write (another user's
 * directory, a read-only disk). The run was refused with the system's words
 * alone (`Permission denied (os error 13): open '…/st.sqlite.lock'`), naming
 * neither the state file nor a way out; and a state file whose directory is
 * not writable (SQLite cannot make its `-wal` beside it) was called unusable
 * with the advice to remove it, which cannot help: a new one could not be
 * written there either. Both now name the state file and say to run as its
 * owner or pass `--state` with a file in a writable directory.
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { mirror } from "../src/mirror/mirror.ts";
import { asNobody, canRunAsNobody } from "./as_nobody.ts";

Deno.test({
  name: "mirror: a state file this user may not write is named, with a way out " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-state-not-writable-" });
    try {
      const src = join(dir, "src");
      const store = join(dir, "store");
      const rootOnly = join(dir, "root-only");
      await Deno.mkdir(src);
      await Deno.mkdir(store);
      await Deno.mkdir(rootOnly);
      await Deno.writeTextFile(join(src, "a.txt"), "a\n");
      const target = pathToFileURL(store).href;
      // A state file root made (its lock too) and handed to nobody, in a
      // directory only root may write: SQLite cannot make its -wal there.
      const handed = join(rootOnly, "handed.sqlite");
      await mirror({ sources: [src], target, statePath: handed });
      await new Deno.Command("chmod", { args: ["-R", "a+rwX", dir] }).output();
      await Deno.chmod(rootOnly, 0o755);
      await Deno.chown(handed, 65534, 65534);
      await Deno.chown(`${handed}.lock`, 65534, 65534);
      const cases = [
        // The lock cannot be made beside it.
        join(rootOnly, "new.sqlite"),
        // Nor the directory it goes in.
        join(rootOnly, "sub", "new.sqlite"),
        handed,
      ];
      for (const state of cases) {
        const out = await asNobody(dir, { vc: ["mirror", src, target, "--state", state] });
        assertEquals(out.code, 1, out.stderr);
        assertStringIncludes(out.stderr, `mirror state file ${state} `);
        assertStringIncludes(out.stderr, "not writable by this user");
        assertStringIncludes(out.stderr, "--state");
        assert(!out.stderr.includes("remove it"), out.stderr);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
