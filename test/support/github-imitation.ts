// An imitation of GitHub (Enterprise Server style) for integration tests: the REST API Patchbay's pull
// requests use, under /api/v3, and the repositories' git over smart HTTP at /<owner>/<repo>.git, both on
// one 127.0.0.1 address like a real GitHub host. Pull requests, issues, their comments and reviews live in
// memory.
//
// It is held to GitHub's own published description of its API (@octokit/openapi's api.github.com.json):
// every request is matched to an operation of that document and its path parameters, query parameters and
// JSON body are validated against the operation's schemas; anything that does not validate, including an
// operation GitHub does not have, is recorded as a violation (tests assert `violations()` is empty). Each
// answer is built from the document's own example for the operation, with the fields the imitation manages
// replaced, and is validated against the operation's response schema too (a violation there is a bug of
// the imitation, reported the same way).
import { execFile, execFileSync } from "node:child_process";
import { randomBytes, verify } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { gitHttpHandler } from "./git-http-server";

const execFileAsync = promisify(execFile);

/** git's environment without the user's (or the system's) configuration: GitHub's git, not this machine's. */
const isolatedGitEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" });
/** A ref git is writing elsewhere (a push, another update) is waited for rather than failed on. */
const REF_LOCK_WAIT = ["-c", "core.filesRefLockTimeout=5000"];

/** The user name git sends with the token over https (what Patchbay uses for GitHub). */
export const GITHUB_PUSH_USERNAME = "x-access-token";

// ---------------------------------------------------------------------------------------------------------
// GitHub's OpenAPI description, loaded once per process (13 MB) with the validators compiled on first use.

type Schema = Record<string, unknown>;
type Ref = { $ref: string };
type Parameter = { name: string; in: "path" | "query" | "header" | "cookie"; required?: boolean; schema?: Schema };
type MediaType = { schema?: Schema; examples?: Record<string, { $ref?: string; value?: unknown }> };
type RequestBody = { required?: boolean; content?: Record<string, MediaType> };
type ResponseObject = { description?: string; content?: Record<string, MediaType> };
type Operation = {
  operationId: string;
  externalDocs?: { url?: string };
  parameters?: (Parameter | Ref)[];
  requestBody?: RequestBody | Ref;
  responses: Record<string, ResponseObject | Ref>;
};
type OpenApiDocument = {
  paths: Record<string, Record<string, unknown>>;
  components: {
    schemas: Record<string, Schema>;
    examples: Record<string, { value: unknown }>;
    parameters: Record<string, Parameter>;
    responses: Record<string, ResponseObject>;
  };
};
type Route = { template: string; pattern: RegExp; names: string[]; item: Record<string, unknown> };
type Spec = { doc: OpenApiDocument; ajv: Ajv; routes: Route[]; validators: Map<string, ValidateFunction> };

/** The base URI the document's schemas are registered under, so `#/components/...` refs resolve. */
const SPEC_ID = "https://openapi.github.test/api.github.com.json";
const HTTP_METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

let cachedSpec: Spec | undefined;

function spec(): Spec {
  if (cachedSpec) return cachedSpec;
  const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as OpenApiDocument;
  nullableEnums(doc);
  // OpenAPI 3.0 schemas: `nullable` is one of Ajv's own keywords; `example`, `x-github`, `discriminator`…
  // are annotations, hence strict: false. Formats GitHub defines itself get their meaning here.
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(ajv);
  ajv.addFormat("repo.nwo", /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: doc.components.schemas } });
  const routes: Route[] = Object.entries(doc.paths).map(([template, item]) => {
    const names: string[] = [];
    const source = template
      .split(/(\{[^}]+\})/)
      .map((part) => {
        const name = /^\{([^}]+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
        names.push(name);
        return "([^/]+)";
      })
      .join("");
    return { template, pattern: new RegExp(`^${source}$`), names, item };
  });
  // A literal segment wins over a parameter: /pulls/comments is not /pulls/{pull_number}.
  routes.sort((a, b) => a.names.length - b.names.length);
  cachedSpec = { doc, ajv, routes, validators: new Map() };
  return cachedSpec;
}

/**
 * OpenAPI 3.0's `nullable: true` lets a value be null, but Ajv's `nullable` keyword only widens `type`: an
 * `enum` beside it still refuses null. GitHub means null there (a single-line review comment's
 * `start_side`, an open issue's `state_reason`), so such enums get null added, once, in place.
 */
function nullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const entry of node) nullableEnums(entry);
    return;
  }
  if (typeof node !== "object" || node === null) return;
  const schema = node as Schema;
  if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  for (const value of Object.values(schema)) nullableEnums(value);
}

function isRef(value: unknown): value is Ref {
  return typeof value === "object" && value !== null && typeof (value as Ref).$ref === "string";
}

/** A `#/components/<kind>/<name>` object of the document (parameters, responses, request bodies). */
function resolve<T>(value: T | Ref): T {
  if (!isRef(value)) return value;
  const pointer = value.$ref.replace(/^#\//, "").split("/");
  let node: unknown = spec().doc;
  for (const segment of pointer) node = (node as Record<string, unknown>)[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  if (node === undefined) throw new Error(`The OpenAPI document has no ${value.$ref}`);
  return resolve(node as T | Ref);
}

/** An inline schema with its `#/...` refs pointed at the registered document, so Ajv can compile it alone. */
function rebase(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rebase);
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `${SPEC_ID}${value}` : rebase(value),
    ]),
  );
}

function validator(key: string, schema: () => unknown): ValidateFunction {
  const { ajv, validators } = spec();
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rebase(schema()) as Schema);
    validators.set(key, validate);
  }
  return validate;
}

function errorsText(validate: ValidateFunction, dataVar: string): string {
  return spec().ajv.errorsText(validate.errors, { dataVar, separator: "; " });
}

type MatchedOperation = { template: string; method: string; operation: Operation; params: Record<string, string> };

