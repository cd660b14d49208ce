import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { mentionRequest, readGitHubDelivery, REPLY_MARKER } from "./github-delivery";

// GitHub's own example deliveries (@octokit/webhooks-examples), as GitHub documents them.
type Example = { name: string; examples: Record<string, unknown>[] };
const examples = createRequire(import.meta.url)("@octokit/webhooks-examples") as Example[];
const example = (event: string, action: string) => {
  const found = examples.find((entry) => entry.name === event)?.examples.find((entry) => entry.action === action);
  if (!found) throw new Error(`no ${event} ${action} example`);
  return structuredClone(found) as Record<string, unknown> & { comment: { body: string }; pull_request: Record<string, unknown> };
};

describe("a GitHub delivery", () => {
  it("finds the request after the first @patchbay, and never in Patchbay's own replies", () => {
    expect(mentionRequest("@patchbay fix the flaky date test")).toBe("fix the flaky date test");
    expect(mentionRequest("Thanks!\n\n@Patchbay: make the signup button say Create account\nplease")).toBe("make the signup button say Create account\nplease");
    expect(mentionRequest("email me at me@patchbay.dev")).toBeNull();
    expect(mentionRequest("@patchbayfan hi")).toBeNull();
    expect(mentionRequest(`${REPLY_MARKER}\nStarted a task for @patchbay fix it`)).toBeNull();
    // Quoting an earlier request, showing one in a code block, or naming another bot asks for nothing.
    expect(mentionRequest("> @patchbay fix the flaky test\n\nThanks, that worked!")).toBeNull();
    expect(mentionRequest("Try:\n```\n@patchbay fix it\n```\nnext time")).toBeNull();
    expect(mentionRequest("@patchbay-bot please")).toBeNull();
    expect(mentionRequest("> earlier words\n@patchbay rename the button")).toBe("rename the button");
    expect(mentionRequest("@patchbay fix this crash:\n```\nat greet (src/greet.js:2)\n```")).toBe("fix this crash:\n```\nat greet (src/greet.js:2)\n```");
  });

  it("reads a mention in an issue comment from GitHub's example, and ignores comments without one", () => {
    const payload = example("issue_comment", "created");
    expect(readGitHubDelivery("issue_comment", payload)).toMatchObject({ kind: "ignored", reason: "the comment does not mention @patchbay" });
    payload.comment.body = "@patchbay fix the spelling in the README";
    expect(readGitHubDelivery("issue_comment", payload)).toEqual({
      kind: "mention",
      repository: "Codertocat/Hello-World",
      commentId: 492700400,
      number: 1,
      onPullRequest: false,
      issueTitle: "Spelling error in the README file",
      issueBody: "It looks like you accidently spelled 'commit' with two 't's.",
      request: "fix the spelling in the README",
      actor: { login: "Codertocat", id: 21031067 },
      url: "https://github.com/Codertocat/Hello-World/issues/1#issuecomment-492700400",
    });
  });

  it("reads the pull request events that bring code to review, and ignores the others", () => {
    const opened = readGitHubDelivery("pull_request", example("pull_request", "opened"));
    expect(opened).toMatchObject({
      kind: "review",
      repository: "Codertocat/Hello-World",
      number: 2,
      headBranch: "changes",
      baseBranch: "master",
      fromFork: false,
    });
    expect(readGitHubDelivery("pull_request", example("pull_request", "synchronize"))).toMatchObject({ kind: "review", number: 2 });
    expect(readGitHubDelivery("pull_request", example("pull_request", "labeled"))).toMatchObject({
      kind: "ignored",
      reason: "a pull request labeled brings no new code to review",
    });
    expect(readGitHubDelivery("ping", {})).toEqual({ kind: "ping", repository: null });
    expect(readGitHubDelivery("star", { repository: { full_name: "a/b" } })).toMatchObject({ kind: "ignored", repository: "a/b" });
  });
});
