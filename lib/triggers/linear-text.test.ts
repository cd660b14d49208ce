import { describe, expect, it } from "vitest";
import type { LinearRequest } from "./linear-delivery";
import { linearReply, linearTaskPrompt, MAX_ISSUE_DESCRIPTION } from "./linear-text";

const issue = {
  identifier: "LIN-1778",
  title: "Dates show in UTC",
  description: "The *Created* column shows UTC times.",
  url: "https://linear.app/acme/issue/LIN-1778/dates-show-in-utc",
};
const request: LinearRequest = {
  kind: "linear",
  issueId: "539068e2",
  ...issue,
  actor: { id: "ada", name: "Ada Lovelace", email: "ada@example.com" },
  request: "",
  commentId: null,
};

describe("linearTaskPrompt", () => {
  it("gives an assigned issue's title as the task (its first line names the issue) and its description", () => {
    expect(linearTaskPrompt(request, issue)).toBe(
      [
        "LIN-1778: Dates show in UTC",
        `The Linear issue LIN-1778 "Dates show in UTC" (${issue.url}) was assigned to Patchbay: do what it asks.`,
        "The issue says:\nThe *Created* column shows UTC times.",
      ].join("\n\n"),
    );
  });

  it("gives a mention's request first, with the issue it was made on", () => {
    const prompt = linearTaskPrompt({ ...request, request: "use the viewer's time zone", commentId: "c1" }, issue);
    expect(prompt.split("\n")[0]).toBe("LIN-1778: use the viewer's time zone");
    expect(prompt).toContain(`a comment on Linear issue LIN-1778 "Dates show in UTC" (${issue.url}).`);
  });

  it("shortens a long description and leaves out an empty one", () => {
    const long = linearTaskPrompt(request, { ...issue, description: "x".repeat(MAX_ISSUE_DESCRIPTION + 10) });
    expect(long).toContain(`${"x".repeat(MAX_ISSUE_DESCRIPTION)}…`);
    expect(long).not.toContain("x".repeat(MAX_ISSUE_DESCRIPTION + 1));
    expect(linearTaskPrompt(request, { ...issue, description: "  " })).not.toContain("The issue says");
  });
});

describe("linearReply", () => {
  it("writes the forge replies' words without the HTML marker", () => {
    const input = { taskUrl: "https://patchbay.example.com/tasks/t1" };
    expect(linearReply("started", input)).toBe("Started a task for this request: https://patchbay.example.com/tasks/t1 I will answer here when it ends.");
    expect(linearReply("refused", { ...input, reason: "user not allowed: no account" })).toBe("Nothing was started: user not allowed: no account.");
    expect(linearReply("finished", { ...input, filesChanged: 2 })).toMatch(/^Done: 2 files changed\. Review the change/);
    expect(linearReply("finished", { ...input, pullRequestUrl: "https://github.com/acme/web/pull/2" })).toMatch(
      /^Done: https:\/\/github.com\/acme\/web\/pull\/2/,
    );
  });
});