function findOperation(method: string, apiPath: string): MatchedOperation | { problem: string } {
  const lower = method.toLowerCase();
  const route = spec().routes.find((entry) => entry.pattern.test(apiPath));
  if (!route) return { problem: `GitHub's API has no path ${apiPath}` };
  const operation = route.item[lower] as Operation | undefined;
  if (!HTTP_METHODS.has(lower) || !operation) return { problem: `GitHub's API has no operation ${method} ${route.template}` };
  const values = route.pattern.exec(apiPath)?.slice(1) ?? [];
  const params = Object.fromEntries(route.names.map((name, index) => [name, safeDecode(values[index] ?? "")]));
  return { template: route.template, method: lower, operation, params };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A path or query value as the type its schema declares (both arrive as text). */
function fromText(text: string, schema: Schema | undefined): unknown {
  const type = schema?.type;
  if ((type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (type === "boolean" && (text === "true" || text === "false")) return text === "true";
  return text;
}

/**
 * What in the request GitHub's description does not allow, as sentences (empty when it conforms): in its
 * path and query parameters, and in its body.
 */
function requestProblems(matched: MatchedOperation, query: URLSearchParams, contentType: string, rawBody: string): { params: string[]; body: string[] } {
  return { params: parameterProblems(matched, query), body: bodyProblems(matched, contentType, rawBody) };
}

function parameterProblems(matched: MatchedOperation, query: URLSearchParams): string[] {
  const problems: string[] = [];
  const where = `${matched.method.toUpperCase()} ${matched.template}`;
  const parameters = (matched.operation.parameters ?? []).map((entry) => resolve<Parameter>(entry));
  for (const parameter of parameters.filter((entry) => entry.in === "path" || entry.in === "query")) {
    const key = `${where} ${parameter.in} ${parameter.name}`;
    const values = parameter.in === "path" ? [matched.params[parameter.name]].filter((value) => value !== undefined) : query.getAll(parameter.name);
    if (values.length === 0) {
      if (parameter.required) problems.push(`${where}: the required ${parameter.in} parameter ${parameter.name} is missing`);
      continue;
    }
    const isArray = parameter.schema?.type === "array";
    if (values.length > 1 && !isArray) problems.push(`${where}: the ${parameter.in} parameter ${parameter.name} is given ${values.length} times`);
    const items = isArray ? ((parameter.schema?.items as Schema | undefined) ?? {}) : parameter.schema;
    const value = isArray ? values.flatMap((entry) => entry.split(",")).map((entry) => fromText(entry, items)) : fromText(values[0] ?? "", items);
    const validate = validator(key, () => parameter.schema ?? {});
    if (!validate(value)) problems.push(`${where}: ${errorsText(validate, `${parameter.in} parameter ${parameter.name}`)} (got ${JSON.stringify(value)})`);
  }
  const known = new Set(parameters.filter((entry) => entry.in === "query").map((entry) => entry.name));
  for (const name of new Set(query.keys())) {
    if (!known.has(name)) problems.push(`${where}: GitHub's description has no query parameter ${name}`);
  }
  return problems;
}

function bodyProblems(matched: MatchedOperation, contentType: string, rawBody: string): string[] {
  const problems: string[] = [];
  const where = `${matched.method.toUpperCase()} ${matched.template}`;
  const requestBody = matched.operation.requestBody ? resolve<RequestBody>(matched.operation.requestBody) : undefined;
  if (!requestBody) {
    if (rawBody.trim() !== "") problems.push(`${where}: the operation takes no request body, but one was sent`);
    return problems;
  }
  if (rawBody.trim() === "") {
    if (requestBody.required) problems.push(`${where}: the request body is required`);
    return problems;
  }
  const media = requestBody.content?.["application/json"];
  if (!media) return [...problems, `${where}: the operation takes no JSON body`];
  if (!/^application\/json\b/i.test(contentType)) problems.push(`${where}: the JSON body was sent as ${JSON.stringify(contentType)}`);
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    return [...problems, `${where}: the request body is not JSON`];
  }
  const validate = validator(`${where} body`, () => media.schema ?? {});
  if (!validate(body)) problems.push(`${where}: ${errorsText(validate, "request body")}`);
  return problems;
}

/**
 * Answers GitHub gives that its description does not list, with the schema their body has: checks/list-for-ref
 * answers a ref that names no commit with 422 "No commit found for SHA: <ref>" (a basic error).
 */
const UNDESCRIBED_ANSWERS: Record<string, Record<number, string>> = { "checks/list-for-ref": { 422: "basic-error" } };

/** What the document says the operation answers with `status`; 401 and 404 any operation may answer. */
function responseSchema(operation: Operation, status: number): Schema | null {
  const declared = operation.responses[String(status)];
  const fallback = { 401: "requires_authentication", 403: "forbidden", 404: "not_found" }[status as 401 | 403 | 404];
  const response = declared ? resolve<ResponseObject>(declared) : fallback ? spec().doc.components.responses[fallback] : undefined;
  if (!response) {
    const undescribed = UNDESCRIBED_ANSWERS[operation.operationId]?.[status];
    return undescribed ? { $ref: `#/components/schemas/${undescribed}` } : null;
  }
  return response.content?.["application/json"]?.schema ?? {};
}

/** The document's own example answer, e.g. components/examples/pull-request. */
function example(name: string): unknown {
  const found = spec().doc.components.examples[name];
  if (!found) throw new Error(`The OpenAPI document has no example ${name}`);
  return structuredClone(found.value);
}

// ---------------------------------------------------------------------------------------------------------
// A pull request's diff as GitHub shows it (what review comments may be anchored to).

type DiffSide = "LEFT" | "RIGHT";
/**
 * One line of a hunk: a context line has both numbers, a removed one only `oldLine`, an added one only
 * `newLine`. `text` is the line as the diff shows it (with its " ", "-" or "+"), `trailer` a "\ No newline at
 * end of file" that follows it.
 */
type DiffLine = { oldLine: number | null; newLine: number | null; hunk: number; position: number; text: string; trailer?: string };
/** `hunks` are the @@ header lines, by hunk index. */
type DiffFile = { path: string; oldPath: string; lines: DiffLine[]; hunks: string[] };

/** A path as git prints it in a diff header, C-quoted when it has unusual characters. */
function unquoteGitPath(text: string): string {
  if (!text.startsWith('"')) return text;
  const bytes: number[] = [];
  const escapes: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '"': 34, "\\": 92 };
  for (let index = 1; index < text.length - 1; index++) {
    const char = text[index] ?? "";
    if (char !== "\\") {
      bytes.push(...Buffer.from(char, "utf8"));
      continue;
    }
    const next = text[index + 1] ?? "";
    const octal = /^[0-7]{3}/.exec(text.slice(index + 1))?.[0];
    if (octal) {
      bytes.push(Number.parseInt(octal, 8));
      index += 3;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
      index += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** `a/<path>` or `b/<path>` of a ---/+++ line; null for /dev/null. */
function diffPath(text: string): string | null {
  const unquoted = unquoteGitPath(text.replace(/\t$/, ""));
  return unquoted === "/dev/null" ? null : unquoted.replace(/^[ab]\//, "");
}

/**
 * The files of `git diff` output with, per file, every line a hunk shows and its diff `position` (GitHub's:
 * 1 is the line below the file's first @@ header; later @@ headers take a position of their own).
 */
function parseDiff(text: string): DiffFile[] {
  const files: DiffFile[] = [];
  let file: DiffFile | undefined;
  let hunk = -1;
  let position = 0;
  let oldLine = 0;
  let newLine = 0;
  let oldLeft = 0;
  let newLeft = 0;
  for (const line of text.split("\n")) {
    if (oldLeft > 0 || newLeft > 0) {
      if (!file) break;
      const kind = line[0];
      if (kind === "\\") {
        const previous = file.lines[file.lines.length - 1];
        if (previous) previous.trailer = line;
        continue;
      }
      position += 1;
      if (kind === "-") {
        file.lines.push({ oldLine: oldLine++, newLine: null, hunk, position, text: line });
        oldLeft -= 1;
      } else if (kind === "+") {
        file.lines.push({ oldLine: null, newLine: newLine++, hunk, position, text: line });
        newLeft -= 1;
      } else {
        file.lines.push({ oldLine: oldLine++, newLine: newLine++, hunk, position, text: line });
        oldLeft -= 1;
        newLeft -= 1;
      }
      continue;
    }
    // "\ No newline at end of file" after a hunk's last line comes once the hunk's counts are used up.
    if (line.startsWith("\\") && file) {
      const previous = file.lines[file.lines.length - 1];
      if (previous) previous.trailer = line;
      continue;
    }
    if (line.startsWith("diff --git ")) {
      // The header names both sides; ---/+++ or rename lines below say it unambiguously when there are any.
      const rest = line.slice("diff --git ".length);
      const quoted = rest.startsWith('"') ? /^("(?:[^"\\]|\\.)*")/.exec(rest)?.[1] : undefined;
      const guess = quoted ? diffPath(quoted) : rest.length % 2 === 1 ? rest.slice(2, (rest.length - 1) / 2) : rest;
      file = { path: guess ?? rest, oldPath: guess ?? rest, lines: [], hunks: [] };
      files.push(file);
      hunk = -1;
      position = 0;
      continue;
    }
    if (!file) continue;
    const hunkHeader = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunkHeader) {
      if (hunk >= 0) position += 1;
      hunk += 1;
      file.hunks.push(line);
      oldLine = Number(hunkHeader[1]);
      oldLeft = Number(hunkHeader[2] ?? 1);
      newLine = Number(hunkHeader[3]);
      newLeft = Number(hunkHeader[4] ?? 1);
    } else if (line.startsWith("--- ")) {
      file.oldPath = diffPath(line.slice(4)) ?? file.oldPath;
    } else if (line.startsWith("+++ ")) {
      // A deleted file is commented on under its old path.
      file.path = diffPath(line.slice(4)) ?? file.oldPath;
    } else if (line.startsWith("rename from ")) {
      file.oldPath = unquoteGitPath(line.slice("rename from ".length));
    } else if (line.startsWith("rename to ")) {
      file.path = unquoteGitPath(line.slice("rename to ".length));
    }
  }
  return files;
}

/** The hunk line showing `line` of one side of the file, if any hunk shows it. */
function diffLineAt(file: DiffFile, side: DiffSide, line: number): DiffLine | undefined {
  return file.lines.find((entry) => (side === "RIGHT" ? entry.newLine : entry.oldLine) === line);
}

/** A review comment's `diff_hunk` as GitHub gives it: the hunk's @@ header and its lines down to the commented one. */
function diffHunk(file: DiffFile, end: DiffLine): string {
  const lines = file.lines
    .filter((entry) => entry.hunk === end.hunk && entry.position <= end.position)
    .flatMap((entry) => (entry !== end && entry.trailer !== undefined ? [entry.text, entry.trailer] : [entry.text]));
  return [file.hunks[end.hunk] ?? "", ...lines].join("\n");
}

/** Where a review comment sits in the PR's diff, with what GitHub shows of it besides `line`, `side` and `start_line`. */
type Anchor = ImitatedReviewComment & { side: DiffSide; startSide: DiffSide | null; position: number; diffHunk: string };

/** A review comment as pulls/create-review takes one. */
type CommentInput = { path: string; body: string; position?: number; line?: number; side?: string; start_line?: number; start_side?: string };

/**
 * GitHub's checks of one review comment against the PR's diff: its anchor, or why it has none (GitHub's
 * sentences; `pathUnresolved` when the diff does not have the file at all).
 */
function anchorComment(files: DiffFile[], comment: CommentInput): { anchor?: Anchor; problems: string[]; pathUnresolved?: boolean } {
  const file = files.find((entry) => entry.path === comment.path);
  if (!file) return { problems: [], pathUnresolved: true };
  if (comment.line === undefined) {
    // The older way: the `position` of a line in the file's diff.
    const target = comment.position === undefined ? undefined : file.lines.find((entry) => entry.position === comment.position);
    if (!target) {
      return {
        problems: [
          comment.position === undefined ? "Pull request review thread line must be part of the diff" : "Pull request review thread position is invalid",
        ],
      };
    }
    const side: DiffSide = target.newLine === null ? "LEFT" : "RIGHT";
    const line = (side === "LEFT" ? target.oldLine : target.newLine) ?? 0;
    const anchor: Anchor = {
      path: file.path,
      line,
      startLine: null,
      side,
      body: comment.body,
      startSide: null,
      position: target.position,
      diffHunk: diffHunk(file, target),
    };
    return { anchor, problems: [] };
  }
  const problems: string[] = [];
  const side = comment.side ?? "RIGHT";
  const end = side === "LEFT" || side === "RIGHT" ? diffLineAt(file, side, comment.line) : undefined;
  if (!end) problems.push("Pull request review thread line must be part of the diff");
  let startLine: number | null = null;
  let startSide: DiffSide | null = null;
  if (comment.start_line !== undefined) {
    const startSideText = comment.start_side ?? side;
    const start = startSideText === "LEFT" || startSideText === "RIGHT" ? diffLineAt(file, startSideText, comment.start_line) : undefined;
    // The range runs down the diff within one hunk: the start in the end's hunk, not below the end.
    if (!start || !end || start.hunk !== end.hunk || start.position > end.position) {
      problems.push("Pull request review thread start line must be part of the same hunk as the line.");
    }
    startLine = comment.start_line;
    startSide = startSideText === "LEFT" ? "LEFT" : "RIGHT";
  }
  if (!end || (side !== "LEFT" && side !== "RIGHT")) return { problems };
  const anchor: Anchor = {
    path: file.path,
    line: comment.line,
    startLine,
    side,
    body: comment.body,
    startSide,
    position: end.position,
    diffHunk: diffHunk(file, end),
  };
  return { anchor, problems };
}

/** Rails' to_sentence, which GitHub's joined validation messages read like. */
function toSentence(parts: string[]): string {
  if (parts.length <= 2) return parts.join(" and ");
  return `${parts.slice(0, -1).join(", ")}, and ${parts[parts.length - 1]}`;
}

// ---------------------------------------------------------------------------------------------------------
// The imitation.

export type ImitatedRequest = { method: string; path: string; query: Record<string, string>; body: unknown; status: number };

export type ImitatedPullRequest = {
  repository: string;
  number: number;
  head: string;
  base: string;
  title: string;
  body: string | null;
  state: "open" | "closed";
  merged: boolean;
  mergeable: boolean | null;
  htmlUrl: string;
};

/** A review comment as it was anchored: `line` on `side` (RIGHT: the head's lines, LEFT: the base's). */
export type ImitatedReviewComment = { path: string; line: number; startLine: number | null; side: string; body: string };

export type ImitatedReview = {
  id: number;
  body: string;
  /** The `event` the request sent ("COMMENT", "REQUEST_CHANGES", "APPROVE"); empty for a pending review. */
  event: string;
  /** As GitHub shows it: "COMMENTED", "CHANGES_REQUESTED", "APPROVED" or "PENDING". */
  state: string;
  commitId: string;
  comments: ImitatedReviewComment[];
};

/** A comment in an issue's (or a pull request's) conversation, as issues/create-comment posted it. */
export type ImitatedIssueComment = { id: number; user: string; body: string; htmlUrl: string };

export type GitHubImitation = {
  /** The host: the web pages and the repositories' git, e.g. http://127.0.0.1:PORT/acme/web.git. */
  url: string;
  /** The REST API base, as for GitHub Enterprise Server: http://127.0.0.1:PORT/api/v3. */
  apiUrl: string;
  /** A bare clone of `sourceDir` as repository `owner/repo`; returns its git directory and clone URL. */
  createRepository(fullName: string, sourceDir: string): { gitDir: string; cloneUrl: string };
  /** Opens a pull request as a person would on the web (as a draft with `draft`), through the same rules as the API. */
  openPullRequest(fullName: string, input: { head: string; base: string; title: string; body?: string; draft?: boolean }): Promise<ImitatedPullRequest>;
  pullRequests(fullName: string): ImitatedPullRequest[];
  /**
   * Someone merges the PR on GitHub; `deleteBranch` as with the repository setting "Automatically delete
   * head branches" (the head branch is gone once the PR is merged).
   */
  merge(fullName: string, number: number, options?: { deleteBranch?: boolean }): void;
  /** Someone closes the PR without merging it. */
  closePullRequest(fullName: string, number: number): void;
  setMergeable(fullName: string, number: number, mergeable: boolean | null): void;
  /**
   * Someone opens an issue on the web. Like GitHub, issues and pull requests of a repository share one
   * sequence of numbers: the issue takes the next one.
   */
  createIssue(fullName: string, input: { title: string; body?: string }): { number: number; htmlUrl: string };
  /** The comments posted through the API (issues/create-comment) to issue or pull request `number`, oldest first. */
  issueComments(fullName: string, number: number): ImitatedIssueComment[];
  /**
   * The next `count` requests to operation `operationId` (e.g. "issues/create-comment") fail with `status`
   * before anything is done, as when GitHub's front end answers 502. They are still checked against the
   * description and listed in requests().
   */
  failNext(operationId: string, count: number, status: number): void;
  /** The reviews submitted on the PR through the API (pulls/create-review), oldest first. */
  reviews(fullName: string, number: number): ImitatedReview[];
  /**
   * Someone (`user`, a GitHub login) comments on the PR's diff on the web: `line` on `side` (RIGHT, the
   * default: the head's lines; LEFT: the base's), from `startLine` for a range; `inReplyTo` answers an
   * earlier review comment's thread (the reply takes that thread's place in the diff, so its anchor must
   * be the same). Like pulls/create-review it must be part of the PR's diff at its head, else this throws.
   * GitHub makes a single-comment review for it, which `reviews()` does not list. The comment shows in
   * pulls/list-review-comments.
   */
  addReviewComment(
    fullName: string,
    number: number,
    comment: { user: string; path: string; line: number; side?: "RIGHT" | "LEFT"; startLine?: number | null; body: string; inReplyTo?: number },
  ): { id: number };
  /**
   * A check run (CI) on commit `sha` (its full sha; the commit must be in the repository), as an app would
   * report it; one of the same `name` on the same commit is replaced (the new run gets a new id). A completed
   * run has a `conclusion`, one that is not has none, else this throws. checks/list-for-ref lists them.
   */
  setCheckRun(
    fullName: string,
    sha: string,
    run: {
      name: string;
      status: "queued" | "in_progress" | "completed";
      conclusion?: "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required" | null;
    },
  ): void;
  /** Every API request, oldest first (git traffic is not listed). */
  requests(): ImitatedRequest[];
  /** Every way a request (or, a test bug, an answer) departed from GitHub's description. */
  violations(): string[];
  close(): Promise<void>;
};

type StoredPull = {
  number: number;
  id: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  headSha: string;
  baseSha: string;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
  mergeable: boolean | null;
  draft: boolean;
  maintainerCanModify: boolean;
  /** Opened through the API, i.e. by the token's own user, who therefore cannot approve it or request changes. */
  openedByToken: boolean;
  reviews: (ImitatedReview & { submittedAt: string | null })[];
  /** Every review comment, of submitted reviews and pending ones and those a test added, oldest first. */
  reviewComments: StoredReviewComment[];
};

type StoredReviewComment = Anchor & {
  id: number;
  /** The review it belongs to: one of `reviews`, or the single-comment review GitHub made for it. */
  reviewId: number;
  user: string;
  originalCommitId: string;
  /** The thread's first comment, for a reply. */
  inReplyTo: number | null;
  createdAt: string;
  updatedAt: string;
};

type Repository = {
  owner: string;
  name: string;
  gitDir: string;
  /** The number the next issue or pull request takes (GitHub numbers both in one sequence). */
  nextNumber: number;
  pulls: StoredPull[];
  issues: StoredIssue[];
  /** Comments in issues' and pull requests' conversations (issues/create-comment), oldest first. */
  issueComments: (ImitatedIssueComment & { number: number; createdAt: string })[];
  /** The last update of the PRs' refs/pull/N/head, which run one after the other. */
  pullRefsUpdate: Promise<void>;
  /** The check runs a test set (setCheckRun), oldest first: one per commit and name. */
  checkRuns: StoredCheckRun[];
  /** The check suite of each commit's runs (all from one app, the document's example app), by sha. */
  checkSuites: Map<string, number>;
};

type StoredIssue = { number: number; title: string; body: string | null; createdAt: string };

/** A check run as setCheckRun takes one. */
type CheckRunInput = Parameters<GitHubImitation["setCheckRun"]>[2];

type StoredCheckRun = {
  id: number;
  headSha: string;
  name: string;
  status: CheckRunInput["status"];
  conclusion: NonNullable<CheckRunInput["conclusion"]> | null;
  startedAt: string;
  completedAt: string | null;
};

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

class Refusal extends Error {
  constructor(readonly answer: Answer) {
    super(`GitHub answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
}

const NAME = /^[A-Za-z0-9_.-]+$/;
let nextId = 1_934_000_000;
let nextReviewCommentId = 1_000_000_001;
let nextCheckRunId = 21_000_000_001;
let nextIssueCommentId = 1_500_000_001;
/** Who the token belongs to: the user of the document's examples. */
const TOKEN_USER = "octocat";
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/**
 * A GitHub App installed on the imitation's repositories: `publicKey` checks the JWTs the app signs, and
 * apps/create-installation-access-token gives installation `installationId` tokens that work like `token`.
 */
export type ImitatedApp = { id: number; installationId: number; publicKey: string };

export async function startGitHubImitation(options: { token: string; app?: ImitatedApp }): Promise<GitHubImitation> {
  const projectRoot = mkdtempSync(path.join(tmpdir(), "patchbay-github-"));
  const repositories = new Map<string, Repository>();
  const requestLog: ImitatedRequest[] = [];
  const violationLog: string[] = [];
  // Failures a test asked for (failNext), by operation id.
  const failures = new Map<string, { count: number; status: number }>();
  // The token given, and each installation token minted for the app: all of them push and call the API.
  const tokens = new Set([options.token]);
  const serveGit = gitHttpHandler({ projectRoot, username: GITHUB_PUSH_USERNAME, password: (given) => tokens.has(given) });
  let webUrl = "";
  let apiUrl = "";

  const repository = (fullName: string): Repository | undefined => repositories.get(fullName.toLowerCase());
  const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

  async function branchSha(repo: Repository, branch: string): Promise<string | null> {
    try {
      const { stdout } = await execFileAsync("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], { cwd: repo.gitDir });
      return stdout.trim() || null;
    } catch {
      return null;
    }
  }

  async function gitOut(repo: Repository, args: string[]): Promise<string> {
    return (await execFileAsync("git", args, { cwd: repo.gitDir })).stdout.trim();
  }

  const documentation = (operation: Operation | undefined) => operation?.externalDocs?.url ?? "https://docs.github.com/rest";
  const notFound = (operation?: Operation): Answer => ({
    status: 404,
    body: { message: "Not Found", documentation_url: documentation(operation), status: "404" },
  });
  const validationFailed = (operation: Operation | undefined, errors: Record<string, unknown>[]): Answer => ({
    status: 422,
    body: { message: "Validation Failed", errors, documentation_url: documentation(operation), status: "422" },
  });

  /** The branch moves with each push; GitHub's head.sha follows it (the last one is kept once it is deleted). */
  async function refreshShas(repo: Repository, pull: StoredPull): Promise<void> {
    pull.headSha = (await branchSha(repo, pull.head)) ?? pull.headSha;
    if (!pull.merged) pull.baseSha = (await branchSha(repo, pull.base)) ?? pull.baseSha;
  }

  /** The PR as GitHub's API shows it: the document's example with every field the imitation knows replaced. */
  async function pullJson(repo: Repository, pull: StoredPull, shape: "full" | "simple"): Promise<Record<string, unknown>> {
    await refreshShas(repo, pull);
    const template = shape === "full" ? example("pull-request") : (example("pull-request-simple-items") as unknown[])[0];
    const fullName = `${repo.owner}/${repo.name}`;
    const text = JSON.stringify(template)
      .replaceAll("https://api.github.com", apiUrl)
      .replaceAll("https://github.com", webUrl)
      .replaceAll("octocat/Hello-World", fullName)
      .replaceAll('"Hello-World"', JSON.stringify(repo.name))
      .replaceAll("6dcb09b5b57875f334f61aebed695e2e4193db5e", pull.headSha)
      .replace(/\/(pulls|pull|issues)\/1347\b/g, `/$1/${pull.number}`);
    const json = JSON.parse(text) as Record<string, unknown>;
    const head = json.head as Record<string, unknown>;
    const base = json.base as Record<string, unknown>;
    Object.assign(json, {
      url: `${apiUrl}/repos/${fullName}/pulls/${pull.number}`,
      id: pull.id,
      html_url: `${webUrl}/${fullName}/pull/${pull.number}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      active_lock_reason: null,
      title: pull.title,
      body: pull.body,
      // Nothing of the example's labels, reviewers or milestone happened to this PR (and the example's team
      // lacks the `type` its own schema requires).
      labels: [],
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      created_at: pull.createdAt,
      updated_at: pull.updatedAt,
      closed_at: pull.closedAt,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.merged ? pull.headSha : null,
      head: { ...head, label: `${repo.owner}:${pull.head}`, ref: pull.head, sha: pull.headSha },
      base: { ...base, label: `${repo.owner}:${pull.base}`, ref: pull.base, sha: pull.baseSha },
      auto_merge: null,
      draft: pull.draft,
    });
    if (shape === "full") {
      const range = `${pull.baseSha}..${pull.headSha}`;
      const numstat = (await gitOut(repo, ["diff", "--numstat", `${pull.baseSha}...${pull.headSha}`]).catch(() => ""))
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("\t"));
      Object.assign(json, {
        merged: pull.merged,
        mergeable: pull.merged ? null : pull.mergeable,
        rebaseable: pull.merged ? null : pull.mergeable,
        mergeable_state: pull.merged ? "unknown" : pull.mergeable === null ? "unknown" : pull.mergeable ? "clean" : "dirty",
        merged_by: pull.merged ? json.merged_by : null,
        comments: 0,
        review_comments: shownReviewComments(pull).length,
        maintainer_can_modify: pull.maintainerCanModify,
        commits: Number(await gitOut(repo, ["rev-list", "--count", range]).catch(() => "0")),
        additions: numstat.reduce((sum, [added]) => sum + (Number(added) || 0), 0),
        deletions: numstat.reduce((sum, [, removed]) => sum + (Number(removed) || 0), 0),
        changed_files: numstat.length,
      });
    }
    return json;
  }

  function publicView(repo: Repository, pull: StoredPull): ImitatedPullRequest {
    const fullName = `${repo.owner}/${repo.name}`;
    return {
      repository: fullName,
      number: pull.number,
      head: pull.head,
      base: pull.base,
      title: pull.title,
      body: pull.body,
      state: pull.state,
      merged: pull.merged,
      mergeable: pull.mergeable,
      htmlUrl: `${webUrl}/${fullName}/pull/${pull.number}`,
    };
  }

  /** GitHub's rules for opening a PR in the same repository; a Refusal carries GitHub's 422. */
  async function createPull(
    repo: Repository,
    operation: Operation | undefined,
    input: { head: string; base: string; title?: string; body?: string; draft?: boolean; maintainer_can_modify?: boolean; issue?: number },
  ): Promise<StoredPull> {
    const [headOwner, headBranch] = input.head.includes(":")
      ? [input.head.slice(0, input.head.indexOf(":")), input.head.slice(input.head.indexOf(":") + 1)]
      : [repo.owner, input.head];
    if (input.title === undefined && input.issue === undefined) {
      throw new Refusal(validationFailed(operation, [{ resource: "PullRequest", field: "title", code: "missing_field" }]));
    }
    if (input.issue !== undefined) throw new Refusal(validationFailed(operation, [{ resource: "PullRequest", field: "issue", code: "invalid" }]));
    const headSha = headOwner.toLowerCase() === repo.owner.toLowerCase() ? await branchSha(repo, headBranch) : null;
    const baseSha = await branchSha(repo, input.base);
    const errors: Record<string, unknown>[] = [];
    if (!headSha) errors.push({ resource: "PullRequest", field: "head", code: "invalid" });
    if (!baseSha) errors.push({ resource: "PullRequest", field: "base", code: "invalid" });
    if (errors.length > 0 || !headSha || !baseSha) throw new Refusal(validationFailed(operation, errors));
    if (repo.pulls.some((pull) => pull.state === "open" && pull.head === headBranch && pull.base === input.base)) {
      throw new Refusal(
        validationFailed(operation, [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner}:${headBranch}.` }]),
      );
    }
    if ((await gitOut(repo, ["rev-list", "--count", `${baseSha}..${headSha}`])) === "0") {
      throw new Refusal(
        validationFailed(operation, [{ resource: "PullRequest", code: "custom", message: `No commits between ${input.base} and ${headBranch}` }]),
      );
    }
    const created = now();
    const pull: StoredPull = {
      number: repo.nextNumber++,
      id: nextId++,
      title: input.title ?? "",
      body: input.body ?? null,
      head: headBranch,
      base: input.base,
      headSha,
      baseSha,
      state: "open",
      merged: false,
      mergedAt: null,
      closedAt: null,
      createdAt: created,
      updatedAt: created,
      // GitHub computes mergeability in the background: unknown in the answer that opens the PR.
      mergeable: null,
      draft: input.draft ?? false,
      maintainerCanModify: input.maintainer_can_modify ?? true,
      // Without an operation it is someone on the web, not the API's user.
      openedByToken: operation !== undefined,
      reviews: [],
      reviewComments: [],
    };
    repo.pulls.push(pull);
    // GitHub's refs/pull/N/head: the PR's head commit, in the repository for anyone who fetches it.
    await updatePullRefs(repo);
    return pull;
  }

  const pullRef = (pull: StoredPull) => `refs/pull/${pull.number}/head`;

  /**
   * Brings refs/pull/N/head of the open PRs to their head branch's tip, as GitHub does after each push (a
   * deleted head branch leaves the ref where it was). Run before git serves the repository; updates of a
   * repository run one at a time.
   */
  function updatePullRefs(repo: Repository): Promise<void> {
    const update = async () => {
      const open = repo.pulls.filter((pull) => pull.state === "open");
      if (open.length === 0) return;
      const listed = await execFileAsync("git", ["for-each-ref", "--format=%(objectname) %(refname)", "refs/heads/", "refs/pull/"], {
        cwd: repo.gitDir,
        env: isolatedGitEnv(),
      });
      const tips = new Map(
        listed.stdout
          .split("\n")
          .filter(Boolean)
          .map((line) => [line.slice(line.indexOf(" ") + 1), line.slice(0, line.indexOf(" "))] as const),
      );
      const commands = open.flatMap((pull) => {
        const tip = tips.get(`refs/heads/${pull.head}`);
        return tip && tips.get(pullRef(pull)) !== tip ? [`update ${pullRef(pull)} ${tip}\n`] : [];
      });
      if (commands.length === 0) return;
      const child = execFileAsync("git", [...REF_LOCK_WAIT, "update-ref", "--stdin"], { cwd: repo.gitDir, env: isolatedGitEnv() });
      child.child.stdin?.end(commands.join(""));
      await child;
    };
    repo.pullRefsUpdate = repo.pullRefsUpdate.then(update, update);
    return repo.pullRefsUpdate;
  }

  /** The same for one PR, synchronously (a test merging or closing it: the ref keeps its last head). */
  function updatePullRefSync(repo: Repository, pull: StoredPull): void {
    const git = (args: string[]) =>
      execFileSync("git", args, { cwd: repo.gitDir, env: isolatedGitEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    let tip: string;
    try {
      tip = git(["rev-parse", "--verify", "--quiet", `refs/heads/${pull.head}^{commit}`]);
    } catch {
      return; // The head branch is gone.
    }
    git([...REF_LOCK_WAIT, "update-ref", pullRef(pull), tip]);
  }

  /** After an answer showed `mergeable: null`, the background job has run. */
  function settleMergeable(pull: StoredPull) {
    if (pull.mergeable === null && !pull.merged) pull.mergeable = true;
  }

  /** The PR's diff at `commit` as GitHub shows it: from the merge base of the base and `commit`, 3 lines of context. */
  async function pullDiff(repo: Repository, baseSha: string, commit: string): Promise<DiffFile[]> {
    const { stdout } = await execFileAsync("git", pullDiffArgs(baseSha, commit), pullDiffOptions(repo));
    return parseDiff(stdout);
  }

  /** The same, for what a test does synchronously (addReviewComment). */
  function pullDiffSync(repo: Repository, baseSha: string, commit: string): DiffFile[] {
    return parseDiff(execFileSync("git", pullDiffArgs(baseSha, commit), { ...pullDiffOptions(repo), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
  }

  const pullDiffArgs = (baseSha: string, commit: string) => [
    "-c",
    "core.quotePath=false",
    "diff",
    "--no-color",
    "--no-ext-diff",
    "--unified=3",
    "--find-renames",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    `${baseSha}...${commit}`,
  ];
  // Not the user's own git configuration (diff.noprefix, diff.algorithm, …): GitHub's diff.
  const pullDiffOptions = (repo: Repository) => ({ cwd: repo.gitDir, maxBuffer: 256 * 1024 * 1024, env: isolatedGitEnv() });

  /** pulls/create-review: GitHub's checks, then the review (comments are all kept or none). */
  async function createReview(repo: Repository, pull: StoredPull, operation: Operation, input: Record<string, unknown>): Promise<Answer> {
    const unprocessable = (errors: string[]): Answer => ({
      status: 422,
      body: { message: "Unprocessable Entity", errors, documentation_url: documentation(operation), status: "422" },
    });
    const event = typeof input.event === "string" ? input.event : "";
    const body = typeof input.body === "string" ? input.body : "";
    const comments = (Array.isArray(input.comments) ? input.comments : []) as CommentInput[];
    await refreshShas(repo, pull);
    let commitId = pull.headSha;
    if (typeof input.commit_id === "string") {
      // A commit of the PR: the head or one before it.
      const known = /^[0-9a-f]{40}$/i.test(input.commit_id) && (await gitOut(repo, ["cat-file", "-t", input.commit_id]).catch(() => "")) === "commit";
      const inPull =
        known &&
        (await gitOut(repo, ["merge-base", "--is-ancestor", input.commit_id, pull.headSha]).then(
          () => true,
          () => false,
        ));
      if (!inPull) return unprocessable([`No commit found for SHA: ${input.commit_id}`]);
      commitId = input.commit_id.toLowerCase();
    }
    if ((event === "REQUEST_CHANGES" || event === "COMMENT") && body.trim() === "" && comments.length === 0) {
      return unprocessable(["You need to leave a comment indicating the requested changes."]);
    }
    if (pull.openedByToken && event === "APPROVE") return unprocessable(["Can not approve your own pull request"]);
    if (pull.openedByToken && event === "REQUEST_CHANGES") return unprocessable(["Review Can not request changes on your own pull request"]);
    if (event === "" && pull.reviews.some((review) => review.state === "PENDING")) {
      return unprocessable(["User can only have one pending review per pull request"]);
    }

    const files = comments.length > 0 ? await pullDiff(repo, pull.baseSha, commitId) : [];
    const anchored: Anchor[] = [];
    const problems: string[] = [];
    let pathUnresolved = false;
    for (const comment of comments) {
      const checked = anchorComment(files, comment);
      if (checked.pathUnresolved) pathUnresolved = true;
      problems.push(...checked.problems);
      if (checked.anchor) anchored.push(checked.anchor);
    }
    if (pathUnresolved) return unprocessable(["Path could not be resolved"]);
    if (problems.length > 0) return unprocessable([toSentence([...new Set(problems)])]);

    const state = ({ APPROVE: "APPROVED", REQUEST_CHANGES: "CHANGES_REQUESTED", COMMENT: "COMMENTED" } as Record<string, string>)[event] ?? "PENDING";
    const submittedAt = state === "PENDING" ? null : now();
    const review = {
      id: nextId++,
      body,
      event,
      state,
      commitId,
      comments: anchored.map((anchor) => ({ path: anchor.path, line: anchor.line, startLine: anchor.startLine, side: anchor.side, body: anchor.body })),
      submittedAt,
    };
    pull.reviews.push(review);
    // Its comments, by the token's user (the example's octocat, as in the review's own `user`).
    const createdAt = submittedAt ?? now();
    for (const anchor of anchored) {
      pull.reviewComments.push({
        ...anchor,
        id: nextReviewCommentId++,
        reviewId: review.id,
        user: TOKEN_USER,
        originalCommitId: commitId,
        inReplyTo: null,
        createdAt,
        updatedAt: createdAt,
      });
    }
    if (submittedAt) pull.updatedAt = submittedAt;
    const fullName = `${repo.owner}/${repo.name}`;
    const htmlUrl = `${webUrl}/${fullName}/pull/${pull.number}#pullrequestreview-${review.id}`;
    const pullUrl = `${apiUrl}/repos/${fullName}/pulls/${pull.number}`;
    const json = JSON.parse(
      JSON.stringify(example("pull-request-review")).replaceAll("https://api.github.com", apiUrl).replaceAll("https://github.com", webUrl),
    ) as Record<string, unknown>;
    Object.assign(json, {
      id: review.id,
      node_id: Buffer.from(`017:PullRequestReview${review.id}`).toString("base64"),
      body,
      state,
      html_url: htmlUrl,
      pull_request_url: pullUrl,
      _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
      submitted_at: submittedAt,
      commit_id: commitId,
    });
    // A pending review has not been submitted: GitHub leaves the field out.
    if (!submittedAt) delete json.submitted_at;
    return { status: 200, body: json };
  }

  /** What pulls/list-review-comments shows: the comments of pending reviews are their author's alone. */
  function shownReviewComments(pull: StoredPull): StoredReviewComment[] {
    const pending = new Set(pull.reviews.filter((review) => review.state === "PENDING").map((review) => review.id));
    return pull.reviewComments.filter((comment) => !pending.has(comment.reviewId));
  }

  /** A user as GitHub shows one (simple-user): the document's example user with another login. */
  const userIds = new Map<string, number>([[TOKEN_USER, 1]]);
  function userJson(login: string, template: unknown): Record<string, unknown> {
    let id = userIds.get(login.toLowerCase());
    if (id === undefined) {
      id = 9_100_000 + userIds.size;
      userIds.set(login.toLowerCase(), id);
    }
    const json = JSON.parse(
      JSON.stringify(template)
        .replaceAll("https://api.github.com", apiUrl)
        .replaceAll("https://github.com", webUrl)
        .replaceAll(`/users/${TOKEN_USER}/`, `/users/${login}/`)
        .replaceAll(`/users/${TOKEN_USER}"`, `/users/${login}"`),
    ) as Record<string, unknown>;
    return Object.assign(json, { login, id, node_id: Buffer.from(`04:User${id}`).toString("base64"), html_url: `${webUrl}/${login}` });
  }

  /** A review comment as GitHub's API shows it: the document's example with every field the imitation knows replaced. */
  function reviewCommentJson(repo: Repository, pull: StoredPull, comment: StoredReviewComment): Record<string, unknown> {
    const template = ((example("pull-request-review-comment-items") as Record<string, unknown>[])[0] ?? {}) as Record<string, unknown>;
    const fullName = `${repo.owner}/${repo.name}`;
    const url = `${apiUrl}/repos/${fullName}/pulls/comments/${comment.id}`;
    const htmlUrl = `${webUrl}/${fullName}/pull/${pull.number}#discussion_r${comment.id}`;
    const pullUrl = `${apiUrl}/repos/${fullName}/pulls/${pull.number}`;
    const association =
      comment.user.toLowerCase() === repo.owner.toLowerCase() ? "OWNER" : comment.user === TOKEN_USER ? "COLLABORATOR" : template.author_association;
    const json = Object.assign(template, {
      url,
      pull_request_review_id: comment.reviewId,
      id: comment.id,
      node_id: Buffer.from(`024:PullRequestReviewComment${comment.id}`).toString("base64"),
      diff_hunk: comment.diffHunk,
      path: comment.path,
      position: comment.position,
      original_position: comment.position,
      commit_id: pull.headSha,
      original_commit_id: comment.originalCommitId,
      in_reply_to_id: comment.inReplyTo,
      user: userJson(comment.user, template.user),
      body: comment.body,
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      html_url: htmlUrl,
      pull_request_url: pullUrl,
      author_association: association,
      _links: { self: { href: url }, html: { href: htmlUrl }, pull_request: { href: pullUrl } },
      reactions: {
        url: `${url}/reactions`,
        total_count: 0,
        "+1": 0,
        "-1": 0,
        laugh: 0,
        hooray: 0,
        confused: 0,
        heart: 0,
        rocket: 0,
        eyes: 0,
      },
      start_line: comment.startLine,
      original_start_line: comment.startLine,
      start_side: comment.startSide,
      line: comment.line,
      original_line: comment.line,
      side: comment.side,
      subject_type: "line",
    });
    // Not a reply: GitHub leaves the field out.
    if (comment.inReplyTo === null) delete (json as Record<string, unknown>).in_reply_to_id;
    return json;
  }

  /** pulls/list-review-comments: by creation (ids) unless `sort` says otherwise, a page at a time with GitHub's Link header. */
  async function listReviewComments(repo: Repository, pull: StoredPull, query: URLSearchParams, requestPath: string): Promise<Answer> {
    await refreshShas(repo, pull);
    const perPage = Math.min(Math.max(Number(query.get("per_page") ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const sort = query.get("sort");
    const field = sort === "updated" ? "updatedAt" : "createdAt";
    // `direction` is ignored without `sort`.
    const descending = sort !== null && query.get("direction") === "desc";
    const since = query.get("since") === null ? Number.NaN : Date.parse(query.get("since") ?? "");
    const matching = shownReviewComments(pull)
      .filter((comment) => Number.isNaN(since) || Date.parse(comment.updatedAt) >= since)
      .sort((a, b) => (a[field] === b[field] ? a.id - b.id : a[field] < b[field] ? -1 : 1) * (descending ? -1 : 1));
    const shown = matching.slice((page - 1) * perPage, page * perPage);
    return {
      status: 200,
      body: shown.map((comment) => reviewCommentJson(repo, pull, comment)),
      ...pageLinks(query, requestPath, page, Math.max(Math.ceil(matching.length / perPage), 1)),
    };
  }

  /** GitHub's Link header of a paged list (none when everything fits on the first page). */
  function pageLinks(query: URLSearchParams, requestPath: string, page: number, lastPage: number): { headers?: Record<string, string> } {
    const link = (target: number, rel: string) => {
      const params = new URLSearchParams(query);
      params.set("page", String(target));
      return `<${apiUrl}${requestPath}?${params}>; rel="${rel}"`;
    };
    const links = [
      ...(page > 1 ? [link(Math.min(page - 1, lastPage), "prev")] : []),
      ...(page < lastPage ? [link(page + 1, "next"), link(lastPage, "last")] : []),
      ...(page > 1 ? [link(1, "first")] : []),
    ];
    return links.length > 0 ? { headers: { link: links.join(", ") } } : {};
  }

  /**
   * The commit a ref of the checks operations names, as GitHub resolves it: a commit sha, a branch name,
   * a tag name, or either under refs/ without it (heads/<branch>, tags/<tag>); null when none does. Only
   * names git allows as ref names are looked up, so revision syntax (main~1, @{…}) names nothing.
   */
  async function refCommit(repo: Repository, ref: string): Promise<string | null> {
    const commit = (revision: string) => gitOut(repo, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]).catch(() => "");
    if (/^[0-9a-f]{40}$/i.test(ref)) {
      const sha = await commit(ref);
      if (sha) return sha;
    }
    const refName = await gitOut(repo, ["check-ref-format", `refs/heads/${ref}`]).then(
      () => true,
      () => false,
    );
    for (const candidate of refName ? [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/${ref}`] : []) {
      const sha = await commit(candidate);
      if (sha) return sha;
    }
    // An abbreviated sha (git refuses an ambiguous one).
    return /^[0-9a-f]{7,39}$/i.test(ref) ? (await commit(ref)) || null : null;
  }

  /** The document's example check run (its app is the one every imitated run comes from). */
  const checkRunTemplate = () => ((example("check-run-paginated") as { check_runs: Record<string, unknown>[] }).check_runs[0] ?? {}) as Record<string, unknown>;

  /** A check run as GitHub's API shows it: the document's example with every field the imitation knows replaced. */
  function checkRunJson(repo: Repository, run: StoredCheckRun): Record<string, unknown> {
    const fullName = `${repo.owner}/${repo.name}`;
    const json = JSON.parse(
      JSON.stringify(checkRunTemplate())
        .replaceAll("https://api.github.com", apiUrl)
        .replaceAll("https://github.com", webUrl)
        .replaceAll("github/hello-world", fullName),
    ) as Record<string, unknown>;
    const url = `${apiUrl}/repos/${fullName}/check-runs/${run.id}`;
    const htmlUrl = `${webUrl}/${fullName}/runs/${run.id}`;
    // The repository's id, as pulls/get shows it (the document's example repository).
    const repoId = (example("pull-request") as { base: { repo: { id: number } } }).base.repo.id;
    const repoJson = { id: repoId, url: `${apiUrl}/repos/${fullName}`, name: repo.name };
    return Object.assign(json, {
      id: run.id,
      head_sha: run.headSha,
      node_id: Buffer.from(`08:CheckRun${run.id}`).toString("base64"),
      external_id: "",
      url,
      html_url: htmlUrl,
      // Without a details_url of its own, a run's details are its page on GitHub.
      details_url: htmlUrl,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: { title: null, summary: null, text: null, annotations_count: 0, annotations_url: `${url}/annotations` },
      name: run.name,
      check_suite: { id: repo.checkSuites.get(run.headSha) ?? 0 },
      // The open PRs whose head is the run's commit.
      pull_requests: repo.pulls
        .filter((pull) => pull.state === "open" && pull.headSha === run.headSha)
        .map((pull) => ({
          url: `${apiUrl}/repos/${fullName}/pulls/${pull.number}`,
          id: pull.id,
          number: pull.number,
          head: { ref: pull.head, sha: pull.headSha, repo: repoJson },
          base: { ref: pull.base, sha: pull.baseSha, repo: repoJson },
        })),
    });
  }

  /**
   * checks/list-for-ref: the runs of the commit `ref` names, newest first, a page at a time with GitHub's Link
   * header; `check_name`, `status` and `app_id` narrow them. `filter` (latest, the default, or all) changes
   * nothing: a commit keeps one run per name.
   */
  async function listCheckRuns(repo: Repository, operation: Operation, ref: string, query: URLSearchParams): Promise<Answer> {
    const sha = await refCommit(repo, ref);
    if (!sha) return { status: 422, body: { message: `No commit found for SHA: ${ref}`, documentation_url: documentation(operation), status: "422" } };
    for (const pull of repo.pulls.filter((entry) => entry.state === "open")) await refreshShas(repo, pull);
    const perPage = Math.min(Math.max(Number(query.get("per_page") ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const name = query.get("check_name");
    const status = query.get("status");
    const appId = query.get("app_id");
    const exampleAppId = (checkRunTemplate().app as { id?: number } | null)?.id;
    const matching = repo.checkRuns
      .filter((run) => run.headSha === sha)
      .filter((run) => name === null || run.name === name)
      .filter((run) => status === null || run.status === status)
      .filter(() => appId === null || Number(appId) === exampleAppId)
      .sort((a, b) => b.id - a.id);
    const shown = matching.slice((page - 1) * perPage, page * perPage);
    const requestPath = `/repos/${repo.owner}/${repo.name}/commits/${encodeURIComponent(ref)}/check-runs`;
    return {
      status: 200,
      body: { total_count: matching.length, check_runs: shown.map((run) => checkRunJson(repo, run)) },
      ...pageLinks(query, requestPath, page, Math.max(Math.ceil(matching.length / perPage), 1)),
    };
  }

  /** issues/create-comment: a comment by the token's user in the conversation of an issue or a pull request. */
  function createIssueComment(repo: Repository, operation: Operation, number: number, input: Record<string, unknown>): Answer {
    const pull = repo.pulls.find((entry) => entry.number === number);
    if (!pull && !repo.issues.some((entry) => entry.number === number)) return notFound(operation);
    const body = typeof input.body === "string" ? input.body : "";
    // GitHub's own checks of the body, beyond the description's (which takes any string).
    if (body.trim() === "") return validationFailed(operation, [{ resource: "IssueComment", code: "missing_field", field: "body" }]);
    if (body.length > 65_536) {
      return validationFailed(operation, [
        { resource: "IssueComment", code: "custom", field: "body", message: "body is too long (maximum is 65536 characters)" },
      ]);
    }
    const fullName = `${repo.owner}/${repo.name}`;
    const id = nextIssueCommentId++;
    const created = now();
    const htmlUrl = `${webUrl}/${fullName}/${pull ? "pull" : "issues"}/${number}#issuecomment-${id}`;
    repo.issueComments.push({ id, number, user: TOKEN_USER, body, htmlUrl, createdAt: created });
    if (pull) pull.updatedAt = created;
    const template = example("issue-comment") as Record<string, unknown>;
    const url = `${apiUrl}/repos/${fullName}/issues/comments/${id}`;
    const json = Object.assign(template, {
      id,
      node_id: Buffer.from(`012:IssueComment${id}`).toString("base64"),
      url,
      html_url: htmlUrl,
      issue_url: `${apiUrl}/repos/${fullName}/issues/${number}`,
      body,
      user: userJson(TOKEN_USER, template.user),
      created_at: created,
      updated_at: created,
      author_association: repo.owner.toLowerCase() === TOKEN_USER ? "OWNER" : "COLLABORATOR",
    });
    return { status: 201, body: json, headers: { location: url } };
  }

  /**
   * pulls/list-files: the files of the PR's diff at its head, as GitHub lists them (status, counts, the
   * blob's sha, the patch of a text file), a page at a time with GitHub's Link header.
   */
  async function listPullFiles(repo: Repository, pull: StoredPull, query: URLSearchParams): Promise<Answer> {
    await refreshShas(repo, pull);
    const fullName = `${repo.owner}/${repo.name}`;
    // --raw: each file's status and its blobs' shas; -z: paths as they are (no quoting).
    const raw = await gitOut(repo, ["diff", "--no-ext-diff", "--find-renames", "--raw", "--no-abbrev", "-z", `${pull.baseSha}...${pull.headSha}`]);
    const parts = raw.split("\0").filter((part) => part !== "");
    const patches = await pullDiff(repo, pull.baseSha, pull.headSha);
    const STATUSES: Record<string, string> = { A: "added", D: "removed", M: "modified", R: "renamed", C: "copied", T: "changed" };
    const entries: Record<string, unknown>[] = [];
    const encodePath = (file: string) => file.split("/").map(encodeURIComponent).join("/");
    for (let index = 0; index < parts.length; ) {
      const [, , oldBlob = "", newBlob = "", code = ""] = (parts[index++] ?? "").replace(/^:/, "").split(" ");
      const letter = code.charAt(0);
      const oldPath = parts[index++] ?? "";
      const filename = letter === "R" || letter === "C" ? (parts[index++] ?? "") : oldPath;
      const diff = patches.find((file) => file.path === filename);
      const lines = diff?.lines ?? [];
      const additions = lines.filter((line) => line.text.startsWith("+")).length;
      const deletions = lines.filter((line) => line.text.startsWith("-")).length;
      const template = (example("diff-entry-items") as Record<string, unknown>[])[0] ?? {};
      const entry: Record<string, unknown> = Object.assign(template, {
        // A removed file's blob is the one it had.
        sha: letter === "D" ? oldBlob : newBlob,
        filename,
        status: STATUSES[letter] ?? "modified",
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${webUrl}/${fullName}/blob/${pull.headSha}/${encodePath(filename)}`,
        raw_url: `${webUrl}/${fullName}/raw/${pull.headSha}/${encodePath(filename)}`,
        contents_url: `${apiUrl}/repos/${fullName}/contents/${encodePath(filename)}?ref=${pull.headSha}`,
        // The hunks as the diff shows them; a binary file has none, and GitHub leaves the field out.
        patch: diff?.hunks
          .flatMap((header, hunk) => [
            header,
            ...lines.filter((line) => line.hunk === hunk).flatMap((line) => (line.trailer ? [line.text, line.trailer] : [line.text])),
          ])
          .join("\n"),
      });
      if (!diff || diff.hunks.length === 0) delete entry.patch;
      if (letter === "R" || letter === "C") entry.previous_filename = oldPath;
      entries.push(entry);
    }
    const perPage = Math.min(Math.max(Number(query.get("per_page") ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    return {
      status: 200,
      body: entries.slice((page - 1) * perPage, page * perPage),
      ...pageLinks(query, `/repos/${fullName}/pulls/${pull.number}/files`, page, Math.max(Math.ceil(entries.length / perPage), 1)),
    };
  }

  async function answerApi(matched: MatchedOperation, query: URLSearchParams, body: unknown): Promise<Answer> {
    const { operation, params } = matched;
    if (operation.operationId === "apps/create-installation-access-token") {
      if (Number(params.installation_id) !== options.app?.installationId) return notFound(operation);
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      tokens.add(token);
      const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
      return { status: 201, body: { ...(example("installation-token") as Record<string, unknown>), token, expires_at: expires } };
    }
    const repo = params.owner && params.repo ? repository(`${params.owner}/${params.repo}`) : undefined;
    if (!repo) return notFound(operation);
    const pullNumber = Number(params.pull_number);
    const pull = repo.pulls.find((entry) => entry.number === pullNumber);
    const input = (body ?? {}) as Record<string, unknown>;
    switch (operation.operationId) {
      case "pulls/list": {
        const state = query.get("state") ?? "open";
        const head = query.get("head");
        const base = query.get("base");
        const perPage = Math.min(Math.max(Number(query.get("per_page") ?? 30) || 30, 1), 100);
        const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
        const sort = query.get("sort") === "updated" ? "updatedAt" : "createdAt";
        const ascending = (query.get("direction") ?? (query.get("sort") && query.get("sort") !== "created" ? "asc" : "desc")) === "asc";
        const matching = repo.pulls
          .filter((entry) => state === "all" || entry.state === state)
          .filter((entry) => {
            if (head === null) return true;
            // `user:ref-name`: the head's owner and branch.
            const colon = head.indexOf(":");
            return colon > 0 && head.slice(0, colon).toLowerCase() === repo.owner.toLowerCase() && head.slice(colon + 1) === entry.head;
          })
          .filter((entry) => base === null || entry.base === base)
          .sort((a, b) => (a[sort] === b[sort] ? a.number - b.number : a[sort] < b[sort] ? -1 : 1) * (ascending ? 1 : -1));
        const shown = matching.slice((page - 1) * perPage, page * perPage);
        return { status: 200, body: await Promise.all(shown.map((entry) => pullJson(repo, entry, "simple"))) };
      }
      case "pulls/create": {
        try {
          const created = await createPull(repo, operation, input as Parameters<typeof createPull>[2]);
          const json = await pullJson(repo, created, "full");
          settleMergeable(created);
          return { status: 201, body: json, headers: { location: String(json.url) } };
        } catch (error) {
          if (error instanceof Refusal) return error.answer;
          throw error;
        }
      }
      case "pulls/get": {
        if (!pull) return notFound(operation);
        const json = await pullJson(repo, pull, "full");
        settleMergeable(pull);
        return { status: 200, body: json };
      }
      case "pulls/update": {
        if (!pull) return notFound(operation);
        if (typeof input.base === "string" && !(await branchSha(repo, input.base))) {
          return validationFailed(operation, [{ resource: "PullRequest", field: "base", code: "invalid" }]);
        }
        if (input.state === "open" && pull.state === "closed") {
          if (pull.merged) return validationFailed(operation, [{ resource: "PullRequest", code: "custom", message: "Cannot reopen a merged pull request" }]);
          if (repo.pulls.some((entry) => entry !== pull && entry.state === "open" && entry.head === pull.head && entry.base === pull.base)) {
            return validationFailed(operation, [
              { resource: "PullRequest", code: "custom", message: `A pull request already exists for ${repo.owner}:${pull.head}.` },
            ]);
          }
        }
        if (typeof input.title === "string") pull.title = input.title;
        if (typeof input.body === "string") pull.body = input.body;
        if (typeof input.base === "string") pull.base = input.base;
        if (typeof input.maintainer_can_modify === "boolean") pull.maintainerCanModify = input.maintainer_can_modify;
        if (input.state === "closed" && pull.state === "open") {
          // Its refs/pull/N/head stays at the head it was closed with.
          await updatePullRefs(repo);
          Object.assign(pull, { state: "closed", closedAt: now() });
        }
        if (input.state === "open" && pull.state === "closed") Object.assign(pull, { state: "open", closedAt: null });
        pull.updatedAt = now();
        const json = await pullJson(repo, pull, "full");
        settleMergeable(pull);
        return { status: 200, body: json };
      }
      case "pulls/create-review": {
        if (!pull) return notFound(operation);
        return await createReview(repo, pull, operation, input);
      }
      case "pulls/list-review-comments": {
        if (!pull) return notFound(operation);
        return await listReviewComments(repo, pull, query, `/repos/${repo.owner}/${repo.name}/pulls/${pull.number}/comments`);
      }
      case "checks/list-for-ref":
        return await listCheckRuns(repo, operation, params.ref ?? "", query);
      case "pulls/list-files": {
        if (!pull) return notFound(operation);
        return await listPullFiles(repo, pull, query);
      }
      case "issues/create-comment":
        return createIssueComment(repo, operation, Number(params.issue_number), input);
      default:
        violationLog.push(
          `${matched.method.toUpperCase()} ${matched.template}: GitHub has this operation (${operation.operationId}), but the imitation does not`,
        );
        return notFound(operation);
    }
  }

  /** An operation an app calls as itself, with a JWT it signs (GitHub: "Authenticating as a GitHub App"). */
  const APP_OPERATIONS = new Set(["apps/create-installation-access-token"]);

  function authorized(request: IncomingMessage, operationId: string): "ok" | "missing" | "bad" {
    const header = request.headers.authorization;
    if (!header) return "missing";
    const match = /^(token|bearer)\s+(\S+)$/i.exec(header.trim());
    if (!match?.[2]) return "bad";
    if (APP_OPERATIONS.has(operationId)) return appJwtProblem(match[2]) === null ? "ok" : "bad";
    return tokens.has(match[2]) ? "ok" : "bad";
  }

  /**
   * What is wrong with an app's JWT, as GitHub checks it: RS256 signed by the app's key, `iss` the App ID,
   * issued no later than a minute from now, expiring in the future and at most ten minutes after issue.
   */
  function appJwtProblem(jwt: string): string | null {
    if (!options.app) return "the imitation has no app";
    const [header = "", payload = "", signature = ""] = jwt.split(".");
    const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
    try {
      if (decode(header).alg !== "RS256") return "not RS256";
      const signed = verify("RSA-SHA256", Buffer.from(`${header}.${payload}`), options.app.publicKey, Buffer.from(signature, "base64url"));
      if (!signed) return "bad signature";
      const claims = decode(payload);
      const now = Math.floor(Date.now() / 1000);
      const issued = Number(claims.iat);
      const expires = Number(claims.exp);
      if (String(claims.iss) !== String(options.app.id)) return "iss is not the App ID";
      if (!(issued <= now + 60) || !(expires > now) || expires - issued > 600) return "iat/exp out of range";
      return null;
    } catch {
      return "not a JWT";
    }
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString("utf8");
    const method = request.method ?? "GET";
    const apiPath = url.pathname.slice("/api/v3".length) || "/";
    let parsedBody: unknown = null;
    try {
      parsedBody = rawBody.trim() === "" ? null : JSON.parse(rawBody);
    } catch {
      parsedBody = rawBody;
    }
    const entry: ImitatedRequest = { method, path: apiPath, query: Object.fromEntries(url.searchParams), body: parsedBody, status: 0 };
    requestLog.push(entry);

    const send = (answer: Answer, matched: MatchedOperation | null) => {
      entry.status = answer.status;
      if (matched) {
        const schema = responseSchema(matched.operation, answer.status);
        const where = `${matched.method.toUpperCase()} ${matched.template}`;
        if (!schema) violationLog.push(`${where}: the imitation answered ${answer.status}, which GitHub's description does not list (imitation bug)`);
        else {
          const validate = validator(`${where} response ${answer.status}`, () => schema);
          if (!validate(answer.body))
            violationLog.push(`${where}: the imitation's own ${answer.status} answer does not match (imitation bug): ${errorsText(validate, "response")}`);
        }
      }
      response.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...answer.headers });
      response.end(JSON.stringify(answer.body));
    };

    const matched = findOperation(method, apiPath);
    if ("problem" in matched) {
      violationLog.push(`${method} ${apiPath}: ${matched.problem}`);
      return send(notFound(), null);
    }
    const problems = requestProblems(matched, url.searchParams, request.headers["content-type"] ?? "", rawBody);
    violationLog.push(...problems.params, ...problems.body);
    // A failure a test asked for (failNext): GitHub's front end answers before the API does anything.
    const failure = failures.get(matched.operation.operationId);
    if (failure && failure.count > 0) {
      failure.count -= 1;
      const body = { message: "Server Error", documentation_url: documentation(matched.operation), status: String(failure.status) };
      // An answer the description lists is held to it; a gateway's 502 is not the operation's answer at all.
      return send({ status: failure.status, body }, responseSchema(matched.operation, failure.status) ? matched : null);
    }
    const auth = authorized(request, matched.operation.operationId);
    if (auth !== "ok") {
      const message = auth === "missing" ? "Requires authentication" : "Bad credentials";
      return send({ status: 401, body: { message, documentation_url: "https://docs.github.com/rest", status: "401" } }, matched);
    }
    if (typeof parsedBody === "string") {
      return send({ status: 400, body: { message: "Problems parsing JSON", documentation_url: documentation(matched.operation), status: "400" } }, null);
    }
    // Like GitHub: a body its description does not allow is refused with a 422 (where the operation has
    // one); a parameter that does not fit is ignored or not found. The violation is what tests look at.
    if (problems.body.length > 0 && matched.operation.responses["422"]) {
      return send(
        {
          status: 422,
          body: { message: `Invalid request.\n\n${problems.body.join("\n")}`, documentation_url: documentation(matched.operation), status: "422" },
        },
        matched,
      );
    }
    return send(await answerApi(matched, url.searchParams, parsedBody), matched);
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    // The repositories' git at /<owner>/<repo>.git like github.com; git-http-server serves them under /git/.
    const gitPath = /^\/([^/]+)\/([^/]+)\.git(\/|$)/.exec(url.pathname);
    if (gitPath) {
      request.url = `/git${url.pathname}${url.search}`;
      const repo = repository(`${gitPath[1]}/${gitPath[2]}`);
      // What a fetch or clone sees has the PRs' refs/pull/N/head at their head branch's tip (a push needs
      // none: it cannot touch them). The request's body waits, unread, meanwhile.
      const pushing = url.pathname.endsWith("/git-receive-pack");
      (repo && !pushing ? updatePullRefs(repo) : Promise.resolve()).then(
        () => serveGit(request, response),
        (error: unknown) => {
          violationLog.push(`${request.method} ${url.pathname}: the imitation failed (${error instanceof Error ? error.stack : String(error)})`);
          response.writeHead(500, { "content-type": "text/plain" }).end("Server Error\n");
        },
      );
      return;
    }
    if (url.pathname === "/api/v3" || url.pathname.startsWith("/api/v3/")) {
      handleApi(request, response, url).catch((error: unknown) => {
        violationLog.push(`${request.method} ${url.pathname}: the imitation failed (${error instanceof Error ? error.stack : String(error)})`);
        if (!response.headersSent) response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
        response.end(JSON.stringify({ message: "Server Error" }));
      });
      return;
    }
    violationLog.push(`${request.method} ${url.pathname}: neither the API (/api/v3) nor a repository's git`);
    response.writeHead(404, { "content-type": "text/plain" }).end("Not Found\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  apiUrl = `${webUrl}/api/v3`;
  // Load GitHub's description now, not in the middle of the first request the worker times.
  spec();

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

  return {
    url: webUrl,
    apiUrl,
    createRepository(fullName, sourceDir) {
      const [owner = "", name = "", ...rest] = fullName.split("/");
      if (!NAME.test(owner) || !NAME.test(name) || rest.length > 0) throw new Error(`"${fullName}" is not owner/repo`);
      if (repository(fullName)) throw new Error(`The imitation already has ${fullName}`);
      mkdirSync(path.join(projectRoot, owner), { recursive: true });
      const gitDir = path.join(projectRoot, owner, `${name}.git`);
      // Synchronous on purpose: a repository is made while a test sets up, before anything talks to it.
      // receive.hideRefs: like GitHub, a push to refs/pull/* is refused ("deny updating a hidden ref"), while
      // fetches and clones (upload-pack) still see those refs.
      execFileSync("git", ["clone", "-q", "--bare", "--config", "receive.hideRefs=refs/pull", sourceDir, gitDir], {
        env: isolatedGitEnv(),
        stdio: "ignore",
      });
      repositories.set(fullName.toLowerCase(), {
        owner,
        name,
        gitDir,
        nextNumber: 1,
        pulls: [],
        issues: [],
        issueComments: [],
        pullRefsUpdate: Promise.resolve(),
        checkRuns: [],
        checkSuites: new Map(),
      });
      return { gitDir, cloneUrl: `${webUrl}/${owner}/${name}.git` };
    },
    async openPullRequest(fullName, input) {
      const repo = requireRepo(fullName);
      const pull = await createPull(repo, undefined, input);
      settleMergeable(pull);
      return publicView(repo, pull);
    },
    pullRequests(fullName) {
      const repo = requireRepo(fullName);
      return repo.pulls.map((pull) => publicView(repo, pull));
    },
    merge(fullName, number, mergeOptions = {}) {
      const pull = requirePull(fullName, number);
      if (pull.state !== "open") throw new Error(`#${number} is not open`);
      const repo = requireRepo(fullName);
      // refs/pull/N/head keeps the head it was merged with.
      updatePullRefSync(repo, pull);
      const at = now();
      Object.assign(pull, { state: "closed", merged: true, mergedAt: at, closedAt: at, updatedAt: at, mergeable: null });
      if (mergeOptions.deleteBranch) {
        execFileSync("git", ["update-ref", "-d", `refs/heads/${pull.head}`], { cwd: repo.gitDir, stdio: "ignore" });
      }
    },
    closePullRequest(fullName, number) {
      const pull = requirePull(fullName, number);
      // refs/pull/N/head keeps the head it was closed with.
      if (pull.state === "open") updatePullRefSync(requireRepo(fullName), pull);
      const at = now();
      Object.assign(pull, { state: "closed", closedAt: at, updatedAt: at });
    },
    setMergeable(fullName, number, mergeable) {
      requirePull(fullName, number).mergeable = mergeable;
    },
    createIssue(fullName, input) {
      const repo = requireRepo(fullName);
      if (input.title.trim() === "") throw new Error("GitHub: an issue has a title");
      const issue = { number: repo.nextNumber++, title: input.title, body: input.body ?? null, createdAt: now() };
      repo.issues.push(issue);
      return { number: issue.number, htmlUrl: `${webUrl}/${repo.owner}/${repo.name}/issues/${issue.number}` };
    },
    issueComments(fullName, number) {
      return requireRepo(fullName)
        .issueComments.filter((comment) => comment.number === number)
        .map(({ id, user, body, htmlUrl }) => ({ id, user, body, htmlUrl }));
    },
    failNext(operationId, count, status) {
      const known = Object.values(spec().doc.paths).some((item) =>
        Object.values(item).some((operation) => (operation as Partial<Operation> | null)?.operationId === operationId),
      );
      if (!known) throw new Error(`GitHub's API has no operation ${operationId}`);
      if (!Number.isInteger(status) || status < 400 || status > 599) throw new Error(`${status} is not an HTTP error status`);
      failures.set(operationId, { count, status });
    },
    reviews(fullName, number) {
      return requirePull(fullName, number).reviews.map(({ submittedAt: _submittedAt, comments, ...review }) => ({
        ...review,
        comments: comments.map((comment) => ({ ...comment })),
      }));
    },
    addReviewComment(fullName, number, comment) {
      const repo = requireRepo(fullName);
      const pull = requirePull(fullName, number);
      if (!LOGIN.test(comment.user)) throw new Error(`"${comment.user}" is not a GitHub login`);
      const gitSha = (branch: string) => {
        try {
          return execFileSync("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
            cwd: repo.gitDir,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
          }).trim();
        } catch {
          return "";
        }
      };
      // As refreshShas does: the branches may have moved since GitHub last looked.
      pull.headSha = gitSha(pull.head) || pull.headSha;
      if (!pull.merged) pull.baseSha = gitSha(pull.base) || pull.baseSha;
      const side = comment.side ?? "RIGHT";
      let parent: StoredReviewComment | undefined;
      if (comment.inReplyTo !== undefined) {
        const replied = shownReviewComments(pull).find((entry) => entry.id === comment.inReplyTo);
        if (!replied) throw new Error(`${fullName}#${number} has no review comment ${comment.inReplyTo} to reply to`);
        // A reply to a reply joins the same thread.
        parent = replied.inReplyTo === null ? replied : pull.reviewComments.find((entry) => entry.id === replied.inReplyTo);
        if (
          !parent ||
          parent.path !== comment.path ||
          parent.line !== comment.line ||
          parent.side !== side ||
          (comment.startLine !== undefined && parent.startLine !== comment.startLine)
        ) {
          throw new Error(
            `A reply sits where its thread does: ${parent?.path}:${parent?.line} ${parent?.side} from ${parent?.startLine}, not ${comment.path}:${comment.line} ${side}`,
          );
        }
      }
      const checked = parent
        ? { anchor: { ...parent, body: comment.body }, problems: [] as string[] }
        : anchorComment(pullDiffSync(repo, pull.baseSha, pull.headSha), {
            path: comment.path,
            body: comment.body,
            line: comment.line,
            side,
            ...(comment.startLine === undefined || comment.startLine === null ? {} : { start_line: comment.startLine }),
          });
      if (checked.pathUnresolved) throw new Error(`GitHub: Path could not be resolved (${comment.path} is not in the diff of ${fullName}#${number})`);
      if (checked.problems.length > 0 || !checked.anchor) throw new Error(`GitHub: ${toSentence([...new Set(checked.problems)])}`);
      const created = now();
      const stored: StoredReviewComment = {
        path: checked.anchor.path,
        line: checked.anchor.line,
        startLine: checked.anchor.startLine,
        side: checked.anchor.side,
        body: comment.body,
        startSide: checked.anchor.startSide,
        position: checked.anchor.position,
        diffHunk: checked.anchor.diffHunk,
        id: nextReviewCommentId++,
        reviewId: nextId++,
        user: comment.user,
        originalCommitId: parent?.originalCommitId ?? pull.headSha,
        inReplyTo: parent?.id ?? null,
        createdAt: created,
        updatedAt: created,
      };
      pull.reviewComments.push(stored);
      pull.updatedAt = created;
      return { id: stored.id };
    },
    setCheckRun(fullName, sha, run) {
      const repo = requireRepo(fullName);
      const headSha = sha.toLowerCase();
      let known = false;
      if (/^[0-9a-f]{40}$/.test(headSha)) {
        try {
          execFileSync("git", ["cat-file", "-e", `${headSha}^{commit}`], { cwd: repo.gitDir, env: isolatedGitEnv(), stdio: "ignore" });
          known = true;
        } catch {
          known = false;
        }
      }
      if (!known) throw new Error(`GitHub: No commit found for SHA: ${sha} (in ${fullName})`);
      if (run.name.trim() === "") throw new Error("A check run has a name");
      const conclusion = run.conclusion ?? null;
      if ((run.status === "completed") !== (conclusion !== null)) {
        throw new Error(`A check run has a conclusion when it is completed, and only then (${run.name}: ${run.status}, ${conclusion})`);
      }
      const at = now();
      if (!repo.checkSuites.has(headSha)) repo.checkSuites.set(headSha, nextId++);
      repo.checkRuns = repo.checkRuns.filter((entry) => !(entry.headSha === headSha && entry.name === run.name));
      repo.checkRuns.push({
        id: nextCheckRunId++,
        headSha,
        name: run.name,
        status: run.status,
        conclusion,
        startedAt: at,
        completedAt: run.status === "completed" ? at : null,
      });
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
