// An imitation of Gitea (and Forgejo, which serves the same API) for integration tests: the REST API under
// /api/v1 that Patchbay's Gitea client uses, and the repositories' git over smart HTTP at /<owner>/<repo>.git,
// both on one 127.0.0.1 address like a Gitea host. Pull requests, reviews and commit statuses live in memory.
//
// What it is held to, and against what (no machine-readable Gitea description is on npm, so the reference is
// gitea-js, the SDK generated from Gitea's own swagger document, and Gitea's source):
// - Routes: only the operations Patchbay's client uses are served, at Gitea's paths and methods (the list is
//   ROUTES below, each named by its swagger operation id). Any other method or path is answered 404 as Gitea
//   answers, and recorded as a violation.
// - Query parameters: each operation's parameters are the SDK's for that operation; QUERY below is typed so
//   the compiler holds its keys to exactly the SDK's, and each value is checked against the type and enum the
//   SDK gives it. An unknown parameter, a repeated one or a value that does not fit is a violation.
// - Request bodies: checked against the SDK's option types (CreatePullRequestOption, EditPullRequestOption,
//   CreatePullReviewOptions with CreatePullReviewComment); BODIES below is typed so the compiler holds each
//   field list to exactly that type's fields. An unknown field, a value of the wrong JSON type, a body that is
//   not JSON, or a field Gitea's Go struct binds as Required (head, base and title of a new PR; the swagger
//   document does not mark them) is a violation. As Gitea does, a wrong type or a missing required field is
//   answered 422 "[Field]: …" (its form binding) and an unknown field is ignored (Go's JSON decoder).
// - Answers: every body is built as the SDK's type for it (`satisfies`), so a field the document does not have
//   does not compile. Where Gitea sends null for a Go nil pointer or slice (which the document does not say),
//   the type names those fields (GoJson<…>).
// - Behaviour, from Gitea's source (routers/api/v1/repo/pull.go, pull_review.go, status.go, services/convert,
//   services/pull/review.go, modules/git's CutDiffAroundLine): auth by "token"/"Bearer" header, else 401
//   {"message":"invalid username, password or token"}; errors as {message, url: <base>/api/swagger}; lists
//   paged by page/limit (30 by default, at most 50; a PR's reviews only when a page is asked for) with
//   X-Total-Count, and Link for PRs; a PR's html_url <base>/<owner>/<repo>/pulls/<n>, head.label the branch,
//   head.ref the branch or refs/pull/<n>/head once the branch is gone; a second open PR for the same head and
//   base 409; a missing head or base branch 404; PATCH answered 201; a review's comment on the new side at
//   new_position, on the old side when old_position > 0 (which wins), kept even on a line the diff does not
//   show (then with an empty diff_hunk, as Gitea does); a single comment on the web is a review of its own and
//   a reply joins its comment's review; the combined status of a commit's latest status per context, empty
//   ({state: ""}, statuses null) without any.
// - refs/pull/<n>/head is written when a PR is opened and kept at its head branch's tip before the repository
//   is fetched or a PR is read, as Gitea does after each push; pushes to refs/pull/* are refused. git takes the
//   token as the password with any user name, as Gitea does.
//
// - Issues (made by the test) and pull requests share one series of numbers; a comment in either's conversation
//   is POST /repos/{owner}/{repo}/issues/{index}/comments (issue_comment.go), answered 201 with the comment, its
//   html_url …/issues/N#issuecomment-ID or …/pulls/N#issuecomment-ID; a PR's files (pull.go GetPullRequestFiles)
//   are the names of its diff from the merge base, renames with previous_filename.
//
// Not imitated: line counts of a PR's files, forks (a PR's head is a branch of the same repository), labels, milestones, assignees,
// reviewers, drafts, Gitea's background merge check after a push (mergeable is what setMergeable says), other
// users' pending reviews, comment resolution, outdated comments, the blame commit Gitea records as a comment's
// commit_id (the PR's head is used), paging of a commit's statuses, tokens in the query string or as basic auth
// on the API, and Gitea's exact 404 messages (all are "not found").
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type {
  Api,
  ChangedFile,
  CombinedStatus,
  Comment,
  CommitStatus,
  CreateIssueCommentOption,
  CreatePullRequestOption,
  CreatePullReviewComment,
  CreatePullReviewOptions,
  EditPullRequestOption,
  PRBranchInfo,
  PullRequest,
  PullReview,
  PullReviewComment,
  Repository as GiteaRepository,
  User,
} from "gitea-js";
import { gitHttpHandler } from "./git-http-server";

const execFileAsync = promisify(execFile);

/** The user name Patchbay pushes with; Gitea (and the imitation) take any user name with a token as the password. */
export const GITEA_PUSH_USERNAME = "oauth2";
/** Who the API token belongs to: the author of what the client posts. */
const TOKEN_USER = "patchbay-bot";

// ---------------------------------------------------------------------------------------------------------
// The documented requests: routes, query parameters and bodies, tied to the SDK's types.

type Repos = Api<unknown>["repos"];
type OperationId = keyof Repos;

/** The operations the client is documented to use, at Gitea's paths (under /api/v1). */
const ROUTES = [
  { method: "GET", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, operation: "repoListPullRequests" },
  { method: "POST", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls$/, operation: "repoCreatePullRequest" },
  { method: "GET", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/([^/]+)$/, operation: "repoGetPullRequest" },
  { method: "PATCH", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/([^/]+)$/, operation: "repoEditPullRequest" },
  { method: "GET", path: /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/status$/, operation: "repoGetCombinedStatusByRef" },
  { method: "GET", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/([^/]+)\/reviews$/, operation: "repoListPullReviews" },
  { method: "POST", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/([^/]+)\/reviews$/, operation: "repoCreatePullReview" },
  { method: "GET", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/([^/]+)\/reviews\/([^/]+)\/comments$/, operation: "repoGetPullReviewComments" },
  { method: "GET", path: /^\/repos\/([^/]+)\/([^/]+)\/pulls\/([^/]+)\/files$/, operation: "repoGetPullRequestFiles" },
  { method: "POST", path: /^\/repos\/([^/]+)\/([^/]+)\/issues\/([^/]+)\/comments$/, operation: "issueCreateComment" },
] as const satisfies readonly { method: string; path: RegExp; operation: OperationId }[];

type ServedOperation = (typeof ROUTES)[number]["operation"];

/** A query parameter as the SDK types it. */
type ParamSpec = { type: "integer"; min?: number } | { type: "string"; enum?: readonly string[] } | { type: "integer[]" };
type QuerySpec<Q> = { [K in keyof Required<Q>]: ParamSpec };
type ListPullsQuery = NonNullable<Parameters<Repos["repoListPullRequests"]>[2]>;
type CombinedStatusQuery = NonNullable<Parameters<Repos["repoGetCombinedStatusByRef"]>[3]>;
type ListReviewsQuery = NonNullable<Parameters<Repos["repoListPullReviews"]>[3]>;
type PullFilesQuery = NonNullable<Parameters<Repos["repoGetPullRequestFiles"]>[3]>;
const paging = { page: { type: "integer", min: 1 }, limit: { type: "integer", min: 0 } } as const;

