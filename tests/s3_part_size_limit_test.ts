/**
 * S3 takes no part over 5 GiB, and the upload engine holds each part in
 * flight in memory: a `partSize` over 5 GiB used to be accepted, so an
 * upload read gigabytes per part (8 in flight) before S3 refused every part
 * with EntityTooLarge. It is refused when the store is made, naming the
 * limit; 5 GiB itself and the 10,000-part raise for a 5 TiB object stay
 * within S3's limits.
 */
import { InvalidInputError } from "../src/errors.ts";
import { choosePartSize, MAX_PARTS } from "../src/store/multipart_upload.ts";
import { S3Store } from "../src/store/s3.ts";
import { assert, assertStringIncludes, assertThrows } from "./assert.ts";

const GiB = 1024 ** 3;
const options = {
  bucket: "b",
  endpoint: "http://127.0.0.1:9",
  region: "us-east-1",
  credentials: { accessKeyId: "a", secretAccessKey: "s" },
};

Deno.test("s3 store: a partSize over 5 GiB is refused at once", async () => {
  const e = assertThrows(
    () => new S3Store({ ...options, partSize: 5 * GiB + 1 }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "partSize=5368709121");
  assertStringIncludes(e.message, "5 GiB");
  await new S3Store({ ...options, partSize: 5 * GiB }).close();
});

Deno.test("s3 store: a 5 TiB upload gets parts within S3's limits", () => {
  const size = 5 * 1024 * GiB;
  for (const partSize of [5 * 1024 ** 2, 16 * 1024 ** 2, 5 * GiB]) {
    const part = choosePartSize(size, partSize);
    assert(part <= 5 * GiB, `part ${part} over 5 GiB`);
    assert(Math.ceil(size / part) <= MAX_PARTS, `${Math.ceil(size / part)} parts`);
  }
});
