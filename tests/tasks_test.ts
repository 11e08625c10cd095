/**
 * The deno.json tasks a newcomer runs: `deno task vc` resolves the user's
 * paths from the directory the task was started in, `deno task compile`
 * works when the `deno` on the PATH is not `Deno.execPath()` (Deno installed
 * from npm), and `deno task demo` leaves nothing in the temp directory.
 */
import { DENO_DIR } from "./cli_process.ts";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * `deno task NAME ARGS...` of the checkout, run from `cwd` in a fresh
 * environment: deno task sets INIT_CWD only when it is unset, and this test
 * may itself run under a task (deno task test) that set it.
 */
function taskFrom(cwd: string, args: string[]): Promise<Deno.CommandOutput> {
  return new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "--config", join(ROOT, "deno.json"), ...args],
    cwd,
    clearEnv: true,
    env: {
      NO_COLOR: "1",
      HOME: cwd,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR: DENO_DIR,
      DENO_NO_UPDATE_CHECK: "1",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("deno task vc runs in the caller's directory (INIT_CWD)", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_task_" }));
  try {
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/here.csv": "1.0.0"}');
    const out = await taskFrom(dir, ["vc", "ls"]);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    assertEquals(new TextDecoder().decode(out.stdout), "/here.csv  1.0.0\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "compile runs deno from the PATH when --allow-run=deno does not cover Deno.execPath()",
  ignore: Deno.build.os === "windows", // the PATH shim below is a shell script
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_npm_deno_" }));
    try {
      // What npm installs: a `deno` on the PATH that is a wrapper, not the runtime itself.
      const shim = join(dir, "deno");
      await Deno.writeTextFile(shim, `#!/bin/sh\nexec "${Deno.execPath()}" "$@"\n`);
      await Deno.chmod(shim, 0o755);
      const probe = join(dir, "probe.ts");
      await Deno.writeTextFile(
        probe,
        `import { denoExecutable } from ${JSON.stringify(join(ROOT, "scripts", "compile.ts"))};\n` +
          `const out = await new Deno.Command(denoExecutable(), { args: ["--version"] }).output();\n` +
          `console.log(out.code === 0 ? "ran" : "failed");\n`,
      );
      const out = await new Deno.Command(Deno.execPath(), {
        // The compile task's permissions.
        args: ["run", "--allow-read", "--allow-write=dist", "--allow-run=deno", probe],
        env: { PATH: `${dir}:${Deno.env.get("PATH") ?? ""}`, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      assertEquals(new TextDecoder().decode(out.stdout), "ran\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("deno task demo (no DIR) leaves nothing in the temp directory", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "vc_demo_tmp_" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "--quiet", "--config", join(ROOT, "deno.json"), "demo"],
      env: { NO_COLOR: "1", TMPDIR: tmp },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertStringIncludes(new TextDecoder().decode(out.stdout), "equals manifest.example.json");
    assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deno task demo DIR: a relative DIR is the caller's (INIT_CWD), not inside the checkout", async () => {
  // As `deno task vc` resolves the user's paths: the demo made `./mydemo` in
  // the checkout, whatever directory the task was called from.
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_demo_cwd_" }));
  try {
    const out = await taskFrom(dir, ["demo", "mydemo"]);
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertStringIncludes(stdout, `vc demo in ${join(dir, "mydemo")}\n`);
    assertEquals(Deno.statSync(join(dir, "mydemo", "versioned_assets.json")).isFile, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(join(ROOT, "mydemo"), { recursive: true }).catch(() => {});
  }
});

Deno.test({
  name: "deno task install puts a working vc on the PATH (no runtime download)",
  ignore: Deno.build.os === "windows", // the installed launcher is a .cmd there
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_install_" }));
    try {
      const install = await new Deno.Command(Deno.execPath(), {
        args: ["task", "--quiet", "--config", join(ROOT, "deno.json"), "install"],
        env: { DENO_INSTALL_ROOT: dir, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(install.code, 0, new TextDecoder().decode(install.stderr));
      // The installed vc resolves its npm packages with the checkout's lock (the
      // tested versions), not a lock Deno resolved afresh at install time.
      const lock = async (path: string) =>
        JSON.parse(await Deno.readTextFile(path)) as {
          specifiers: Record<string, string>;
          npm: Record<string, unknown>;
        };
      const installed = await lock(join(dir, "bin", ".vc", "deno.lock"));
      const checkout = await lock(join(ROOT, "deno.lock"));
      const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
      for (const specifier of Object.values(config.imports as Record<string, string>)) {
        assertEquals(installed.specifiers[specifier], checkout.specifiers[specifier], specifier);
      }
      assertEquals(Object.keys(installed.npm).sort(), Object.keys(checkout.npm).sort());
      await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/x.csv": "2.0.0"}');
      const run = await new Deno.Command(join(dir, "bin", "vc"), {
        args: ["ls"],
        cwd: dir,
        env: { HOME: dir, NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(run.code, 0, new TextDecoder().decode(run.stderr));
      assertEquals(new TextDecoder().decode(run.stdout), "/x.csv  2.0.0\n");

      // Credentials from ~/.aws load the AWS SDK, a bare specifier of deno.json's
      // import map: the installed vc must carry that map, or every such S3 command
      // fails with 'Import "@aws-sdk/client-s3" not a dependency'.
      await using s3 = await startFakeS3({ buckets: ["inst"] });
      await s3.putObject("inst", "k.txt", "hello");
      await Deno.mkdir(join(dir, ".aws"));
      await Deno.writeTextFile(
        join(dir, ".aws", "credentials"),
        "[default]\naws_access_key_id=test\naws_secret_access_key=test\n",
      );
      const get = await new Deno.Command(join(dir, "bin", "vc"), {
        args: ["cache", "get", "s3://inst/k.txt", "--cache-dir", join(dir, "cache")],
        cwd: dir,
        clearEnv: true,
        env: {
          PATH: Deno.env.get("PATH") ?? "",
          HOME: dir,
          DENO_DIR: DENO_DIR,
          NO_COLOR: "1",
          AWS_ENDPOINT_URL: s3.url,
          AWS_REGION: "us-east-1",
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assertEquals(get.code, 0, new TextDecoder().decode(get.stderr));
      assertEquals(await Deno.readTextFile(new TextDecoder().decode(get.stdout).trim()), "hello");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test('deno task prefill from another task after a cd: INIT_CWD="$PWD" names the directory', async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_task_nested_" }));
  try {
    await Deno.mkdir(join(dir, "ci"));
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "ci", "list.txt"), `file://${join(dir, "a.csv")}\n`);
    const prefill = `deno task --quiet --config ${JSON.stringify(join(ROOT, "deno.json"))} prefill`;
    // The README's words: an outer task (or npm run) already set INIT_CWD to
    // its own directory, which the inner task keeps unless the cd passes it on.
    const tasks = {
      kept: `cd ci && ${prefill} --list list.txt`,
      passed: `cd ci && INIT_CWD="$PWD" ${prefill} --list list.txt`,
    };
    await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify({ tasks }));
    const run = async (task: string) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["task", "--quiet", task],
        cwd: dir,
        clearEnv: true,
        env: {
          NO_COLOR: "1",
          HOME: dir,
          VC_CACHE_DIR: join(dir, "cache"),
          PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? ""}`,
          DENO_DIR: DENO_DIR,
          DENO_NO_UPDATE_CHECK: "1",
        },
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(120_000),
      }).output();
      const decode = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
    };
    const kept = await run("kept");
    assertEquals(kept.code, 1, kept.stderr);
    assertEquals(
      kept.stderr.includes(`${join(dir, "list.txt")} does not exist`),
      true,
      kept.stderr,
    );
    const passed = await run("passed");
    assertEquals(passed.code, 0, passed.stderr);
    assertEquals(passed.stdout.startsWith("prefill: 1 item: 1 fetched"), true, passed.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