/** Each operation's query parameters: the SDK's, with the enums it gives them; none for the others. */
const QUERY: { [K in ServedOperation]: Record<string, ParamSpec> } = {
  repoListPullRequests: {
    state: { type: "string", enum: ["open", "closed", "all"] satisfies ListPullsQuery["state"][] },
    sort: {
      type: "string",
      enum: ["oldest", "recentupdate", "leastupdate", "mostcomment", "leastcomment", "priority"] satisfies ListPullsQuery["sort"][],
    },
    milestone: { type: "integer" },
    labels: { type: "integer[]" },
    poster: { type: "string" },
    ...paging,
  } satisfies QuerySpec<ListPullsQuery>,
  repoGetCombinedStatusByRef: paging satisfies QuerySpec<CombinedStatusQuery>,
  repoListPullReviews: paging satisfies QuerySpec<ListReviewsQuery>,
  repoGetPullRequestFiles: {
    "skip-to": { type: "string" },
    whitespace: { type: "string", enum: ["ignore-all", "ignore-change", "ignore-eol", "show-all"] satisfies PullFilesQuery["whitespace"][] },
    ...paging,
  } satisfies QuerySpec<PullFilesQuery>,
  issueCreateComment: {},
  repoCreatePullRequest: {},
  repoGetPullRequest: {},
  repoEditPullRequest: {},
  repoCreatePullReview: {},
  repoGetPullReviewComments: {},
};

/** A body field as the SDK types it; `items` for an array of objects. */
type FieldSpec = "string" | "integer" | "boolean" | "date-time" | "string[]" | "integer[]" | { items: AnyBodySpec };
type BodySpec<T> = { fields: { [K in keyof Required<T>]: FieldSpec }; required?: readonly (keyof T & string)[] };
type AnyBodySpec = { fields: Record<string, FieldSpec>; required?: readonly string[] };

const reviewComment: BodySpec<CreatePullReviewComment> = {
  fields: { path: "string", body: "string", new_position: "integer", old_position: "integer" },
};

/** Each body-taking operation's body: the SDK's option type's fields; `required` from Gitea's Go binding tags. */
const BODIES: Partial<Record<ServedOperation, AnyBodySpec>> = {
  repoCreatePullRequest: {
    fields: {
      head: "string",
      base: "string",
      title: "string",
      body: "string",
      assignee: "string",
      assignees: "string[]",
      milestone: "integer",
      labels: "integer[]",
      due_date: "date-time",
      reviewers: "string[]",
      team_reviewers: "string[]",
    },
    required: ["head", "base", "title"],
  } satisfies BodySpec<CreatePullRequestOption>,
  repoEditPullRequest: {
    fields: {
      title: "string",
      body: "string",
      base: "string",
      assignee: "string",
      assignees: "string[]",
      milestone: "integer",
      labels: "integer[]",
      state: "string",
      due_date: "date-time",
      unset_due_date: "boolean",
      allow_maintainer_edit: "boolean",
    },
  } satisfies BodySpec<EditPullRequestOption>,
  repoCreatePullReview: {
    fields: { body: "string", commit_id: "string", event: "string", comments: { items: reviewComment } },
  } satisfies BodySpec<CreatePullReviewOptions>,
  // CreateIssueCommentOption's Body is `binding:"Required"` in Gitea's Go struct.
  issueCreateComment: { fields: { body: "string" }, required: ["body"] } satisfies BodySpec<CreateIssueCommentOption>,
};

function paramProblem(name: string, values: string[], spec: ParamSpec): string | null {
  const integer = (text: string) => /^-?\d+$/.test(text);
  if (spec.type === "integer[]") return values.every(integer) ? null : `${name} must be integers (got ${JSON.stringify(values)})`;
  if (values.length > 1) return `${name} is given ${values.length} times`;
  const value = values[0] ?? "";
  if (spec.type === "integer") {
    if (!integer(value)) return `${name} must be an integer (got ${JSON.stringify(value)})`;
    return spec.min !== undefined && Number(value) < spec.min ? `${name} must be at least ${spec.min} (got ${value})` : null;
  }
  return spec.enum && !spec.enum.includes(value) ? `${name} must be one of ${spec.enum.join(", ")} (got ${JSON.stringify(value)})` : null;
}

function queryProblems(operation: ServedOperation, query: URLSearchParams): string[] {
  const specs = QUERY[operation];
  return [...new Set(query.keys())].flatMap((name) => {
    const spec = specs[name];
    if (!spec) return [`Gitea's description has no query parameter ${name}`];
    const problem = paramProblem(name, query.getAll(name), spec);
    return problem ? [`the query parameter ${problem}`] : [];
  });
}

/** JSON's name for a value's type, as the messages say it. */
const jsonType = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

/** Whether `value` is what `spec` says; the wrong ones are described in `problems` under `where`. */
function fieldFits(spec: FieldSpec, value: unknown, where: string, problems: string[]): boolean {
  const fits = (ok: boolean, expected: string) => {
    if (!ok) problems.push(`${where} must be ${expected} (got ${jsonType(value)} ${JSON.stringify(value)})`);
    return ok;
  };
  if (spec === "string") return fits(typeof value === "string", "a string");
  if (spec === "integer") return fits(Number.isInteger(value), "an integer");
  if (spec === "boolean") return fits(typeof value === "boolean", "a boolean");
  if (spec === "date-time") return fits(typeof value === "string" && !Number.isNaN(Date.parse(value)), "a date-time string");
  if (!Array.isArray(value)) return fits(false, "an array");
  return value
    .map((item, index) => {
      const at = `${where}[${index}]`;
      if (spec === "string[]") return fieldFits("string", item, at, problems);
      if (spec === "integer[]") return fieldFits("integer", item, at, problems);
      return objectFits(spec.items, item, at, problems).typesFit;
    })
    .every(Boolean);
}

/** An object body against its spec: every problem, and which of them Gitea's binding refuses (types, Required). */
function objectFits(spec: AnyBodySpec, value: unknown, where: string, problems: string[]): { typesFit: boolean; missing: string[] } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${where} must be an object (got ${jsonType(value)})`);
    return { typesFit: false, missing: [] };
  }
  const fields = spec.fields;
  let typesFit = true;
  for (const [name, field] of Object.entries(value)) {
    const fieldSpec = fields[name];
    if (!fieldSpec) problems.push(`${where} has ${name}, which Gitea's description does not have`);
    else if (!fieldFits(fieldSpec, field, `${where}.${name}`, problems)) typesFit = false;
  }
  const missing = (spec.required ?? []).filter((name) => {
    const given = (value as Record<string, unknown>)[name];
    return given === undefined || given === "";
  });
  for (const name of missing) problems.push(`${where}.${name} is required (Gitea binds it as Required)`);
  return { typesFit, missing };
}

// ---------------------------------------------------------------------------------------------------------
// A file's diff as Gitea cuts it for a review comment.

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * Gitea's CutDiffAroundLine: the lines of the hunk that shows `line` (of the old file when `old`), down to that
 * line, at most the last `keep` of them under a recomputed header; "" when no hunk shows it. Like Gitea, a hunk
 * is taken to reach one line past its end, and a header without a count counts 0 lines.
 */
function cutDiffAroundLine(diff: string, line: number, old: boolean, keep = 4): string {
  if (line === 0) return "";
  let hunk: string[] | null = null;
  // The number of the next line on each side of the hunk being read.
  let next = { old: 0, new: 0 };
  const current = () => (old ? next.old : next.new);
  for (const text of diff.split("\n")) {
    if (hunk && current() > line) break;
    const header = HUNK_HEADER.exec(text);
    if (header) {
      if (hunk) break;
      const [oldBegin, oldCount, newBegin, newCount] = [1, 2, 3, 4].map((group) => Number(header[group] ?? 0)) as [number, number, number, number];
      const begin = old ? oldBegin : newBegin;
      if (begin <= line && line <= begin + (old ? oldCount : newCount)) {
        hunk = [text];
        next = { old: oldBegin, new: newBegin };
      }
      continue;
    }
    if (!hunk || text === "") continue;
    hunk.push(text);
    next = advance(next, text);
  }
  if (!hunk || current() === 0) return "";
  if (hunk.length - 1 <= keep) return hunk.join("\n");
  // The last `keep` lines, under a header counted back from where the hunk was left.
  const kept = hunk.slice(-keep);
  const counted = kept.reduce((sum, text) => advance(sum, text), { old: 0, new: 0 });
  return [`@@ -${next.old - counted.old},${counted.old} +${next.new - counted.new},${counted.new} @@`, ...kept].join("\n");
}

