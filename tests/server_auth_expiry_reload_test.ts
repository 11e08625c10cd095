/**
 * Auth edges: a KBase answer that says the token already expired is no
 * grant, and a token file removed and then written back broken keeps
 * refusing tokens (401, told once) instead of answering every request 500;
 * a redirect from the auth service is not followed.
 */
import { addToken, KBaseAuth, TokenFileAuth } from "../src/server/auth.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { ManualClock } from "./server_helpers.ts";

Deno.test("kbase auth: an answer whose expires is already past is a 401, each time", async () => {
  const clock = new ManualClock(1_800_000_000_000);
  let calls = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    calls++;
    const token = req.headers.get("authorization");
    // The auth service's clock runs behind ours (or a cache in between
    // replays an old answer): it still answers 200 for a token past expiry.
    const expires = clock.now() + (token === "fresh" ? 60_000 : -1_000);
    return Response.json({ user: "alice", expires, cachefor: 300_000 });
  });
  try {
    const auth = new KBaseAuth({ authUrl: `http://127.0.0.1:${server.addr.port}`, clock });
    assertEquals((await auth.authenticate("fresh")).name, "alice");
    for (let i = 0; i < 2; i++) {
      const e = await assertRejects(() => auth.authenticate("stale"));
      assertEquals((e as unknown as { status: number }).status, 401);
    }
    assertEquals(calls, 3);
  } finally {
    await server.shutdown();
  }
});

Deno.test("token file: removed, then written back broken: 401 and one report, not a 500 per request", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tokens.json`;
    const token = await addToken(path, "alice");
    const good = await Deno.readTextFile(path);
    const reports: string[] = [];
    const auth = new TokenFileAuth({ path, onReloadError: (e) => reports.push(e.message) });
    await auth.check();
    assertEquals((await auth.authenticate(token)).name, "alice");
    // An editor that deletes the file before it writes the new one, caught half-way.
    await Deno.remove(path);
    const gone = await assertRejects(() => auth.authenticate(token)); // seen missing: revoked
    assertEquals((gone as unknown as { status: number }).status, 401);
    await Deno.writeTextFile(path, good.slice(0, 20));
    for (let i = 0; i < 3; i++) {
      const e = await assertRejects(() => auth.authenticate(token));
      assertEquals((e as unknown as { status: number }).status, 401);
    }
    assertEquals(reports.length, 1);
    assertEquals(reports[0]!.startsWith(`invalid JSON in token file ${path}`), true);
    // Saved whole: read again.
    await Deno.writeTextFile(path, good);
    assertEquals((await auth.authenticate(token)).name, "alice");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("kbase auth: a redirect is a 502 naming it, never followed to take its answer", async () => {
  const seen: (string | null)[] = [];
  const elsewhere = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(req.headers.get("authorization"));
    // Asked without the token (fetch drops it across origins), it names someone.
    return Response.json({ user: "mallory" });
  });
  const target = `http://localhost:${elsewhere.addr.port}/services/auth/api/V2/token`;
  const auth = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => Response.redirect(target, 302),
  );
  try {
    const kbase = new KBaseAuth({ authUrl: `http://127.0.0.1:${auth.addr.port}` });
    const e = await assertRejects(() => kbase.authenticate("tok-secret"));
    assertEquals((e as unknown as { status: number }).status, 502);
    assertEquals(e.message.includes("302, a redirect"), true);
    // The log's detail says where it pointed; the answer's message does not.
    assertEquals(e.message.includes(target), false);
    assertEquals(String((e as unknown as { detail: string }).detail).includes(target), true);
    assertEquals(seen, []);
  } finally {
    await auth.shutdown();
    await elsewhere.shutdown();
  }
});

Deno.test("token file: a same-size rewrite in place within one clock tick still revokes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/tokens.json`;
    const hash = async (t: string) =>
      Array.from(
        new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(t))),
        (b) => b.toString(16).padStart(2, "0"),
      ).join("");
    await Deno.writeTextFile(path, JSON.stringify({ [await hash("tok-a")]: "alice" }));
    const { mtime } = await Deno.stat(path);
    const auth = new TokenFileAuth({ path, onReloadError: () => {} });
    assertEquals((await auth.authenticate("tok-a")).name, "alice");
    // alice's token rotated: same length, same inode, and (one tick) the same time.
    const file = await Deno.open(path, { write: true });
    await file.write(new TextEncoder().encode(JSON.stringify({ [await hash("tok-b")]: "alice" })));
    file.close();
    await Deno.utime(path, mtime!, mtime!);
    const e = await assertRejects(() => auth.authenticate("tok-a"));
    assertEquals((e as unknown as { status: number }).status, 401);
    assertEquals((await auth.authenticate("tok-b")).name, "alice");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
