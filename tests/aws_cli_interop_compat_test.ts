/**
 * vc and the real aws CLI on one moto bucket (`deno task test:compat`), as a
 * user runs them, with keys a user writes (spaces, `+`, `%`, NFC and NFD):
 *
 * - what `aws s3 cp` uploads in parts (8 MiB, its default, and 7 MB, a user's
 *   `multipart_chunksize`), with the CRC32 it adds, is read by `vc cache get`,
 *   `vc prefill --list` and `vc mirror`, verified, and byte-identical;
 * - what `vc add` / `vc update` upload in parts reads back through
 *   `aws s3 cp`, with the MD5 vc keeps (`vc-md5`) that of the bytes;
 * - `vc serve` over the moto bucket takes an upload above its part size,
 *   serves it whole and as a range, and a delete leaves nothing in the bucket;
 * - objects aws writes with a SHA-256 or SHA-1 checksum, with
 *   `Content-Encoding: gzip` (read as stored, also by parallel ranged GETs),
 *   with no bytes, and folder markers (`dir/`, which make no file) are read
 *   by `vc cache get` and `vc mirror`;
 * - what `vc mirror` uploads has the content type of its name (`.nc`, `.h5`,
 *   `.geojson`, …) and its `vc-md5` for `aws s3api head-object`, and
 *   `aws s3 sync` finds it in sync and downloads it byte-identical;
 * - on a bucket with S3 versioning, a pinned version `aws s3 rm` deleted is
 *   reported with the way back, not published again, and verifies once the
 *   delete marker is removed;
 * - a cached copy of aws's multipart upload is kept, not downloaded again,
 *   when the object is copied onto itself in one piece (`aws s3api
 *   copy-object --metadata-directive REPLACE`), whose ETag is then the MD5.
 *
 * Needs VC_TEST_S3_ENDPOINT (moto) and the aws CLI; ignored without them.
 */
import { join } from "node:path";
import { md5Hex } from "../src/hash.ts";
import { addToken } from "../src/server/auth.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { awsCliInstalled } from "./aws_cli.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { childEnv, ok, type Run, testAwsEnv, vcCommand } from "./cli_process.ts";
import { servedUrl } from "./serve_process.ts";
import { gzip as gzipped } from "./gzip.ts";

const endpoint = Deno.env.get("VC_TEST_S3_ENDPOINT");
const MiB = 1024 * 1024;
/** The longest one aws CLI run of these tests may take before it is killed. */
const AWS_LIMIT_MS = 120_000;

const ignore = endpoint === undefined || !(await awsCliInstalled());
const why = endpoint === undefined
  ? "VC_TEST_S3_ENDPOINT unset"
  : ignore
  ? "aws CLI not installed"
  : endpoint;

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  assertEquals(actual.length, expected.length, `${what}: size`);
  assertEquals(md5Hex(actual), md5Hex(expected), `${what}: content`);
}

interface Workspace {
  dir: string;
  bucket: string;
  /** `vc ARGS` as a process, with the moto endpoint and `env` on top. */
  vc: (args: string[], env?: Record<string, string>) => Promise<Run>;
  /** `aws ARGS --endpoint-url moto` with a private config (`chunk` MB parts). */
  aws: (args: string[], chunkMb?: number) => Promise<Run>;
}

