/**
 * Secrets stay out of what vc prints and records: a password or token in an
 * S3 endpoint URL, in the cache service's URL, or in a PostgreSQL URL's
 * `password=` query parameter is shown as `***` (or dropped from a recorded
 * catalog), in plain, `--json` and `--verbose` output alike; the marker and
 * the backups of a repository never hold it.
 */
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { redactSecrets, redactUrl } from "../src/redact.ts";
import { resolveS3Settings } from "../src/store/s3_config.ts";
import { s3Namespace } from "../src/cache/layout.ts";
import { CacheClient } from "../src/server/client.ts";
import { InvalidInputError } from "../src/errors.ts";
import { notS3XmlMessage } from "../src/store/s3_errors.ts";
import { redactPostgresUrl } from "../src/repo/postgres_catalog.ts";
import { parseCatalogRef } from "../src/repo/marker.ts";
import { checkRuntimeUrl } from "../src/repo/setup.ts";
import { closedPort } from "./closed_port.ts";

const SECRET = "swordfish-secret-pass";

function assertNoSecret(text: string, what: string): void {
  assert(!text.includes(SECRET), `${what} shows the secret:\n${text}`);
}

Deno.test("redactUrl: user stays, password, query values and fragment become ***", () => {
  assertEquals(redactUrl(`http://alice:${SECRET}@minio:9000`), "http://alice:***@minio:9000");
  assertEquals(redactUrl(`https://alice:${SECRET}@h/p/`), "https://alice:***@h/p/");
  assertEquals(
    redactUrl(`https://h/b/k?X-Amz-Credential=AKIA&X-Amz-Signature=${SECRET}`),
    "https://h/b/k?X-Amz-Credential=***&X-Amz-Signature=***",
  );
  assertEquals(redactUrl(`https://h/p#${SECRET}`), "https://h/p#***");
  // Unparsable, or parsed as a path: by pattern, a password with / and @ whole.
  assertEquals(redactUrl(`http://u:a/${SECRET}@b@[::1`), "http://u:***@[::1");
  assertEquals(redactUrl(`http://u@[::1?token=${SECRET}`), "http://u@[::1?***");
  assertEquals(redactUrl(`htp:/u:${SECRET}@h`), "htp:/u:***@h");
  // Nothing secret: as given.
  assertEquals(redactUrl("http://127.0.0.1:9000"), "http://127.0.0.1:9000");
  assertEquals(redactUrl("http://alice@h:1"), "http://alice@h:1");
});

Deno.test("redactSecrets: a SigV4 signature is starred in each form an echo carries it, nothing else", () => {
  const sig = "0123456789abcdef".repeat(4);
  const starred: [string, string][] = [
    [`SignedHeaders=host, Signature=${sig}`, "SignedHeaders=host, Signature=***"],
    [`k?X-Amz-Date=1&amp;X-Amz-Signature=${sig}&v=1`, "k?X-Amz-Date=1&amp;X-Amz-Signature=***&v=1"],
    [`x-amz-signature=${sig.toUpperCase()}`, "x-amz-signature=***"],
    // A presigned URL inside another's query (a login page's return address), once or twice encoded.
    [
      `next=https%3A%2F%2Fh%2Fk%3FX-Amz-Signature%3D${sig}%26a%3D1`,
      "next=https%3A%2F%2Fh%2Fk%3FX-Amz-Signature%3D***%26a%3D1",
    ],
    [`X-Amz-Signature%253d${sig}`, "X-Amz-Signature%253d***"],
    // JSON, as a proxy answers and as vc quotes a body that is not S3's XML.
    [`{"X-Amz-Signature": "${sig}"}`, `{"X-Amz-Signature": "***"}`],
    [JSON.stringify(`{"Signature":"${sig}"}`), JSON.stringify(`{"Signature":"***"}`)],
    // S3's SignatureDoesNotMatch document.
    [`<SignatureProvided>${sig}</SignatureProvided>`, "<SignatureProvided>***</SignatureProvided>"],
  ];
  for (const [text, want] of starred) assertEquals(redactSecrets(text, []), want);
  for (
    const text of [
      "the Signature we calculated does not match",
      "key reports/Signature=2024.csv",
      `mySignature=${sig}`,
      `Signature=${sig}0`,
      `Signature=${sig.slice(1)}`,
    ]
  ) assertEquals(redactSecrets(text, []), text);
});

