/**
 * Auth edges: a KBase answer that says the token already expired is no
 * grant, and a token file removed and then written back broken keeps
 * refusing tokens (401, told once) instead of answering every request 500.
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
