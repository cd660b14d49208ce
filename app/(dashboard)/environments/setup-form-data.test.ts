import { describe, expect, it } from "vitest";
import { envFromLines, envToLines, newSetupFromForm, secretsFromForm, setupFromForm } from "./setup-form-data";

function form(fields: [string, string][]): FormData {
  const data = new FormData();
  for (const [name, value] of fields) data.append(name, value);
  return data;
}

describe("envFromLines", () => {
  it("reads NAME=value lines, skipping blanks and comments, and keeps = and spaces in values", () => {
    expect(envFromLines("# comment\nA=1\n\n B = x=y \nEMPTY=")).toEqual({ A: "1", B: " x=y ", EMPTY: "" });
  });

  it("refuses a line without a name, with its number", () => {
    expect(() => envFromLines("A=1\njust text")).toThrow("Variables, line 2: write NAME=value.");
    expect(() => envFromLines("=value")).toThrow("line 1");
  });

  it("round-trips values with line breaks and leading quotes through JSON strings", () => {
    const env = { MULTI: "one\ntwo", QUOTED: '"hello"', PLAIN: "ok" };
    expect(envToLines(env)).toBe('MULTI="one\\ntwo"\nQUOTED="\\"hello\\""\nPLAIN=ok');
    expect(envFromLines(envToLines(env))).toEqual(env);
    expect(() => envFromLines('A="unterminated')).toThrow("complete JSON string");
  });
});

describe("secretsFromForm", () => {
  it("sets named values and removes ticked names; nothing to change is undefined", () => {
    const data = form([
      ["removeSecret", "OLD"],
      ["secretName", " NPM_TOKEN "],
      ["secretValue", "npm_0123456789"],
      ["secretName", ""],
      ["secretValue", ""],
    ]);
    expect(secretsFromForm(data)).toEqual({ OLD: null, NPM_TOKEN: "npm_0123456789" });
    expect(
      secretsFromForm(
        form([
          ["secretName", ""],
          ["secretValue", ""],
        ]),
      ),
    ).toBeUndefined();
  });

  it("refuses a name without a value and a value without a name", () => {
    expect(() =>
      secretsFromForm(
        form([
          ["secretName", "TOKEN"],
          ["secretValue", ""],
        ]),
      ),
    ).toThrow("Enter a value for the secret TOKEN.");
    expect(() =>
      secretsFromForm(
        form([
          ["secretName", ""],
          ["secretValue", "value-without-name"],
        ]),
      ),
    ).toThrow("Give each new secret a name.");
  });
});

describe("setupFromForm", () => {
  it("turns CRLF into LF in scripts and splits hosts and globs into lines", () => {
    const data = form([
      ["setupScript", "npm ci\r\nnpm run build\r\n"],
      ["maintenanceScript", ""],
      ["nodeVersion", "22"],
      ["env", "A=1\r\nB=2"],
      ["networkAgent", "allowlist"],
      ["networkAllow", "example.com\r\n\r\n *.example.org "],
      ["cacheKeyFiles", ".tool-versions"],
    ]);
    expect(setupFromForm(data)).toEqual({
      nodeVersion: "22",
      setupScript: "npm ci\nnpm run build\n",
      maintenanceScript: "",
      env: { A: "1", B: "2" },
      network: { agent: "allowlist", allow: ["example.com", "*.example.org"] },
      cacheKeyFiles: [".tool-versions"],
    });
  });

  it("refuses an unknown Node.js version or network mode", () => {
    expect(() => setupFromForm(form([["nodeVersion", "18"]]))).toThrow("Node.js version must be 20 or 22.");
    expect(() => setupFromForm(form([["networkAgent", "sometimes"]]))).toThrow();
  });

  it("the create form sends only what was filled in", () => {
    expect(
      newSetupFromForm(
        form([
          ["setupScript", "  "],
          ["nodeVersion", "20"],
        ]),
      ),
    ).toEqual({ nodeVersion: "20" });
  });
});