/** The next line numbers after a hunk's line: "+" is a line of the new file, "-" of the old one, context of both. */
function advance(next: { old: number; new: number }, text: string): { old: number; new: number } {
  if (text[0] === "\\") return next;
  return { old: next.old + (text[0] === "+" ? 0 : 1), new: next.new + (text[0] === "-" ? 0 : 1) };
}

/** The lines of one side of a file that its diff shows (what a person can comment on in the web view). */
function shownLines(diff: string, old: boolean): Set<number> {
  const shown = new Set<number>();
  let next: { old: number; new: number } | null = null;
  for (const text of diff.split("\n")) {
    const header = HUNK_HEADER.exec(text);
    if (header) next = { old: Number(header[1]), new: Number(header[3]) };
    else if (next && text !== "" && text[0] !== "\\") {
      if (text[0] !== (old ? "+" : "-")) shown.add(old ? next.old : next.new);
      next = advance(next, text);
    }
  }
  return shown;
}

// ---------------------------------------------------------------------------------------------------------
// The imitation.

export type ImitatedRequest = { method: string; path: string; query: Record<string, string>; body: unknown; status: number };

export type ImitatedGiteaPullRequest = {
  repository: string;
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: "open" | "closed";
  merged: boolean;
  mergeable: boolean;
  htmlUrl: string;
};

/** A comment of a review: `line` of the new file, or of the old one (`side` "old"); `diffHunk` "" when no hunk shows it. */
export type ImitatedGiteaReviewComment = { id: number; user: string; path: string; line: number; side: "new" | "old"; body: string; diffHunk: string };

export type ImitatedGiteaReview = {
  id: number;
  body: string;
  /** The `event` the request sent. */
  event: string;
  /** As Gitea shows it: COMMENT, APPROVED, REQUEST_CHANGES or PENDING. */
  state: string;
  commitId: string;
  htmlUrl: string;
  comments: ImitatedGiteaReviewComment[];
};

export type CommitStatusState = "pending" | "success" | "error" | "failure" | "warning";

export type GiteaImitation = {
  /** The host: web pages, the API under /api/v1, and the repositories' git (http://127.0.0.1:PORT/acme/web.git). */
  url: string;
  /** A bare clone of `sourceDir` as repository `owner/repo`; returns its git directory and clone URL. */
  createRepository(fullName: string, sourceDir: string): Promise<{ gitDir: string; cloneUrl: string }>;
  /** Someone opens an issue on the web; it takes the next number of the series issues and PRs share. */
  createIssue(fullName: string, input: { title: string; body?: string; user?: string }): { number: number; htmlUrl: string };
  /** The comments in an issue's or a PR's conversation, oldest first. */
  issueComments(fullName: string, number: number): { id: number; user: string; body: string; htmlUrl: string }[];
  /** Someone opens a PR on the web (through the same rules as the API); `user` is its author. */
  openPullRequest(fullName: string, input: { head: string; base: string; title: string; body?: string; user?: string }): Promise<ImitatedGiteaPullRequest>;
  pullRequests(fullName: string): ImitatedGiteaPullRequest[];
  /** Someone merges the PR on Gitea; `deleteBranch` as "Delete branch after merge". */
  merge(fullName: string, number: number, options?: { deleteBranch?: boolean }): Promise<void>;
  closePullRequest(fullName: string, number: number): Promise<void>;
  setMergeable(fullName: string, number: number, mergeable: boolean): void;
  /**
   * Someone (`user`) comments on a line the PR's diff shows, on the web: `line` of the new file, or of the old
   * one with `side` "old"; `inReplyTo` answers an earlier comment (Gitea puts the reply in that comment's review,
   * on its line). A single comment is a review of its own (state COMMENT, no body), as Gitea makes it.
   */
  addReviewComment(
    fullName: string,
    number: number,
    comment: { user: string; path: string; line: number; side?: "new" | "old"; body: string; inReplyTo?: number },
  ): Promise<{ id: number }>;
  /** The reviews posted through the API (by the token's user), oldest first. */
  reviews(fullName: string, number: number): ImitatedGiteaReview[];
  /** A commit status (CI) on commit `sha`, as an app reports one; the latest of a context is the one that counts. */
  setCommitStatus(fullName: string, sha: string, status: { context: string; state: CommitStatusState; description?: string }): Promise<void>;
  /** The token Gitea accepts from now on (the old one is revoked), for git and the API. */
  setToken(token: string): void;
  /** Every API request, oldest first (git traffic is not listed). */
  requests(): ImitatedRequest[];
  /** Every way a request departed from Gitea's description (or the imitation failed). */
  violations(): string[];
  close(): Promise<void>;
};

type StoredComment = { id: number; user: string; path: string; line: number; body: string; commitId: string; diffHunk: string; createdAt: number };

type StoredReview = {
  id: number;
  user: string;
  body: string;
  event: string;
  state: string;
  commitId: string;
  /** The review's entry on the PR's timeline, which its html_url points at. */
  timelineId: number;
  viaApi: boolean;
  createdAt: number;
  comments: StoredComment[];
};

type StoredPull = {
  number: number;
  id: number;
  title: string;
  body: string;
  head: string;
  base: string;
  poster: string;
  /** Kept when the head branch is deleted: refs/pull/N/head's commit. */
  headSha: string;
  mergeBase: string;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: number | null;
  mergedSha: string | null;
  closedAt: number | null;
  createdAt: number;
  updatedAt: number;
  mergeable: boolean;
  reviews: StoredReview[];
};

type StoredStatus = { id: number; sha: string; context: string; state: CommitStatusState; description: string; createdAt: number };

/** An issue; issues and pull requests share one series of numbers, as in Gitea. */
type StoredIssue = { number: number; id: number; title: string; body: string; poster: string; createdAt: number };
/** A comment in an issue's or a pull request's conversation (not on a line). */
type StoredIssueComment = { id: number; number: number; user: string; body: string; createdAt: number };

type Repository = {
  id: number;
  owner: string;
  name: string;
  gitDir: string;
  createdAt: number;
  issues: StoredIssue[];
  comments: StoredIssueComment[];
  pulls: StoredPull[];
  statuses: StoredStatus[];
  /** The last update of the PRs' refs/pull/N/head; updates of a repository run one after the other. */
  pullRefsUpdate: Promise<void>;
};

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/** The fields Gitea writes as null when they are unset (Go nil pointers and slices), which the SDK's types do not allow. */
type GoJson<T, Nil extends keyof T> = Omit<T, Nil> & { [K in Nil]: T[K] | null };
type RepoJson = GoJson<GiteaRepository, "parent" | "repo_transfer">;
type BranchJson = Omit<PRBranchInfo, "repo"> & { repo: RepoJson };
type PullJson = Omit<
  GoJson<
    PullRequest,
    | "milestone"
    | "assignee"
    | "assignees"
    | "requested_reviewers"
    | "requested_reviewers_teams"
    | "merged_at"
    | "merge_commit_sha"
    | "merged_by"
    | "due_date"
    | "closed_at"
  >,
  "base" | "head"
