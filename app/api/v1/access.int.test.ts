// Every REST route called by a stranger (an engineer with no relation to the data) and by a copywriter,
// against real Postgres, in-process, with API tokens. The table below must name every route and method:
// a new route without an entry fails this test, so nobody adds an endpoint without deciding who may call it.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveArtifact } from "@/lib/artifacts/artifact-queries";
import { createApiToken } from "@/lib/auth/api-tokens";
import { createPerson } from "@/lib/auth/people";
import { db } from "@/lib/db";
import { closeProducer } from "@/lib/queue/producer";

const API_ROOT = path.resolve(import.meta.dirname);
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];
type Handler = (request: NextRequest, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

type Fixture = {
  owner: { id: string; token: string };
  stranger: { id: string; token: string };
  copywriter: { id: string; token: string };
  environmentId: string;
  codeTaskId: string;
  copyTaskId: string;
  ownerArtifactId: string;
  ownerTokenId: string;
  ownerUserId: string;
  ownerCommentId: string;
};

/** `/api/v1/tasks/[taskId]/diff` for every route.ts under this folder. */
function discoverRoutes(dir = API_ROOT, prefix = "/api/v1"): { route: string; file: string }[] {
  const found: { route: string; file: string }[] = [];
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) found.push(...discoverRoutes(full, `${prefix}/${entry}`));
    else if (entry === "route.ts") found.push({ route: prefix, file: full });
  }
  return found;
}

let fixture: Fixture;
let counter = 0;
const unique = (label: string) => `access-${label}-${Date.now()}-${counter++}@example.com`;

async function person(role: "engineer" | "copywriter") {
  const created = await createPerson({ email: unique(role), password: "a-good-long-password", role });
  return { id: created.id, token: await createApiToken(created.id) };
}

async function taskRow(ownerId: string, environmentId: string, mode: "code" | "copy"): Promise<{ taskId: string; attemptId: string }> {
  const task = await db().task.create({
    data: {
      ownerId,
      environmentId,
      mode,
      prompt: "fixture",
      branch: "main",
      title: "fixture",
      turns: { create: { index: 0, prompt: "fixture", attempts: { create: { index: 0, status: "completed", patch: "diff --git a/x b/x\n" } } } },
    },
    select: { id: true, turns: { select: { attempts: { select: { id: true } } } } },
  });
  return { taskId: task.id, attemptId: task.turns[0]?.attempts[0]?.id ?? "" };
}

beforeAll(async () => {
  const owner = await person("engineer");
  const stranger = await person("engineer");
  const copywriter = await person("copywriter");
  const environment = await db().environment.create({
    data: { ownerId: owner.id, name: "access", repoUrl: "https://example.com/acme/web.git", defaultBranch: "main" },
    select: { id: true },
  });
  const code = await taskRow(owner.id, environment.id, "code");
  const copy = await taskRow(copywriter.id, environment.id, "copy");
  const artifact = await saveArtifact(code.attemptId, {
    kind: "screenshot",
    contentType: "image/png",
    extension: "png",
    bytes: Buffer.from("png"),
    metadata: {},
  });
  const tokenRow = await db().apiToken.findFirstOrThrow({ where: { userId: owner.id }, select: { id: true } });
  const comment = await db().reviewComment.create({ data: { taskId: code.taskId, authorId: owner.id, path: "x", line: 1, body: "Rename this." } });
  fixture = {
    owner,
    stranger,
    copywriter,
    environmentId: environment.id,
    codeTaskId: code.taskId,
    copyTaskId: copy.taskId,
    ownerArtifactId: artifact.id,
    ownerTokenId: tokenRow.id,
    ownerUserId: owner.id,
    ownerCommentId: comment.id,
  };
});

afterAll(async () => {
  await closeProducer();
});

