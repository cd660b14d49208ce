import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { findMention, readLinearDelivery } from "./linear-delivery";

// Deliveries as Linear documents them; see test/fixtures/linear/README.md for where each comes from.
function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, "../../test/fixtures/linear", name), "utf8"));
}

function withData(payload: Record<string, unknown>, data: Record<string, unknown>): Record<string, unknown> {
  return { ...payload, data: { ...(payload.data as Record<string, unknown>), ...data } };
}

const agent = { userId: "5b9e1f3a-2c4d-4e6f-8a0b-1c2d3e4f5a6b", name: "Patchbay", displayName: "patchbay" };
const ada = { id: "aacdca22-6266-4c0a-ab3c-8fa70a26765c", name: "Ada Lovelace", email: "ada@example.com" };

describe("readLinearDelivery: issues", () => {
  it("starts work when an update assigns the issue to the agent", () => {
    expect(readLinearDelivery(fixture("issue-update-assigned.json"), agent)).toEqual({
      kind: "linear-request",
      summary: "LIN-1778 assigned to Patchbay by Ada Lovelace: Dates show in UTC",
      work: {
        kind: "linear",
        issueId: "539068e2-ae88-4d09-bd75-22eb4a59612f",
        identifier: "LIN-1778",
        title: "Dates show in UTC",
        description: "The *Created* column shows UTC times. It should use the viewer's time zone.",
        url: "https://linear.app/acme/issue/LIN-1778/dates-show-in-utc",
        actor: ada,
        request: "",
        commentId: null,
      },
    });
  });

  it("starts work when an issue is created assigned to the agent", () => {
    const result = readLinearDelivery(fixture("issue-create-assigned.json"), agent);
    expect(result).toMatchObject({ kind: "linear-request", work: { identifier: "LIN-1778", request: "" } });
  });

  it("starts work when the issue moves to the agent from someone else", () => {
    const payload = { ...fixture("issue-update-assigned.json"), updatedFrom: { assigneeId: ada.id } };
    expect(readLinearDelivery(payload, agent).kind).toBe("linear-request");
  });

  it("ignores an update of an issue the agent already has", () => {
    expect(readLinearDelivery(fixture("issue-update-title.json"), agent)).toEqual({
      kind: "ignored",
      summary: "LIN-1778 update",
      reason: "Issue update that does not assign it to Patchbay: it was assigned already",
    });
  });

  it("ignores an issue assigned to someone else", () => {
    const payload = withData(fixture("issue-update-assigned.json"), { assigneeId: ada.id });
    expect(readLinearDelivery(payload, agent)).toMatchObject({ kind: "ignored", reason: "Issue update that does not assign it to Patchbay" });
  });

  it("ignores an unassignment from the agent", () => {
    const payload = { ...withData(fixture("issue-update-assigned.json"), { assigneeId: null }), updatedFrom: { assigneeId: agent.userId } };
    expect(readLinearDelivery(payload, agent)).toMatchObject({ kind: "ignored", reason: "Issue update that does not assign it to Patchbay" });
  });

  it("ignores an issue being removed", () => {
    const payload = { ...fixture("issue-update-assigned.json"), action: "remove", updatedFrom: undefined };
    expect(readLinearDelivery(payload, agent)).toMatchObject({ kind: "ignored" });
  });
});

