/**
 * `FsStore.list` over a directory holding names that are not valid UTF-8
 * (Latin-1 `café.txt` from an old zip archive, copied in by hand). Deno reads
 * such a name with U+FFFD, and the path so spelt names no file: the listing
 * left the file, and a whole directory of that kind with every key below it,
 * out without a word, so a mirror from the store skipped them unsaid. Each is
 * now named to `onWarning`, as a local walk names them, and a name that reads
 * the same as a real key's is not listed twice. Linux only: the names are made
 * with `printf` (Deno cannot name a file with bytes that are not UTF-8), and
 * macOS refuses such names.
 */
import { FsStore } from "../src/store/fs.ts";
import type { ListWarning } from "../src/store/types.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test({
  name:
    "FsStore: list names a file or directory whose name is not UTF-8 instead of leaving it out unsaid",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_fs_list_not_utf8_" });
    try {
      const store = new FsStore(dir);
      await store.put("ok.txt", new TextEncoder().encode("ok"));
      // A real key spelt with U+FFFD, which the Latin-1 name below reads as.
      await store.put("caf\uFFFD.txt", new TextEncoder().encode("real"));
      const made = await new Deno.Command("sh", {
        args: [
          "-c",
          `printf x > "$1/$(printf 'caf\\351.txt')" && printf y > "$1/$(printf 'na\\357ve.txt')" && ` +
          `mkdir "$1/$(printf 'd\\351j\\340')" && printf z > "$1/$(printf 'd\\351j\\340')/in.txt"`,
          "sh",
          dir,
        ],
      }).output();
      assert(made.success, "the Latin-1 names were made");
      const warnings: ListWarning[] = [];
      const keys: string[] = [];
      for await (const info of store.list("", { onWarning: (w) => warnings.push(w) })) {
        keys.push(info.key);
      }
      assertEquals(keys, ["caf\uFFFD.txt", "ok.txt"]);
      const said = warnings.map((w) => w.message).sort();
      assertEquals(said.length, 3, said.join("\n"));
      assert(said.every((m) => m.includes("not valid UTF-8")), said.join("\n"));
      assert(said.some((m) => m.includes("skipped directory d\uFFFDj\uFFFD/")), said.join("\n"));
      assert(said.some((m) => m.includes("skipped na\uFFFDve.txt")), said.join("\n"));
      assert(said.some((m) => m.includes("skipped caf\uFFFD.txt")), said.join("\n"));
      // The real key spelt with U+FFFD is the one read.
      const { body } = await store.get("caf\uFFFD.txt");
      assertEquals(await new Response(body).text(), "real");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
