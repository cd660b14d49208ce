// An imitation of Linear's GraphQL API (POST /graphql) for tests of lib/triggers/linear-api.ts: the viewer,
// issues, users and comments, in memory, on one 127.0.0.1 address.
//
// What it is held to, and against what. Linear publishes no SDL on npm; @linear/sdk ships its codegen output
// instead: TypeScript types rendered from Linear's schema (one per object, input, enum, union and field-argument
// type) and the GraphQL documents the SDK sends. linearSchema() below turns those types back into a GraphQL
// schema, so:
// - Requests: every operation is parsed and checked with graphql's validate() against that schema (unknown
//   fields, wrong argument names or types, an input field CommentCreateInput does not have, a fragment on the
//   wrong type). An invalid one is answered 400 GRAPHQL_VALIDATION_FAILED and recorded in `violations`.
// - Answers: built by graphql's execute() over the same schema, so only fields the schema has, with its
//   nullability and list shapes. A field the test did not give a value is null when the schema allows it, and
//   otherwise a neutral value of its type ("" / 0 / false / [] / the first enum value / now for DateTime).
// - Authentication: the `Authorization` header must be the API key (as the SDK sends a personal key) or
//   "Bearer <key>". Anything else is answered as Linear answers a rejected key (HTTP 400; the body as captured
//   from api.linear.app and quoted in public clients): errors[0].extensions = { type: "authentication error",
//   code: "AUTHENTICATION_ERROR", statusCode: 401, userPresentableMessage }.
//
// Not imitated: pagination, OAuth, rate-limit headers, complexity limits, and Linear's exact texts for entities
// that do not exist (answered as an "invalid input" GraphQL error with HTTP 200).
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  buildSchema,
  type DocumentNode,
  execute,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  getOperationAST,
  isEnumType,
  isListType,
  isNonNullType,
  isScalarType,
  parse,
  validate,
} from "graphql";

export type ImitatedUser = { id: string; name: string; displayName: string; email: string };
export type ImitatedIssue = { id: string; identifier: string; title: string; description: string | null; url: string };
export type ReceivedComment = { id: string; issueId: string; body: string; input: Record<string, unknown> };

export type LinearImitation = {
  /** The GraphQL endpoint: pass it as LinearClient's apiUrl. */
  url: string;
  apiKey: string;
  /** The user the API key belongs to (what `viewer` answers). */
  agent: Omit<ImitatedUser, "email">;
  addIssue(issue: { identifier: string; title: string; description?: string | null; id?: string }): ImitatedIssue;
  addUser(user: Partial<ImitatedUser> & { name: string }): ImitatedUser;
  /** commentCreate inputs, in the order they arrived. */
  comments: ReceivedComment[];
  /** Operation names received, in order (after authentication). */
  operations: string[];
  /** Requests that broke the schema or the contract above; a test should expect this to stay empty. */
  violations: string[];
  /** The next n requests are answered with this HTTP status (e.g. 503) before anything else is looked at. */
  failNext(n: number, status: number): void;
  close(): Promise<void>;
};

const WORKSPACE = "imitation";
const ORIGIN = "https://linear.app";

