/**
 * AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE naming a directory (the
 * `.aws` directory, not a file in it): the missing profile was said to be
 * missing from it (`no [profile dev] in /home/u/.aws/`), as if it were a
 * file without that section; and with no profile named, nothing was said of
 * it. Now it is named as a directory, with the variable that named it.
 */
import { assertStringIncludes } from "./assert.ts";
import { credentialHint } from "../src/store/s3_config.ts";

Deno.test("a shared-file variable naming a directory is said to name one", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = (vars: Record<string, string>) => (name: string) => vars[name];
    const named = credentialHint(env({ AWS_PROFILE: "dev", AWS_CONFIG_FILE: dir, HOME: dir }));
    assertStringIncludes(named, `${dir} (AWS_CONFIG_FILE) is a directory, not a file`);
    const unnamed = credentialHint(env({ AWS_SHARED_CREDENTIALS_FILE: dir, HOME: dir }));
    assertStringIncludes(
      unnamed,
      `${dir} (AWS_SHARED_CREDENTIALS_FILE) is a directory, not a file`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
