// GitLab's own example payloads (test/fixtures/gitlab, from GitLab's "Webhook events" docs), typed by gitbeaker,
// read into Patchbay's mention and review work.
import type { WebhookIssueNoteEventSchema, WebhookMergeRequestEventSchema, WebhookMergeRequestNoteEventSchema } from "@gitbeaker/core";
import { describe, expect, it } from "vitest";
import mergeRequestOpen from "@/test/fixtures/gitlab/merge-request-open.docs.json";
import noteOnIssue from "@/test/fixtures/gitlab/note-issue.docs.json";
import noteOnMergeRequest from "@/test/fixtures/gitlab/note-merge-request.docs.json";
import { readGitLabDelivery } from "./gitlab-delivery";

// What Patchbay reads of the docs' examples is as gitbeaker types it. (Whole payloads are not held to
// gitbeaker's types: they differ from GitLab's own examples, e.g. event_name, which the note examples lack.)
type Reads<T, K extends keyof T> = Pick<T, K>;
type NoteReads<Target extends "issue" | "merge_request", E extends WebhookIssueNoteEventSchema | WebhookMergeRequestNoteEventSchema> = {
  user: Reads<E["user"], "id" | "username">;
  project: Reads<E["project"], "path_with_namespace">;
  object_attributes: Reads<E["object_attributes"], "id" | "note" | "noteable_type" | "system" | "url">;
} & Record<
  Target,
  Reads<E extends WebhookIssueNoteEventSchema ? E["issue"] : WebhookMergeRequestNoteEventSchema["merge_request"], "iid" | "title" | "description">
>;
const issueNote = noteOnIssue satisfies NoteReads<"issue", WebhookIssueNoteEventSchema>;
const mergeRequestNote = noteOnMergeRequest satisfies NoteReads<"merge_request", WebhookMergeRequestNoteEventSchema>;
const opened = mergeRequestOpen satisfies {
  user: Reads<WebhookMergeRequestEventSchema["user"], "id" | "username">;
  project: Reads<WebhookMergeRequestEventSchema["project"], "path_with_namespace">;
  object_attributes: Reads<
    WebhookMergeRequestEventSchema["object_attributes"],
    | "iid"
    | "title"
    | "url"
    | "action"
    | "source_branch"
    | "target_branch"
    | "source_project_id"
    | "target_project_id"
    | "draft"
    | "work_in_progress"
    | "last_commit"
  >;
};

/** A copy of `payload` with `change` made to it. */
function edited<T>(payload: T, change: (copy: T) => void): T {
  const copy = structuredClone(payload);
  change(copy);
  return copy;
}

