import { describe, expect, it } from "vitest";
import { commitMessage, patchFileStats, pullRequestBody, pullRequestBranch, pullRequestTitle } from "./pull-request-text";

const PATCH = `diff --git a/src/greet.js b/src/greet.js
index 1111111..2222222 100644
--- a/src/greet.js
+++ b/src/greet.js
@@ -1,3 +1,3 @@
 export function greet(name) {
-  return "Hello, " + name;
+  return \`Hello, \${name}!\`;
 }
diff --git a/NOTES.md b/NOTES.md
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/NOTES.md
@@ -0,0 +1,2 @@
+# Notes
+More.
`;

describe("pull request text", () => {
  it("names the branch after the task, readable and unique per task", () => {
    expect(pullRequestBranch("Make the signup button say “Create account”!", "cmx69phd40002z47dc1ygkepe")).toBe(
      "patchbay/make-the-signup-button-say-create-accoun-c1ygkepe",
    );
    expect(pullRequestBranch("Überprüfe die Datumsanzeige", "cabcdefgh12345678")).toBe("patchbay/uberprufe-die-datumsanzeige-12345678");
    expect(pullRequestBranch("!!!", "cabcdefgh12345678")).toBe("patchbay/12345678");
  });

  it("lists each file with its added and removed lines", () => {
    expect(patchFileStats(PATCH)).toEqual([
      { path: "src/greet.js", added: 1, removed: 1 },
      { path: "NOTES.md", added: 2, removed: 0 },
    ]);
  });

  it("writes the body from the agent's summary, the requests, the files and the check, with a link back", () => {
    const body = pullRequestBody({
      taskTitle: "Use a template literal",
      turns: [
        { prompt: "Use a template literal", reply: "Done." },
        { prompt: "Add notes", reply: "Greeting uses a template literal; NOTES.md says so." },
      ],
      patch: PATCH,
      check: { command: "npm test", passed: false },
      taskUrl: "https://patchbay.example.com/tasks/t1",
    });
    expect(body).toBe(
      [
        "Greeting uses a template literal; NOTES.md says so.",
        "### Requests\n1. Use a template literal\n2. Add notes",
        "### Files (2)\n- `src/greet.js` (+1 −1)\n- `NOTES.md` (+2 −0)",
        "### Check\n`npm test`: **failed**",
        "---\nOpened by Patchbay from [this task](https://patchbay.example.com/tasks/t1), where the timeline and the before/after screenshots are.",
      ].join("\n\n"),
    );
    expect(pullRequestBody({ taskTitle: "x", turns: [{ prompt: "x", reply: null }], patch: PATCH, check: null, taskUrl: null })).toContain(
      "(The agent gave no summary.)",
    );
  });

  it("shows before/after pictures in a table, with when their links stop working", () => {
    const body = pullRequestBody({
      taskTitle: "x",
      turns: [{ prompt: "x", reply: "Done." }],
      patch: PATCH,
      check: null,
      taskUrl: null,
      screenshots: [
        { route: "/", viewport: "desktop", before: "https://p.example/b1", after: "https://p.example/a1", changed: true },
        { route: "/about", viewport: "mobile", before: "https://p.example/b2", after: "https://p.example/a2", changed: false },
      ],
      linksExpire: new Date("2027-01-01T10:00:00Z"),
    });
    expect(body).toContain(
      [
        "### Screenshots",
        "| Page | Before | After |",
        "|---|---|---|",
        "| `/` (desktop) | ![before](https://p.example/b1) | ![after](https://p.example/a1) |",
        "| `/about` (mobile), unchanged | ![before](https://p.example/b2) | ![after](https://p.example/a2) |",
        "",
        "The pictures' links work until 2027-01-01; publishing again renews them.",
      ].join("\n"),
    );
  });

  it("keeps titles to one line and commit subjects short", () => {
    expect(pullRequestTitle("Fix\nthe   date test")).toBe("Fix the date test");
    expect(pullRequestTitle("x".repeat(200))).toHaveLength(120);
    expect(commitMessage({ prompt: "Add notes\nplease", reply: "Added NOTES.md.", turn: 2 })).toBe("Add notes please\n\nAdded NOTES.md.\n");
    expect(commitMessage({ prompt: "  ", reply: null, turn: 3 })).toBe("Patchbay turn 3\n");
  });
});