async function call(route: string, file: string, method: Method, token: string, params: Record<string, string>, body?: unknown): Promise<number> {
  const module = (await import(file)) as Partial<Record<Method, Handler>>;
  const handler = module[method];
  if (!handler) throw new Error(`${method} ${route} is not exported`);
  let url = `http://localhost${route}`;
  for (const [name, value] of Object.entries(params)) url = url.replace(`[${name}]`, value);
  const request = new NextRequest(url, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const response = await handler(request, { params: Promise.resolve(params) });
  await response.body?.cancel().catch(() => undefined);
  return response.status;
}

type Actor = "stranger" | "copywriter";
type Entry = {
  /** Route parameters the actor sends (by default the owner's resources). */
  params?: (f: Fixture) => Record<string, string>;
  body?: (f: Fixture) => unknown;
  /** The status each actor must get; a 2xx means the route is theirs to use (their own data). */
  expect: Record<Actor, number>;
};

const ownerTask = (f: Fixture) => ({ taskId: f.codeTaskId });
const ownerEnvironment = (f: Fixture) => ({ environmentId: f.environmentId });

// Who may call what: strangers never see another person's data (404, as if it did not exist); copywriters
// see only their copy tasks and nothing of an engineer's work; admin-only routes are 403.
const TABLE: Record<string, Entry> = {
  "GET /api/v1/artifacts/[artifactId]": { params: (f) => ({ artifactId: f.ownerArtifactId }), expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/environments": { expect: { stranger: 200, copywriter: 200 } },
  "POST /api/v1/environments": { body: () => ({ name: "mine", repoUrl: "https://example.com/me/mine.git" }), expect: { stranger: 201, copywriter: 403 } },
  "POST /api/v1/environments/demo": { expect: { stranger: 201, copywriter: 403 } },
  "GET /api/v1/environments/[environmentId]": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "PATCH /api/v1/environments/[environmentId]": { params: ownerEnvironment, body: () => ({ name: "taken" }), expect: { stranger: 404, copywriter: 403 } },
  "GET /api/v1/environments/[environmentId]/copy": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  // Page pictures belong to the copy users of the environment: this one lists no paths for copywriters.
  "POST /api/v1/environments/[environmentId]/copy/pictures": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/environments/[environmentId]/copy/pictures/[artifactId]": {
    params: (f) => ({ environmentId: f.environmentId, artifactId: f.ownerArtifactId }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "DELETE /api/v1/environments/[environmentId]/setup-cache": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 403 } },
  "POST /api/v1/environments/[environmentId]/setup-check": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 403 } },
  // The webhook's settings are the environment owner's; the inbox lists one's own environments' triggers.
  "POST /api/v1/environments/[environmentId]/webhook": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "PATCH /api/v1/environments/[environmentId]/webhook": {
    params: ownerEnvironment,
    body: () => ({ autoReview: { enabled: true } }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "DELETE /api/v1/environments/[environmentId]/webhook": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/environments/[environmentId]/webhook/test": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "PUT /api/v1/environments/[environmentId]/slack": {
    params: ownerEnvironment,
    body: () => ({ name: "access", channels: [] }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "DELETE /api/v1/environments/[environmentId]/slack": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/environments/[environmentId]/slack/test": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "PUT /api/v1/environments/[environmentId]/linear": {
    params: ownerEnvironment,
    body: () => ({ signingSecret: "lin_wh_access", apiKey: "lin_api_access" }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "DELETE /api/v1/environments/[environmentId]/linear": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/environments/[environmentId]/linear/test": { params: ownerEnvironment, expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/triggers": { expect: { stranger: 200, copywriter: 200 } },
  "POST /api/v1/triggers/[triggerId]/retry": { params: (f) => ({ triggerId: f.ownerCommentId }), expect: { stranger: 404, copywriter: 404 } },
  // A delivery proves itself by its signature, not by who sends it: without a webhook set up, nothing is there.
  "POST /api/v1/webhooks/github/[environmentId]": { params: ownerEnvironment, body: () => ({ zen: "hi" }), expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/webhooks/gitlab/[environmentId]": {
    params: ownerEnvironment,
    body: () => ({ object_kind: "note" }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "POST /api/v1/webhooks/gitea/[environmentId]": { params: ownerEnvironment, body: () => ({ action: "created" }), expect: { stranger: 404, copywriter: 404 } },
  // Slack's requests prove themselves by the app's signing secret, whoever sends them: unsigned is 401.
  "POST /api/v1/webhooks/slack": { body: () => ({ type: "url_verification", challenge: "x" }), expect: { stranger: 401, copywriter: 401 } },
  "POST /api/v1/webhooks/linear/[environmentId]": { params: ownerEnvironment, body: () => ({ type: "Issue" }), expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/tasks": { expect: { stranger: 200, copywriter: 200 } },
  "POST /api/v1/tasks": { body: (f) => ({ environmentId: f.environmentId, prompt: "do something" }), expect: { stranger: 404, copywriter: 403 } },
  "GET /api/v1/tasks/[taskId]": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/tasks/[taskId]/diff": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/tasks/[taskId]/events": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/tasks/[taskId]/messages": { params: ownerTask, body: () => ({ text: "and also this" }), expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/tasks/[taskId]/cancel": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/tasks/[taskId]/comments": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/tasks/[taskId]/comments": {
    params: ownerTask,
    body: () => ({ path: "x", line: 1, body: "Rename this." }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "POST /api/v1/tasks/[taskId]/comments/import": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/tasks/[taskId]/comments/send": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "DELETE /api/v1/tasks/[taskId]/comments/[commentId]": {
    params: (f) => ({ taskId: f.codeTaskId, commentId: f.ownerCommentId }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "POST /api/v1/tasks/[taskId]/findings/[findingId]/fix": {
    params: (f) => ({ taskId: f.codeTaskId, findingId: f.ownerCommentId }),
    expect: { stranger: 404, copywriter: 404 },
  },
  "POST /api/v1/tasks/[taskId]/review/post": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/tasks/[taskId]/pull-request": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/tasks/[taskId]/pull-request": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/tasks/[taskId]/pull-request/update": { params: ownerTask, expect: { stranger: 404, copywriter: 404 } },
  "POST /api/v1/tasks/[taskId]/attempts/[attempt]/select": {
    params: (f) => ({ taskId: f.codeTaskId, attempt: "0" }),
    expect: { stranger: 404, copywriter: 404 },
  },
  // Signed links need their signature, whoever asks: without it, as if the picture did not exist.
  "GET /api/v1/shared/artifacts/[artifactId]": { params: (f) => ({ artifactId: f.ownerArtifactId }), expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/tokens": { expect: { stranger: 200, copywriter: 200 } },
  "POST /api/v1/tokens": { body: () => ({ name: "mine" }), expect: { stranger: 201, copywriter: 201 } },
  "DELETE /api/v1/tokens/[tokenId]": { params: (f) => ({ tokenId: f.ownerTokenId }), expect: { stranger: 404, copywriter: 404 } },
  "GET /api/v1/users": { expect: { stranger: 403, copywriter: 403 } },
  "GET /api/v1/workers": { expect: { stranger: 403, copywriter: 403 } },
  "POST /api/v1/users": { body: () => ({ email: unique("new"), password: "a-good-long-password", role: "admin" }), expect: { stranger: 403, copywriter: 403 } },
  "PATCH /api/v1/users/[userId]": { params: (f) => ({ userId: f.ownerUserId }), body: () => ({ role: "admin" }), expect: { stranger: 403, copywriter: 403 } },
};

async function discoveredKeys(): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const { route, file } of discoverRoutes()) {
    const module = (await import(file)) as Partial<Record<Method, Handler>>;
    for (const method of METHODS) if (module[method]) keys.set(`${method} ${route}`, file);
  }
  return keys;
}

describe("every API route, called by a stranger and by a copywriter", () => {
  it("has an entry for every route and method, and none for routes that are gone", async () => {
    expect([...(await discoveredKeys()).keys()].sort()).toEqual(Object.keys(TABLE).sort());
  });

  it("refuses each of them what is not theirs", async () => {
    const files = await discoveredKeys();
    const seen: string[] = [];
    for (const [key, entry] of Object.entries(TABLE)) {
      const [method, route] = key.split(" ") as [Method, string];
      const file = files.get(key);
      if (!file) continue; // reported by the test above
      for (const actor of ["stranger", "copywriter"] as const) {
        const status = await call(route, file, method, fixture[actor].token, entry.params?.(fixture) ?? {}, entry.body?.(fixture));
        seen.push(`${key} as ${actor}: ${status}`);
      }
    }
    const wanted = Object.entries(TABLE).flatMap(([key, entry]) =>
      (["stranger", "copywriter"] as const).map((actor) => `${key} as ${actor}: ${entry.expect[actor]}`),
    );
    expect(seen).toEqual(wanted);
    // Nothing was changed by a refused call.
    expect((await db().environment.findUniqueOrThrow({ where: { id: fixture.environmentId } })).name).toBe("access");
    expect((await db().user.findUniqueOrThrow({ where: { id: fixture.ownerUserId } })).role).toBe("engineer");
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: fixture.ownerTokenId } })).revokedAt).toBeNull();
    expect(await db().reviewComment.count({ where: { taskId: fixture.codeTaskId } })).toBe(1);
    expect(await db().pullRequest.count({ where: { taskId: fixture.codeTaskId } })).toBe(0);
  });

  it("gives a copywriter their own copy task, but not its diff or timeline", async () => {
    const files = await discoveredKeys();
    const own = { taskId: fixture.copyTaskId };
    const as = (key: string) => {
      const [method, route] = key.split(" ") as [Method, string];
      return call(route, files.get(key) ?? "", method, fixture.copywriter.token, own);
    };
    expect(await as("GET /api/v1/tasks/[taskId]")).toBe(200);
    expect(await as("GET /api/v1/tasks/[taskId]/diff")).toBe(403);
    expect(await as("GET /api/v1/tasks/[taskId]/events")).toBe(403);
  });
});