async function withWorkspace(fn: (w: Workspace) => Promise<void>): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_aws_interop_" }));
  const bucket = `vc-aws-${crypto.randomUUID().slice(0, 8)}`;
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  try {
    await Deno.mkdir(join(dir, "home"));
    const base = childEnv(dir, {
      ...testAwsEnv(endpoint!),
      XDG_CONFIG_HOME: join(dir, "home", ".config"),
    });
    const vc = async (args: string[], env: Record<string, string> = {}): Promise<Run> => {
      const { code, stdout, stderr } = await vcCommand(dir, { ...base, ...env }, args).output();
      return { code, stdout: decode(stdout), stderr: decode(stderr) };
    };
    const aws = async (args: string[], chunkMb = 8): Promise<Run> => {
      // A private configuration: the user's files and profile stay untouched.
      const config = join(dir, `aws-config-${chunkMb}`);
      await Deno.writeTextFile(
        config,
        `[default]\ns3 =\n  multipart_threshold = ${chunkMb}MB\n` +
          `  multipart_chunksize = ${chunkMb}MB\n`,
      );
      const { code, stdout, stderr } = await new Deno.Command("aws", {
        args: ["--endpoint-url", endpoint!, ...args],
        cwd: dir,
        clearEnv: true,
        env: {
          PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
          HOME: join(dir, "home"),
          AWS_CONFIG_FILE: config,
          AWS_SHARED_CREDENTIALS_FILE: join(dir, "aws-credentials"),
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_DEFAULT_REGION: "us-east-1",
          LC_ALL: "C.UTF-8",
        },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(AWS_LIMIT_MS),
      }).output();
      return { code, stdout: decode(stdout), stderr: decode(stderr) };
    };
    ok(await aws(["s3", "mb", `s3://${bucket}`]), "aws s3 mb");
    await fn({ dir, bucket, vc, aws });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// Names a user writes: a space, `+` (a space in a form-encoded query), `%`
// (an escape), an accented letter in NFC, and one in NFD.
const NFC_NAME = "a b+c%d é.bin".normalize("NFC");
const NFD_NAME = "café 100%.bin".normalize("NFD");

Deno.test({
  name:
    `compat (${why}): aws s3 cp's multipart uploads (8 MiB and 7 MB parts, CRC32) are read and verified by vc cache get, prefill and mirror`,
  ignore,
  async fn() {
    await withWorkspace(async ({ dir, bucket, vc, aws }) => {
      const files = [
        { name: NFC_NAME, data: randomBytes(20 * MiB + 3, 1), chunkMb: 8 },
        { name: NFD_NAME, data: randomBytes(18 * MiB + 5, 2), chunkMb: 7 },
      ];
      for (const f of files) {
        await Deno.writeFile(join(dir, "upload.bin"), f.data);
        ok(
          await aws(
            ["s3", "cp", "--only-show-errors", "upload.bin", `s3://${bucket}/in/${f.name}`],
            f.chunkMb,
          ),
          `aws s3 cp ${f.name}`,
        );
        const head = JSON.parse(
          ok(
            await aws(["s3api", "head-object", "--bucket", bucket, "--key", `in/${f.name}`]),
            "aws s3api head-object",
          ).stdout,
        );
        // What is tested: a multipart ETag, which is no MD5 of the bytes.
        assertMatch(head.ETag, /-3"$/, `${f.name}: aws uploaded it in 3 parts`);
      }

      const uri = (name: string) => `s3://${bucket}/in/${name}`;
      for (const f of files) {
        const path = ok(await vc(["cache", "get", uri(f.name)]), `vc cache get ${f.name}`).stdout
          .trim();
        sameBytes(await Deno.readFile(path), f.data, `vc cache get ${f.name}`);
      }
      const verified = ok(await vc(["cache", "verify"]), "vc cache verify").stdout;
      assertMatch(verified, /2 ok, 0 corrupt/);

      // CI's view: a list of URIs into an empty cache.
      await Deno.writeTextFile(join(dir, "list.txt"), files.map((f) => uri(f.name)).join("\n"));
      const prefill = JSON.parse(
        ok(
          await vc(["prefill", "--list", "list.txt", "--json"], { VC_CACHE_DIR: join(dir, "ci") }),
          "vc prefill",
        ).stdout,
      );
      assertEquals([prefill.fetched, prefill.failed], [2, []]);

      ok(await vc(["mirror", `s3://${bucket}/in`, join(dir, "down")]), "vc mirror down");
      for (const f of files) {
        sameBytes(await Deno.readFile(join(dir, "down", f.name)), f.data, `mirrored ${f.name}`);
      }
      const again = JSON.parse(
        ok(await vc(["mirror", `s3://${bucket}/in`, join(dir, "down"), "--json"]), "mirror again")
          .stdout,
      );
      assertEquals([again.transferred, again.unchanged], [0, 2], "a second mirror is a no-op");
    });
  },
});

Deno.test({
  name:
    `compat (${why}): what vc add and vc update upload in parts reads back through aws s3 cp, with its vc-md5`,
  ignore,
  async fn() {
    await withWorkspace(async ({ dir, bucket, vc, aws }) => {
      const env = { VC_BUCKET: `s3://${bucket}/assets` };
      const path = `/data/${NFC_NAME}`;
      // Above vc's 16 MiB multipart threshold: vc uploads it in parts.
      const v1 = randomBytes(17 * MiB + 1, 3);
      const v2 = randomBytes(17 * MiB + 1, 4);
      await Deno.writeFile(join(dir, "w.bin"), v1);
      ok(await vc(["add", path, "w.bin"], env), "vc add");
      await Deno.writeFile(join(dir, "w.bin"), v2);
      ok(await vc(["update", path, "w.bin", "--minor"], env), "vc update");
      assertEquals(ok(await vc(["versions", path], env), "vc versions").stdout, "1.0.0\n1.1.0\n");

      for (const [version, data] of [["1.0.0", v1], ["1.1.0", v2]] as const) {
        const key = `assets/data/a b+c%d é.${version}.bin`.normalize("NFC");
        const head = JSON.parse(
          ok(
            await aws(["s3api", "head-object", "--bucket", bucket, "--key", key]),
            `aws s3api head-object ${key}`,
          ).stdout,
        );
        assertMatch(head.ETag, /-2"$/, `${key}: vc uploaded it in parts`);
        assertEquals(head.Metadata?.["vc-md5"], md5Hex(data), `${key}: vc-md5 is the bytes' MD5`);
        ok(
          await aws(["s3", "cp", "--only-show-errors", `s3://${bucket}/${key}`, `got-${version}`]),
          `aws s3 cp ${key}`,
        );
        sameBytes(await Deno.readFile(join(dir, `got-${version}`)), data, `aws s3 cp of ${key}`);
      }
      const local = ok(await vc(["path", path, "1.0.0"], env), "vc path").stdout.trim();
      sameBytes(await Deno.readFile(local), v1, "vc path 1.0.0");
    });
  },
});

Deno.test({
  name:
    `compat (${why}): vc serve over a moto bucket: an upload above the part size, whole and ranged downloads, a delete that leaves nothing`,
  ignore,
  async fn() {
    await withWorkspace(async ({ dir, bucket, vc, aws }) => {
      const tokens = join(dir, "tokens.json");
      const token = await addToken(tokens, "alice");
      const serve = vcCommand(dir, childEnv(dir, testAwsEnv(endpoint!)), [
        "serve",
        "--port",
        "0",
        "--store",
        `s3://${bucket}/c ${NFC_NAME}`,
        "--token-file",
        tokens,
        "--sweep-interval",
        "0",
      ], 120_000).spawn();
      const started = servedUrl(serve, 120_000);
      try {
        const { url } = await started;
        const client = { VC_CACHE_URL: url, VC_CACHE_TOKEN: token };

        const id = ok(await vc(["cache-client", "id", '{"run": 407}'], client), "cache-client id")
          .stdout.trim();
        // Above the service's part size, so the store gets a multipart upload.
        const data = randomBytes(21 * MiB + 7, 5);
        await Deno.writeFile(join(dir, "result.bin"), data);
        ok(
          await vc(["cache-client", "put", id, "result.bin", "--filename", NFD_NAME], client),
          "cache-client put",
        );
        ok(await vc(["cache-client", "get", id, "back.bin"], client), "cache-client get");
        sameBytes(await Deno.readFile(join(dir, "back.bin")), data, "cache-client get");

        const range = await fetch(`${url}/v1/cache/${id}`, {
          headers: { authorization: token, range: "bytes=10485755-10485774" },
        });
        assertEquals(range.status, 206);
        assertEquals(
          md5Hex(new Uint8Array(await range.arrayBuffer())),
          md5Hex(data.subarray(10485755, 10485775)),
          "a range across a part boundary",
        );

        const listed = (await aws(["s3", "ls", "--recursive", `s3://${bucket}/`])).stdout;
        assert(listed.includes(id), `the entry is in the bucket: ${listed}`);
        ok(await vc(["cache-client", "rm", id], client), "cache-client rm");
        const gone = await vc(["cache-client", "get", id, "again.bin"], client);
        assertEquals(gone.code, 1, gone.stderr);
        assertEquals(
          (await aws(["s3", "ls", "--recursive", `s3://${bucket}/`])).stdout,
          "",
          "a delete leaves nothing in the bucket",
        );
      } finally {
        serve.kill("SIGTERM");
        await serve.status;
        await started.then((s) => Promise.all([s.stdoutEnd, s.stderr])).catch(() => {});
      }
    });
  },
});

/** `bytes` gzipped, as `gzip` writes them. */

Deno.test({
  name:
    `compat (${why}): objects aws writes with a SHA-256 / SHA-1 checksum, Content-Encoding: gzip, no bytes, and folder markers are read by vc as stored`,
  ignore,
  async fn() {
    await withWorkspace(async ({ dir, bucket, vc, aws }) => {
      const put = async (key: string, data: Uint8Array, extra: string[]) => {
        await Deno.writeFile(join(dir, "body.bin"), data);
        ok(
          await aws(["s3api", "put-object", "--bucket", bucket, "--key", key, ...extra]),
          `aws s3api put-object ${key} ${extra.join(" ")}`,
        );
      };
      // Compressed bytes above the 1 MiB parallel threshold set below: the
      // ranged GETs must read them as stored, not decoded.
      const text = new TextEncoder().encode(
        Array.from({ length: 200_000 }, (_, i) => `${i},${(i * 7919) % 104729}\n`).join(""),
      );
      const gz = await gzipped(new Uint8Array([...text, ...randomBytes(2 * MiB, 6)]));
      const small = new TextEncoder().encode("checked by S3\n");
      const objects: Record<string, Uint8Array> = {
        [`sum/${NFC_NAME}.sha256`]: small,
        [`sum/${NFD_NAME}.sha1`]: small,
        "gz/table.csv": gz,
        "gz/small.csv": await gzipped(text.subarray(0, 4000)),
        "empty/zero": new Uint8Array(),
      };
      await put(`in/sum/${NFC_NAME}.sha256`, small, [
        "--body",
        "body.bin",
        "--checksum-algorithm",
        "SHA256",
      ]);
      await put(`in/sum/${NFD_NAME}.sha1`, small, [
        "--body",
        "body.bin",
        "--checksum-algorithm",
        "SHA1",
      ]);
      for (const key of ["gz/table.csv", "gz/small.csv"]) {
        await put(`in/${key}`, objects[key]!, [
          "--body",
          "body.bin",
          "--content-encoding",
          "gzip",
          "--content-type",
          "text/csv",
        ]);
      }
      await put("in/empty/zero", new Uint8Array(), ["--body", "body.bin"]);
      // Folder markers, as the S3 console's "Create folder" makes them.
      await put("in/empty/", new Uint8Array(), []);
      await put("in/markers only/", new Uint8Array(), []);

      const parallel = { VC_PARALLEL_THRESHOLD: "1MiB", VC_RANGE_SIZE: "256KiB" };
      for (const [key, data] of Object.entries(objects)) {
        const got = ok(await vc(["cache", "get", `s3://${bucket}/in/${key}`], parallel), key);
        sameBytes(await Deno.readFile(got.stdout.trim()), data, `vc cache get ${key}`);
      }
      assertMatch(ok(await vc(["cache", "verify"]), "vc cache verify").stdout, /5 ok, 0 corrupt/);

      const down = join(dir, "down");
      ok(await vc(["mirror", `s3://${bucket}/in`, down], parallel), "vc mirror down");
      for (const [key, data] of Object.entries(objects)) {
        sameBytes(await Deno.readFile(join(down, key)), data, `mirrored ${key}`);
      }
      // A folder marker makes no file (and no folder of its own).
      const top: string[] = [];
      for await (const e of Deno.readDir(down)) if (!e.name.startsWith(".")) top.push(e.name);
      assertEquals(top.sort(), ["empty", "gz", "sum"]);
      const again = JSON.parse(
        ok(await vc(["mirror", `s3://${bucket}/in`, down, "--json"]), "mirror again").stdout,
      );
      assertEquals([again.transferred, again.unchanged], [0, 5], "a second mirror is a no-op");
    });
  },
});

Deno.test({
  name:
    `compat (${why}): what vc mirror uploads reads back through aws s3api head-object (content type, vc-md5) and aws s3 sync`,
  ignore,
  async fn() {
    await withWorkspace(async ({ dir, bucket, vc, aws }) => {
      const src = join(dir, "src");
      await Deno.mkdir(join(src, "sub dir"), { recursive: true });
      const files: Record<string, [Uint8Array, string]> = {
        "table.csv": [new TextEncoder().encode("a,b\n1,2\n"), "text/csv"],
        "sub dir/temp.nc": [randomBytes(1000, 7), "application/x-netcdf"],
        "sub dir/grid.h5": [randomBytes(1000, 8), "application/x-hdf5"],
        [`zones ${NFD_NAME}.geojson`]: [new TextEncoder().encode("{}"), "application/geo+json"],
        "part.parquet": [randomBytes(17 * MiB + 9, 9), "application/vnd.apache.parquet"],
        "empty": [new Uint8Array(), "application/octet-stream"],
      };
      for (const [name, [data]] of Object.entries(files)) {
        await Deno.writeFile(join(src, name), data);
      }
      // Older than their upload, as files being mirrored usually are: S3 keeps whole seconds.
      const past = new Date(Date.now() - 60_000);
      for (const name of Object.keys(files)) await Deno.utime(join(src, name), past, past);
      ok(await vc(["mirror", src, `s3://${bucket}/up`]), "vc mirror up");
      for (const [name, [data, type]] of Object.entries(files)) {
        const head = JSON.parse(
          ok(
            await aws(["s3api", "head-object", "--bucket", bucket, "--key", `up/${name}`]),
            `aws s3api head-object up/${name}`,
          ).stdout,
        );
        assertEquals(head.ContentType?.split(";")[0], type, `${name}: content type`);
        assertEquals(head.ContentLength, data.length, `${name}: size`);
        assertEquals(head.Metadata?.["vc-md5"], md5Hex(data), `${name}: vc-md5`);
      }
      const dry = ok(
        await aws(["s3", "sync", "--dryrun", src, `s3://${bucket}/up`]),
        "aws s3 sync --dryrun",
      );
      assertEquals(dry.stdout, "", "aws s3 sync finds nothing to upload");
      ok(
        await aws(["s3", "sync", "--only-show-errors", `s3://${bucket}/up`, "back"]),
        "aws s3 sync down",
      );
      for (const [name, [data]] of Object.entries(files)) {
        sameBytes(await Deno.readFile(join(dir, "back", name)), data, `aws s3 sync of ${name}`);
      }
    });
  },
});

Deno.test({
  name:
    `compat (${why}): a bucket with S3 versioning: a version another tool deleted is found missing, not republished, and back once its delete marker is removed`,
  ignore,
  async fn() {
    await withWorkspace(async ({ dir, bucket, vc, aws }) => {
      ok(
        await aws([
          "s3api",
          "put-bucket-versioning",
          "--bucket",
          bucket,
          "--versioning-configuration",
          "Status=Enabled",
        ]),
        "aws s3api put-bucket-versioning",
      );
      await Deno.writeTextFile(join(dir, "versioned_assets.json"), "{}\n");
      const env = { VC_BUCKET: `s3://${bucket}` };
      const path = "/d s/a+b%c#d?.csv";
      await Deno.writeTextFile(join(dir, "t.csv"), "a,b\n");
      ok(await vc(["add", path, "t.csv"], env), "vc add");
      await Deno.writeTextFile(join(dir, "t.csv"), "c,d\n");
      ok(await vc(["update", path, "t.csv", "--patch"], env), "vc update");
      assertEquals(ok(await vc(["versions", path], env), "vc versions").stdout, "1.0.0\n1.0.1\n");

      // Another tool deletes the pinned version: S3 adds a delete marker.
      const key = "d s/a+b%c#d?.1.0.1.csv";
      ok(await aws(["s3", "rm", "--only-show-errors", `s3://${bucket}/${key}`]), "aws s3 rm");
      assertEquals(ok(await vc(["versions", path], env), "versions").stdout, "1.0.0\n");
      const bad = await vc(["verify"], env);
      assertEquals(bad.code, 1, bad.stderr);
      // What the bucket keeps, read from it: the noncurrent version and the
      // delete marker to delete, by its id (checked against the aws CLI's below).
      assertMatch(
        bad.stdout,
        /S3 versioning keeps its bytes as noncurrent version \S+ \(4 bytes\): `aws s3api delete-object/,
      );
      await Deno.writeTextFile(join(dir, "t.csv"), "e,f\n");
      const again = await vc(["update", path, "t.csv", "--patch"], env);
      assertEquals(again.code, 1, again.stderr);
      assertMatch(again.stderr, /publishing 1\.0\.1 again would give one version two contents/);

      // The version is still there, noncurrent, as vc verify says: removing the
      // delete marker makes it current again. (moto cannot copy a version of a
      // key that needs URL-encoding back over it: NoSuchVersion.)
      const versions = JSON.parse(
        ok(
          await aws(["s3api", "list-object-versions", "--bucket", bucket, "--prefix", key]),
          "aws s3api list-object-versions",
        ).stdout,
      );
      assert(
        versions.Versions?.some((v: { Key: string }) => v.Key === key),
        JSON.stringify(versions),
      );
      const marker = versions.DeleteMarkers?.find((v: { Key: string }) => v.Key === key);
      assert(marker !== undefined, JSON.stringify(versions));
      assertMatch(
        bad.stdout,
        new RegExp(`--version-id ${marker.VersionId}\` deletes the delete marker`),
      );
      ok(
        await aws([
          "s3api",
          "delete-object",
          "--bucket",
          bucket,
          "--key",
          key,
          "--version-id",
          marker.VersionId,
        ]),
        "aws s3api delete-object of the delete marker",
      );
      const good = ok(await vc(["verify"], env), "vc verify after the restore");
      assertMatch(good.stdout, /^ok\s+locked/m);
      const content = ok(await vc(["cat", path], env), "vc cat").stdout;
      assertEquals(content, "c,d\n");
    });
  },
});

Deno.test({
  name:
    `compat (${why}): aws s3 cp's multipart object copied onto itself (copy-object, metadata REPLACE) revalidates without a download`,
  ignore,
  async fn() {
    await withWorkspace(async ({ dir, bucket, vc, aws }) => {
      const data = randomBytes(17 * MiB + 9, 5);
      await Deno.writeFile(join(dir, "upload.bin"), data);
      const uri = `s3://${bucket}/in/${NFC_NAME}`;
      ok(await aws(["s3", "cp", "--only-show-errors", "upload.bin", uri]), "aws s3 cp");
      const path = ok(await vc(["cache", "get", uri]), "vc cache get").stdout.trim();
      const before = await Deno.stat(path);
      // Its content type fixed the way aws users do: a copy onto itself in
      // one CopyObject (`aws s3 cp` would copy this size in parts again),
      // whose ETag is the MD5 of the bytes.
      ok(
        await aws([
          "s3api",
          "copy-object",
          "--bucket",
          bucket,
          "--key",
          `in/${NFC_NAME}`,
          "--copy-source",
          `${bucket}/in/${NFC_NAME}`, // botocore encodes it
          "--metadata-directive",
          "REPLACE",
          "--content-type",
          "application/x-hdf5",
        ]),
        "aws s3api copy-object onto itself",
      );
      const head = JSON.parse(
        ok(
          await aws(["s3api", "head-object", "--bucket", bucket, "--key", `in/${NFC_NAME}`]),
          "aws s3api head-object",
        ).stdout,
      );
      assertEquals(head.ETag, `"${md5Hex(data)}"`, "the copy's ETag is the MD5 of the bytes");
      const again = ok(await vc(["cache", "get", uri], { VC_CACHE_TIMEOUT: "0" }), "revalidate")
        .stdout.trim();
      assertEquals(again, path);
      const after = await Deno.stat(path);
      // The copy kept (not downloaded again), recorded under the new ETag.
      assertEquals([after.ino, after.mtime?.getTime()], [before.ino, before.mtime?.getTime()]);
      const listed = JSON.parse(ok(await vc(["cache", "ls", "--json"]), "vc cache ls").stdout);
      const entry = (Array.isArray(listed) ? listed : listed.entries ?? []).find((
        e: { uri: string },
      ) => e.uri === uri);
      assertEquals(entry?.etag, md5Hex(data));
      sameBytes(await Deno.readFile(path), data, "the copy");
    });
  },
});
