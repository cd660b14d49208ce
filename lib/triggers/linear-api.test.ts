import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { type LinearImitation, startLinearImitation } from "@/test/support/linear-imitation";
import { commentOnLinearIssue, linearIssue, linearUserEmail, linearViewer } from "./linear-api";

let linear: LinearImitation;
let options: { apiKey: string; apiUrl: string };

beforeEach(async () => {
  linear = await startLinearImitation();
  options = { apiKey: linear.apiKey, apiUrl: linear.url };
});

afterEach(async () => {
  await linear.close();
  // Every request the SDK sent must have been valid against Linear's schema.
  expect(linear.violations).toEqual([]);
});

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("linearViewer", () => {
  it("answers the API key's user", async () => {
    expect(await linearViewer(options)).toEqual({ id: linear.agent.id, name: "Patchbay", displayName: "patchbay" });
    expect(linear.operations).toEqual(["viewer"]);
  });
});

describe("linearIssue", () => {
  it("reads an issue's text by id or identifier", async () => {
    const issue = linear.addIssue({ identifier: "ENG-123", title: "Dates show in UTC", description: "Use the viewer's time zone." });
    const expected = { id: issue.id, identifier: "ENG-123", title: "Dates show in UTC", description: "Use the viewer's time zone.", url: issue.url };
    expect(await linearIssue(options, issue.id)).toEqual(expected);
    expect(await linearIssue(options, "ENG-123")).toEqual(expected);
  });

  it("answers an empty description for an issue without one", async () => {
    const issue = linear.addIssue({ identifier: "ENG-7", title: "Untitled" });
    expect((await linearIssue(options, issue.id)).description).toBe("");
  });

  it("says so when the issue does not exist", async () => {
    const error = await failure(linearIssue(options, "00000000-0000-4000-8000-999999999999"));
    expect(error.code).toBe("not_found");
    expect(error.userMessage).toMatch(/could not find/i);
  });
});

describe("linearUserEmail", () => {
  it("answers the user's email", async () => {
    const ada = linear.addUser({ name: "Ada Lovelace", email: "ada@example.com" });
    expect(await linearUserEmail(options, ada.id)).toBe("ada@example.com");
  });
});

describe("commentOnLinearIssue", () => {
  it("creates the comment on the issue with the markdown body and answers its link", async () => {
    const issue = linear.addIssue({ identifier: "ENG-123", title: "Dates show in UTC" });
    const body = "Working on it: [task](https://patchbay.example/tasks/1)";
    const { url } = await commentOnLinearIssue(options, issue.id, body);
    expect(linear.comments).toHaveLength(1);
    expect(linear.comments[0]).toMatchObject({ issueId: issue.id, body, input: { issueId: issue.id, body } });
    expect(url).toBe(`${issue.url}#comment-${linear.comments[0]?.id.slice(0, 8)}`);
    expect(linear.operations).toEqual(["createComment", "comment"]);
  });
});

describe("failures", () => {
  it("a wrong API key is an unauthorized AppError that says to fix the key", async () => {
    const error = await failure(linearViewer({ ...options, apiKey: "lin_api_wrong" }));
    expect(error.code).toBe("unauthorized");
    expect(error.retryable).toBe(false);
    expect(error.userMessage).toMatch(/refused the API key/);
    expect(error.userMessage).toMatch(/valid key/);
    expect((error.cause as { status?: number }).status).toBe(400);
  });

  it("a 503 is a retryable AppError whose cause keeps the status", async () => {
    const issue = linear.addIssue({ identifier: "ENG-1", title: "x" });
    linear.failNext(1, 503);
    const error = await failure(commentOnLinearIssue(options, issue.id, "hello"));
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toMatch(/HTTP 503/);
    expect((error.cause as { status?: number }).status).toBe(503);
    expect(linear.comments).toEqual([]);
  });

  it("a 429 is rate_limited and retryable", async () => {
    linear.failNext(1, 429);
    const error = await failure(linearViewer(options));
    expect(error.code).toBe("rate_limited");
    expect(error.retryable).toBe(true);
    expect((error.cause as { status?: number }).status).toBe(429);
  });

  it("an unreachable Linear is a retryable AppError without a status", async () => {
    const url = linear.url;
    await linear.close();
    linear = await startLinearImitation();
    const error = await failure(linearViewer({ ...options, apiUrl: url }));
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toMatch(/could not be reached/);
  });
});

describe("the imitation", () => {
  it("refuses an operation that Linear's schema does not allow", async () => {
    const response = await fetch(linear.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: linear.apiKey },
      body: JSON.stringify({ query: 'mutation createComment { commentCreate(input: { issueId: "x", text: "hi" }) { success } }' }),
    });
    expect(response.status).toBe(400);
    expect(linear.violations).toEqual(['Field "text" is not defined by type "CommentCreateInput".']);
    linear.violations.length = 0;
  });
});