export async function startLinearImitation(): Promise<LinearImitation> {
  const schema = linearSchema();
  const apiKey = "lin_api_imitation_0123456789abcdef";
  const agentUser: ImitatedUser = { id: "f7a1c8e2-0000-4000-8000-00000000a9e7", name: "Patchbay", displayName: "patchbay", email: "patchbay@example.com" };
  const users = new Map<string, ImitatedUser>([[agentUser.id, agentUser]]);
  const issues = new Map<string, ImitatedIssue>();
  const comments: ReceivedComment[] = [];
  const operations: string[] = [];
  const violations: string[] = [];
  let failures = { left: 0, status: 503 };
  let counter = 0;
  const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`;

  const userRecord = (user: ImitatedUser) => ({
    __typename: "User",
    ...user,
    url: `${ORIGIN}/${WORKSPACE}/profiles/${user.displayName}`,
    active: true,
    isMe: user.id === agentUser.id,
    app: false,
  });
  const issueRecord = (issue: ImitatedIssue) => ({ __typename: "Issue", ...issue, team: { id: "team-imitation" }, state: { id: "state-todo" } });

  const rootValue = {
    viewer: () => userRecord(agentUser),
    user: ({ id }: { id: string }) => userRecord(users.get(id) ?? notFound("User")),
    issue: ({ id }: { id: string }) => issueRecord(findIssue(id) ?? notFound("Issue")),
    comment: ({ id }: { id?: string }) => {
      const comment = comments.find((c) => c.id === id) ?? notFound("Comment");
      const issue = issues.get(comment.issueId);
      return { __typename: "Comment", id: comment.id, body: comment.body, url: `${issue?.url ?? ORIGIN}#comment-${comment.id.slice(0, 8)}` };
    },
    commentCreate: ({ input }: { input: Record<string, unknown> }) => {
      const issueId = typeof input.issueId === "string" ? input.issueId : null;
      const body = typeof input.body === "string" ? input.body : null;
      if (!issueId || body === null) {
        violations.push(`commentCreate without issueId and body: ${JSON.stringify(input)}`);
        throw invalidInput("A comment needs an issue and a body.");
      }
      const issue = findIssue(issueId) ?? notFound("Issue");
      const comment = { id: newId(), issueId: issue.id, body, input };
      comments.push(comment);
      return { __typename: "CommentPayload", success: true, lastSyncId: comments.length, comment: { id: comment.id } };
    },
  };

  function findIssue(idOrIdentifier: string): ImitatedIssue | undefined {
    return issues.get(idOrIdentifier) ?? [...issues.values()].find((i) => i.identifier === idOrIdentifier);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      violations.push(`imitation failed: ${String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: "imitation failed" }] });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    if (failures.left > 0) {
      failures.left -= 1;
      if (failures.status === 429) {
        sendJson(res, 429, {
          errors: [{ message: "Rate limit exceeded", extensions: { type: "ratelimited", code: "RATELIMITED", userPresentableMessage: "Rate limit exceeded" } }],
        });
        return;
      }
      res.writeHead(failures.status, { "content-type": "text/plain" }).end(`imitated failure ${failures.status}`);
      return;
    }
    if (req.method !== "POST" || new URL(req.url ?? "/", "http://x").pathname !== "/graphql") {
      violations.push(`${req.method} ${req.url}: only POST /graphql is served`);
      sendJson(res, 404, { errors: [{ message: "Not found" }] });
      return;
    }
    const auth = req.headers.authorization ?? "";
    if (auth !== apiKey && auth !== `Bearer ${apiKey}`) {
      sendJson(res, 400, {
        errors: [
          {
            message: "Authentication required, not authenticated",
            extensions: {
              type: "authentication error",
              code: "AUTHENTICATION_ERROR",
              statusCode: 401,
              userPresentableMessage: "You need to authenticate to access this operation.",
            },
          },
        ],
      });
      return;
    }
    let request: { query?: unknown; variables?: unknown; operationName?: unknown };
    let document: DocumentNode;
    try {
      request = JSON.parse(raw);
      document = parse(String(request.query));
    } catch (error) {
      violations.push(`not a GraphQL request: ${String(error)}`);
      sendJson(res, 400, { errors: [{ message: String(error), extensions: { code: "GRAPHQL_PARSE_FAILED" } }] });
      return;
    }
    const invalid = validate(schema, document);
    const operationName = typeof request.operationName === "string" ? request.operationName : undefined;
    const operation = getOperationAST(document, operationName);
    if (invalid.length > 0 || !operation?.name) {
      const messages = invalid.length > 0 ? invalid.map((e) => e.message) : ["operations must be named, as the SDK names them"];
      violations.push(...messages);
      sendJson(res, 400, { errors: messages.map((message) => ({ message, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })) });
      return;
    }
    operations.push(operation.name.value);
    const variableValues = (request.variables ?? {}) as Record<string, unknown>;
    const result = await execute({ schema, document, rootValue, variableValues, operationName, fieldResolver, typeResolver });
    sendJson(res, 200, result);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    apiKey,
    agent: { id: agentUser.id, name: agentUser.name, displayName: agentUser.displayName },
    comments,
    operations,
    violations,
    addIssue({ identifier, title, description = null, id = newId() }) {
      const slug = title
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "");
      const issue = { id, identifier, title, description, url: `${ORIGIN}/${WORKSPACE}/issue/${identifier}/${slug}` };
      issues.set(id, issue);
      return issue;
    },
    addUser({ id = newId(), name, displayName = name.toLowerCase().replace(/\s+/g, ""), email = `${displayName}@example.com` }) {
      const user = { id, name, displayName, email };
      users.set(id, user);
      return user;
    },
    failNext(n, status) {
      failures = { left: n, status };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Answers: values the test gave, else null where the schema allows it, else a neutral value of the field's type.

const fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, _context, info) => {
  const value = source && typeof source === "object" ? (source as Record<string, unknown>)[info.fieldName] : undefined;
  const resolved = typeof value === "function" ? value(args) : value;
  return resolved === undefined ? neutralValue(info.returnType) : resolved;
};

const typeResolver: GraphQLTypeResolver<unknown, unknown> = (value, _context, info, abstractType) => {
  const named = value && typeof value === "object" ? (value as { __typename?: unknown }).__typename : undefined;
  return typeof named === "string" ? named : info.schema.getPossibleTypes(abstractType)[0]?.name;
};

const SCALAR_DEFAULTS: Record<string, unknown> = { String: "", ID: "", Boolean: false, Int: 0, Float: 0, JSON: {}, JSONObject: {} };

function neutralValue(type: GraphQLOutputType): unknown {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value;
  if (isScalarType(inner)) return inner.name === "DateTime" ? new Date().toISOString() : (SCALAR_DEFAULTS[inner.name] ?? "");
  // An object (or interface/union): its own fields get values in turn.
  return {};
}

function notFound(entity: string): never {
  throw invalidInput(`Entity not found: ${entity}`, `Could not find referenced ${entity}.`);
}

function invalidInput(message: string, userPresentableMessage = message): GraphQLError {
  return new GraphQLError(message, { extensions: { type: "invalid input", code: "INPUT_ERROR", userPresentableMessage } });
}

// ---------------------------------------------------------------------------------------------------------
// Linear's schema, rebuilt from the SDK's codegen types (the SDK's .d.mts holds them before its fragment types).

let cachedSchema: GraphQLSchema | undefined;

export function linearSchema(): GraphQLSchema {
  cachedSchema ??= buildSchema(sdlFromSdkTypes(readSdkTypes()), { assumeValidSDL: true });
  return cachedSchema;
}

function readSdkTypes(): string {
  const packageJson = createRequire(import.meta.url).resolve("@linear/sdk/package.json");
  const dist = path.join(path.dirname(packageJson), "dist");
  const file = readdirSync(dist).find((name) => /^index-.*\.d\.mts$/.test(name));
  if (!file) throw new Error(`no codegen types in ${dist}: has @linear/sdk changed its layout?`);
  const text = readFileSync(path.join(dist, file), "utf8");
  const end = text.search(/^type \w+Fragment = \{/m);
  return end > 0 ? text.slice(0, end) : text;
}

type Block =
  | { kind: "enum"; name: string; values: string[] }
  | { kind: "union"; name: string; members: string[] }
  | { kind: "type"; name: string; interfaces: string[]; fields: { name: string; ts: string }[] };

function sdlFromSdkTypes(source: string): string {
  const lines = source.split("\n").filter((line) => !/^\s*(\/\*\*|\*)/.test(line));
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const enumHead = /^declare enum (\w+) \{$/.exec(line);
    const typeHead = /^type (\w+) = ((?:\w+ & )*)\{$/.exec(line);
    const union = /^type (\w+) = (\w+(?: \| \w+)+);$/.exec(line);
    if (enumHead?.[1]) {
      const values: string[] = [];
      for (i++; i < lines.length && lines[i] !== "}"; i++) {
        const value = /^\s+\w+ = "([^"]+)",?$/.exec(lines[i] ?? "");
        if (value?.[1]) values.push(value[1]);
      }
      blocks.push({ kind: "enum", name: enumHead[1], values });
    } else if (typeHead?.[1] && typeHead[1] !== "Scalars") {
      const fields: { name: string; ts: string }[] = [];
      for (i++; i < lines.length && lines[i] !== "};"; i++) {
        const field = /^\s+(\w+)\??: (.+);$/.exec(lines[i] ?? "");
        if (field?.[1] && field[2]) fields.push({ name: field[1], ts: field[2] });
      }
      blocks.push({ kind: "type", name: typeHead[1], interfaces: (typeHead[2] ?? "").split(" & ").filter(Boolean), fields });
    } else if (union?.[1] && union[2]) {
      blocks.push({ kind: "union", name: union[1], members: union[2].split(" | ") });
    }
  }

  const builtIn = new Set(["ID", "String", "Boolean", "Int", "Float"]);
  const customScalars = new Set<string>();
  const graphqlType = (ts: string): string => {
    const nullable = /^(?:Input)?Maybe<(.+)>$/.exec(ts);
    if (nullable?.[1]) return graphqlType(nullable[1]).replace(/!$/, "");
    const list = /^Array<(.+)>$/.exec(ts);
    if (list?.[1]) return `[${graphqlType(list[1])}]!`;
    const scalar = /^Scalars\["(\w+)"\]$/.exec(ts);
    if (scalar?.[1]) {
      if (!builtIn.has(scalar[1])) customScalars.add(scalar[1]);
      return `${scalar[1]}!`;
    }
    if (/^\w+$/.test(ts)) return `${ts}!`;
    throw new Error(`unexpected type in the SDK's codegen output: ${ts}`);
  };

  // Codegen writes objects with a __typename field; inputs and interfaces without. An interface is one that an
  // object implements or that some output field returns.
  const isObject = (block: Block) => block.kind === "type" && block.fields.some((f) => f.name === "__typename");
  const outputNames = new Set<string>();
  for (const block of blocks) {
    if (block.kind === "union") for (const member of block.members) outputNames.add(member);
    if (block.kind !== "type" || !isObject(block)) continue;
    for (const name of block.interfaces) outputNames.add(name);
    for (const field of block.fields) outputNames.add(/(\w+)"?\]?>*$/.exec(field.ts)?.[1] ?? "");
  }
  const byName = new Map(blocks.map((block) => [block.name, block]));
  const argumentsOf = (owner: string, field: string) => {
    const args = byName.get(`${owner}${field[0]?.toUpperCase()}${field.slice(1)}Args`);
    return args?.kind === "type" ? `(${args.fields.map((a) => `${a.name}: ${graphqlType(a.ts)}`).join(", ")})` : "";
  };

  const sdl: string[] = [];
  for (const block of blocks) {
    if (block.kind === "enum") sdl.push(`enum ${block.name} { ${block.values.join(" ")} }`);
    else if (block.kind === "union") sdl.push(`union ${block.name} = ${block.members.join(" | ")}`);
    else {
      const object = isObject(block);
      if (!object && block.name.endsWith("Args") && !outputNames.has(block.name)) continue;
      const kind = object ? "type" : outputNames.has(block.name) ? "interface" : "input";
      const fields = block.fields
        .filter((f) => f.name !== "__typename")
        .map((f) => `  ${f.name}${kind === "input" ? "" : argumentsOf(block.name, f.name)}: ${graphqlType(f.ts)}`);
      const implementsClause = object && block.interfaces.length > 0 ? ` implements ${block.interfaces.join(" & ")}` : "";
      sdl.push(`${kind} ${block.name}${implementsClause} {\n${fields.join("\n")}\n}`);
    }
  }
  return [...[...customScalars].map((name) => `scalar ${name}`), ...sdl].join("\n");
}

// ---------------------------------------------------------------------------------------------------------

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}
