/**
 * The store's marker (`.vc-repo.json`) names the PostgreSQL catalog, and
 * anyone who may write to the store can rewrite it. Beyond the password
 * (tests/repo_pg_marker_password_test.ts), a marker's URL must not weaken
 * what this machine asks of the connection nor change what vc's queries run
 * against: an `sslmode` weaker than this machine's `PGSSLMODE`, an
 * `sslrootcert` other than its `PGSSLROOTCERT`, a Unix socket (no TLS) where
 * this machine requires TLS, or `options` (server settings such as
 * search_path, which could send vc's queries to another's tables) that this
 * machine did not give. Each is refused before any connection, naming the
 * marker, the parameter and what to set instead; a catalog named on this
 * machine (`postgresUrl`, the CLI's --catalog or VC_REPO_CATALOG) may set
 * them.
 */
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/repository.ts";
import { rawServer } from "./raw_server.ts";
import { storeWithMarker } from "./repo_marker_store.ts";

/** A server that accepts and hangs up: reaching it is "cannot reach". */
function hangUp() {
  return rawServer((conn) => {
    conn.close();
    return Promise.resolve();
  });
}

const markerStore = (url: string) => storeWithMarker(url, "vc-marker-settings-");

/** Opens the store whose marker names `url`, with `env`, and `postgresUrl` if given. */
function open(dir: string, env: Record<string, string>, postgresUrl?: string) {
  return Repository.open(`file://${dir}`, {
    env: { PGPASSFILE: `${dir}/no-pgpass`, ...env },
    ...(postgresUrl === undefined ? {} : { postgresUrl }),
    connectRetryMs: 0,
    host: "h",
  });
}

const cases: {
  what: string;
  query: string;
  env: Record<string, string>;
  words: string[];
}[] = [
  {
    what: "sslmode=disable under PGSSLMODE=verify-full",
    query: "sslmode=disable",
    env: { PGSSLMODE: "verify-full" },
    words: ["sslmode=disable", "weaker than this machine's PGSSLMODE=verify-full"],
  },
  {
    what: "sslmode=require under PGSSLMODE=verify-ca",
    query: "sslmode=require",
    env: { PGSSLMODE: "verify-ca" },
    words: ["sslmode=require", "PGSSLMODE=verify-ca"],
  },
  {
    what: "sslmode=prefer under the driver's PGSSL=true",
    query: "sslmode=prefer",
    env: { PGSSL: "true" },
    words: ["sslmode=prefer", "PGSSL=true"],
  },
  {
    what: "sslrootcert other than PGSSLROOTCERT",
    query: "sslmode=verify-full&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
    env: { PGSSLMODE: "verify-full", PGSSLROOTCERT: "/etc/vc/internal-ca.pem" },
    words: [
      "sslrootcert=/etc/ssl/certs/ca-certificates.crt",
      "this machine's PGSSLROOTCERT=/etc/vc/internal-ca.pem",
    ],
  },
  {
    what: "sslrootcert where this machine sets no PGSSLROOTCERT",
    query: "sslmode=verify-full&sslrootcert=/dev/null",
    env: {},
    words: [
      "sslrootcert=/dev/null names a file of this machine to trust",
      "set PGSSLROOTCERT=/dev/null",
    ],
  },
  {
    what: "options (search_path) not given on this machine",
    query: "options=-c%20search_path%3Dmallory",
    env: {},
    words: ["options=-c search_path=mallory", "PGOPTIONS='-c search_path=mallory'"],
  },
  {
    what: "options other than PGOPTIONS",
    query: "options=-c%20search_path%3Dmallory",
    env: { PGOPTIONS: "-c search_path=vc" },
    words: ["options=-c search_path=mallory", "PGOPTIONS"],
  },
  {
    what: "a Unix socket where PGSSLMODE requires TLS",
    query: "host=/tmp/mallory",
    env: { PGSSLMODE: "verify-full" },
    words: ["host=/tmp/mallory", "a Unix socket, which carries no TLS", "PGSSLMODE=verify-full"],
  },
];

for (const c of cases) {
  Deno.test(`repo: a marker's ${c.what} is refused before any connection`, async () => {
    await using server = hangUp();
    const url = `postgres://vc@127.0.0.1:${server.port}/vc?${c.query}`;
    await using store = await markerStore(url);
    const error = await assertRejects(() => open(store.dir, c.env), CatalogUnavailableError);
    assertEquals(server.accepted(), 0, error.message);
    for (
      const words of [
        ...c.words,
        `named only by file://${store.dir}/.vc-repo.json`,
        "--catalog",
        "VC_REPO_CATALOG",
      ]
    ) {
      assert(error.message.includes(words), `${words}: ${error.message}`);
    }
    // Named on this machine, the same URL is this machine's choice: it connects.
    await assertRejects(() => open(store.dir, c.env, url), CatalogUnavailableError, "cannot reach");
    if (!c.query.startsWith("host=")) assertEquals(server.accepted(), 1);
  });
}

Deno.test("repo: a marker's client certificate and key (sslcert, sslkey, sslpassword) are refused before any connection", async () => {
  await using server = hangUp();
  for (const query of ["sslcert=/home/me/.postgresql/postgresql.crt", "sslkey=/home/me/k.key"]) {
    await using store = await markerStore(
      `postgres://vc@127.0.0.1:${server.port}/vc?sslmode=require&${query}`,
    );
    await assertRejects(() => open(store.dir, {}), CatalogUnavailableError, "is not supported");
  }
  assertEquals(server.accepted(), 0);
});

Deno.test("repo: a marker's settings that do not weaken this machine's are used (sslmode as strong or stronger, PGOPTIONS the same)", async () => {
  await using server = hangUp();
  const base = `postgres://vc@127.0.0.1:${server.port}/vc`;
  // A CA file of this machine (never parsed: the server hangs up first).
  await using ca = await markerStore(base);
  const caFile = `${ca.dir}/ca.pem`;
  await Deno.writeTextFile(caFile, "-----BEGIN CERTIFICATE-----\n");
  const allowed: [string, Record<string, string>][] = [
    ["sslmode=prefer", {}],
    ["sslmode=disable", {}],
    ["sslmode=verify-full", { PGSSLMODE: "require" }],
    ["sslmode=require", { PGSSLMODE: "require" }],
    ["sslmode=verify-full&sslrootcert=system", {}],
    [`sslmode=verify-full&sslrootcert=${caFile}`, { PGSSLROOTCERT: caFile }],
    ["options=-c%20search_path%3Dvc", { PGOPTIONS: "-c search_path=vc" }],
    [
      "application_name=w1&connect_timeout=5&keepalives_idle=30&target_session_attrs=read-write",
      {},
    ],
  ];
  for (const [query, env] of allowed) {
    await using store = await markerStore(`${base}?${query}`);
    await assertRejects(() => open(store.dir, env), CatalogUnavailableError, "cannot reach");
  }
  assertEquals(server.accepted(), allowed.length);
});