describe("readGitLabDelivery", () => {
  it("reads a mention in a comment on an issue, numbered in the issues' series", () => {
    const payload = edited(issueNote, (copy) => {
      copy.object_attributes.note = "Looks like a crash.\n\n@patchbay fix the crash";
    });
    expect(readGitLabDelivery("Note Hook", payload)).toEqual({
      kind: "mention",
      repository: "gitlab-org/gitlab-test",
      commentId: 1241,
      number: 17,
      onPullRequest: false,
      issueTitle: "test",
      issueBody: "test",
      request: "fix the crash",
      actor: { login: "root", id: 1 },
      url: "http://example.com/gitlab-org/gitlab-test/issues/17#note_1241",
    });
  });

  it("reads a mention on a merge request as on a pull request, by the MR's iid", () => {
    const payload = edited(mergeRequestNote, (copy) => {
      copy.object_attributes.note = "@patchbay: rebase this";
    });
    expect(readGitLabDelivery("Note Hook", payload)).toMatchObject({
      kind: "mention",
      commentId: 1244,
      number: 1,
      onPullRequest: true,
      issueTitle: "Tempora et eos debitis quae laborum et.",
      request: "rebase this",
      url: "http://example.com/gitlab-org/gitlab-test/merge_requests/1#note_1244",
    });
  });

  it("ignores comments without a mention, edited ones, system notes, its own replies and comments on commits", () => {
    expect(readGitLabDelivery("Note Hook", issueNote)).toMatchObject({
      kind: "ignored",
      reason: "the comment does not mention @patchbay",
      summary: "comment by root on #17",
    });
    const updated = edited(issueNote, (copy) => {
      copy.object_attributes.note = "@patchbay do it";
      copy.object_attributes.action = "update";
    });
    expect(readGitLabDelivery("Note Hook", updated)).toMatchObject({ kind: "ignored", reason: "a comment updated is not a new request" });
    const system = edited(issueNote, (copy) => {
      copy.object_attributes.note = "@patchbay mentioned in commit abc";
      copy.object_attributes.system = true;
    });
    expect(readGitLabDelivery("Note Hook", system)).toMatchObject({ kind: "ignored", reason: "a system note is not a request" });
    const reply = edited(issueNote, (copy) => {
      copy.object_attributes.note = "<!-- patchbay -->\nStarted a task for this request. @patchbay";
    });
    expect(readGitLabDelivery("Note Hook", reply)).toMatchObject({ kind: "ignored" });
    const onCommit = edited(issueNote, (copy) => {
      copy.object_attributes.noteable_type = "Commit";
      copy.object_attributes.note = "@patchbay look";
    });
    expect(readGitLabDelivery("Note Hook", onCommit)).toMatchObject({ kind: "ignored", reason: "a comment on a commit is not one Patchbay acts on" });
  });

  it("reads a merge request opened as a review of its last commit", () => {
    expect(readGitLabDelivery("Merge Request Hook", opened)).toEqual({
      kind: "review",
      repository: "gitlabhq/gitlab-test",
      number: 1,
      title: "MS-Viewport",
      headSha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
      headBranch: "ms-viewport",
      baseBranch: "master",
      draft: false,
      fromFork: false,
      author: "root",
      // The project's web_url and the iid (the example's own url, /diaspora/merge_requests/1, lacks the "/-/").
      url: "http://example.com/gitlabhq/gitlab-test/-/merge_requests/1",
    });
  });

  it("reviews a push (an update with oldrev) and leaving draft; ignores other updates, closes and merges", () => {
    const pushed = edited(opened, (copy) => {
      Object.assign(copy.object_attributes, { action: "update", oldrev: "95790bf891e76fee5e1747ab589903a6a1f80f22" });
      copy.changes = {} as typeof copy.changes;
    });
    expect(readGitLabDelivery("Merge Request Hook", pushed)).toMatchObject({ kind: "review", headSha: "da1560886d4f094c3e6c9ef40349f7d38b5d27d7" });
    // The docs' example's changes say draft went from true to false: marked ready.
    const readied = edited(opened, (copy) => {
      copy.object_attributes.action = "update";
    });
    expect(readGitLabDelivery("Merge Request Hook", readied)).toMatchObject({ kind: "review" });
    const retitled = edited(opened, (copy) => {
      copy.object_attributes.action = "update";
      copy.changes = { title: { previous: "a", current: "b" } } as unknown as typeof copy.changes;
    });
    expect(readGitLabDelivery("Merge Request Hook", retitled)).toMatchObject({
      kind: "ignored",
      reason: "an update without new commits brings no new code to review",
    });
    for (const action of ["close", "merge", "approved"]) {
      const other = edited(opened, (copy) => {
        copy.object_attributes.action = action;
      });
      expect(readGitLabDelivery("Merge Request Hook", other)).toMatchObject({
        kind: "ignored",
        reason: `a merge request ${action} brings no new code to review`,
      });
    }
  });

  it("marks drafts (draft or the older work_in_progress) and merge requests from forks", () => {
    const draft = edited(opened, (copy) => {
      copy.object_attributes.work_in_progress = true;
    });
    expect(readGitLabDelivery("Merge Request Hook", draft)).toMatchObject({ kind: "review", draft: true });
    const fork = edited(opened, (copy) => {
      copy.object_attributes.source_project_id = 99;
    });
    expect(readGitLabDelivery("Merge Request Hook", fork)).toMatchObject({ kind: "review", fromFork: true });
  });

  it("ignores other events, naming them", () => {
    expect(readGitLabDelivery("Push Hook", { object_kind: "push", project: { path_with_namespace: "a/b" } })).toEqual({
      kind: "ignored",
      repository: "a/b",
      reason: "GitLab's Push Hook event is not one Patchbay acts on",
      summary: "Push Hook",
    });
    expect(readGitLabDelivery("Note Hook", { object_kind: "note" })).toMatchObject({
      kind: "ignored",
      reason: "the note payload lacks the fields Patchbay reads",
    });
  });
});