> & { base: BranchJson; head: BranchJson };
type CombinedStatusJson = Omit<CombinedStatus, "repository"> & { repository: RepoJson };

/** isolated from the user's and the system's git configuration: Gitea's git, not this machine's. */
const gitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" });
const NAME = /^[A-Za-z0-9_.-]+$/;
let nextId = 5000;
const time = (unix: number) => new Date(unix * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
/** Gitea keeps times in whole seconds. */
const now = () => Math.floor(Date.now() / 1000);

export async function startGiteaImitation(options: { token: string }): Promise<GiteaImitation> {
  const projectRoot = mkdtempSync(path.join(tmpdir(), "patchbay-gitea-"));
  const repositories = new Map<string, Repository>();
  const requestLog: ImitatedRequest[] = [];
  const violationLog: string[] = [];
  let token = options.token;
  let serveGit = gitHttpHandler({ projectRoot, username: GITEA_PUSH_USERNAME, password: token });
  let webUrl = "";
  const apiUrl = () => `${webUrl}/api/v1`;
  const swaggerUrl = () => `${webUrl}/api/swagger`;
  const repository = (fullName: string) => repositories.get(fullName.toLowerCase());
  const error = (status: number, message: string): Answer => ({ status, body: { message, url: swaggerUrl() } });
  const notFound = () => error(404, "not found");

  async function git(repo: Repository, args: string[]): Promise<string> {
    return (await execFileAsync("git", args, { cwd: repo.gitDir, env: gitEnv(), maxBuffer: 64 * 1024 * 1024 })).stdout.trim();
  }
  const commitOf = (repo: Repository, revision: string) => git(repo, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]).catch(() => "");
  const branchSha = (repo: Repository, branch: string) => commitOf(repo, `refs/heads/${branch}`);
  const pullRef = (pull: StoredPull) => `refs/pull/${pull.number}/head`;

  /**
   * Brings refs/pull/N/head of the open PRs to their head branch's tip, as Gitea does after each push (a
   * deleted head branch leaves it where it was), and the PRs' head and merge base with it.
   */
  function updatePullRefs(repo: Repository): Promise<void> {
    const update = async () => {
      for (const pull of repo.pulls.filter((entry) => entry.state === "open")) {
        const tip = await branchSha(repo, pull.head);
        if (!tip) continue;
        if ((await commitOf(repo, pullRef(pull))) !== tip) await git(repo, ["-c", "core.filesRefLockTimeout=5000", "update-ref", pullRef(pull), tip]);
        pull.headSha = tip;
        pull.mergeBase = (await git(repo, ["merge-base", `refs/heads/${pull.base}`, tip]).catch(() => "")) || pull.mergeBase;
      }
    };
    repo.pullRefsUpdate = repo.pullRefsUpdate.then(update, update);
    return repo.pullRefsUpdate;
  }

  // -------------------------------------------------------------------------------------------------------
  // Answers as Gitea's API shows them.

  /** routers/api/v1/repo/issue_comment.go CreateIssueComment's answer (services/convert ToAPIComment). */
  function issueCommentJson(repo: Repository, comment: StoredIssueComment, onPull: boolean): Comment {
    const page = `${webUrl}/${repo.owner}/${repo.name}/${onPull ? "pulls" : "issues"}/${comment.number}`;
    return {
      id: comment.id,
      html_url: `${page}#issuecomment-${comment.id}`,
      pull_request_url: onPull ? page : "",
      issue_url: onPull ? "" : page,
      user: userJson(comment.user),
      original_author: "",
      original_author_id: 0,
      body: comment.body,
      assets: [],
      created_at: time(comment.createdAt),
      updated_at: time(comment.createdAt),
    } satisfies Comment;
  }

  function userJson(login: string): User {
    const id = 100 + [...login].reduce((sum, char) => (sum * 31 + char.charCodeAt(0)) % 100_000, 0);
    return {
      id,
      login,
      login_name: "",
      source_id: 0,
      full_name: "",
      email: `${login}@noreply.localhost`,
      avatar_url: `${webUrl}/avatars/${id}`,
      html_url: `${webUrl}/${login}`,
      language: "",
      is_admin: false,
      last_login: "0001-01-01T00:00:00Z",
      created: time(0),
      restricted: false,
      active: false,
      prohibit_login: false,
      location: "",
      website: "",
      description: "",
      visibility: "public",
      followers_count: 0,
      following_count: 0,
      starred_repos_count: 0,
    } satisfies User;
  }

  function repoJson(repo: Repository): RepoJson {
    const fullName = `${repo.owner}/${repo.name}`;
    return {
      id: repo.id,
      owner: userJson(repo.owner),
      name: repo.name,
      full_name: fullName,
      description: "",
      empty: false,
      private: true,
      fork: false,
      template: false,
      parent: null,
      mirror: false,
      size: 0,
      language: "",
      languages_url: `${apiUrl()}/repos/${fullName}/languages`,
      html_url: `${webUrl}/${fullName}`,
      url: `${apiUrl()}/repos/${fullName}`,
      link: "",
      ssh_url: `git@127.0.0.1:${fullName}.git`,
      clone_url: `${webUrl}/${fullName}.git`,
      original_url: "",
      website: "",
      stars_count: 0,
      forks_count: 0,
      watchers_count: 0,
      open_issues_count: 0,
      open_pr_counter: repo.pulls.filter((pull) => pull.state === "open").length,
      release_counter: 0,
      default_branch: "main",
      archived: false,
      created_at: time(repo.createdAt),
      updated_at: time(repo.createdAt),
      archived_at: time(0),
      permissions: { admin: false, push: true, pull: true },
      has_issues: true,
      has_wiki: true,
      has_pull_requests: true,
      has_projects: true,
      has_releases: true,
      has_packages: true,
      has_actions: true,
      ignore_whitespace_conflicts: false,
      allow_merge_commits: true,
      allow_rebase: true,
      allow_rebase_explicit: true,
      allow_squash_merge: true,
      allow_fast_forward_only_merge: true,
      allow_rebase_update: true,
      default_delete_branch_after_merge: false,
      default_merge_style: "merge",
      default_allow_maintainer_edit: false,
      avatar_url: "",
      internal: false,
      mirror_interval: "",
      object_format_name: "sha1",
      mirror_updated: time(0),
      repo_transfer: null,
      topics: [],
      licenses: [],
    } satisfies RepoJson;
  }

  const pullHtmlUrl = (repo: Repository, pull: StoredPull) => `${webUrl}/${repo.owner}/${repo.name}/pulls/${pull.number}`;

  async function pullJson(repo: Repository, pull: StoredPull): Promise<PullJson> {
    await updatePullRefs(repo);
    const headBranch = await branchSha(repo, pull.head);
    const baseSha = await branchSha(repo, pull.base);
    const numstat = (await git(repo, ["diff", "--numstat", pull.mergeBase, pull.headSha]).catch(() => ""))
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("\t"));
    const htmlUrl = pullHtmlUrl(repo, pull);
    const repoInfo = repoJson(repo);
    const head: BranchJson = {
      label: pull.head,
      // Once the branch is gone, Gitea names the ref it keeps for the PR.
      ref: headBranch ? pull.head : pullRef(pull),
      sha: pull.headSha,
      repo_id: repo.id,
      repo: repoInfo,
    };
    const base: BranchJson = { label: pull.base, ref: pull.base, sha: baseSha, repo_id: repo.id, repo: repoInfo };
    return {
      id: pull.id,
      url: htmlUrl,
      number: pull.number,
      user: userJson(pull.poster),
      title: pull.title,
      body: pull.body,
      labels: [],
      milestone: null,
      assignee: null,
      assignees: null,
      requested_reviewers: null,
      requested_reviewers_teams: null,
      state: pull.state,
      draft: false,
      is_locked: false,
      comments: 0,
      review_comments: pull.reviews.filter((review) => review.state !== "PENDING").reduce((sum, review) => sum + review.comments.length, 0),
      additions: numstat.reduce((sum, [added]) => sum + (Number(added) || 0), 0),
      deletions: numstat.reduce((sum, [, removed]) => sum + (Number(removed) || 0), 0),
      changed_files: numstat.length,
      html_url: htmlUrl,
      diff_url: `${htmlUrl}.diff`,
      patch_url: `${htmlUrl}.patch`,
      mergeable: pull.mergeable,
      merged: pull.merged,
      merged_at: pull.mergedAt === null ? null : time(pull.mergedAt),
      merge_commit_sha: pull.mergedSha,
      merged_by: pull.merged ? userJson(repo.owner) : null,
      allow_maintainer_edit: false,
      base,
      head,
      merge_base: pull.mergeBase,
      due_date: null,
      created_at: time(pull.createdAt),
      updated_at: time(pull.updatedAt),
      closed_at: pull.closedAt === null ? null : time(pull.closedAt),
      pin_order: 0,
    } satisfies PullJson;
  }

  function reviewJson(repo: Repository, pull: StoredPull, review: StoredReview): GoJson<PullReview, "team"> {
    return {
      id: review.id,
      user: userJson(review.user),
      team: null,
      state: review.state,
      body: review.body,
      commit_id: review.commitId,
      stale: false,
      official: false,
      dismissed: false,
      comments_count: review.comments.length,
      submitted_at: time(review.createdAt),
      updated_at: time(review.createdAt),
      html_url: reviewHtmlUrl(repo, pull, review),
      pull_request_url: pullHtmlUrl(repo, pull),
    } satisfies GoJson<PullReview, "team">;
  }

  /** A review's address is its entry on the PR's timeline; a pending one has none yet. */
  const reviewHtmlUrl = (repo: Repository, pull: StoredPull, review: StoredReview) =>
    review.state === "PENDING" ? "" : `${pullHtmlUrl(repo, pull)}#issuecomment-${review.timelineId}`;

  function commentJson(repo: Repository, pull: StoredPull, review: StoredReview, comment: StoredComment): GoJson<PullReviewComment, "resolver"> {
    // A pending review's comments are shown on the files tab only.
    const page = review.state === "PENDING" ? `${pullHtmlUrl(repo, pull)}/files` : pullHtmlUrl(repo, pull);
    return {
      id: comment.id,
      body: comment.body,
      user: userJson(comment.user),
      resolver: null,
      pull_request_review_id: review.id,
      created_at: time(comment.createdAt),
      updated_at: time(comment.createdAt),
      path: comment.path,
      commit_id: comment.commitId,
      original_commit_id: "",
      diff_hunk: comment.diffHunk,
      position: Math.max(comment.line, 0),
      original_position: comment.line < 0 ? -comment.line : 0,
      html_url: `${page}#issuecomment-${comment.id}`,
      pull_request_url: pullHtmlUrl(repo, pull),
    } satisfies GoJson<PullReviewComment, "resolver">;
  }

  /** Gitea's paging: `limit` 30 by default and at most 50, `page` from 1; X-Total-Count, and Link for PR lists. */
  function paged<T>(items: T[], query: URLSearchParams, requestUrl: URL | null): { page: T[]; headers: Record<string, string> } {
    const limitAsked = Number(query.get("limit") ?? 0) || 0;
    const size = limitAsked <= 0 ? 30 : Math.min(limitAsked, 50);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const headers: Record<string, string> = { "x-total-count": String(items.length) };
    if (requestUrl) {
      const last = Math.max(Math.ceil(items.length / size), 1);
      const current = Math.min(page, last);
      const link = (target: number, rel: string) => {
        const params = new URLSearchParams(requestUrl.search);
        params.set("page", String(target));
        params.sort();
        return `<${webUrl}${requestUrl.pathname}?${params}>; rel="${rel}"`;
      };
      const links = [
        ...(items.length > current * size ? [link(current + 1, "next")] : []),
        ...(current !== last ? [link(last, "last")] : []),
        ...(current !== 1 ? [link(1, "first")] : []),
        ...(current > 1 ? [link(current - 1, "prev")] : []),
      ];
      if (links.length > 0) headers.link = links.join(",");
    }
    return { page: items.slice((page - 1) * size, page * size), headers };
  }

  // -------------------------------------------------------------------------------------------------------
  // The operations.

  /** Gitea's checks for a new PR (pull.go CreatePullRequest, parseCompareInfo), then the PR with its refs/pull/N/head. */
  async function createPull(
    repo: Repository,
    input: { head: string; base: string; title: string; body?: string },
    poster: string,
  ): Promise<StoredPull | Answer> {
    if (input.head === input.base) return error(422, "Invalid PullRequest: There are no changes between the head and the base");
    const [headOwner, headBranch] = input.head.includes(":") ? input.head.split(":", 2) : [repo.owner, input.head];
    // Forks are not imitated: a head of another owner has no repository here.
    if (input.head.split(":").length > 2 || headOwner?.toLowerCase() !== repo.owner.toLowerCase() || !headBranch) return notFound();
    const headSha = await branchSha(repo, headBranch);
    const baseSha = await branchSha(repo, input.base);
    if (!headSha || !baseSha) return notFound();
    const existing = repo.pulls.find((pull) => !pull.merged && pull.state === "open" && pull.head === headBranch && pull.base === input.base);
    if (existing) {
      return error(
        409,
        `pull request already exists for these targets [id: ${existing.id}, issue_id: ${existing.number}, head_repo_id: ${repo.id}, base_repo_id: ${repo.id}, head_branch: ${existing.head}, base_branch: ${existing.base}]`,
      );
    }
    const created = now();
    const pull: StoredPull = {
      number: repo.issues.length + repo.pulls.length + 1,
      id: nextId++,
      title: input.title,
      body: input.body ?? "",
      head: headBranch,
      base: input.base,
      poster,
      headSha,
      mergeBase: await git(repo, ["merge-base", baseSha, headSha]).catch(() => baseSha),
      state: "open",
      merged: false,
      mergedAt: null,
      mergedSha: null,
      closedAt: null,
      createdAt: created,
      updatedAt: created,
      // Gitea tests the merge while opening the PR; these tests' PRs merge cleanly unless setMergeable says not.
      mergeable: true,
      reviews: [],
    };
    repo.pulls.push(pull);
    await updatePullRefs(repo);
    return pull;
  }

  /** The file's diff in the PR at its current head (what Gitea cuts a comment's hunk from). */
  const fileDiff = (repo: Repository, pull: StoredPull, file: string) =>
    git(repo, ["-c", "core.quotePath=false", "diff", "--no-color", "--no-ext-diff", "-M", "--unified=3", pull.mergeBase, pull.headSha, "--", file]);

  /** pull_review.go CreatePullReview: the review type from `event`, its comments, then the review. */
  async function createReview(repo: Repository, pull: StoredPull, input: CreatePullReviewOptions): Promise<Answer> {
    const event = input.event ?? "";
    const body = input.body ?? "";
    const comments = input.comments ?? [];
    const hasBody = body.trim() !== "";
    const own = pull.poster === TOKEN_USER;
    let state: string;
    if (event === "APPROVED") {
      if (own) return error(422, "approve your own pull is not allowed");
      state = "APPROVED";
    } else if (event === "REQUEST_CHANGES") {
      if (own) return error(422, "reject your own pull is not allowed");
      if (!hasBody) return error(422, `review event ${event} requires a body`);
      state = "REQUEST_CHANGES";
    } else if (event === "COMMENT") {
      if (!hasBody && comments.length === 0) return error(422, `review event ${event} requires a body or a comment`);
      state = "COMMENT";
    } else {
      // Any other event (GitHub's "APPROVE" too) leaves the review pending, seen by its author only.
      if (!hasBody) return error(422, `review event ${event} requires a body`);
      state = "PENDING";
    }
    if ((pull.merged || pull.state === "closed") && (state === "APPROVED" || state === "REQUEST_CHANGES")) {
      return error(422, "can't submit review for a closed or merged PR");
    }
    await updatePullRefs(repo);
    const commitId = input.commit_id || pull.headSha;
    const created = now();
    const stored: StoredComment[] = [];
    for (const comment of comments) {
      // An old-side line wins over a new-side one; the hunk is cut from the PR's diff at its current head.
      const line = (comment.old_position ?? 0) > 0 ? -(comment.old_position ?? 0) : (comment.new_position ?? 0);
      const diff = comment.path ? await fileDiff(repo, pull, comment.path).catch(() => "") : "";
      stored.push({
        id: nextId++,
        user: TOKEN_USER,
        path: comment.path ?? "",
        line,
        body: comment.body ?? "",
        commitId,
        diffHunk: cutDiffAroundLine(diff, Math.abs(line), line < 0),
        createdAt: created,
      });
    }
    const review: StoredReview = {
      id: nextId++,
      user: TOKEN_USER,
      body,
      event,
      state,
      commitId,
      timelineId: nextId++,
      viaApi: true,
      createdAt: created,
      comments: stored,
    };
    pull.reviews.push(review);
    if (state !== "PENDING") pull.updatedAt = created;
    return { status: 200, body: reviewJson(repo, pull, review) };
  }

  async function combinedStatus(repo: Repository, ref: string): Promise<Answer> {
    const sha = (await branchSha(repo, ref)) || (await commitOf(repo, `refs/tags/${ref}`)) || ref.toLowerCase();
    const latest = new Map<string, StoredStatus>();
    for (const status of repo.statuses.filter((entry) => entry.sha === sha)) latest.set(status.context, status);
    const statuses = [...latest.values()].sort((a, b) => a.id - b.id);
    if (statuses.length === 0) {
      const empty = { state: "", sha: "", total_count: 0, statuses: null, repository: null, commit_url: "", url: "" };
      return { status: 200, body: empty satisfies GoJson<CombinedStatus, "statuses" | "repository"> };
    }
    const fullName = `${repo.owner}/${repo.name}`;
    const json = {
      state: combine(statuses.map((status) => status.state)),
      sha,
      total_count: statuses.length,
      statuses: statuses.map(
        (status) =>
          ({
            id: status.id,
            status: status.state,
            target_url: "",
            description: status.description,
            url: `${apiUrl()}/repos/${fullName}/statuses/${sha}`,
            context: status.context,
            creator: userJson(repo.owner),
            created_at: time(status.createdAt),
            updated_at: time(status.createdAt),
          }) satisfies CommitStatus,
      ),
      repository: repoJson(repo),
      commit_url: `${apiUrl()}/repos/${fullName}/commits/${sha}`,
      url: `${apiUrl()}/repos/${fullName}/commits/${sha}/status`,
    } satisfies CombinedStatusJson;
    return { status: 200, body: json, headers: { "x-total-count": String(statuses.length) } };
  }

  async function answerApi(operation: ServedOperation, params: string[], query: URLSearchParams, body: unknown, requestUrl: URL): Promise<Answer> {
    const [owner = "", name = "", index = "", reviewId = ""] = params;
    const repo = repository(`${owner}/${name}`);
    if (!repo) return notFound();
    const pull = repo.pulls.find((entry) => String(entry.number) === index);
    switch (operation) {
      case "repoListPullRequests": {
        const state = query.get("state");
        const order: Record<string, (a: StoredPull, b: StoredPull) => number> = {
          oldest: (a, b) => a.createdAt - b.createdAt || a.id - b.id,
          recentupdate: (a, b) => b.updatedAt - a.updatedAt || b.createdAt - a.createdAt || b.id - a.id,
          leastupdate: (a, b) => a.updatedAt - b.updatedAt || a.createdAt - b.createdAt || a.id - b.id,
        };
        const newest = (a: StoredPull, b: StoredPull) => b.createdAt - a.createdAt || b.id - a.id;
        // Gitea filters on "open" and "closed" only: anything else (or nothing) lists them all.
        const matching = repo.pulls
          .filter((entry) => (state === "open" || state === "closed" ? entry.state === state : true))
          .sort(order[query.get("sort") ?? ""] ?? newest);
        const { page, headers } = paged(matching, query, requestUrl);
        return { status: 200, body: await Promise.all(page.map((entry) => pullJson(repo, entry))), headers };
      }
      case "repoCreatePullRequest": {
        const created = await createPull(repo, body as { head: string; base: string; title: string; body?: string }, TOKEN_USER);
        if ("status" in created) return created;
        return { status: 201, body: await pullJson(repo, created) };
      }
      case "repoGetPullRequest":
        return pull ? { status: 200, body: await pullJson(repo, pull) } : notFound();
      case "repoEditPullRequest": {
        if (!pull) return notFound();
        const input = body as EditPullRequestOption;
        if (input.title) pull.title = input.title;
        if (typeof input.body === "string") pull.body = input.body;
        if (input.state !== undefined) {
          if (pull.merged) return error(412, "cannot change state of this pull request, it was already merged");
          if (input.state === "closed" && pull.state === "open") {
            await updatePullRefs(repo);
            Object.assign(pull, { state: "closed", closedAt: now() });
          } else if (input.state === "open" && pull.state === "closed") Object.assign(pull, { state: "open", closedAt: null });
        }
        if (input.base && input.base !== pull.base) {
          if (!(await branchSha(repo, input.base))) return error(404, `new base '${input.base}' not exist`);
          pull.base = input.base;
        }
        pull.updatedAt = now();
        // Gitea answers an edit with 201 Created.
        return { status: 201, body: await pullJson(repo, pull) };
      }
      case "repoGetCombinedStatusByRef":
        return combinedStatus(repo, decodeURIComponent(index));
      case "repoListPullReviews": {
        if (!pull) return notFound();
        // Someone else's pending review is theirs alone.
        const shown = pull.reviews.filter((review) => review.state !== "PENDING" || review.user === TOKEN_USER);
        // Gitea pages a PR's reviews only when a page is asked for (FindReviews); without one it lists them all.
        const { page, headers } =
          Number(query.get("page")) > 0 ? paged(shown, query, null) : { page: shown, headers: { "x-total-count": String(shown.length) } };
        return { status: 200, body: page.map((review) => reviewJson(repo, pull, review)), headers };
      }
      case "repoCreatePullReview":
        return pull ? createReview(repo, pull, body as CreatePullReviewOptions) : notFound();
      case "repoGetPullRequestFiles": {
        if (!pull) return notFound();
        await updatePullRefs(repo);
        const lines = (await git(repo, ["-c", "core.quotePath=false", "diff", "--no-color", "--name-status", "-M", pull.mergeBase, pull.headSha]))
          .split("\n")
          .filter(Boolean);
        const files = lines.map((line): ChangedFile => {
          const [status = "M", first = "", second] = line.split("\t");
          const renamed = status.startsWith("R");
          const filename = renamed ? (second ?? first) : first;
          return {
            filename,
            ...(renamed ? { previous_filename: first } : {}),
            status: renamed ? "renamed" : status === "A" ? "added" : status === "D" ? "deleted" : "changed",
            // Line counts are not imitated (Patchbay reads the names only).
            additions: 0,
            deletions: 0,
            changes: 0,
            html_url: `${webUrl}/${repo.owner}/${repo.name}/src/commit/${pull.headSha}/${filename}`,
            contents_url: `${apiUrl()}/repos/${repo.owner}/${repo.name}/contents/${filename}?ref=${pull.headSha}`,
            raw_url: `${webUrl}/${repo.owner}/${repo.name}/raw/commit/${pull.headSha}/${filename}`,
          };
        });
        const { page, headers } = paged(files, query, null);
        return { status: 200, body: page, headers };
      }
      case "issueCreateComment": {
        const issue = repo.issues.find((entry) => String(entry.number) === index);
        if (!issue && !pull) return notFound();
        const text = (body as CreateIssueCommentOption).body;
        const comment: StoredIssueComment = { id: nextId++, number: Number(index), user: TOKEN_USER, body: text, createdAt: now() };
        repo.comments.push(comment);
        if (pull) pull.updatedAt = comment.createdAt;
        return { status: 201, body: issueCommentJson(repo, comment, Boolean(pull)) };
      }
      case "repoGetPullReviewComments": {
        const review = pull?.reviews.find((entry) => String(entry.id) === reviewId);
        if (!pull || !review || (review.state === "PENDING" && review.user !== TOKEN_USER)) return notFound();
        return { status: 200, body: review.comments.map((comment) => commentJson(repo, pull, review, comment)) };
      }
    }
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const method = request.method ?? "GET";
    const apiPath = url.pathname.slice("/api/v1".length) || "/";
    let body: unknown;
    let parseError: string | null = null;
    try {
      body = rawBody.trim() === "" ? undefined : JSON.parse(rawBody);
    } catch (problem) {
      parseError = (problem as Error).message;
    }
    const entry: ImitatedRequest = { method, path: apiPath, query: Object.fromEntries(url.searchParams), body: parseError ? rawBody : body, status: 0 };
    requestLog.push(entry);
    const send = (answer: Answer) => {
      entry.status = answer.status;
      response.writeHead(answer.status, { "content-type": "application/json;charset=utf-8", ...answer.headers });
      response.end(JSON.stringify(answer.body));
    };

    // Everything that departs from the description is recorded, whatever the answer.
    const route = ROUTES.find((candidate) => candidate.method === method && candidate.path.test(apiPath));
    if (!route) violationLog.push(`${method} ${apiPath}: not an operation of Gitea's API that Patchbay's client is documented to use`);
    const params = (route?.path.exec(apiPath)?.slice(1) ?? []).map((part) => decodeURIComponent(part));
    const spec = route ? BODIES[route.operation] : undefined;
    const problems: string[] = [];
    let refusal: Answer | null = null;
    if (route) {
      problems.push(...queryProblems(route.operation, url.searchParams));
      // owner, repo, then the PR's index and a review's id (the combined status's third is a ref).
      if (route.operation !== "repoGetCombinedStatusByRef") {
        problems.push(...params.slice(2).flatMap((value) => (/^\d+$/.test(value) ? [] : [`the path parameter ${JSON.stringify(value)} must be an integer`])));
      }
      if (!spec && rawBody.trim() !== "") problems.push(`${route.operation} takes no body, but one was sent`);
    }
    if (spec) {
      if (rawBody.trim() !== "" && !/^application\/json\b/i.test(request.headers["content-type"] ?? "")) {
        problems.push(`the body was sent as ${JSON.stringify(request.headers["content-type"] ?? "")}, not application/json`);
      }
      if (parseError !== null) {
        problems.push(`the body is not JSON (${parseError})`);
        refusal = error(422, `[]: ${parseError}`);
      } else {
        const bodyProblems: string[] = [];
        const checked = objectFits(spec, body ?? {}, "body", bodyProblems);
        problems.push(...bodyProblems);
        // Gitea's binding refuses what Go cannot decode, and an empty Required field; unknown fields pass unseen.
        const missing = checked.missing[0];
        if (!checked.typesFit) refusal = error(422, `[]: json: cannot unmarshal the body: ${bodyProblems.join("; ")}`);
        else if (missing) refusal = error(422, `[${missing.charAt(0).toUpperCase()}${missing.slice(1)}]: Required`);
      }
    }
    violationLog.push(...problems.map((problem) => `${method} ${apiPath}${route ? ` (${route.operation})` : ""}: ${problem}`));

    // Gitea's API middleware refuses a token it does not know before it routes or binds anything.
    const header = request.headers.authorization;
    const fields = header?.trim().split(/\s+/) ?? [];
    const scheme = fields[0]?.toLowerCase();
    if (!header) {
      violationLog.push(`${method} ${apiPath}: no Authorization header (Patchbay always sends its token)`);
      return send(method === "GET" ? notFound() : error(401, "token is required"));
    }
    if (fields.length !== 2 || (scheme !== "token" && scheme !== "bearer") || fields[1] !== token) {
      return send(error(401, "invalid username, password or token"));
    }
    if (!route) return send(notFound());
    if (refusal) return send(refusal);
    return send(await answerApi(route.operation, params, url.searchParams, spec ? (body ?? {}) : undefined, url));
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const failed = (problem: unknown) => {
      violationLog.push(`${request.method} ${url.pathname}: the imitation failed (${problem instanceof Error ? problem.stack : String(problem)})`);
      if (!response.headersSent) response.writeHead(500, { "content-type": "text/plain" });
      response.end("Server Error\n");
    };
    const gitPath = /^\/([^/]+)\/([^/]+)\.git(\/|$)/.exec(url.pathname);
    if (gitPath) {
      // git-http-server serves the repositories under /git/; a fetch sees the PRs' refs at their heads.
      request.url = `/git${url.pathname}${url.search}`;
      // Gitea takes a token as the password with any user name (or as the user name without a password).
      const [user = "", password = ""] = Buffer.from(/^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1] ?? "", "base64")
        .toString("utf8")
        .split(/:(.*)/s);
      if (password === token || (user === token && password === "")) {
        request.headers.authorization = `Basic ${Buffer.from(`${GITEA_PUSH_USERNAME}:${token}`).toString("base64")}`;
      }
      const repo = repository(`${gitPath[1]}/${gitPath[2]}`);
      const fetching = !url.pathname.endsWith("/git-receive-pack") && url.searchParams.get("service") !== "git-receive-pack";
      (repo && fetching ? updatePullRefs(repo) : Promise.resolve()).then(() => serveGit(request, response), failed);
      return;
    }
    if (url.pathname === "/api/v1" || url.pathname.startsWith("/api/v1/")) {
      handleApi(request, response, url).catch(failed);
      return;
    }
    violationLog.push(`${request.method} ${url.pathname}: neither the API (/api/v1) nor a repository's git`);
    response.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const requireRepo = (fullName: string): Repository => {
    const found = repository(fullName);
    if (!found) throw new Error(`The imitation has no repository ${fullName}`);
    return found;
  };
  const requirePull = (fullName: string, number: number): StoredPull => {
    const found = requireRepo(fullName).pulls.find((entry) => entry.number === number);
    if (!found) throw new Error(`${fullName} has no pull request #${number}`);
    return found;
  };
  const publicView = (repo: Repository, pull: StoredPull): ImitatedGiteaPullRequest => ({
    repository: `${repo.owner}/${repo.name}`,
    number: pull.number,
    head: pull.head,
    base: pull.base,
    title: pull.title,
    body: pull.body,
    state: pull.state,
    merged: pull.merged,
    mergeable: pull.mergeable,
    htmlUrl: pullHtmlUrl(repo, pull),
  });

  return {
    url: webUrl,
    async createRepository(fullName, sourceDir) {
      const [owner = "", name = "", ...rest] = fullName.split("/");
      if (!NAME.test(owner) || !NAME.test(name) || rest.length > 0) throw new Error(`"${fullName}" is not owner/repo`);
      if (repository(fullName)) throw new Error(`The imitation already has ${fullName}`);
      mkdirSync(path.join(projectRoot, owner), { recursive: true });
      const gitDir = path.join(projectRoot, owner, `${name}.git`);
      // receive.hideRefs: a push to refs/pull/* is refused, as Gitea's hooks refuse it; fetches still see them.
      await execFileAsync("git", ["clone", "-q", "--bare", "--config", "receive.hideRefs=refs/pull", sourceDir, gitDir], { env: gitEnv() });
      repositories.set(fullName.toLowerCase(), {
        id: nextId++,
        owner,
        name,
        gitDir,
        createdAt: now(),
        issues: [],
        comments: [],
        pulls: [],
        statuses: [],
        pullRefsUpdate: Promise.resolve(),
      });
      return { gitDir, cloneUrl: `${webUrl}/${owner}/${name}.git` };
    },
    createIssue(fullName, input) {
      const repo = requireRepo(fullName);
      const issue: StoredIssue = {
        number: repo.issues.length + repo.pulls.length + 1,
        id: nextId++,
        title: input.title,
        body: input.body ?? "",
        poster: input.user ?? repo.owner,
        createdAt: now(),
      };
      repo.issues.push(issue);
      return { number: issue.number, htmlUrl: `${webUrl}/${repo.owner}/${repo.name}/issues/${issue.number}` };
    },
    issueComments(fullName, number) {
      const repo = requireRepo(fullName);
      const onPull = repo.pulls.some((pull) => pull.number === number);
      return repo.comments
        .filter((comment) => comment.number === number)
        .map((comment) => ({ id: comment.id, user: comment.user, body: comment.body, htmlUrl: issueCommentJson(repo, comment, onPull).html_url ?? "" }));
    },
    async openPullRequest(fullName, input) {
      const repo = requireRepo(fullName);
      const created = await createPull(repo, input, input.user ?? repo.owner);
      if ("status" in created) throw new Error(`Gitea answered ${created.status}: ${JSON.stringify(created.body)}`);
      return publicView(repo, created);
    },
    pullRequests: (fullName) => {
      const repo = requireRepo(fullName);
      return repo.pulls.map((pull) => publicView(repo, pull));
    },
    async merge(fullName, number, mergeOptions = {}) {
      const repo = requireRepo(fullName);
      const pull = requirePull(fullName, number);
      if (pull.state !== "open") throw new Error(`#${number} is not open`);
      // refs/pull/N/head keeps the head it was merged with.
      await updatePullRefs(repo);
      const at = now();
      Object.assign(pull, { state: "closed", merged: true, mergedAt: at, mergedSha: pull.headSha, closedAt: at, updatedAt: at });
      if (mergeOptions.deleteBranch) await git(repo, ["update-ref", "-d", `refs/heads/${pull.head}`]);
    },
    async closePullRequest(fullName, number) {
      const repo = requireRepo(fullName);
      const pull = requirePull(fullName, number);
      await updatePullRefs(repo);
      const at = now();
      Object.assign(pull, { state: "closed", closedAt: at, updatedAt: at });
    },
    setMergeable(fullName, number, mergeable) {
      requirePull(fullName, number).mergeable = mergeable;
    },
    async addReviewComment(fullName, number, comment) {
      const repo = requireRepo(fullName);
      const pull = requirePull(fullName, number);
      await updatePullRefs(repo);
      const old = comment.side === "old";
      const diff = await fileDiff(repo, pull, comment.path);
      if (!shownLines(diff, old).has(comment.line)) {
        throw new Error(`${comment.path}:${comment.line} (${old ? "old" : "new"} side) is not shown in the diff of ${fullName}#${number}`);
      }
      const line = old ? -comment.line : comment.line;
      const created = now();
      const stored: StoredComment = {
        id: nextId++,
        user: comment.user,
        path: comment.path,
        line,
        body: comment.body,
        commitId: pull.headSha,
        diffHunk: cutDiffAroundLine(diff, comment.line, old),
        createdAt: created,
      };
      if (comment.inReplyTo !== undefined) {
        const thread = pull.reviews.find((review) => review.comments.some((entry) => entry.id === comment.inReplyTo));
        const first = thread?.comments.find((entry) => entry.id === comment.inReplyTo);
        if (!thread || !first || first.path !== comment.path || first.line !== line) {
          throw new Error(`A reply sits on its comment's line: ${first?.path}:${first?.line}, not ${comment.path}:${line}`);
        }
        thread.comments.push(stored);
      } else {
        const review: StoredReview = {
          id: nextId++,
          user: comment.user,
          body: "",
          event: "COMMENT",
          state: "COMMENT",
          commitId: pull.headSha,
          timelineId: nextId++,
          viaApi: false,
          createdAt: created,
          comments: [stored],
        };
        pull.reviews.push(review);
      }
      pull.updatedAt = created;
      return { id: stored.id };
    },
    reviews(fullName, number) {
      const repo = requireRepo(fullName);
      const pull = requirePull(fullName, number);
      return pull.reviews
        .filter((review) => review.viaApi)
        .map((review) => ({
          id: review.id,
          body: review.body,
          event: review.event,
          state: review.state,
          commitId: review.commitId,
          htmlUrl: reviewHtmlUrl(repo, pull, review),
          comments: review.comments.map((comment) => ({
            id: comment.id,
            user: comment.user,
            path: comment.path,
            line: Math.abs(comment.line),
            side: comment.line < 0 ? ("old" as const) : ("new" as const),
            body: comment.body,
            diffHunk: comment.diffHunk,
          })),
        }));
    },
    async setCommitStatus(fullName, sha, status) {
      const repo = requireRepo(fullName);
      const commit = /^[0-9a-f]{40}$/i.test(sha) ? await commitOf(repo, sha) : "";
      if (!commit) throw new Error(`Gitea: no commit ${sha} in ${fullName}`);
      repo.statuses.push({ id: nextId++, sha: commit, context: status.context, state: status.state, description: status.description ?? "", createdAt: now() });
    },
    setToken(next) {
      token = next;
      serveGit = gitHttpHandler({ projectRoot, username: GITEA_PUSH_USERNAME, password: next });
    },
    requests: () => requestLog.map((entry) => ({ ...entry })),
    violations: () => [...violationLog],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(projectRoot, { recursive: true, force: true });
    },
  };
}

/**
 * Gitea's combined state of a commit's latest statuses (modules/commitstatus Combine): failure if any is an
 * error or a failure, success if all are success, warning or skipped, else pending.
 */
function combine(states: CommitStatusState[]): string {
  if (states.some((state) => state === "error" || state === "failure")) return "failure";
  return states.every((state) => state === "success" || state === "warning") ? "success" : "pending";
}