Deno.test("a body that is not S3's XML, cut in its echoed signature, shows none of that signature", () => {
  const sig = "0123456789abcdef".repeat(4);
  // The cut at the body's first 200 characters falls 4 digits before the
  // signature's end: the 60 shown would leave 65536 guesses to resend it.
  const body = `${"x".repeat(200 - " Signature=".length - 60)} Signature=${sig}; more`;
  const message = notS3XmlMessage(body);
  assert(!message.includes(sig.slice(0, 16)), message);
  assertStringIncludes(message, "Signature=***");
});

Deno.test("S3 endpoint with a password or a signed query: refused, secret not shown", () => {
  for (
    const [name, value] of [
      ["AWS_ENDPOINT_URL", `http://minio:${SECRET}@127.0.0.1:9000`],
      ["AWS_ENDPOINT_URL_S3", `http://127.0.0.1:9000/?X-Amz-Security-Token=${SECRET}`],
      ["AWS_ENDPOINT_URL", `ftp://minio:${SECRET}@127.0.0.1:9000`],
      ["AWS_ENDPOINT_URL", `http://minio:${SECRET}@[::1`],
    ] as const
  ) {
    const env = (n: string) => (n === name ? value : undefined);
    const e = assertThrows(() => resolveS3Settings({}, env), InvalidInputError);
    assertStringIncludes(e.message, name);
    assertNoSecret(e.message, `${name}=${value}`);
  }
  const e = assertThrows(
    () => s3Namespace(`http://minio:${SECRET}@[::1`),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "minio:***@");
  assertNoSecret(e.message, "s3Namespace");
});

Deno.test("vc cache get / mirror with a password in AWS_ENDPOINT_URL: --json and -v hide it", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    const env = {
      AWS_ENDPOINT_URL: `http://minio:${SECRET}@127.0.0.1:${closedPort()}`,
      AWS_ACCESS_KEY_ID: "AKIATEST",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
    };
    for (
      const args of [
        ["cache", "get", "s3://b/k"],
        ["mirror", join(dir, "src"), "s3://b/m"],
      ]
    ) {
      for (const extra of [[], ["--json"], ["-v"]]) {
        const r = await vc([...args, ...extra], env);
        assertEquals(r.code, 1, `${args.join(" ")} ${extra.join(" ")}: ${r.stderr}`);
        assertStringIncludes(r.stderr, "minio:***@");
        assertNoSecret(r.stdout + r.stderr, `vc ${args.join(" ")} ${extra.join(" ")}`);
      }
    }
  });
});

Deno.test("CacheClient: a password in the service URL is not in its errors", () => {
  const port = closedPort();
  // Refused before any request (fetch would send it as Basic credentials
  // beside the token); the refusal names the URL without its password.
  const refused = assertThrows(
    () => new CacheClient({ url: `http://svc:${SECRET}@127.0.0.1:${port}`, token: "t" }),
    InvalidInputError,
  );
  assertStringIncludes(refused.message, `http://svc:***@127.0.0.1:${port}`);
  assertNoSecret(refused.message, "service URL with credentials");
  const bad = assertThrows(
    () => new CacheClient({ url: `htp:/svc:${SECRET}@127.0.0.1:${port}`, token: "t" }),
    InvalidInputError,
  );
  assertStringIncludes(bad.message, "is not an http:// or https:// URL");
  assertNoSecret(bad.message, "bad service URL");
});

Deno.test("vc cache-client with a password in VC_CACHE_URL: --json and -v hide it", async () => {
  await withWorkspace(async (dir, vc) => {
    const file = join(dir, "f.txt");
    await Deno.writeTextFile(file, "x");
    const env = {
      VC_CACHE_URL: `http://svc:${SECRET}@127.0.0.1:${closedPort()}`,
      VC_CACHE_TOKEN: "tok",
    };
    for (const extra of [[], ["--json"], ["-v"]]) {
      const r = await vc(["cache-client", "put", "abc".repeat(43).slice(1), file, ...extra], env);
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, 'cache service URL "http://svc:***@');
      assertNoSecret(r.stdout + r.stderr, `vc cache-client put ${extra.join(" ")}`);
    }
  });
});

