// Argument dispatch only: each command lives in ./commands/<name>.ts and exports
// `run(args: string[]): Promise<number>` returning the process exit code.
import { AegisError, isAegisError } from "../errors/registry.ts";

const COMMANDS: Record<string, string> = {
  validate: "validate YAML policies: aegis validate <file|dir>",
  fmt: "normalize policy YAML key order and quoting, comments kept: aegis fmt <file|dir> [-w | --check]",
  build: "build a signed WASM bundle: aegis build <dir> -o <bundle.tar.gz>",
  verify: "verify a bundle signature: aegis verify <bundle> --verification-key K",
  eval: "evaluate one input: aegis eval --bundle B --input request.json",
  test: "run YAML decision test cases: aegis test <dir>",
  serve: "run the ext_authz decision service: aegis serve [--bundle B]",
  approvals: "list, show, approve or deny approvals: aegis approvals <list|show|approve|deny>",
  audit: "verify a decision log: aegis audit verify <log> --verification-key K",
  bench: "in-process evaluation benchmark: aegis bench --bundle B --input I.json",
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(10)} ${text}`);
  return `usage: aegis <command> [options]\n\ncommands:\n${lines.join("\n")}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    process.stderr.write(`aegis: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = (await import(`./commands/${name}.ts`)) as { run: (args: string[]) => Promise<number> };
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Never a stack trace for known failures: the code and message are the user's answer.
    if (isAegisError(err)) {
      process.stderr.write(`aegis: ${err.code}: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      const wrapped = new AegisError("AEGIS_ERR_USAGE", err instanceof Error ? err.message : String(err));
      process.stderr.write(`aegis: internal error: ${wrapped.message}\n`);
      process.exitCode = 70;
    }
  },
);
