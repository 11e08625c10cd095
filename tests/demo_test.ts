/**
 * The README's first command: `deno task demo` must run the whole versioned
 * workflow on a plain-directory store and end with manifest.example.json, printing
 * the output the README shows; a DIR
 * that is not empty (a second run) is refused before anything is written;
 * in a kept DIR the `vc` lines the demo printed work as shown.
 */
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

/** The lines of the README's demo output block (after "Its output looks like:"). */
function readmeDemoOutput(): string[] {
  const readme = Deno.readTextFileSync(fileURLToPath(new URL("../README.md", import.meta.url)));
  const block = readme.split("Its output looks like:\n\n```\n")[1]?.split("```")[0];
  assert(block !== undefined, "the README shows the demo's output");
  return block.trimEnd().split("\n");
}

/** `line` as a whole-line pattern: each `…` stands for any text. */
function linePattern(line: string): RegExp {
  const parts = line.split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}

/** Runs `deno task demo DIR` as the task does (the binary's permissions). */
async function runDemo(
  dir: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const demo = fileURLToPath(new URL("../scripts/demo.ts", import.meta.url));
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSION_FLAGS, demo, dir],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("deno task demo: add, update, path, cat, prefill and verify on a file:// store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_demo_test_" });
  try {
    const out = await runDemo(dir);
    const { stdout, stderr } = out;
    assertEquals(out.code, 0, `demo failed:\n${stdout}\n${stderr}`);
    assertStringIncludes(stdout, "2 fetched, 0 already cached, 0 failed");
    assertStringIncludes(stdout, "0 fetched, 2 already cached, 0 failed");
    assertStringIncludes(stdout, "hello from vc");
    assertStringIncludes(stdout, "equals manifest.example.json");
    // Its first lines name the store in the README's words ("a plain directory"), not a
    // term the README never explains ("the embedded store": vc has no store of its own).
    assert(!/embedded/.test(stdout), stdout.split("\n").slice(0, 3).join("\n"));
    assertStringIncludes(stdout.split("\n")[1] ?? "", "a plain directory");
    // The output the README shows is this run's, in order ("…" for what differs).
    const printed = stdout.replaceAll(dir, "/tmp/vc-demo-D").replace(/ in \d+\.\ds$/gm, " in 0.0s")
      .split("\n");
    let at = 0;
    for (const line of readmeDemoOutput()) {
      const next = printed.findIndex((p, i) => i >= at && linePattern(line).test(p));
      assert(next >= 0, `README's demo line not printed (in order): ${line}\n${stdout}`);
      at = next + 1;
    }
    // The bucket is a plain directory holding baiji-pod style versioned keys.
    const table = await Deno.readTextFile(`${dir}/bucket/demo/table.1.1.0.csv`);
    assertStringIncludes(table, "Bergen");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task demo DIR: a DIR that is not empty is refused up front, untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_demo_dir_test_" });
  try {
    await Deno.writeTextFile(`${dir}/versioned_assets.json`, '{"/demo/greeting.txt": "1.0.0"}\n');
    // Its first run's manifest is there: `vc add` would fail half-way ("already versioned").
    const { code, stderr } = await runDemo(dir);
    assertEquals(code, 1, stderr);
    assertStringIncludes(stderr, `${dir} is not empty`);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["versioned_assets.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task demo DIR: vc run in DIR afterwards finds the demo's bucket and cache", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_demo_kept_test_" });
  try {
    const demo = await runDemo(dir);
    assertEquals(demo.code, 0, `demo failed:\n${demo.stdout}\n${demo.stderr}`);
    assertStringIncludes(demo.stdout, `cd ${dir} && vc path /demo/table.csv`);
    // As a newcomer would: in DIR, with none of the demo's VC_* variables set.
    const cli = fileURLToPath(new URL("../cli.ts", import.meta.url));
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, cli, ...args],
        cwd: dir,
        clearEnv: true,
        env: { NO_COLOR: "1", HOME: dir },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
    };
    const path = await run("path", "/demo/table.csv");
    assertEquals(path.code, 0, path.stderr);
    // The demo's cache, warm: the copy the demo's own `vc path` put there.
    assertEquals(path.stdout.trim().startsWith(`${dir}/cache/`), true, path.stdout);
    assertStringIncludes(await Deno.readTextFile(path.stdout.trim()), "Bergen");
    const verify = await run("verify");
    assertEquals(verify.code, 0, verify.stderr);
    assertStringIncludes(verify.stdout, "ok  locked  /demo/table.csv");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task demo: the caller's VC_LOCK, VC_FROZEN and offline settings neither stop it nor get its entries", async () => {
  // A shell that exports a project's settings (VC_LOCK for a lock file several
  // manifests share, VC_FROZEN from a CI profile, offline in the user config
  // file): the demo wrote its three lock entries into that lock file, and
  // stopped at its first `vc add` when frozen or offline.
  const dir = await Deno.makeTempDir({ prefix: "vc_demo_env_test_" });
  try {
    const lock = `${dir}/project.lock.json`;
    const mine = '{\n  "/x.csv@1.0.0": {"size": 1, "sha256": "' + "a".repeat(64) + '"}\n}\n';
    await Deno.writeTextFile(lock, mine);
    await Deno.mkdir(`${dir}/home/.config/vc`, { recursive: true });
    await Deno.writeTextFile(`${dir}/home/.config/vc/config.json`, '{"offline": true}\n');
    const out = await runDemo(`${dir}/demo`, {
      VC_LOCK: lock,
      VC_FROZEN: "1",
      VC_OFFLINE: "1",
      HOME: `${dir}/home`,
      XDG_CONFIG_HOME: `${dir}/home/.config`,
    });
    assertEquals(out.code, 0, `demo failed:\n${out.stdout}\n${out.stderr}`);
    assertEquals(await Deno.readTextFile(lock), mine);
    // The kept DIR's hint unsets what would win over DIR's vc.json in this shell.
    assertStringIncludes(out.stdout, `cd ${dir}/demo && env -u VC_LOCK vc path /demo/table.csv`);
    assertStringIncludes(
      out.stdout,
      "(VC_LOCK is set in your shell and would win over its vc.json.)",
    );
    // Its own lock file is the default one, beside its manifest.
    assertStringIncludes(
      await Deno.readTextFile(`${dir}/demo/versioned_assets.lock.json`),
      "/demo/table.csv@1.1.0",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task demo DIR: a DIR that cannot be the demo's directory is named, without a stack trace", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_demo_bad_dir_test_" });
  try {
    await Deno.writeTextFile(`${dir}/afile`, "mine\n");
    for (const bad of [`${dir}/afile`, `${dir}/afile/below`]) {
      const { code, stdout, stderr } = await runDemo(bad);
      assertEquals(code, 1, stderr);
      assertEquals(stdout, "");
      assertStringIncludes(stderr, `demo: cannot use ${bad} as the demo's directory: `);
      assertEquals(stderr.includes("    at "), false, stderr);
    }
    assertEquals(await Deno.readTextFile(`${dir}/afile`), "mine\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
