// An empty program: `cli_path.ts` measures `deno run` of it as the start-up floor.
