/**
 * A request's route comes from its request target, never from its `Host`
 * header: Deno.serve builds `request.url` from both, so a `Host` holding a
 * `/`, `?` or `\` moved the path (`GET /healthz` with `Host: x/v1/cache/<id>?`
 * downloaded that cache), and one with a space failed with 500 and a stack
 * trace in the log. Such a `Host` is invalid (RFC 9112 3.2): 400, as JSON,
 * logged like any other request.
 */
import { assert, assertEquals } from "./assert.ts";
import { newCacheId, rawRequest, startService, upload } from "./server_helpers.ts";

function status(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
}

function body(answer: string): unknown {
  return JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
}

Deno.test("a Host header cannot move the route, and an invalid one is 400 JSON, not 500", async () => {
  await using t = await startService();
  const alice = t.tokens.alice;
  const id = (await newCacheId(t.url, alice, { host: 1 })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "SECRET", "s.txt")).status, 200);
  const hosts = [
    `x/v1/cache/${id}?`,
    `x\\v1\\cache\\${id}?`,
    `x/y?z`,
    `a b`,
    `x#y`,
    `x%2Fy`,
  ];
  for (const host of hosts) {
    const answer = await rawRequest(
      t.url,
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${alice}\r\nConnection: close\r\n\r\n`,
    );
    assertEquals(status(answer), 400, `${host}: ${answer}`);
    assert(!answer.includes("SECRET"), answer);
    const doc = body(answer) as { status: string; error: string };
    assertEquals(doc.status, "error");
    assert(doc.error.startsWith("invalid Host header"), doc.error);
  }
  // Ordinary hosts keep working: names, addresses, ports, IPv6 literals.
  for (const host of ["localhost", "127.0.0.1:8080", "[::1]:80", "Example.COM", "svc.local:"]) {
    const answer = await rawRequest(
      t.url,
      `GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    );
    assertEquals([status(answer), body(answer)], [200, { status: "ok" }], host);
  }
  // Logged as a request (with its id), not as the server's own failure.
  const lines = t.logs.map((l) => JSON.parse(l)).filter((l) => l.status === 400);
  assertEquals(lines.length, hosts.length);
  assert(lines.every((l) => l.request_id !== "-" && l.method === "GET"), JSON.stringify(lines));
});
