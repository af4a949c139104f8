// Every command follows the same command-line conventions (src/cli/parse-command.ts).
import { describe, expect, it } from "vitest";
import { aegis } from "../support/cli.ts";

const COMMANDS: readonly (readonly string[])[] = [["eval"], ["test"], ["fmt"], ["serve"], ["bench"], ["build"], ["verify"], ["audit", "verify"], ["approvals"]];

describe("CLI conventions", () => {
  it.each(COMMANDS)("aegis %s --help prints the usage and exits 0", (...command) => {
    const r = aegis([...command, "--help"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: aegis /);
  });

  it.each(COMMANDS)("aegis %s with an unknown flag names it, prints the usage and exits 2", (...command) => {
    const r = aegis([...command, "--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^aegis ${command[0]}: Unknown option '--no-such-flag'`));
    expect(r.stderr).toMatch(/usage: aegis /);
  });

  it("an unknown command lists the commands and exits 2", () => {
    const r = aegis(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"[\s\S]*validate/);
  });
});
