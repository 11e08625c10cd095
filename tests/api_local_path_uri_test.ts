/**
 * Library calls that take a local file or directory path refuse a URI there
 * (`new FsStore("file:///srv/assets")`, `downloadToFile(store, key,
 * "file:///tmp/x")`, a `VersionedCache` `manifest` or `lock`, a prefill list
 * file, `configPath`) with an `InvalidInputError` naming the option and the
 * URI. Resolved as a path, such a URI is a relative one with its `//`
 * collapsed: the call wrote `./file:/srv/...` beside the script and reported
 * success. The calls run in a child process whose working directory is a temp
 * directory, so a regression writes there, where the test looks, and nowhere else.
 */
import { assertEquals } from "./assert.ts";

const MODULES = {
  mod: new URL("../mod.ts", import.meta.url).href,
  store: new URL("../src/store/mod.ts", import.meta.url).href,
  prefill: new URL("../src/prefill/mod.ts", import.meta.url).href,
};

// Each call is given a URI where a path goes; it prints the error's class and
// whether the message names the URI, or OK when it was accepted.
const SCRIPT = `
import { AssetCache, VersionedCache } from ${JSON.stringify(MODULES.mod)};
import { downloadToFile, FsStore, MemoryStore } from ${JSON.stringify(MODULES.store)};
import { readListFile } from ${JSON.stringify(MODULES.prefill)};
const dir = Deno.cwd();
const uri = (name) => "file://" + dir + "/" + name;
await Deno.writeTextFile(dir + "/src.csv", "a\\n");
const memory = new MemoryStore();
await memory.put("k", new Uint8Array(2));
const calls = {
  "FsStore root": async () => { await new FsStore(uri("fs")).put("k", new Uint8Array(1)); },
  "downloadToFile destination": () => downloadToFile(memory, "k", uri("dl")),
  "VersionedCache manifest": async () => {
    await using v = new VersionedCache({ manifest: uri("m.json"), bucket: uri("bucket") });
    await v.add("/a.csv", dir + "/src.csv");
  },
  "VersionedCache lock": async () => {
    await using v = new VersionedCache({ manifest: dir + "/m2.json", lock: uri("l.json"), bucket: uri("bucket") });
    await v.add("/a.csv", dir + "/src.csv");
  },
  "readListFile": () => readListFile(uri("list.txt")),
  "AssetCache configPath": async () => {
    await using a = new AssetCache({ configPath: uri("config.json"), cacheDir: dir + "/cache" });
    await a.cache(uri("src.csv"));
  },
};
for (const [name, call] of Object.entries(calls)) {
  try {
    await call();
    console.log(name + ": OK");
  } catch (e) {
    console.log(name + ": " + e.constructor.name + " " + e.message.includes("got the URI"));
  }
}
`;

Deno.test("library local paths: a URI where a path goes is refused, and nothing is written beside the script", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "vc-local-path-uri-" });
  try {
    await Deno.writeTextFile(`${cwd}/list.txt`, "s3://b/k\n");
    const script = `${cwd}/calls.mjs`;
    await Deno.writeTextFile(script, SCRIPT);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-prompt", "--no-config", script],
      cwd,
      env: { HOME: cwd, VC_CONFIG: "", VC_CACHE_DIR: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    assertEquals(stdout.trim().split("\n"), [
      "FsStore root: InvalidInputError true",
      "downloadToFile destination: InvalidInputError true",
      "VersionedCache manifest: InvalidInputError true",
      "VersionedCache lock: InvalidInputError true",
      "readListFile: InvalidInputError true",
      "AssetCache configPath: InvalidInputError true",
    ]);
    // A URI taken for a path would be a directory `file:` here.
    assertEquals(await Deno.lstat(`${cwd}/file:`).then(() => true, () => false), false);
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
});
