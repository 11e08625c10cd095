/**
 * A range size below the floor was refused naming the number it was read
 * as, not what was typed: `--range-size 1k` said "got 1000", and
 * `VC_RANGE_SIZE=2KiB` "got 2048 ... (a bare number is bytes: say 8MiB)",
 * a hint about bare numbers for a value that had a unit. The error now
 * quotes the value as given, with the bytes it stands for, and keeps the
 * bare-number hint for bare numbers. Run as the `vc` process.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, withWorkspace } from "./cli_process.ts";

Deno.test("a range size below the floor is refused quoting the value typed", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 1);
    const flag = await vc(["path", "/a.csv", "--range-size", "1k"]);
    assertEquals(flag.code, 2, flag.stderr);
    assertStringIncludes(flag.stderr, "--range-size must be a whole number of bytes of at least");
    assertStringIncludes(flag.stderr, 'got "1k" (1000 bytes)');
    assert(!flag.stderr.includes("a bare number is bytes"), flag.stderr);

    const env = await vc(["path", "/a.csv"], { VC_RANGE_SIZE: "2KiB" });
    assertEquals(env.code, 1, env.stderr);
    assertStringIncludes(env.stderr, "VC_RANGE_SIZE must be a whole number of bytes");
    assertStringIncludes(env.stderr, 'got "2KiB" (2048 bytes)');
    assert(!env.stderr.includes("a bare number is bytes"), env.stderr);

    // The user config file (a project file takes no network tuning).
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ rangeSize: "4KB" }));
    const file = await vc(["path", "/a.csv"], { VC_CONFIG: `${dir}/config.json` });
    assertEquals(file.code, 1, file.stderr);
    assertStringIncludes(file.stderr, 'got "4KB" (4000 bytes)');

    // A bare number still gets the hint that it is bytes.
    const bare = await vc(["path", "/a.csv", "--range-size", "8"]);
    assertEquals(bare.code, 2, bare.stderr);
    assertStringIncludes(bare.stderr, "a bare number is bytes: say 8MiB");
    assertStringIncludes(bare.stderr, "got 8");
  });
});
