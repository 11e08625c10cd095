// An immutableBuckets entry written as a pattern (`s3://b/models/*`,
// `prod-*`) was taken as a literal prefix (or refused as "not a bucket
// name"), so every object it was meant for stayed revalidated after each
// TTL, silently. It is refused as a pattern, with the prefix meant.
import { assertStringIncludes, assertThrows } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { resolveSettings } from "../src/config.ts";

const settings = (value: string) => () =>
  resolveSettings({
    cacheDir: "/tmp/vc-example",
    configPath: false,
    env: { VC_IMMUTABLE_BUCKETS: value },
  });

Deno.test("immutableBuckets: a pattern is refused, naming the prefix that covers it", () => {
  for (
    const [item, meant] of [
      ["s3://b/models/*", "s3://b/models/"],
      ["s3://b/models/**", "s3://b/models/"],
      ["s3://b/*", "s3://b/"],
      ["prod-*", undefined],
      ["s3://b/v?/", undefined],
    ] as const
  ) {
    const e = assertThrows(settings(`a,${item}`), InvalidInputError);
    assertStringIncludes(e.message, `VC_IMMUTABLE_BUCKETS: ${JSON.stringify(item)}`);
    assertStringIncludes(e.message, "not patterns");
    if (meant !== undefined) assertStringIncludes(e.message, `(${meant} covers`);
  }
});
