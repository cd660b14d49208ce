// A GitHub OAuth app and API over HTTP, scripted per test: the authorize redirect with state, the code →
// token exchange at /login/oauth/access_token, and /api/v3/user, /api/v3/user/emails and
// /api/v3/user/memberships/orgs/{org}, as GitHub Enterprise Server serves them. Each account's token
// works only for its own calls, so a mix-up shows as a 401.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export type ScriptedGithubAccount = {
  id: number;
  login: string;
  name?: string | null;
  emails: { email: string; verified: boolean; primary: boolean }[];
  /** Organisations and the membership state GitHub reports ("active" or "pending"). */
  orgs?: Record<string, "active" | "pending">;
};

export type ScriptedGithub = {
  url: string;
  clientId: string;
  clientSecret: string;
  /** The account the next authorize request signs in as (GitHub's own login page is not modelled). */
  signInAs(account: ScriptedGithubAccount): void;
  /** Every request seen, as "METHOD path?query". */
  requests: string[];
  close(): Promise<void>;
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startScriptedGithub(): Promise<ScriptedGithub> {
  const clientId = `client-${randomBytes(4).toString("hex")}`;
  const clientSecret = randomBytes(16).toString("hex");
  const codes = new Map<string, { account: ScriptedGithubAccount; redirectUri: string }>();
  const tokens = new Map<string, ScriptedGithubAccount>();
  const requests: string[] = [];
  let current: ScriptedGithubAccount | undefined;

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", "http://github.test");
      requests.push(`${request.method} ${url.pathname}${url.search}`);
      const json = (status: number, body: unknown) => {
        response.writeHead(status, { "content-type": "application/json; charset=utf-8" });
        response.end(JSON.stringify(body));
      };

      if (request.method === "GET" && url.pathname === "/login/oauth/authorize") {
        const redirectUri = url.searchParams.get("redirect_uri");
        const state = url.searchParams.get("state");
        if (url.searchParams.get("client_id") !== clientId || !redirectUri || !state || url.searchParams.get("response_type") !== "code") {
          return json(400, { error: "bad authorize request" });
        }
        if (!current) return json(500, { error: "no account scripted" });
        const code = randomBytes(10).toString("hex");
        codes.set(code, { account: current, redirectUri });
        const target = new URL(redirectUri);
        target.searchParams.set("code", code);
        target.searchParams.set("state", state);
        response.writeHead(302, { location: target.toString() });
        return response.end();
      }

      if (request.method === "POST" && url.pathname === "/login/oauth/access_token") {
        const form = new URLSearchParams(await readBody(request));
        // openid-client sends the client credentials as HTTP Basic (client_secret_basic) or in the form.
        const basic = request.headers.authorization?.startsWith("Basic ")
          ? Buffer.from(request.headers.authorization.slice(6), "base64").toString("utf8").split(":").map(decodeURIComponent)
          : [form.get("client_id"), form.get("client_secret")];
        if (basic[0] !== clientId || basic[1] !== clientSecret) return json(401, { error: "incorrect_client_credentials" });
        const grant = codes.get(form.get("code") ?? "");
        codes.delete(form.get("code") ?? "");
        if (!grant || form.get("redirect_uri") !== grant.redirectUri) return json(200, { error: "bad_verification_code" });
        const token = `gho_${randomBytes(12).toString("hex")}`;
        tokens.set(token, grant.account);
        return json(200, { access_token: token, token_type: "bearer", scope: "read:org,read:user,user:email" });
      }

      const token = (request.headers.authorization ?? "").replace(/^(Bearer|token) /, "");
      const account = tokens.get(token);
      if (url.pathname.startsWith("/api/v3/") && !account) return json(401, { message: "Bad credentials" });
      if (request.method === "GET" && url.pathname === "/api/v3/user" && account) {
        const primary = account.emails.find((email) => email.primary);
        return json(200, { id: account.id, login: account.login, name: account.name ?? null, email: primary?.email ?? null, avatar_url: null });
      }
      if (request.method === "GET" && url.pathname === "/api/v3/user/emails" && account) {
        return json(
          200,
          account.emails.map((email) => ({ ...email, visibility: null })),
        );
      }
      const membership = /^\/api\/v3\/user\/memberships\/orgs\/([^/]+)$/.exec(url.pathname);
      if (request.method === "GET" && membership && account) {
        const org = decodeURIComponent(membership[1] ?? "");
        const state = account.orgs?.[org];
        if (!state) return json(404, { message: "Not Found" });
        return json(200, { state, role: "member", organization: { login: org }, user: { login: account.login } });
      }
      return json(404, { message: "Not Found" });
    })().catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    requests,
    signInAs(account) {
      current = account;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
