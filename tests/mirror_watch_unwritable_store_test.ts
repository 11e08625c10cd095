/**
 * `vc mirror --watch` into a `file://` store whose directory it cannot
 * write (immutable, or read-only for a user other than root): the initial
 * pass and each batch of events said one line of the same refusal per file
 * (20 lines, "… and N more"). Each says it once now, naming a few paths,
 * the count, and the directory to give write access to.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { canMakeUnwritable, withUnwritableDir } from "./unwritable_dir.ts";

Deno.test({
  name:
    "vc mirror --watch, file:// store unwritable: the initial pass and a batch each say one line",
  ignore: Deno.build.os === "windows" || !canMakeUnwritable, // no SIGTERM on Windows
  async fn() {
    const dir = await Deno.realPath(
      await Deno.makeTempDir({ prefix: "vc_mirror_watch_ro_store_" }),
    );
    const store = join(dir, "store");
    try {
      await Deno.mkdir(join(dir, "data"));
      await Deno.mkdir(store);
      for (let i = 0; i < 40; i++) await Deno.writeTextFile(join(dir, "data", `a${i}.txt`), "a");
      const text = await withUnwritableDir(store, async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", ...PERMISSION_FLAGS, fileURLToPath(new URL("../cli.ts", import.meta.url))]
            .concat(["mirror", "data", pathToFileURL(store).href, "--watch"])
            .concat(["--debounce", "100ms", "--state", "s.db"]),
          cwd: dir,
          env: { HOME: dir, VC_CACHE_DIR: join(dir, "cache"), NO_COLOR: "1" },
          stdout: "null",
          stderr: "piped",
        }).spawn();
        const chunks: string[] = [];
        const stderr = () => chunks.join("");
        const reading = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
          new WritableStream({ write: (s) => void chunks.push(s) }),
        );
        const until = async (ok: () => boolean) => {
          for (let i = 0; i < 600 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
        };
        try {
          await until(() => stderr().includes("initial:"));
          // One event: a directory of 30 files moved in (no batch split by timing).
          await Deno.mkdir(join(dir, "staging"));
          for (let i = 0; i < 30; i++) {
            await Deno.writeTextFile(join(dir, "staging", `b${i}.txt`), "b");
          }
          await Deno.rename(join(dir, "staging"), join(dir, "data", "b"));
          await until(() => /events: .*30 failed/.test(stderr()));
        } finally {
          child.kill("SIGTERM");
          await child.status;
          await reading;
        }
        return stderr();
      });
      const refusals = text.split("\n").filter((l) => l.includes("write access to the store's"));
      assertEquals(refusals.length, 2, text);
      assertStringIncludes(refusals[0]!, `40 paths (${join(dir, "data", "a0.txt")}`);
      assertStringIncludes(refusals[1]!, `30 paths (${join(dir, "data", "b", "b0.txt")}`);
      assertEquals(text.includes("more failures"), false, text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
