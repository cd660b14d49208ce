// An imitation of GitLab for integration tests: the part of the REST API (v4, under /api/v4) Patchbay's
// merge requests use, and the projects' git over smart HTTP at /<namespace>/<project>.git, both on one
// 127.0.0.1 address like a GitLab host. Merge requests, their diff versions, threads and draft notes, and
// commit statuses live in memory.
//
// What it is checked against, and how (GitLab publishes no API description on npm):
// - Requests: a table below of the operations the client is documented to use, written from GitLab's REST
//   docs (doc/api/merge_requests.md, merge request versions, commits.md "List the statuses of a commit",
//   discussions.md, draft_notes.md, notes.md "Create new issue note" and "Create new merge request note") and the Grape parameter declarations in GitLab's lib/api. A request is
//   matched on its method and path; anything else is a 404 ({"error":"404 Not Found"}, as GitLab answers an
//   unknown route) and a violation. Each query or JSON body field is checked for presence (required ones),
//   type (with Grape's coercions: "12" is an integer), allowed values and blankness, nested `position`
//   fields included; a request Grape would refuse gets Grape's 400 ({"error":"title is missing"}) and is a
//   violation too. A field the docs do not list is a violation (GitLab silently ignores it), and so is a
//   documented field the imitation does not implement (its answer would be wrong).
// - Answers: each is built as the SDK's type for it (@gitbeaker/core, `satisfies`), gitbeaker's reading of
//   the same docs. Where those types disagree with GitLab's docs and answers (line numbers typed as
//   strings, a short list of detailed_merge_status values), the docs win and the place says so.
// - Behaviour: auth (PRIVATE-TOKEN or Authorization: Bearer; 401 {"message":"401 Unauthorized"}; a token
//   without the api scope gets 403 insufficient_scope), pagination (page/per_page, at most 100, with the
//   x-page, x-per-page, x-total, x-total-pages, x-next-page, x-prev-page and link headers), the 409 for a
//   second open merge request of a branch, a new diff version each time a merge request's head moves, and
//   refs/merge-requests/<iid>/head kept at the head (written before git serves a fetch, refused to pushes).
// - Draft notes are checked as GitLab checks them when the review is published (not when they are created:
//   GitLab answers 201 for any position): a position must name a line of the diff between its start_sha
//   and head_sha exactly as GitLab's diff shows it: an added line by new_line alone, a removed one by
//   old_line alone, an unchanged one by both. GitLab silently drops a draft that does not, at publish; the
//   imitation does the same and records a violation, so a finding Patchbay would lose fails the test. A
//   suggestion block (```suggestion:-N+M) must be on a line of the new file and stay inside it.
//
// Not imitated: groups, forks, approvals, pipelines (head_pipeline is null; checks are commit statuses),
// outdated or moved diff notes, line_range (multi-line notes: accepted, not checked), rendering markdown,
// merging in git (a merge only changes the state), and timing: GitLab makes a push's diff version and
// checks mergeability in the background, the imitation has both by the next request.
import { execFile, execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type {
  CommitStatusSchema,
  DiffRefsSchema,
  DiscussionNoteSchema,
  DiscussionSchema,
  ExpandedMergeRequestSchema,
  MergeRequestDiffVersionsSchema,
  MergeRequestDiffSchema,
  MergeRequestDraftNoteSchema,
  MergeRequestSchema,
  NoteSchema,
  SimpleUserSchema,
} from "@gitbeaker/core";
import { parsePatch } from "diff";
import { gitHttpHandler } from "./git-http-server";

const execFileAsync = promisify(execFile);

/** git's environment without the user's (or the system's) configuration: GitLab's git, not this machine's. */
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };

// ---------------------------------------------------------------------------------------------------------
// What the test sees.

/** A personal access token's scopes, as far as they matter here. */
export type TokenScope = "api" | "read_api" | "read_repository" | "write_repository";

export type ImitatedRequest = { method: string; path: string; query: Record<string, string>; body: unknown; status: number };

export type ImitatedMergeRequest = {
  iid: number;
  sourceBranch: string;
  targetBranch: string;
  title: string;
  description: string | null;
  state: "opened" | "closed" | "locked" | "merged";
  webUrl: string;
  /** The head of its latest diff version. */
  headSha: string;
  removeSourceBranch: boolean | null;
};

export type ImitatedPosition = {
  baseSha: string;
  startSha: string;
  headSha: string;
  oldPath: string | null;
  newPath: string | null;
  oldLine: number | null;
  newLine: number | null;
};

export type ImitatedNote = {
  id: number;
  author: string;
  body: string;
  system: boolean;
  type: "DiffNote" | "DiscussionNote" | null;
  position: ImitatedPosition | null;
};

export type ImitatedDiscussion = { id: string; individualNote: boolean; resolved: boolean; notes: ImitatedNote[] };

export type GitLabImitation = {
  /** The host: the web pages, the API (url + "/api/v4") and the projects' git, e.g. http://127.0.0.1:PORT/acme/web.git. */
  url: string;
  /** A bare clone of `sourceDir` as project `namespace/name`; returns its git directory and clone URL. */
  createRepository(fullName: string, sourceDir: string): { gitDir: string; cloneUrl: string; projectId: number };
  /** Someone opens an issue on the web; issues are numbered apart from merge requests. */
  createIssue(fullName: string, input: { title: string; description?: string; author?: string }): { iid: number; webUrl: string };
  /** An issue's notes (comments), oldest first. */
  issueNotes(fullName: string, iid: number): ImitatedNote[];
  /** The notes on a merge request's conversation (not on a line, not system notes), oldest first. */
  mergeRequestNotes(fullName: string, iid: number): ImitatedNote[];
  /** Someone (`author`, a colleague by default) opens a merge request on the web, under the API's rules. */
  openMergeRequest(
    fullName: string,
    input: { sourceBranch: string; targetBranch: string; title: string; description?: string; author?: string },
  ): Promise<ImitatedMergeRequest>;
  mergeRequests(fullName: string): ImitatedMergeRequest[];
  /** Someone clicks Merge and GitLab is at it: the merge request is "locked" until merge() finishes it. */
  startMerge(fullName: string, iid: number): Promise<void>;
  /** Someone merges it on GitLab; `deleteBranch` as with "Delete source branch" ticked. */
  merge(fullName: string, iid: number, options?: { deleteBranch?: boolean }): Promise<void>;
  /** Someone closes it without merging. */
  closeMergeRequest(fullName: string, iid: number): Promise<void>;
  /** What GitLab's mergeability check found (a new merge request is "checking" once, then "mergeable"). */
  setMergeStatus(fullName: string, iid: number, status: "checking" | "mergeable" | "conflict"): void;
  /**
   * Someone (`user`, a username) comments on line `line` of the merge request's latest diff version, on the
   * new file's side (the default) or the old one's, as the web page anchors it; `inReplyTo` (a thread's id)
   * replies in that thread instead. Throws when the diff does not show that line.
   */
  addDiffNote(
    fullName: string,
    iid: number,
    note: { user: string; path: string; line: number; side?: "new" | "old"; body: string; inReplyTo?: string },
  ): Promise<{ discussionId: string; noteId: number }>;
  /** Someone resolves a thread. */
  resolveDiscussion(fullName: string, iid: number, discussionId: string): void;
  /** The merge request's threads as GitLab lists them (published draft notes included), oldest first. */
  discussions(fullName: string, iid: number): ImitatedDiscussion[];
  /** Draft notes not yet published (a review in progress), oldest first. */
  draftNotes(fullName: string, iid: number): { id: number; author: string; note: string; position: ImitatedPosition | null }[];
  /** The reviews submitted through the API (one per bulk publish that had drafts), each with its notes. */
  reviews(fullName: string, iid: number): { author: string; notes: ImitatedNote[] }[];
  /** A CI job's status on commit `sha` (a full sha in the project), as a runner or an external CI reports it. */
  setCommitStatus(
    fullName: string,
    sha: string,
    status: { name: string; status: CommitStatus; allowFailure?: boolean; ref?: string; stage?: string },
  ): Promise<void>;
  /** Every API request, oldest first (git traffic is not listed). */
  requests(): ImitatedRequest[];
  /** Every way a request departed from GitLab's docs, or a draft note GitLab would drop. */
  violations(): string[];
  close(): Promise<void>;
};

/** A commit status as GitLab's docs list them (the SDK's CommitablePipelineStatus has five of these). */
export type CommitStatus =
  | "created"
  | "waiting_for_resource"
  | "preparing"
  | "pending"
  | "running"
  | "success"
  | "failed"
  | "canceled"
  | "skipped"
  | "manual"
  | "scheduled";

// ---------------------------------------------------------------------------------------------------------
// GitLab's answers, as the SDK types them (amended where GitLab's docs say otherwise).

