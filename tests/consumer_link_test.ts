/**
 * vc used from a checkout by a project with a deno.json of its own (the
 * README's "Library" install): `"links"` maps `jsr:@vc/vc` and its subpaths
 * to the checkout. Deno then type-checks vc's sources as the project's own
 * code, with the project's compiler options, so they must pass the strict
 * flags a project commonly sets, not only vc's (`noImplicitReturns` failed
 * in `src/repo/setup.ts`).
 */
import { assertEquals } from "./assert.ts";
import { denoIn } from "./cli_process.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("a project linking the checkout type-checks every entry point under strict flags and runs against startFakeS3", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-consumer-" }));
  try {
    const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
      exports: Record<string, string>;
    };
    await Deno.writeTextFile(
      join(dir, "deno.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          noImplicitOverride: true,
          noImplicitReturns: true,
          noFallthroughCasesInSwitch: true,
          noUnusedLocals: true,
          noUnusedParameters: true,
        },
        links: [ROOT],
      }),
    );
    // Every entry point, so each one's graph is checked with these flags.
    const entries = Object.keys(config.exports).map((key, i) => ({
      name: `m${i}`,
      spec: key === "." ? "jsr:@vc/vc" : `jsr:@vc/vc/${key.slice(2)}`,
    }));
    await Deno.writeTextFile(
      join(dir, "app.ts"),
      [
        ...entries.map((e) => `import * as ${e.name} from "${e.spec}";`),
        `import { AssetCache } from "jsr:@vc/vc";`,
        `import { S3Store } from "jsr:@vc/vc/store";`,
        `import { startFakeS3 } from "jsr:@vc/vc/testing";`,
        `console.log([${entries.map((e) => e.name).join(", ")}].length);`,
        `await using s3 = await startFakeS3();`,
        `await s3.createBucket("assets");`,
        `await s3.putObject("assets", "prices/2024.csv", "a,b\\n");`,
        `await using store = new S3Store({`,
        `  bucket: "assets",`,
        `  region: "us-east-1",`,
        `  endpoint: s3.url,`,
        `  credentials: { accessKeyId: "test", secretAccessKey: "test" },`,
        `});`,
        `await using assets = new AssetCache({`,
        `  cacheDir: "cache",`,
        `  configPath: false,`,
        `  openStore: () => Promise.resolve(store),`,
        `});`,
        `console.log(await Deno.readTextFile(await assets.cache("s3://assets/prices/2024.csv")));`,
        ``,
      ].join("\n"),
    );
    const check = await denoIn(dir, ["check", "app.ts"]);
    assertEquals(check.code, 0, check.out);
    const run = await denoIn(dir, [
      "run",
      "--no-prompt",
      "--allow-net=127.0.0.1",
      `--allow-read=${dir},${ROOT}`,
      `--allow-write=${dir}`,
      "app.ts",
    ]);
    assertEquals(run.code, 0, run.out);
    assertEquals(run.out, `${entries.length}\na,b\n\n`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a project linking the checkout with Deno's default compiler options type-checks every entry point", async () => {
  // Most projects set no compilerOptions: without exactOptionalPropertyTypes
  // an optional property may hold `undefined`, and two of vc's own literals
  // (`src/server/http_error.ts`, `src/cli/repo_commands.ts`) failed to check,
  // so `deno test` of a user's file importing `./server` or `./cli` stopped.
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-consumer-" }));
  try {
    const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))) as {
      exports: Record<string, string>;
    };
    await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify({ links: [ROOT] }));
    const specs = Object.keys(config.exports).map((key) =>
      key === "." ? "jsr:@vc/vc" : `jsr:@vc/vc/${key.slice(2)}`
    );
    await Deno.writeTextFile(
      join(dir, "app.ts"),
      specs.map((spec, i) => `export * as m${i} from "${spec}";\n`).join(""),
    );
    const check = await denoIn(dir, ["check", "app.ts"]);
    assertEquals(check.code, 0, check.out);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
