// An error answer without a body (a proxy's bare 403 or 502) to a request
// that goes through the AWS SDK (DeleteObjects, CreateMultipartUpload) read
// "access denied (403 Unknown: UnknownError)": the SDK's name for a body it
// could not read, which says less than the status alone. It now reads as
// the same answer does on vc's own request path: "access denied (403)".
import { assert, assertStringIncludes } from "./assert.ts";
import { S3Store } from "../src/store/s3.ts";

async function failure(status: number, action: (store: S3Store) => Promise<unknown>) {
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      await req.body?.cancel();
      return new Response(null, { status });
    },
  );
  await using store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    multipartThreshold: 5 * 1024 * 1024,
    partSize: 5 * 1024 * 1024,
  });
  return await action(store).then(() => "succeeded", (e: Error) => e.message);
}

const ACTIONS: [string, (store: S3Store) => Promise<unknown>][] = [
  ["DeleteObjects", (store) => store.delete(["a", "b"])],
  ["CreateMultipartUpload", (store) => store.put("m", new Uint8Array(6 * 1024 * 1024))],
];

for (const [name, action] of ACTIONS) {
  Deno.test(`S3Store: ${name} answered a bare 403 says access denied (403), nothing unknown`, async () => {
    const message = await failure(403, action);
    assertStringIncludes(message, `${name} `);
    assertStringIncludes(message, "access denied (403)");
    assert(!message.includes("Unknown"), message);
  });
}

Deno.test("S3Store: DeleteObjects answered a bare 502 names the status, nothing unknown", async () => {
  const message = await failure(502, ACTIONS[0]![1]);
  assertStringIncludes(message, "failed: 502");
  assert(!message.includes("Unknown"), message);
});