/** `T` with the fields of `U` retyped (a mapped type: `Omit` would drop every named field of gitbeaker's open records). */
type Amend<T, U> = { [K in keyof T as K extends keyof U ? never : K]: T[K] } & U;
type UserJson = Amend<SimpleUserSchema, { created_at?: never }>;
/** GitLab's docs list more detailed_merge_status values than the SDK (conflict, need_rebase, not_open…). */
type DetailedMergeStatus = MergeRequestSchema["detailed_merge_status"] | "conflict" | "need_rebase" | "not_open";
type MergeRequestJson = Amend<MergeRequestSchema, { detailed_merge_status: DetailedMergeStatus }>;
type ExpandedMergeRequestJson = Amend<ExpandedMergeRequestSchema, { detailed_merge_status: DetailedMergeStatus }>;
/** A text position as GitLab answers it: line numbers are integers or null (the SDK says optional strings). */
type PositionJson = Amend<
  DiffRefsSchema,
  {
    position_type: "text";
    old_path: string | null;
    new_path: string | null;
    old_line: number | null;
    new_line: number | null;
    line_range: unknown;
  }
>;
/** A note in a thread: the SDK's note with GitLab's resolved_by (a user or null) and position. */
type NoteJson = DiscussionNoteSchema & { position?: PositionJson; resolved?: boolean; resolved_by?: UserJson | null; resolved_at?: string | null };
type DiscussionJson = Amend<DiscussionSchema, { notes: NoteJson[] }>;
/** GitLab's draft note: discussion_id and line_code are strings, commit_id a sha (the SDK types them as numbers). */
type DraftNoteJson = Amend<
  MergeRequestDraftNoteSchema,
  {
    discussion_id: string | null;
    commit_id: string | null;
    line_code: string | null;
    position: Amend<PositionJson, { base_sha: string | null; start_sha: string | null; head_sha: string | null }>;
  }
>;
/** GitLab answers null for a status without description or target URL, and knows more statuses than the SDK. */
type CommitStatusJson = Amend<
  CommitStatusSchema,
  { status: CommitStatus; description: string | null; target_url: string | null; started_at: string | null; finished_at: string | null; author: UserJson }
>;

// ---------------------------------------------------------------------------------------------------------
// The operations, from GitLab's REST docs and its Grape parameter declarations.

type Param =
  | { type: "string"; required?: boolean; values?: readonly string[]; allowBlank?: false }
  | { type: "integer" | "boolean"; required?: boolean }
  | { type: "integers" }
  | { type: "hash"; fields: Params };
type Params = Record<string, Param>;
type OperationName =
  | "listMergeRequests"
  | "createMergeRequest"
  | "getMergeRequest"
  | "updateMergeRequest"
  | "listVersions"
  | "listCommitStatuses"
  | "listDiscussions"
  | "listDraftNotes"
  | "createDraftNote"
  | "deleteDraftNote"
  | "publishDraftNotes"
  | "listMergeRequestDiffs"
  | "createIssueNote"
  | "createMergeRequestNote";
type Operation = {
  name: OperationName;
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** Under /api/v4, with :params. */
  path: string;
  /** The fields the imitation implements (query for GET and DELETE, JSON body otherwise). */
  params: Params;
  /** Fields GitLab documents for the operation that the imitation does not implement. */
  unimplemented?: readonly string[];
  /** Grape's at_least_one_of. */
  atLeastOneOf?: readonly string[];
};

/** A list of names, as GitLab's docs list them (a long array literal would run down the page). */
const words = (text: string) => text.split(" ");
const PAGE: Params = { page: { type: "integer" }, per_page: { type: "integer" } };
const MR = "/projects/:id/merge_requests/:merge_request_iid";
/** A diff position (draft_notes.rb's `positional` params). */
const POSITION: Param = {
  type: "hash",
  fields: {
    base_sha: { type: "string", required: true },
    start_sha: { type: "string", required: true },
    head_sha: { type: "string", required: true },
    position_type: { type: "string", required: true, values: ["text", "image", "file"] },
    new_path: { type: "string" },
    new_line: { type: "integer" },
    old_path: { type: "string" },
    old_line: { type: "integer" },
    width: { type: "integer" },
    height: { type: "integer" },
    x: { type: "integer" },
    y: { type: "integer" },
    line_range: {
      type: "hash",
      fields: Object.fromEntries(
        ["start", "end"].map((end) => [
          end,
          { type: "hash", fields: { line_code: { type: "string" }, type: { type: "string" }, old_line: { type: "string" }, new_line: { type: "string" } } },
        ]),
      ) as Params,
    },
  },
};

const OPERATIONS: readonly Operation[] = [
  {
    name: "listMergeRequests",
    method: "GET",
    path: "/projects/:id/merge_requests",
    params: {
      state: { type: "string", values: ["opened", "closed", "locked", "merged", "all"] },
      order_by: { type: "string", values: ["created_at", "updated_at", "merged_at", "title", "label_priority", "milestone_due", "popularity", "priority"] },
      sort: { type: "string", values: ["asc", "desc"] },
      source_branch: { type: "string" },
      target_branch: { type: "string" },
      iids: { type: "integers" },
      ...PAGE,
    },
    unimplemented: words(
      "approved_by_ids approver_ids approved assignee_id assignee_username author_id author_username created_after created_before deployed_after deployed_before draft environment in labels merge_user_id merge_user_username milestone my_reaction_emoji not reviewer_id reviewer_username scope search updated_after updated_before view wip with_labels_details with_merge_status_recheck",
    ),
  },
  {
    name: "createMergeRequest",
    method: "POST",
    path: "/projects/:id/merge_requests",
    params: {
      source_branch: { type: "string", required: true },
      target_branch: { type: "string", required: true },
      title: { type: "string", required: true },
      description: { type: "string" },
      remove_source_branch: { type: "boolean" },
      squash: { type: "boolean" },
      allow_collaboration: { type: "boolean" },
      allow_maintainer_to_push: { type: "boolean" },
    },
    unimplemented: ["assignee_id", "assignee_ids", "reviewer_ids", "labels", "milestone_id", "target_project_id", "approvals_before_merge", "merge_after"],
  },
  {
    name: "getMergeRequest",
    method: "GET",
    path: MR,
    params: {},
    unimplemented: ["render_html", "include_diverged_commits_count", "include_rebase_in_progress"],
  },
  {
    name: "updateMergeRequest",
    method: "PUT",
    path: MR,
    params: {
      title: { type: "string", allowBlank: false },
      description: { type: "string" },
      target_branch: { type: "string", allowBlank: false },
      state_event: { type: "string", values: ["close", "reopen"] },
      remove_source_branch: { type: "boolean" },
      squash: { type: "boolean" },
      discussion_locked: { type: "boolean" },
      allow_collaboration: { type: "boolean" },
      allow_maintainer_to_push: { type: "boolean" },
    },
    unimplemented: ["assignee_id", "assignee_ids", "reviewer_ids", "labels", "add_labels", "remove_labels", "milestone_id", "merge_after"],
    atLeastOneOf: words(
      "add_labels assignee_id assignee_ids description discussion_locked labels merge_after milestone_id remove_labels remove_source_branch reviewer_ids squash state_event target_branch title",
    ),
  },
  { name: "listVersions", method: "GET", path: `${MR}/versions`, params: { ...PAGE } },
  {
    name: "listCommitStatuses",
    method: "GET",
    path: "/projects/:id/repository/commits/:sha/statuses",
    params: {
      ref: { type: "string" },
      stage: { type: "string" },
      name: { type: "string" },
      all: { type: "boolean" },
      order_by: { type: "string", values: ["id", "pipeline_id"] },
      sort: { type: "string", values: ["asc", "desc"] },
      ...PAGE,
    },
    unimplemented: ["pipeline_id"],
  },
  { name: "listDiscussions", method: "GET", path: `${MR}/discussions`, params: { ...PAGE } },
  { name: "listDraftNotes", method: "GET", path: `${MR}/draft_notes`, params: {} },
  {
    name: "createDraftNote",
    method: "POST",
    path: `${MR}/draft_notes`,
    params: { note: { type: "string", required: true }, position: POSITION, resolve_discussion: { type: "boolean" } },
    unimplemented: ["commit_id", "in_reply_to_discussion_id"],
  },
  { name: "deleteDraftNote", method: "DELETE", path: `${MR}/draft_notes/:draft_note_id`, params: {} },
  { name: "publishDraftNotes", method: "POST", path: `${MR}/draft_notes/bulk_publish`, params: {} },
  // merge_requests.md "List merge request diffs" (GitLab 15.7+).
  { name: "listMergeRequestDiffs", method: "GET", path: `${MR}/diffs`, params: { ...PAGE, unidiff: { type: "boolean" } } },
  // notes.md "Create new issue note" and "Create new merge request note" (lib/api/notes.rb).
  {
    name: "createIssueNote",
    method: "POST",
    path: "/projects/:id/issues/:issue_iid/notes",
    params: { body: { type: "string", required: true }, internal: { type: "boolean" } },
    unimplemented: ["confidential", "created_at"],
  },
  {
    name: "createMergeRequestNote",
    method: "POST",
    path: `${MR}/notes`,
    params: { body: { type: "string", required: true }, internal: { type: "boolean" } },
    unimplemented: ["confidential", "created_at", "merge_request_diff_head_sha"],
  },
];