Deno.test("PostgreSQL URL: a password= query parameter is never recorded nor shown", () => {
  assertEquals(
    redactPostgresUrl(`postgres://vc:${SECRET}@db/x?password=${SECRET}&sslmode=require`),
    "postgres://vc@db/x?sslmode=require",
  );
  assertEquals(redactPostgresUrl(`postgres://vc@db/x?PassWord=${SECRET}`), "postgres://vc@db/x");
  assertEquals(redactPostgresUrl(`postgres://vc@db/x?pass%77ord=${SECRET}`), "postgres://vc@db/x");
  // Unparsable: by pattern; a parameter that is not libpq's may be a
  // misspelt password (the message refusing it names it).
  assertEquals(
    redactPostgresUrl(`postgres://vc:${SECRET}@[db/x?sslmode=require&password=${SECRET}&a=1`),
    "postgres://vc@[db/x?sslmode=require",
  );
  assertEquals(redactPostgresUrl(`postgres://vc@db/x?pasword=${SECRET}`), "postgres://vc@db/x");
  assertEquals(
    parseCatalogRef(`postgres://vc@db/x?password=${SECRET}`, "h1"),
    { kind: "postgres", url: "postgres://vc@db/x" },
  );
  // A run-time URL naming another catalog: the message shows neither password.
  const e = assertThrows(
    () =>
      checkRuntimeUrl(
        { kind: "postgres", url: `postgres://vc@db/x?password=${SECRET}` },
        `postgres://vc@other/x?password=${SECRET}`,
      ),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "not the repository's catalog");
  assertNoSecret(e.message, "checkRuntimeUrl");
  // The same catalog with the password added at run time is accepted.
  checkRuntimeUrl(
    { kind: "postgres", url: "postgres://vc@db/x" },
    `postgres://vc@db/x?password=${SECRET}`,
  );
});

Deno.test({
  name:
    "vc repo init / backup with ?password= in the catalog URL: marker, backup and output hold no password (needs PostgreSQL, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await using pg = await startPgServer();
    await withWorkspace(async (dir, vc) => {
      const repo = `file://${join(dir, "repo")}`;
      const catalog = `${pg.url}?password=${SECRET}&sslmode=disable`;
      const init = await vc(["repo", "init", repo, "--catalog", catalog, "--json"]);
      assertEquals(init.code, 0, init.stderr);
      assertNoSecret(init.stdout + init.stderr, "repo init");
      const marker = await Deno.readTextFile(join(dir, "repo", ".vc-repo.json"));
      assertStringIncludes(marker, "sslmode=disable");
      assertNoSecret(marker, ".vc-repo.json");
      const backup = await vc(["repo", "backup", "--repo", repo, "--catalog", catalog, "--json"]);
      assertEquals(backup.code, 0, backup.stderr);
      assertNoSecret(backup.stdout + backup.stderr, "repo backup");
      const uri = (JSON.parse(backup.stdout) as { uri: string }).uri;
      const snapshot = new TextDecoder().decode(
        gunzipSync(await Deno.readFile(new URL(uri).pathname)),
      );
      assertStringIncludes(snapshot, `"catalog":"${pg.url}?sslmode=disable"`);
      assertNoSecret(snapshot, "backup snapshot");
      // Without --catalog, from the marker alone: still works, still hidden.
      const ls = await vc(["repo", "ls", "--repo", repo, "-v"]);
      assertEquals(ls.code, 0, ls.stderr);
      assertNoSecret(ls.stdout + ls.stderr, "repo ls");
    });
  },
});

Deno.test("catalog of an unknown kind: its password and query values are not in the error", () => {
  const error = assertThrows(
    () => parseCatalogRef("mysql://vc:swordfishpgpass@db/x?password=swordfishpgpass", "h1"),
    InvalidInputError,
  );
  assertStringIncludes(error.message, "mysql://vc:***@db/x?password=***");
  assert(!error.message.includes("swordfishpgpass"), error.message);
});
