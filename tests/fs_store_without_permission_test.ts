/**
 * A directory store the script's `--allow-read` / `--allow-write` leave out
 * is refused naming the store's directory and the flag to add, as the cache
 * dir is: Deno's own words named a temp file of vc's
 * (`.a.txt.vc-tmp-123-abc`), which allowing would not have helped.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";

const MOD = new URL("../mod.ts", import.meta.url).href;

Deno.test("a file:// store the script may not write or read names its directory and the flag to add", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-fs-store-permission-" });
  try {
    const store = `${dir}/store`;
    await Deno.mkdir(store);
    await Deno.writeTextFile(`${store}/k.txt`, "k");
    await Deno.writeTextFile(
      `${dir}/script.ts`,
      `import { openStore } from ${JSON.stringify(MOD)};
      await using store = await openStore(${JSON.stringify(`file://${store}`)});
      for (const call of [
        () => store.put("a.txt", new TextEncoder().encode("a")),
        () => store.get("k.txt").then((r) => r.body.cancel()),
        () => Array.fromAsync(store.list("")),
      ]) {
        try { await call(); console.log("ok"); } catch (e) { console.log(e.constructor.name + ": " + e.message); }
      }`,
    );
    const run = async (flags: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--no-prompt", "--no-config", ...flags, `${dir}/script.ts`],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim().split("\n");
    };
    // Read but no write: the put is refused, the reads work.
    const [put, get, list] = await run([`--allow-read=${dir}`]);
    assertStringIncludes(put!, `AccessDeniedError: put a.txt in file://${store} failed`);
    assertStringIncludes(
      put!,
      `this script may not write the store's directory ${store}`,
    );
    assertStringIncludes(put!, `run with --allow-read=${store} --allow-write=${store}`);
    assertEquals([get, list], ["ok", "ok"]);
    // Neither: every call names the read permission.
    const none = await run([]);
    assertStringIncludes(none[1]!, `this script may not read the store's directory ${store}`);
    assertStringIncludes(none[1]!, `run with --allow-read=${store}`);
    assertStringIncludes(none[2]!, `this script may not read the store's directory ${store}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
