/**
 * Text files vc reads and may write back (manifests, lock files, list files,
 * settings) must be UTF-8: a lenient decoder would turn a Latin-1 `é` into
 * U+FFFD, serve another path than the file names, and a rewrite would lose
 * the entry for good. Such files are refused, naming the line, and left as
 * they were. Lone UTF-16 surrogates (JSON `\ud800` escapes) name nothing
 * either and are refused where paths and URIs are parsed.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { cache } from "../mod.ts";
import { InvalidInputError } from "../src/errors.ts";
import { decodeUtf8 } from "../src/utf8.ts";

const latin1Manifest = new Uint8Array([
  ...new TextEncoder().encode('{\n    "/v/a.txt": "1.0.0",\n    "/v/caf'),
  0xe9, // é in Latin-1
  ...new TextEncoder().encode('.txt": "1.0.0"\n}\n'),
]);

Deno.test("a manifest that is not UTF-8 is refused naming its line, and never rewritten", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.txt", "a");
  await Deno.writeFile(ws.path("versioned_assets.json"), latin1Manifest);
  for (
    const args of [["ls"], ["add", "/v/d.txt", "a.txt"], ["path", "/v/a.txt"], ["prefill"]]
  ) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stdout}`);
    assertStringIncludes(r.stderr, "versioned_assets.json is not valid UTF-8 text: line 3");
    assert(!r.stderr.includes("internal error"), r.stderr);
  }
  assertEquals(await Deno.readFile(ws.path("versioned_assets.json")), latin1Manifest);
});

Deno.test("list files, lock files and config files that are not UTF-8 are refused naming the file", async () => {
  await using ws = await CliWorkspace.create();
  const bad = (text: string) => new Uint8Array([...new TextEncoder().encode(text), 0xff, 0x0a]);
  await Deno.writeFile(ws.path("list.txt"), bad(`${ws.bucket}/x\n`));
  assertFailure(
    await ws.vc("prefill", "--list", "list.txt"),
    1,
    "list file",
    "not valid UTF-8 text: line 2",
  );

  await ws.write("versioned_assets.json", '{"/a.txt": "1.0.0"}\n');
  await Deno.writeFile(ws.path("versioned_assets.lock.json"), bad("{"));
  const lock = await ws.vc("path", "/a.txt");
  assertEquals(lock.code, 1, lock.stderr);
  assertStringIncludes(lock.stderr, "versioned_assets.lock.json is not valid UTF-8 text: line 1");

  await Deno.mkdir(ws.path("cfg/vc"), { recursive: true });
  await Deno.writeFile(ws.path("cfg/vc/config.json"), bad('{"cacheDir": "/tmp/'));
  const config = await ws.run(["config"], { XDG_CONFIG_HOME: ws.path("cfg") });
  assertEquals(config.code, 1, config.stderr);
  assertStringIncludes(config.stderr, "config.json: not valid UTF-8 text: line 1, byte 19 (0xff)");
});

Deno.test("decodeUtf8: well-formed text of every length passes; each kind of malformed byte is placed", () => {
  const ok = "a\u00e9\u20ac\u{1f600}\ufffd"; // 1, 2, 3, 4 bytes, and a literal U+FFFD
  assertEquals(decodeUtf8(new TextEncoder().encode(ok), "f"), ok);
  const cases: [number[], string][] = [
    [[0x61, 0x80], "byte 1 (0x80)"], // a stray continuation byte
    [[0xc0, 0xaf], "byte 0 (0xc0)"], // overlong
    [[0xe0, 0x80, 0xaf], "byte 0 (0xe0)"], // overlong 3-byte
    [[0xed, 0xa0, 0x80], "byte 0 (0xed)"], // an encoded surrogate
    [[0xf4, 0x90, 0x80, 0x80], "byte 0 (0xf4)"], // past U+10FFFF
    [[0x0a, 0x0a, 0xe2, 0x82], "line 3, byte 2 (0xe2)"], // cut short at the end
  ];
  for (const [bytes, where] of cases) {
    const e = (() => {
      try {
        decodeUtf8(new Uint8Array(bytes), "f");
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    assert(e instanceof InvalidInputError, `${bytes}: ${e}`);
    assertStringIncludes(e.message, where);
  }
});

Deno.test("a lone surrogate in a manifest path or a URI is refused naming it", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("versioned_assets.json", '{\n  "/v/\\ud800.txt": "1.0.0"\n}\n');
  for (const args of [["ls"], ["sync", "out"], ["lock"], ["verify"]]) {
    const r = await ws.vc(...args);
    assertEquals(r.code, 1, `${args.join(" ")}: ${r.stdout}`);
    assertStringIncludes(r.stderr, "lone UTF-16 surrogate");
    assert(!r.stderr.includes("internal error"), r.stderr);
  }
  const e = await assertRejects(() => cache("s3://bkt/a\ud800b"), InvalidInputError);
  assertStringIncludes(e.message, "lone UTF-16 surrogate");
});

Deno.test("a UTF-16 manifest is named as such, with or without its byte order mark", async () => {
  await using ws = await CliWorkspace.create();
  const json = '{"/a.csv": "1.0.0"}\n';
  const le = new Uint8Array(2 + json.length * 2);
  le.set([0xff, 0xfe]);
  const be = new Uint8Array(json.length * 2);
  for (let i = 0; i < json.length; i++) {
    le[2 + 2 * i] = json.charCodeAt(i);
    be[2 * i + 1] = json.charCodeAt(i);
  }
  await Deno.writeFile(ws.path("le.json"), le);
  assertFailure(await ws.vc("ls", "--manifest", "le.json"), 1, "it is UTF-16");
  await Deno.writeFile(ws.path("be.json"), be);
  assertFailure(await ws.vc("ls", "--manifest", "be.json"), 1, "holds NUL bytes", "UTF-16?");
  assertEquals(await Deno.readFile(ws.path("be.json")), be);
});
