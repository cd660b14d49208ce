// Gitea's webhook payloads (test/fixtures/gitea: hook.go's structs of gitea-js's types, with the values of
// Gitea's own webhook tests) read into Patchbay's mention and review work.
import { describe, expect, it } from "vitest";
import { giteaIssueComment, giteaPullRequest, giteaUser } from "@/test/fixtures/gitea/payloads";
import { readGiteaDelivery } from "./gitea-delivery";

describe("readGiteaDelivery", () => {
  it("reads a mention in a comment on an issue", () => {
    const payload = giteaIssueComment({ comment: "more info needed\n\n@patchbay find the crash", commentId: 4 });
    expect(readGiteaDelivery("issue_comment", payload)).toEqual({
      kind: "mention",
      repository: "test/repo",
      commentId: 4,
      number: 2,
      onPullRequest: false,
      issueTitle: "crash",
      issueBody: "this happened",
      request: "find the crash",
      actor: { login: "user1", id: 1 },
      url: "http://localhost:3000/test/repo/issues/2#issuecomment-4",
    });
  });

  it("reads a mention on a pull request (is_pull) as on a pull request", () => {
    const payload = giteaIssueComment({ isPull: true, comment: "@patchbay add a test" });
    expect(readGiteaDelivery("issue_comment", payload)).toMatchObject({ kind: "mention", number: 12, onPullRequest: true, request: "add a test" });
  });

  it("ignores comments edited or deleted, without a mention, or Patchbay's own", () => {
    expect(readGiteaDelivery("issue_comment", { ...giteaIssueComment({ comment: "@patchbay go" }), action: "edited" })).toMatchObject({
      kind: "ignored",
      reason: "a comment edited is not a new request",
    });
    expect(readGiteaDelivery("issue_comment", giteaIssueComment({}))).toMatchObject({ kind: "ignored", reason: "the comment does not mention @patchbay" });
    expect(readGiteaDelivery("issue_comment", giteaIssueComment({ comment: "<!-- patchbay -->\nDone. @patchbay" }))).toMatchObject({ kind: "ignored" });
  });

  it("reads a pull request opened, reopened or synchronized as a review of its head", () => {
    for (const action of ["opened", "reopened", "synchronized"]) {
      expect(readGiteaDelivery("pull_request", giteaPullRequest({ action, headSha: "a".repeat(40), author: giteaUser("colleague", 5) }))).toEqual({
        kind: "review",
        repository: "test/repo",
        number: 12,
        title: "Fix bug",
        headSha: "a".repeat(40),
        headBranch: "fix-bug",
        baseBranch: "main",
        draft: false,
        fromFork: false,
        author: "colleague",
        url: "http://localhost:3000/test/repo/pulls/12",
      });
    }
  });

  it("marks drafts and forks, and ignores what brings no code", () => {
    expect(readGiteaDelivery("pull_request", giteaPullRequest({ action: "opened", draft: true }))).toMatchObject({ draft: true });
    expect(readGiteaDelivery("pull_request", giteaPullRequest({ action: "opened", headRepoId: 7 }))).toMatchObject({ fromFork: true });
    expect(readGiteaDelivery("pull_request", giteaPullRequest({ action: "label_updated" }))).toMatchObject({
      kind: "ignored",
      reason: "a pull request label updated brings no new code to review",
    });
    expect(readGiteaDelivery("push", { repository: { full_name: "test/repo" } })).toEqual({
      kind: "ignored",
      repository: "test/repo",
      reason: "Gitea's push event is not one Patchbay acts on",
      summary: "push",
    });
  });
});
