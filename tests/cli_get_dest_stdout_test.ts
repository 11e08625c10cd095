/**
 * `vc get /o.csv /dev/stdout | wc -c`, the Unix idiom for "write it to the
 * pipe", failed with `No such file or directory (os error 2): open
 * '/proc/self/fd/.pipe:[5595862].vc-tmp-…'`: DEST was followed as a link to
 * a file named `pipe:[…]`, which does not exist (with the vc binary's
 * permissions: `Requires all access to "/dev/.stdout.vc-tmp-…"`, and advice
 * about /dev/shm). A DEST that is (or leads
 * to) a pipe, socket or device is now refused naming what it is, and the
 * way to write to standard output, `vc get PATH -`.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { childEnv } from "./cli_process.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

Deno.test({
  name: "vc get PATH /dev/stdout into a pipe is refused naming vc get PATH - (Linux: /proc links)",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using ws = await CliWorkspace.create();
    const file = await ws.write("o.csv", "a,b\n");
    assertEquals((await ws.vc("add", "/o.csv", file)).code, 0);
    // With the vc binary's permissions /dev/stdout cannot be looked at;
    // with all of them, it is seen to lead to the pipe.
    const runs = [
      [PERMISSION_FLAGS, "DEST /dev/stdout is in /dev, where vc writes no file"],
      [["--allow-all"], "DEST /dev/stdout is not a regular file but a link to a FIFO"],
    ] as const;
    for (const [flags, said] of runs) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, CLI, "get", "/o.csv", "/dev/stdout"],
        cwd: ws.dir,
        clearEnv: true,
        env: childEnv(ws.dir, {
          VC_BUCKET: ws.bucket,
          VC_CACHE_DIR: ws.cacheDir,
          VC_MANIFEST: join(ws.dir, "versioned_assets.json"),
        }),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 1, stderr);
      assertStringIncludes(stderr, said);
      assertStringIncludes(stderr, "`vc get /o.csv -` writes the content to standard output");
      assertEquals(new TextDecoder().decode(out.stdout), "");
    }
  },
});

Deno.test({
  name: "vc get PATH to a link to a FIFO or to /dev/null names what it is and vc get PATH -",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using ws = await CliWorkspace.create();
    const file = await ws.write("o.csv", "a,b\n");
    assertEquals((await ws.vc("add", "/o.csv", file)).code, 0);
    const fifo = ws.path("fifo");
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    await Deno.symlink(fifo, ws.path("to_fifo"));
    const cases = [["to_fifo", "a link to a FIFO"], ["/dev/null", "a device"]] as const;
    for (const [dest, kind] of cases) {
      const r = await ws.vc("get", "/o.csv", dest);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, `is not a regular file but ${kind}`);
      assertStringIncludes(r.stderr, "`vc get /o.csv - > ");
    }
    // The FIFO is left as it was.
    assertEquals((await Deno.lstat(fifo)).isFifo, true);
  },
});