describe("readLinearDelivery: comments", () => {
  it("starts work for a comment that mentions the agent, with the request and the issue from data.issue", () => {
    expect(readLinearDelivery(fixture("comment-create-mention.json"), agent)).toEqual({
      kind: "linear-request",
      summary: "Patchbay mentioned on LIN-1778 by Ada Lovelace",
      work: {
        kind: "linear",
        issueId: "539068e2-ae88-4d09-bd75-22eb4a59612f",
        identifier: "LIN-1778",
        title: "Dates show in UTC",
        description: "",
        url: "https://linear.app/acme/issue/LIN-1778/dates-show-in-utc",
        actor: ada,
        request: "please make the date column use the viewer's time zone",
        commentId: "2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9",
      },
    });
  });

  it("ignores the documented example comment: it mentions nobody", () => {
    expect(readLinearDelivery(fixture("comment-create.docs.json"), agent)).toEqual({
      kind: "ignored",
      summary: "Comment create on LIN-1778",
      reason: "Comment without a mention of Patchbay",
    });
  });

  it("reads the issue from the comment's url when the payload has no data.issue, as in the docs' example", () => {
    const payload = withData(fixture("comment-create.docs.json"), { body: "@patchbay fix it" });
    expect(readLinearDelivery(payload, agent)).toMatchObject({
      kind: "linear-request",
      work: {
        issueId: "539068e2-ae88-4d09-bd75-22eb4a59612f",
        identifier: "LIN-1778",
        title: "",
        description: "",
        url: "https://linear.app/issue/LIN-1778/foo-bar",
        actor: { id: "aacdca22-6266-4c0a-ab3c-8fa70a26765c", name: "", email: null },
        request: "fix it",
      },
    });
  });

  it("ignores the agent's own comments, even when they name it", () => {
    const payload = withData(fixture("comment-create-mention.json"), { userId: agent.userId });
    expect(readLinearDelivery(payload, agent)).toMatchObject({ kind: "ignored", reason: "Comment written by Patchbay itself" });
  });

  it("ignores an edited comment", () => {
    const payload = { ...fixture("comment-create-mention.json"), action: "update" };
    expect(readLinearDelivery(payload, agent)).toMatchObject({ kind: "ignored", reason: expect.stringMatching(/^Comment update/) });
  });

  it("ignores a comment on a project update", () => {
    const payload = withData(fixture("comment-create.docs.json"), { body: "@patchbay hi", issueId: null, projectUpdateId: "p1" });
    const result = readLinearDelivery({ ...payload, url: "https://linear.app/acme/project/x/updates#comment-1" }, agent);
    expect(result).toMatchObject({ kind: "ignored", reason: expect.stringMatching(/not on an issue/) });
  });
});

describe("readLinearDelivery: other deliveries", () => {
  it("ignores other entity types by name", () => {
    const payload = { ...fixture("comment-create.docs.json"), type: "Reaction" };
    expect(readLinearDelivery(payload, agent)).toEqual({
      kind: "ignored",
      summary: "Reaction create",
      reason: "Patchbay acts on issues and comments only, not on Reaction events",
    });
  });

  it.each([null, "text", 42, {}, { action: "create" }])("ignores %j without throwing", (payload) => {
    expect(readLinearDelivery(payload, agent)).toMatchObject({ kind: "ignored", summary: "Not a Linear delivery" });
  });

  it("ignores an Issue payload without the fields it needs", () => {
    const payload = { action: "create", type: "Issue", data: { id: "x" } };
    expect(readLinearDelivery(payload, agent)).toMatchObject({ kind: "ignored", summary: "Malformed Issue delivery" });
  });
});

describe("findMention", () => {
  it.each([
    ["https://linear.app/acme/profiles/patchbay please fix", "please fix"],
    ["[@Patchbay](https://linear.app/acme/profiles/patchbay) please fix", "please fix"],
    ["please fix, https://linear.app/acme/profiles/patchbay.", "please fix, ."],
    ["@Patchbay please fix", "please fix"],
    ["@patchbay: please fix", "please fix"],
    ["hey @PATCHBAY\nplease fix", "hey\nplease fix"],
  ])("finds the mention in %j", (body, rest) => {
    expect(findMention(body, agent)).toEqual({ rest });
  });

  it("matches the agent's own name, and a name with spaces URL-encoded in a profile link", () => {
    const named = { userId: "u", name: "Build Bot", displayName: "buildbot" };
    expect(findMention("@Build Bot do it", named)).toEqual({ rest: "do it" });
    expect(findMention("https://linear.app/acme/profiles/Build%20Bot do it", named)).toEqual({ rest: "do it" });
    expect(findMention("https://linear.app/acme/profiles/buildbot do it", named)).toEqual({ rest: "do it" });
  });

  it.each([
    "no mention here",
    "https://linear.app/acme/profiles/ada can you look?",
    "mail patchbay@example.com",
    "@patchbaybot is someone else",
    "see https://linear.app/acme/issue/LIN-1/patchbay",
  ])("finds no mention in %j", (body) => {
    expect(findMention(body, agent)).toBeNull();
  });
});