/** Path parameters Grape declares as integers. */
const INTEGER_PATH_PARAMS = new Set(["merge_request_iid", "draft_note_id", "issue_iid"]);

type Matched = { operation: Operation; params: Record<string, string> };

/** The operation for a method and a raw path under /api/v4 (segments still percent-encoded, as the project id is). */
function matchOperation(method: string, apiPath: string): Matched | null {
  const segments = apiPath.split("/");
  for (const operation of OPERATIONS) {
    const template = operation.path.split("/");
    if (operation.method !== method || template.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = template.every((part, index) => {
      const segment = segments[index] ?? "";
      if (!part.startsWith(":")) return part === segment;
      params[part.slice(1)] = safeDecode(segment);
      return segment !== "";
    });
    if (fits) return { operation, params };
  }
  return null;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A request's fields checked like Grape does: `errors` are Grape's own sentences (GitLab answers 400 with
 * them), `notes` what the docs do not allow but GitLab lets through (undocumented or unimplemented fields).
 * `values` are the fields coerced to their declared types.
 */
function checkFields(
  params: Params,
  input: Record<string, unknown>,
  operation: Operation,
  prefix = "",
): { errors: string[]; notes: string[]; values: Record<string, unknown> } {
  const errors: string[] = [];
  const notes: string[] = [];
  const values: Record<string, unknown> = {};
  const nameOf = (key: string) => (prefix ? `${prefix}[${key}]` : key);
  for (const [key, param] of Object.entries(params)) {
    const value = input[key];
    const name = nameOf(key);
    if (value === undefined || value === null) {
      if ("required" in param && param.required) errors.push(`${name} is missing`);
      continue;
    }
    if (param.type === "hash") {
      if (typeof value !== "object" || Array.isArray(value)) {
        errors.push(`${name} is invalid`);
        continue;
      }
      const nested = checkFields(param.fields, value as Record<string, unknown>, operation, name);
      errors.push(...nested.errors);
      notes.push(...nested.notes);
      values[key] = nested.values;
      continue;
    }
    if (param.type === "integers") {
      const list = Array.isArray(value) ? value : [value];
      const numbers = list.map((entry) => (typeof entry === "number" || /^-?\d+$/.test(String(entry)) ? Number(entry) : Number.NaN));
      if (numbers.some((entry) => !Number.isInteger(entry))) errors.push(`${name} is invalid`);
      else values[key] = numbers;
      continue;
    }
    const coerced = coerce(param.type, value);
    if (coerced === undefined) {
      errors.push(`${name} is invalid`);
      continue;
    }
    if (param.type === "string" && param.allowBlank === false && String(coerced).trim() === "") errors.push(`${name} is empty`);
    else if (param.type === "string" && param.values && !param.values.includes(String(coerced))) errors.push(`${name} does not have a valid value`);
    values[key] = coerced;
  }
  for (const key of Object.keys(input)) {
    if (!prefix && operation.unimplemented?.includes(key)) notes.push(`GitLab documents ${nameOf(key)}, which the imitation does not implement`);
    else if (!(key in params)) notes.push(`GitLab's docs list no field ${nameOf(key)} (GitLab ignores it)`);
  }
  return { errors, notes, values };
}

/** Grape's coercion of one value to a declared type; undefined when it does not coerce. */
function coerce(type: "string" | "integer" | "boolean", value: unknown): unknown {
  if (type === "string") return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
  if (type === "integer") {
    if (typeof value === "number") return Number.isInteger(value) ? value : undefined;
    return typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : undefined;
  }
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1" || value === 1) return true;
  if (value === "false" || value === "0" || value === 0) return false;
  return undefined;
}

/** Query parameters as Grape reads them: `iids[]=1&iids[]=2` is the array iids. */
function queryFields(query: URLSearchParams): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    if (key.endsWith("[]")) fields[key.slice(0, -2)] = query.getAll(key);
    else fields[key] = query.get(key);
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------------------
// A diff as GitLab shows it (what a diff note's position must name).

type DiffLine = { oldLine: number | null; newLine: number | null; oldPos: number; newPos: number };
type DiffFile = { oldPath: string; newPath: string; lines: DiffLine[]; hunks: { oldStart: number; oldLines: number; newStart: number; newLines: number }[] };

function parseDiff(text: string): DiffFile[] {
  return parsePatch(text).map((patch) => {
    const name = (value: string | undefined, side: RegExp) => (value && value !== "/dev/null" ? value.replace(side, "") : null);
    const oldPath = name(patch.oldFileName, /^a\//);
    const newPath = name(patch.newFileName, /^b\//);
    // GitLab names a new file's old path, and a deleted file's new path, after the file itself.
    const file: DiffFile = { oldPath: oldPath ?? newPath ?? "", newPath: newPath ?? oldPath ?? "", lines: [], hunks: [] };
    for (const hunk of patch.hunks) {
      file.hunks.push({ oldStart: hunk.oldStart, oldLines: hunk.oldLines, newStart: hunk.newStart, newLines: hunk.newLines });
      let oldLine = hunk.oldStart;
      let newLine = hunk.newStart;
      for (const text of hunk.lines) {
        if (text.startsWith("\\")) continue;
        if (text.startsWith("-")) file.lines.push({ oldLine: oldLine, newLine: null, oldPos: oldLine++, newPos: newLine });
        else if (text.startsWith("+")) file.lines.push({ oldLine: null, newLine: newLine, oldPos: oldLine, newPos: newLine++ });
        else file.lines.push({ oldLine: oldLine, newLine: newLine, oldPos: oldLine++, newPos: newLine++ });
      }
    }
    return file;
  });
}

/** GitLab's line code: the file path's SHA-1, then the line's old and new positions. */
const lineCode = (file: DiffFile, line: DiffLine) => `${createHash("sha1").update(file.newPath).digest("hex")}_${line.oldPos}_${line.newPos}`;

type PositionInput = {
  base_sha: string;
  start_sha: string;
  head_sha: string;
  position_type: string;
  old_path?: string;
  new_path?: string;
  old_line?: number;
  new_line?: number;
  line_range?: unknown;
};

/** A suggestion block's fence, GitLab's way: ```suggestion or ```suggestion:-N+M (N lines above, M below). */
const SUGGESTION = /^```suggestion(?::-(\d+)\+(\d+))?[ \t]*$/gm;

// ---------------------------------------------------------------------------------------------------------
// The imitation.

type User = { id: number; username: string; name: string };
type Version = { id: number; headSha: string; baseSha: string; startSha: string; createdAt: string; realSize: number };
type StoredNote = {
  id: number;
  author: User;
  body: string;
  system: boolean;
  type: "DiffNote" | "DiscussionNote" | null;
  position: PositionInput | null;
  createdAt: string;
};
type StoredDiscussion = { id: string; individualNote: boolean; resolved: boolean; notes: StoredNote[] };
type StoredDraft = {
  id: number;
  author: User;
  note: string;
  position: PositionInput | null;
  lineCode: string | null;
  resolveDiscussion: boolean;
  dropped: boolean;
};
type StoredMergeRequest = {
  id: number;
  iid: number;
  title: string;
  description: string | null;
  sourceBranch: string;
  targetBranch: string;
  /** "locked" while GitLab merges it (its MergeService holds the lock), then "merged". */
  state: "opened" | "closed" | "locked" | "merged";
  author: User;
  createdAt: string;
  updatedAt: string;
  mergedAt: string | null;
  closedAt: string | null;
  closedBy: User | null;
  mergeStatus: "checking" | "mergeable" | "conflict";
  /** A new merge request's check finishes after its first answer (set false when a test sets the status). */
  settles: boolean;
  removeSourceBranch: boolean | null;
  squash: boolean;
  /** Newest last. */
  versions: Version[];
  discussions: StoredDiscussion[];
  drafts: StoredDraft[];
  reviews: { author: User; noteIds: number[] }[];
};
type StoredStatus = {
  id: number;
  sha: string;
  ref: string;
  name: string;
  stage: string;
  status: CommitStatus;
  allowFailure: boolean;
  createdAt: string;
  author: User;
};
/** An issue, with its notes (comments): issues are numbered apart from merge requests (#1 and !1 both exist). */
type StoredIssue = { id: number; iid: number; title: string; description: string; author: User; createdAt: string; notes: StoredNote[] };
type Project = {
  id: number;
  fullName: string;
  gitDir: string;
  issues: StoredIssue[];
  mergeRequests: StoredMergeRequest[];
  statuses: StoredStatus[];
  /** The last refresh (versions and refs/merge-requests/*), which run one after the other. */
  refreshing: Promise<void>;
};

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

/** Who the API's tokens belong to: a bot user, as for a project or group access token. */
const TOKEN_USER: User = { id: 2, username: "patchbay-bot", name: "Patchbay" };
const NAME = /^[A-Za-z0-9_.-]+$/;
/** What gitHttpHandler checks, once the imitation has checked the token itself (GitLab takes any user name with it). */
const GIT_BACKEND = { username: "gitlab", password: randomBytes(12).toString("hex") };

export async function startGitLabImitation(options: {
  token: string;
  scopes?: TokenScope[];
  otherTokens?: Record<string, TokenScope[]>;
}): Promise<GitLabImitation> {
  const projectRoot = mkdtempSync(path.join(tmpdir(), "patchbay-gitlab-"));
  const tokens = new Map<string, readonly TokenScope[]>([[options.token, options.scopes ?? ["api"]], ...Object.entries(options.otherTokens ?? {})]);
  const projects = new Map<string, Project>();
  const users = new Map<string, User>([[TOKEN_USER.username, TOKEN_USER]]);
  const requestLog: ImitatedRequest[] = [];
  const violationLog: string[] = [];
  const serveGit = gitHttpHandler({ projectRoot, ...GIT_BACKEND });
  let webUrl = "";
  let nextId = 41_000;
  let nextProjectId = 7;
  const now = () => new Date().toISOString();

  const git = async (project: Project, args: string[]) =>
    (await execFileAsync("git", args, { cwd: project.gitDir, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 })).stdout;
  const commitOf = (project: Project, revision: string) =>
    git(project, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]).then(
      (out) => out.trim() || null,
      () => null,
    );
  const branchTip = (project: Project, branch: string) => commitOf(project, `refs/heads/${branch}`);

  const projectByPath = (fullName: string) => projects.get(fullName.toLowerCase());
  const projectById = (id: string) => (/^\d+$/.test(id) ? [...projects.values()].find((project) => project.id === Number(id)) : projectByPath(id));
  const user = (username: string): User => {
    const known = users.get(username.toLowerCase());
    if (known) return known;
    const created = { id: 100 + users.size, username, name: username[0]?.toUpperCase() + username.slice(1) };
    users.set(username.toLowerCase(), created);
    return created;
  };
  const latest = (mergeRequest: StoredMergeRequest) => {
    const version = mergeRequest.versions.at(-1);
    if (!version) throw new Error(`!${mergeRequest.iid} has no diff version`);
    return version;
  };
  const webUrlOf = (project: Project, mergeRequest: StoredMergeRequest) => `${webUrl}/${project.fullName}/-/merge_requests/${mergeRequest.iid}`;

  /**
   * What GitLab does after each push, done before anything reads the project: an open merge request whose
   * source branch moved gets a new diff version (and a system note "added N commits" after the first), and
   * its refs/merge-requests/<iid>/head follows the head. One refresh of a project at a time.
   */
  function refresh(project: Project): Promise<void> {
    const run = async () => {
      for (const mergeRequest of project.mergeRequests.filter((entry) => entry.state === "opened")) {
        const head = await branchTip(project, mergeRequest.sourceBranch);
        const previous = mergeRequest.versions.at(-1);
        if (!head || head === previous?.headSha) continue;
        const start = (await branchTip(project, mergeRequest.targetBranch)) ?? previous?.startSha ?? head;
        const base = (await git(project, ["merge-base", start, head]).catch(() => start)).trim();
        const files = (await git(project, ["diff", "--name-only", `${base}...${head}`])).split("\n").filter(Boolean).length;
        const at = now();
        mergeRequest.versions.push({ id: nextId++, headSha: head, baseSha: base, startSha: start, createdAt: at, realSize: files });
        if (previous) {
          const count = Number((await git(project, ["rev-list", "--count", `${previous.headSha}..${head}`]).catch(() => "1")).trim()) || 1;
          mergeRequest.discussions.push({
            id: randomBytes(20).toString("hex"),
            individualNote: true,
            resolved: false,
            notes: [
              {
                id: nextId++,
                author: mergeRequest.author,
                body: `added ${count} commit${count === 1 ? "" : "s"}`,
                system: true,
                type: null,
                position: null,
                createdAt: at,
              },
            ],
          });
          mergeRequest.updatedAt = at;
        }
        await git(project, ["-c", "core.filesRefLockTimeout=5000", "update-ref", `refs/merge-requests/${mergeRequest.iid}/head`, head]);
      }
    };
    project.refreshing = project.refreshing.then(run, run);
    return project.refreshing;
  }

  async function createMergeRequest(
    project: Project,
    author: User,
    input: { source_branch: string; target_branch: string; title: string; description?: string; remove_source_branch?: boolean; squash?: boolean },
  ): Promise<StoredMergeRequest | Answer> {
    if (input.source_branch === input.target_branch) return { status: 422, body: { message: ["You can't use same project/branch for source and target"] } };
    const missing: Record<string, string[]> = {};
    for (const field of ["source_branch", "target_branch"] as const) if (!(await branchTip(project, input[field]))) missing[field] = ["does not exist"];
    if (Object.keys(missing).length > 0) return { status: 400, body: { message: missing } };
    const conflict = project.mergeRequests.find(
      (entry) => entry.state === "opened" && entry.sourceBranch === input.source_branch && entry.targetBranch === input.target_branch,
    );
    if (conflict) return { status: 409, body: { message: [`Another open merge request already exists for this source branch: !${conflict.iid}`] } };
    const at = now();
    const mergeRequest: StoredMergeRequest = {
      id: nextId++,
      iid: project.mergeRequests.length + 1,
      title: input.title,
      description: input.description ?? null,
      sourceBranch: input.source_branch,
      targetBranch: input.target_branch,
      state: "opened",
      author,
      createdAt: at,
      updatedAt: at,
      mergedAt: null,
      closedAt: null,
      closedBy: null,
      mergeStatus: "checking",
      settles: true,
      removeSourceBranch: input.remove_source_branch ?? null,
      squash: input.squash ?? false,
      versions: [],
      discussions: [],
      drafts: [],
      reviews: [],
    };
    project.mergeRequests.push(mergeRequest);
    await refresh(project);
    return mergeRequest;
  }

  // --- Answers ---------------------------------------------------------------------------------------

  const userJson = (entry: User): UserJson => ({
    id: entry.id,
    username: entry.username,
    name: entry.name,
    state: "active",
    locked: false,
    avatar_url: `https://www.gravatar.com/avatar/${createHash("sha256").update(entry.username).digest("hex")}?s=80&d=identicon`,
    web_url: `${webUrl}/${entry.username}`,
  });

  function mergeStatusJson(mergeRequest: StoredMergeRequest): Pick<MergeRequestJson, "merge_status" | "detailed_merge_status" | "has_conflicts"> {
    const merge_status = ({ checking: "checking", mergeable: "can_be_merged", conflict: "cannot_be_merged" } as const)[mergeRequest.mergeStatus];
    const detailed_merge_status: DetailedMergeStatus = mergeRequest.state !== "opened" ? "not_open" : mergeRequest.mergeStatus;
    return { merge_status, detailed_merge_status, has_conflicts: mergeRequest.mergeStatus === "conflict" };
  }

  function mergeRequestJson(project: Project, mergeRequest: StoredMergeRequest): MergeRequestJson {
    const reference = `!${mergeRequest.iid}`;
    const mergedBy = mergeRequest.state === "merged" ? userJson(mergeRequest.closedBy ?? TOKEN_USER) : null;
    return {
      id: mergeRequest.id,
      iid: mergeRequest.iid,
      project_id: project.id,
      title: mergeRequest.title,
      description: mergeRequest.description,
      state: mergeRequest.state,
      created_at: mergeRequest.createdAt,
      updated_at: mergeRequest.updatedAt,
      merged_by: mergedBy,
      merge_user: mergedBy,
      merged_at: mergeRequest.mergedAt,
      closed_by: mergeRequest.state === "closed" && mergeRequest.closedBy ? userJson(mergeRequest.closedBy) : null,
      closed_at: mergeRequest.closedAt,
      target_branch: mergeRequest.targetBranch,
      source_branch: mergeRequest.sourceBranch,
      user_notes_count: mergeRequest.discussions.flatMap((discussion) => discussion.notes).filter((note) => !note.system).length,
      upvotes: 0,
      downvotes: 0,
      author: userJson(mergeRequest.author),
      assignees: [],
      assignee: null,
      reviewers: [],
      source_project_id: project.id,
      target_project_id: project.id,
      labels: [],
      draft: false,
      work_in_progress: false,
      milestone: null,
      merge_when_pipeline_succeeds: false,
      ...mergeStatusJson(mergeRequest),
      merge_after: null,
      sha: latest(mergeRequest).headSha,
      merge_commit_sha: null,
      squash_commit_sha: null,
      discussion_locked: null,
      should_remove_source_branch: null,
      force_remove_source_branch: mergeRequest.removeSourceBranch ?? false,
      prepared_at: mergeRequest.createdAt,
      reference,
      references: { short: reference, relative: reference, full: `${project.fullName}${reference}` },
      web_url: webUrlOf(project, mergeRequest),
      time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
      squash: mergeRequest.squash,
      squash_on_merge: mergeRequest.squash,
      task_completion_status: { count: 0, completed_count: 0 },
      blocking_discussions_resolved: true,
      approvals_before_merge: null,
      imported: false,
      imported_from: "none",
    } satisfies MergeRequestJson;
  }

  /** A single merge request (GET, POST, PUT answers); a new one's mergeability is known from the next answer on. */
  function expandedJson(project: Project, mergeRequest: StoredMergeRequest): ExpandedMergeRequestJson {
    const version = latest(mergeRequest);
    const json = {
      ...mergeRequestJson(project, mergeRequest),
      subscribed: true,
      changes_count: String(version.realSize),
      latest_build_started_at: null,
      latest_build_finished_at: null,
      first_deployed_to_production_at: null,
      pipeline: null,
      head_pipeline: null,
      diff_refs: { base_sha: version.baseSha, head_sha: version.headSha, start_sha: version.startSha },
      merge_error: null,
      first_contribution: false,
      user: { can_merge: true },
    } satisfies ExpandedMergeRequestJson;
    if (mergeRequest.settles && mergeRequest.mergeStatus === "checking") mergeRequest.mergeStatus = "mergeable";
    return json;
  }

  const positionJson = (position: PositionInput): PositionJson => ({
    base_sha: position.base_sha,
    start_sha: position.start_sha,
    head_sha: position.head_sha,
    old_path: position.old_path ?? null,
    new_path: position.new_path ?? null,
    position_type: "text",
    old_line: position.old_line ?? null,
    new_line: position.new_line ?? null,
    line_range: position.line_range ?? null,
  });

  function noteJson(project: Project, mergeRequest: StoredMergeRequest, discussion: StoredDiscussion, note: StoredNote): NoteJson {
    const resolvable = !note.system;
    return {
      id: note.id,
      type: note.type,
      body: note.body,
      attachment: null,
      author: userJson(note.author),
      created_at: note.createdAt,
      updated_at: note.createdAt,
      system: note.system,
      noteable_id: mergeRequest.id,
      noteable_type: "MergeRequest",
      project_id: project.id,
      commit_id: null,
      ...(note.position ? { position: positionJson(note.position) } : {}),
      resolvable,
      ...(resolvable ? { resolved: discussion.resolved, resolved_by: discussion.resolved ? userJson(mergeRequest.author) : null, resolved_at: null } : {}),
      confidential: false,
      internal: false,
      imported: false,
      imported_from: "none",
      noteable_iid: mergeRequest.iid,
      commands_changes: {},
    } satisfies NoteJson;
  }

  /** A note created through the Notes API, as notes.rb presents it (Entities::Note). */
  function plainNoteJson(project: Project, note: StoredNote, on: { id: number; iid: number; type: "Issue" | "MergeRequest" }): NoteSchema {
    return {
      id: note.id,
      type: null,
      body: note.body,
      attachment: null,
      author: userJson(note.author),
      created_at: note.createdAt,
      updated_at: note.createdAt,
      system: false,
      noteable_id: on.id,
      noteable_type: on.type,
      noteable_iid: on.iid,
      project_id: project.id,
      resolvable: false,
      confidential: false,
      internal: false,
      imported: false,
      imported_from: "none",
      commands_changes: {},
    } satisfies NoteSchema;
  }

  function draftJson(mergeRequest: StoredMergeRequest, draft: StoredDraft): DraftNoteJson {
    const empty = {
      base_sha: null,
      start_sha: null,
      head_sha: null,
      old_path: null,
      new_path: null,
      position_type: "text" as const,
      old_line: null,
      new_line: null,
      line_range: null,
    };
    return {
      id: draft.id,
      author_id: draft.author.id,
      merge_request_id: mergeRequest.id,
      resolve_discussion: draft.resolveDiscussion,
      discussion_id: null,
      note: draft.note,
      commit_id: null,
      line_code: draft.lineCode,
      position: draft.position ? positionJson(draft.position) : empty,
    } satisfies DraftNoteJson;
  }

  /** GitLab's offset pagination: one page of `items` and its headers (the link keeps the request's query). */
  function paged<T>(items: readonly T[], query: URLSearchParams, rawPath: string): Answer {
    const perPage = Math.min(Math.max(Number(query.get("per_page") ?? 20) || 20, 1), 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const totalPages = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (target: number, rel: string) => {
      const params = new URLSearchParams(query);
      params.set("page", String(target));
      params.set("per_page", String(perPage));
      return `<${webUrl}/api/v4${rawPath}?${params}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(page - 1, "prev")] : []),
      ...(page < totalPages ? [link(page + 1, "next")] : []),
      link(1, "first"),
      link(totalPages, "last"),
    ];
    return {
      status: 200,
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: {
        "x-page": String(page),
        "x-per-page": String(perPage),
        "x-total": String(items.length),
        "x-total-pages": String(totalPages),
        "x-next-page": page < totalPages ? String(page + 1) : "",
        "x-prev-page": page > 1 ? String(page - 1) : "",
        link: links.join(", "),
      },
    };
  }

  // --- Diff notes ------------------------------------------------------------------------------------

  /**
   * Whether GitLab finds the line a position names in the diff between its start_sha and head_sha (as the
   * merge request's diff is, from their merge base): its line code, or why not.
   */
  async function checkPosition(project: Project, position: PositionInput): Promise<{ lineCode: string } | { problem: string }> {
    const shas = await Promise.all([position.base_sha, position.start_sha, position.head_sha].map((sha) => commitOf(project, sha)));
    if (shas.some((sha) => !sha)) return { problem: "a sha of the position is not a commit of the project" };
    const files = parseDiff(
      await git(project, ["diff", "--no-color", "--no-ext-diff", "--unified=3", "--find-renames", `${position.start_sha}...${position.head_sha}`]),
    );
    const where = `${position.new_path ?? position.old_path}`;
    const file = files.find((entry) => entry.newPath === position.new_path) ?? files.find((entry) => entry.oldPath === position.old_path);
    if (!file) return { problem: `${where} is not in the diff ${position.start_sha.slice(0, 8)}...${position.head_sha.slice(0, 8)}` };
    const oldLine = position.old_line ?? null;
    const newLine = position.new_line ?? null;
    const shown = file.lines.find((line) => line.oldLine === oldLine && line.newLine === newLine);
    if (shown) return { lineCode: lineCode(file, shown) };
    // An unchanged line outside the hunks: GitLab unfolds the diff to it when both numbers name it.
    if (oldLine !== null && newLine !== null) {
      const inHunk = file.hunks.some((hunk) => newLine >= hunk.newStart && newLine < hunk.newStart + hunk.newLines);
      const shift = file.hunks.filter((hunk) => hunk.newStart + hunk.newLines <= newLine).reduce((sum, hunk) => sum + hunk.newLines - hunk.oldLines, 0);
      const length = (await git(project, ["cat-file", "-p", `${position.head_sha}:${file.newPath}`]).catch(() => "")).split("\n").length - 1;
      if (!inHunk && newLine - oldLine === shift && newLine <= length)
        return { lineCode: lineCode(file, { oldLine, newLine, oldPos: oldLine, newPos: newLine }) };
    }
    const near = file.lines.find((line) => (newLine !== null ? line.newLine === newLine : line.oldLine === oldLine));
    const hint = !near
      ? "the diff does not show that line"
      : near.oldLine !== null && near.newLine !== null
        ? `it is an unchanged line: GitLab names it by both old_line ${near.oldLine} and new_line ${near.newLine}`
        : near.newLine !== null
          ? "it is an added line: GitLab names it by new_line alone"
          : "it is a removed line: GitLab names it by old_line alone";
    return { problem: `${where} old_line ${oldLine} new_line ${newLine}: ${hint}` };
  }

  /** Suggestion blocks GitLab would not make a suggestion of, as sentences. */
  function suggestionProblems(body: string, position: PositionInput | null): string[] {
    const problems: string[] = [];
    for (const match of body.matchAll(SUGGESTION)) {
      const above = Number(match[1] ?? 0);
      if (!position || position.new_line === undefined) problems.push("a suggestion must be on a line of the new file (a diff note with new_line)");
      else if (above >= position.new_line) problems.push(`suggestion:-${above} reaches above line 1 from line ${position.new_line}`);
    }
    for (const fence of body.matchAll(/^```suggestion\S*/gm)) {
      if (!/^```suggestion(?::-\d+\+\d+)?$/.test(fence[0])) problems.push(`${fence[0]} is not GitLab's suggestion syntax (\`\`\`suggestion:-N+M)`);
    }
    return problems;
  }

  // --- The API ---------------------------------------------------------------------------------------

  async function answer(matched: Matched, project: Project, values: Record<string, unknown>, query: URLSearchParams, rawPath: string): Promise<Answer> {
    const { operation, params } = matched;
    await refresh(project);
    const iid = Number(params.merge_request_iid);
    const mergeRequest = project.mergeRequests.find((entry) => entry.iid === iid);
    const needsMergeRequest = operation.path.startsWith(MR);
    if (needsMergeRequest && !mergeRequest) return { status: 404, body: { message: "404 Not found" } };
    switch (operation.name) {
      case "listMergeRequests": {
        const state = String(values.state ?? "all");
        const orderBy = String(values.order_by ?? "created_at");
        if (orderBy !== "created_at" && orderBy !== "updated_at") violationLog.push(`listMergeRequests: order_by=${orderBy} is documented but not imitated`);
        const field = orderBy === "updated_at" ? "updatedAt" : "createdAt";
        const direction = values.sort === "asc" ? 1 : -1;
        const iids = values.iids as number[] | undefined;
        const matching = project.mergeRequests
          .filter((entry) => state === "all" || entry.state === state)
          .filter((entry) => values.source_branch === undefined || entry.sourceBranch === values.source_branch)
          .filter((entry) => values.target_branch === undefined || entry.targetBranch === values.target_branch)
          .filter((entry) => !iids || iids.includes(entry.iid))
          .sort((a, b) => (a[field] === b[field] ? a.id - b.id : a[field] < b[field] ? -1 : 1) * direction);
        return paged(
          matching.map((entry) => mergeRequestJson(project, entry)),
          query,
          rawPath,
        );
      }
      case "createMergeRequest": {
        const created = await createMergeRequest(project, TOKEN_USER, values as Parameters<typeof createMergeRequest>[2]);
        return "status" in created ? created : { status: 201, body: expandedJson(project, created) };
      }
      case "getMergeRequest":
        return { status: 200, body: expandedJson(project, mergeRequest as StoredMergeRequest) };
      case "updateMergeRequest": {
        const target = mergeRequest as StoredMergeRequest;
        if (typeof values.target_branch === "string" && !(await branchTip(project, values.target_branch))) {
          return { status: 400, body: { message: { target_branch: ["does not exist"] } } };
        }
        if (values.state_event === "reopen" && target.state === "closed") {
          const other = project.mergeRequests.find(
            (entry) => entry !== target && entry.state === "opened" && entry.sourceBranch === target.sourceBranch && entry.targetBranch === target.targetBranch,
          );
          if (other) return { status: 409, body: { message: [`Another open merge request already exists for this source branch: !${other.iid}`] } };
          Object.assign(target, { state: "opened", closedAt: null, closedBy: null });
        }
        if (values.state_event === "close" && target.state === "opened") Object.assign(target, { state: "closed", closedAt: now(), closedBy: TOKEN_USER });
        if (typeof values.title === "string") target.title = values.title;
        if (typeof values.description === "string") target.description = values.description;
        if (typeof values.target_branch === "string") target.targetBranch = values.target_branch;
        if (typeof values.remove_source_branch === "boolean") target.removeSourceBranch = values.remove_source_branch;
        if (typeof values.squash === "boolean") target.squash = values.squash;
        target.updatedAt = now();
        return { status: 200, body: expandedJson(project, target) };
      }
      case "listVersions": {
        const target = mergeRequest as StoredMergeRequest;
        const versions = [...target.versions].reverse().map(
          (version): MergeRequestDiffVersionsSchema => ({
            id: version.id,
            head_commit_sha: version.headSha,
            base_commit_sha: version.baseSha,
            start_commit_sha: version.startSha,
            created_at: version.createdAt,
            merge_request_id: target.id,
            state: "collected",
            real_size: String(version.realSize),
          }),
        );
        return paged(versions, query, rawPath);
      }
      case "listCommitStatuses": {
        const sha = await commitOf(project, params.sha ?? "");
        if (!sha) return { status: 404, body: { message: "404 Commit Not Found" } };
        const newest = new Map<string, number>();
        for (const status of project.statuses.filter((entry) => entry.sha === sha)) newest.set(`${status.name}\n${status.ref}`, status.id);
        const direction = values.sort === "desc" ? -1 : 1;
        const matching = project.statuses
          .filter((entry) => entry.sha === sha && (values.all === true || newest.get(`${entry.name}\n${entry.ref}`) === entry.id))
          .filter((entry) => values.ref === undefined || entry.ref === values.ref)
          .filter((entry) => values.name === undefined || entry.name === values.name)
          .filter((entry) => values.stage === undefined || entry.stage === values.stage)
          .sort((a, b) => (a.id - b.id) * direction);
        return paged(
          matching.map(
            (status): CommitStatusJson => ({
              id: status.id,
              sha: status.sha,
              ref: status.ref,
              status: status.status,
              name: status.name,
              target_url: `${webUrl}/${project.fullName}/-/jobs/${status.id}`,
              description: null,
              created_at: status.createdAt,
              started_at: status.status === "running" || isFinished(status.status) ? status.createdAt : null,
              finished_at: isFinished(status.status) ? status.createdAt : null,
              allow_failure: status.allowFailure,
              coverage: null,
              pipeline_id: status.id,
              author: userJson(status.author),
            }),
          ),
          query,
          rawPath,
        );
      }
      case "listDiscussions": {
        const target = mergeRequest as StoredMergeRequest;
        return paged(
          target.discussions.map(
            (discussion): DiscussionJson => ({
              id: discussion.id,
              individual_note: discussion.individualNote,
              notes: discussion.notes.map((note) => noteJson(project, target, discussion, note)),
            }),
          ),
          query,
          rawPath,
        );
      }
      case "listMergeRequestDiffs": {
        const target = mergeRequest as StoredMergeRequest;
        const version = latest(target);
        const names = await git(project, ["diff", "--no-color", "--name-status", "--find-renames", `${version.startSha}...${version.headSha}`]);
        const diffs = names
          .split("\n")
          .filter(Boolean)
          .map((line): MergeRequestDiffSchema => {
            const [status = "M", first = "", second] = line.split("\t");
            const renamed = status.startsWith("R");
            return {
              old_path: first,
              new_path: renamed ? (second ?? first) : first,
              a_mode: status === "A" ? "0" : "100644",
              b_mode: status === "D" ? "0" : "100644",
              new_file: status === "A",
              renamed_file: renamed,
              deleted_file: status === "D",
              // The patch text is not imitated (Patchbay reads the paths only).
              diff: "",
            };
          });
        return paged(diffs, query, rawPath);
      }
      case "createIssueNote": {
        const issue = project.issues.find((entry) => entry.iid === Number(params.issue_iid));
        if (!issue) return { status: 404, body: { message: "404 Issue Not Found" } };
        const note: StoredNote = { id: nextId++, author: TOKEN_USER, body: String(values.body), system: false, type: null, position: null, createdAt: now() };
        issue.notes.push(note);
        return { status: 201, body: plainNoteJson(project, note, { id: issue.id, iid: issue.iid, type: "Issue" }) };
      }
      case "createMergeRequestNote": {
        const target = mergeRequest as StoredMergeRequest;
        const note: StoredNote = { id: nextId++, author: TOKEN_USER, body: String(values.body), system: false, type: null, position: null, createdAt: now() };
        // A note on the merge request's conversation is a thread of its own, an individual note.
        target.discussions.push({ id: randomBytes(20).toString("hex"), individualNote: true, resolved: false, notes: [note] });
        target.updatedAt = note.createdAt;
        return { status: 201, body: plainNoteJson(project, note, { id: target.id, iid: target.iid, type: "MergeRequest" }) };
      }
      case "listDraftNotes": {
        const target = mergeRequest as StoredMergeRequest;
        return { status: 200, body: target.drafts.filter((draft) => draft.author === TOKEN_USER).map((draft) => draftJson(target, draft)) };
      }
      case "createDraftNote": {
        const target = mergeRequest as StoredMergeRequest;
        const position = (values.position as PositionInput | undefined) ?? null;
        const where = `createDraftNote on !${target.iid}`;
        if (position && (position.new_path === undefined || position.old_path === undefined)) {
          violationLog.push(`${where}: GitLab's docs require position[new_path] and position[old_path] for a text position`);
        }
        if (position && position.position_type !== "text")
          violationLog.push(`${where}: position_type ${position.position_type} is documented, but not imitated`);
        const checked = position?.position_type === "text" ? await checkPosition(project, position) : null;
        if (checked && "problem" in checked) {
          violationLog.push(`${where}: GitLab would drop this draft note when the review is published (${checked.problem})`);
        }
        for (const problem of suggestionProblems(String(values.note), position)) violationLog.push(`${where}: ${problem}`);
        const draft: StoredDraft = {
          id: nextId++,
          author: TOKEN_USER,
          note: String(values.note),
          position,
          lineCode: checked && "lineCode" in checked ? checked.lineCode : null,
          resolveDiscussion: values.resolve_discussion === true,
          dropped: checked !== null && "problem" in checked,
        };
        target.drafts.push(draft);
        return { status: 201, body: draftJson(target, draft) };
      }
      case "deleteDraftNote": {
        const target = mergeRequest as StoredMergeRequest;
        const draft = target.drafts.find((entry) => entry.id === Number(params.draft_note_id) && entry.author === TOKEN_USER);
        if (!draft) return { status: 404, body: { message: "404 Draft Note Not Found" } };
        target.drafts = target.drafts.filter((entry) => entry !== draft);
        return { status: 204 };
      }
      case "publishDraftNotes": {
        publish(mergeRequest as StoredMergeRequest, TOKEN_USER);
        return { status: 204 };
      }
    }
  }

  /**
   * GitLab's "Submit review": each of the user's drafts becomes a thread of its own, in the order they were
   * written, as one review; a diff note whose line GitLab cannot find is dropped without a word.
   */
  function publish(mergeRequest: StoredMergeRequest, author: User): void {
    const drafts = mergeRequest.drafts.filter((draft) => draft.author === author);
    mergeRequest.drafts = mergeRequest.drafts.filter((draft) => draft.author !== author);
    if (drafts.length === 0) return;
    const at = now();
    const noteIds: number[] = [];
    for (const draft of drafts.filter((entry) => !entry.dropped)) {
      const note: StoredNote = {
        id: nextId++,
        author,
        body: draft.note,
        system: false,
        type: draft.position ? "DiffNote" : "DiscussionNote",
        position: draft.position,
        createdAt: at,
      };
      mergeRequest.discussions.push({ id: randomBytes(20).toString("hex"), individualNote: false, resolved: false, notes: [note] });
      noteIds.push(note.id);
    }
    mergeRequest.reviews.push({ author, noteIds });
    mergeRequest.updatedAt = at;
  }

  /** The token's scopes allow the request: GETs need api or read_api, anything else api. */
  function apiAuth(request: IncomingMessage): Answer | null {
    const header = request.headers["private-token"] ?? /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const scopes = typeof header === "string" ? tokens.get(header) : undefined;
    if (!scopes) return { status: 401, body: { message: "401 Unauthorized" } };
    const reading = request.method === "GET";
    if (scopes.includes("api") || (reading && scopes.includes("read_api"))) return null;
    return {
      status: 403,
      body: {
        error: "insufficient_scope",
        error_description: "The request requires higher privileges than provided by the access token.",
        scope: reading ? "api read_api" : "api",
      },
    };
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const method = request.method ?? "GET";
    const rawPath = url.pathname.slice("/api/v4".length) || "/";
    let body: unknown = null;
    let badJson = false;
    try {
      body = rawBody.trim() === "" ? null : JSON.parse(rawBody);
    } catch {
      badJson = true;
      body = rawBody;
    }
    const entry: ImitatedRequest = { method, path: rawPath, query: Object.fromEntries(url.searchParams), body, status: 0 };
    requestLog.push(entry);
    const send = (result: Answer) => {
      entry.status = result.status;
      if (result.body === undefined) response.writeHead(result.status, result.headers ?? {}).end();
      else response.writeHead(result.status, { "content-type": "application/json", ...result.headers }).end(JSON.stringify(result.body));
    };

    const matched = matchOperation(method, rawPath);
    if (!matched) {
      violationLog.push(`${method} ${rawPath}: not an operation of GitLab's API that the client is documented to use`);
      return send({ status: 404, body: { error: "404 Not Found" } });
    }
    const where = `${matched.operation.name} (${method} ${matched.operation.path})`;
    const denied = apiAuth(request);
    if (denied) return send(denied);
    const project = projectById(matched.params.id ?? "");
    if (!project) return send({ status: 404, body: { message: "404 Project Not Found" } });

    const readsQuery = method === "GET" || method === "DELETE";
    if (!readsQuery && /\S/.test(rawBody) && !/^application\/json\b/i.test(request.headers["content-type"] ?? "")) {
      violationLog.push(`${where}: the body was sent as ${JSON.stringify(request.headers["content-type"] ?? "")}, not JSON`);
    }
    if (badJson || (body !== null && (typeof body !== "object" || Array.isArray(body)))) {
      violationLog.push(`${where}: the body is not a JSON object`);
      return send({ status: 400, body: { error: "The request body is not a JSON object" } });
    }
    if (readsQuery && body !== null) violationLog.push(`${where}: a ${method} carries no body`);
    if (!readsQuery && [...url.searchParams.keys()].length > 0) violationLog.push(`${where}: its fields belong in the JSON body, not the query`);
    const fields = readsQuery ? queryFields(url.searchParams) : ((body as Record<string, unknown> | null) ?? {});
    const checked = checkFields(matched.operation.params, fields, matched.operation);
    const pathErrors = Object.entries(matched.params)
      .filter(([name, value]) => INTEGER_PATH_PARAMS.has(name) && !/^\d+$/.test(value))
      .map(([name]) => `${name} is invalid`);
    const missingOne = matched.operation.atLeastOneOf?.every((name) => fields[name] === undefined)
      ? [`${matched.operation.atLeastOneOf.join(", ")} are missing, at least one parameter must be provided`]
      : [];
    const errors = [...pathErrors, ...checked.errors, ...missingOne];
    violationLog.push(...checked.notes.map((note) => `${where}: ${note}`), ...errors.map((error) => `${where}: ${error} (GitLab answers 400)`));
    if (errors.length > 0) return send({ status: 400, body: { error: errors.join(", ") } });
    send(await answer(matched, project, checked.values, url.searchParams, rawPath));
  }

  /** git over HTTP as GitLab serves it: a token as the password (any user name), its scopes deciding fetch and push. */
  function handleGit(request: IncomingMessage, response: ServerResponse, url: URL, project: Project): void {
    const pushing = url.pathname.endsWith("/git-receive-pack") || url.searchParams.get("service") === "git-receive-pack";
    const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const [name = "", ...secret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
    const scopes = name ? tokens.get(secret.join(":")) : undefined;
    if (!scopes) {
      response.writeHead(401, { "www-authenticate": 'Basic realm="GitLab"', "content-type": "text/plain" }).end("HTTP Basic: Access denied.\n");
      return;
    }
    const allowed = pushing ? scopes.some((scope) => scope === "api" || scope === "write_repository") : scopes.some((scope) => scope !== "read_api");
    if (!allowed) {
      response.writeHead(403, { "content-type": "text/plain" }).end("You are not allowed to push code to this project.\n");
      return;
    }
    request.headers.authorization = `Basic ${Buffer.from(`${GIT_BACKEND.username}:${GIT_BACKEND.password}`).toString("base64")}`;
    request.url = `/git${url.pathname}${url.search}`;
    // A fetch sees refs/merge-requests/<iid>/head at each open merge request's head; the body waits, unread.
    (pushing ? Promise.resolve() : refresh(project)).then(
      () => serveGit(request, response),
      (error: unknown) => {
        violationLog.push(`${request.method} ${url.pathname}: the imitation failed (${error instanceof Error ? error.stack : String(error)})`);
        response.writeHead(500, { "content-type": "text/plain" }).end("Server Error\n");
      },
    );
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const gitPath = /^\/(.+)\.git(\/|$)/.exec(url.pathname);
    const project = gitPath ? projectByPath(gitPath[1] ?? "") : undefined;
    if (project) return handleGit(request, response, url, project);
    if (url.pathname === "/api/v4" || url.pathname.startsWith("/api/v4/")) {
      handleApi(request, response, url).catch((error: unknown) => {
        violationLog.push(`${request.method} ${url.pathname}: the imitation failed (${error instanceof Error ? error.stack : String(error)})`);
        if (!response.headersSent) response.writeHead(500, { "content-type": "application/json" });
        response.end(JSON.stringify({ message: "500 Internal Server Error" }));
      });
      return;
    }
    violationLog.push(`${request.method} ${url.pathname}: neither the API (/api/v4) nor a project's git`);
    response.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // --- The test's controls ---------------------------------------------------------------------------

  const requireProject = (fullName: string) => {
    const found = projectByPath(fullName);
    if (!found) throw new Error(`The imitation has no project ${fullName}`);
    return found;
  };
  const requireMergeRequest = (fullName: string, iid: number) => {
    const found = requireProject(fullName).mergeRequests.find((entry) => entry.iid === iid);
    if (!found) throw new Error(`${fullName} has no merge request !${iid}`);
    return found;
  };
  const publicView = (project: Project, mergeRequest: StoredMergeRequest): ImitatedMergeRequest => ({
    iid: mergeRequest.iid,
    sourceBranch: mergeRequest.sourceBranch,
    targetBranch: mergeRequest.targetBranch,
    title: mergeRequest.title,
    description: mergeRequest.description,
    state: mergeRequest.state,
    webUrl: webUrlOf(project, mergeRequest),
    headSha: latest(mergeRequest).headSha,
    removeSourceBranch: mergeRequest.removeSourceBranch,
  });
  const positionView = (position: PositionInput | null): ImitatedPosition | null =>
    position && {
      baseSha: position.base_sha,
      startSha: position.start_sha,
      headSha: position.head_sha,
      oldPath: position.old_path ?? null,
      newPath: position.new_path ?? null,
      oldLine: position.old_line ?? null,
      newLine: position.new_line ?? null,
    };
  const noteView = (note: StoredNote): ImitatedNote => ({
    id: note.id,
    author: note.author.username,
    body: note.body,
    system: note.system,
    type: note.type,
    position: positionView(note.position),
  });
  const finish = async (fullName: string, iid: number, state: "locked" | "merged" | "closed") => {
    const project = requireProject(fullName);
    const mergeRequest = requireMergeRequest(fullName, iid);
    if (mergeRequest.state !== "opened" && !(mergeRequest.state === "locked" && state === "merged")) throw new Error(`!${iid} is ${mergeRequest.state}`);
    // Its last head is taken in first: the versions and refs/merge-requests/<iid>/head keep it.
    await refresh(project);
    const at = now();
    mergeRequest.state = state;
    mergeRequest.updatedAt = at;
    if (state !== "locked") Object.assign(mergeRequest, { closedAt: at, closedBy: user("maintainer"), ...(state === "merged" ? { mergedAt: at } : {}) });
    return { project, mergeRequest };
  };

  return {
    url: webUrl,
    createRepository(fullName, sourceDir) {
      const parts = fullName.split("/");
      if (parts.length < 2 || !parts.every((part) => NAME.test(part))) throw new Error(`"${fullName}" is not namespace/project`);
      if (projectByPath(fullName)) throw new Error(`The imitation already has ${fullName}`);
      const gitDir = path.join(projectRoot, `${fullName}.git`);
      mkdirSync(path.dirname(gitDir), { recursive: true });
      // Like GitLab, a push to refs/merge-requests/* is refused ("deny updating a hidden ref"); fetches see them.
      execFileSync("git", ["clone", "-q", "--bare", "--config", "receive.hideRefs=refs/merge-requests", sourceDir, gitDir], { env: GIT_ENV, stdio: "ignore" });
      const project: Project = { id: nextProjectId++, fullName, gitDir, issues: [], mergeRequests: [], statuses: [], refreshing: Promise.resolve() };
      projects.set(fullName.toLowerCase(), project);
      return { gitDir, cloneUrl: `${webUrl}/${fullName}.git`, projectId: project.id };
    },
    createIssue(fullName, input) {
      const project = requireProject(fullName);
      const issue: StoredIssue = {
        id: nextId++,
        iid: project.issues.length + 1,
        title: input.title,
        description: input.description ?? "",
        author: user(input.author ?? "colleague"),
        createdAt: now(),
        notes: [],
      };
      project.issues.push(issue);
      return { iid: issue.iid, webUrl: `${webUrl}/${project.fullName}/-/issues/${issue.iid}` };
    },
    issueNotes(fullName, iid) {
      const issue = requireProject(fullName).issues.find((entry) => entry.iid === iid);
      if (!issue) throw new Error(`${fullName} has no issue #${iid}`);
      return issue.notes.map(noteView);
    },
    mergeRequestNotes(fullName, iid) {
      return requireMergeRequest(fullName, iid)
        .discussions.filter((discussion) => discussion.individualNote)
        .flatMap((discussion) => discussion.notes)
        .filter((note) => !note.system)
        .map(noteView);
    },
    async openMergeRequest(fullName, input) {
      const project = requireProject(fullName);
      const created = await createMergeRequest(project, user(input.author ?? "colleague"), {
        source_branch: input.sourceBranch,
        target_branch: input.targetBranch,
        title: input.title,
        ...(input.description === undefined ? {} : { description: input.description }),
      });
      if ("status" in created) throw new Error(`GitLab answered ${created.status}: ${JSON.stringify(created.body)}`);
      return publicView(project, created);
    },
    mergeRequests(fullName) {
      const project = requireProject(fullName);
      return project.mergeRequests.map((entry) => publicView(project, entry));
    },
    async startMerge(fullName, iid) {
      await finish(fullName, iid, "locked");
    },
    async merge(fullName, iid, mergeOptions = {}) {
      const { project, mergeRequest } = await finish(fullName, iid, "merged");
      if (mergeOptions.deleteBranch) await git(project, ["update-ref", "-d", `refs/heads/${mergeRequest.sourceBranch}`]);
    },
    async closeMergeRequest(fullName, iid) {
      await finish(fullName, iid, "closed");
    },
    setMergeStatus(fullName, iid, status) {
      Object.assign(requireMergeRequest(fullName, iid), { mergeStatus: status, settles: false });
    },
    async addDiffNote(fullName, iid, input) {
      const project = requireProject(fullName);
      const mergeRequest = requireMergeRequest(fullName, iid);
      const author = user(input.user);
      const note: StoredNote = { id: nextId++, author, body: input.body, system: false, type: "DiffNote", position: null, createdAt: now() };
      if (input.inReplyTo !== undefined) {
        const thread = mergeRequest.discussions.find((discussion) => discussion.id === input.inReplyTo);
        if (!thread) throw new Error(`!${iid} has no thread ${input.inReplyTo}`);
        note.type = thread.notes[0]?.type ?? "DiscussionNote";
        note.position = thread.notes[0]?.position ?? null;
        thread.notes.push(note);
        return { discussionId: thread.id, noteId: note.id };
      }
      await refresh(project);
      const version = latest(mergeRequest);
      const files = parseDiff(
        await git(project, ["diff", "--no-color", "--no-ext-diff", "--unified=3", "--find-renames", `${version.startSha}...${version.headSha}`]),
      );
      const file = files.find((entry) => entry.newPath === input.path || entry.oldPath === input.path);
      const line = file?.lines.find((entry) => (input.side === "old" ? entry.oldLine : entry.newLine) === input.line);
      if (!file || !line) throw new Error(`GitLab: !${iid}'s diff does not show ${input.path} line ${input.line} (${input.side ?? "new"} side)`);
      note.position = {
        base_sha: version.baseSha,
        start_sha: version.startSha,
        head_sha: version.headSha,
        position_type: "text",
        old_path: file.oldPath,
        new_path: file.newPath,
        ...(line.oldLine === null ? {} : { old_line: line.oldLine }),
        ...(line.newLine === null ? {} : { new_line: line.newLine }),
      };
      const discussion = { id: randomBytes(20).toString("hex"), individualNote: false, resolved: false, notes: [note] };
      mergeRequest.discussions.push(discussion);
      mergeRequest.updatedAt = note.createdAt;
      return { discussionId: discussion.id, noteId: note.id };
    },
    resolveDiscussion(fullName, iid, discussionId) {
      const thread = requireMergeRequest(fullName, iid).discussions.find((discussion) => discussion.id === discussionId);
      if (!thread) throw new Error(`!${iid} has no thread ${discussionId}`);
      thread.resolved = true;
    },
    discussions(fullName, iid) {
      return requireMergeRequest(fullName, iid).discussions.map((discussion) => ({
        id: discussion.id,
        individualNote: discussion.individualNote,
        resolved: discussion.resolved,
        notes: discussion.notes.map(noteView),
      }));
    },
    draftNotes(fullName, iid) {
      return requireMergeRequest(fullName, iid).drafts.map((draft) => ({
        id: draft.id,
        author: draft.author.username,
        note: draft.note,
        position: positionView(draft.position),
      }));
    },
    reviews(fullName, iid) {
      const mergeRequest = requireMergeRequest(fullName, iid);
      const notes = new Map(mergeRequest.discussions.flatMap((discussion) => discussion.notes).map((note) => [note.id, note]));
      return mergeRequest.reviews.map((review) => ({
        author: review.author.username,
        notes: review.noteIds.flatMap((id) => {
          const note = notes.get(id);
          return note ? [noteView(note)] : [];
        }),
      }));
    },
    async setCommitStatus(fullName, sha, status) {
      const project = requireProject(fullName);
      const commit = /^[0-9a-f]{40}$/.test(sha) ? await commitOf(project, sha) : null;
      if (!commit) throw new Error(`GitLab: 404 Commit Not Found (${sha} in ${fullName})`);
      if (status.name.trim() === "") throw new Error("A commit status has a name");
      const containing = (await git(project, ["for-each-ref", "--contains", commit, "--format=%(refname:short)", "refs/heads/"])).split("\n").filter(Boolean);
      project.statuses.push({
        id: nextId++,
        sha: commit,
        ref: status.ref ?? containing[0] ?? "main",
        name: status.name,
        stage: status.stage ?? "test",
        status: status.status,
        allowFailure: status.allowFailure ?? false,
        createdAt: now(),
        author: TOKEN_USER,
      });
    },
    requests: () => requestLog.map((entry) => ({ ...entry })),
    violations: () => [...violationLog],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...projects.values()].map((project) => project.refreshing.catch(() => undefined)));
      rmSync(projectRoot, { recursive: true, force: true });
    },
  };
}

const isFinished = (status: CommitStatus) => status === "success" || status === "failed" || status === "canceled" || status === "skipped";
