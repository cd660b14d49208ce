"use client";

import { useActionState, useState } from "react";
import { FormError } from "@/components/form-footer";
import { useFieldValues } from "@/components/use-field-values";
import type { ForgeSummary } from "@/lib/forge/forge-connection";
import { FORGE_KINDS, type ForgeKind, forgeName } from "@/lib/forge/forge-kinds";
import { type FormState, updateForgeAction } from "../../actions";

type Typed = { forgeUrl: string; forgeUsername: string; forgeToken: string; forgeAppId: string; forgeInstallationId: string; forgeAppKey: string };

/** What each kind does and what its URL and token fields ask for. */
const KINDS: Record<ForgeKind, { option: string; url: string; token: string }> = {
  github: {
    option: "GitHub or GitHub Enterprise (branch and pull request)",
    url: "API URL (empty for github.com; GitHub Enterprise: https://host/api/v3)",
    token: "Token (Contents and Pull requests: read and write)",
  },
  gitlab: {
    option: "GitLab, gitlab.com or self-managed (branch and merge request)",
    url: "GitLab URL (empty for gitlab.com; self-managed: https://gitlab.example.com)",
    token: "Access token (scope api, role Developer or higher)",
  },
  gitea: {
    option: "Gitea or Forgejo (branch and pull request)",
    url: "Server URL (https://gitea.example.com)",
    token: "Access token (repository: read and write)",
  },
  git: { option: "Any git remote over https (branch only)", url: "Push URL (https://host/owner/repo.git)", token: "Token or password" },
};
const isKind = (value: string): value is ForgeKind => (FORGE_KINDS as readonly string[]).includes(value);

/** Where pull requests go: shown by kind and URL, the token write-only; connected, replaced or removed. */
export function ForgeForm(props: { environmentId: string; forge: ForgeSummary | null }) {
  const [state, action, pending] = useActionState<FormState & { saved?: number; removed?: boolean }, FormData>(
    updateForgeAction.bind(null, props.environmentId),
    {},
  );
  const [kind, setKind] = useState<ForgeKind>(props.forge?.kind ?? "github");
  // GitHub only: a token, or a GitHub App installation (the worker asks GitHub for a token each hour).
  const [auth, setAuth] = useState<"token" | "app">(props.forge?.app ? "app" : "token");
  const useApp = kind === "github" && auth === "app";
  // Controlled so a rejected submission keeps what was typed; the token is cleared once it is stored.
  const { bind, setValues } = useFieldValues<Typed>({
    forgeUrl: props.forge?.url ?? "",
    forgeUsername: props.forge?.username ?? "",
    forgeToken: "",
    forgeAppId: String(props.forge?.app?.id ?? ""),
    forgeInstallationId: String(props.forge?.app?.installationId ?? ""),
    forgeAppKey: "",
  });
  const [handledSave, setHandledSave] = useState(state.saved);
  if (state.saved !== undefined && state.saved !== handledSave) {
    setHandledSave(state.saved);
    setValues((previous) => ({ ...previous, forgeToken: "", forgeAppKey: "" }));
  }
  return (
    <>
      <dl className="facts">
        <dt>Remote</dt>
        <dd data-testid="forge-status">{describeForge(props.forge)}</dd>
      </dl>
      <p className="muted">
        A finished task becomes a branch and a pull request here. The worker pushes with this token on its own host; it never reaches the agent. Write-only:
        enter the token again to replace it.
      </p>
      <label htmlFor="forgeKind">Kind</label>
      <select id="forgeKind" value={kind} onChange={(event) => setKind(isKind(event.target.value) ? event.target.value : "github")}>
        {FORGE_KINDS.map((value) => (
          <option key={value} value={value}>
            {KINDS[value].option}
          </option>
        ))}
      </select>
      <form action={action}>
        <input type="hidden" name="forgeKind" value={kind} />
        <input type="hidden" name="forgeAuth" value={useApp ? "app" : "token"} />
        <label htmlFor="forgeUrl">{KINDS[kind].url}</label>
        <input id="forgeUrl" {...bind("forgeUrl")} autoComplete="off" spellCheck={false} />
        <label htmlFor="forgeUsername">User name (optional)</label>
        <input id="forgeUsername" {...bind("forgeUsername")} autoComplete="off" spellCheck={false} />
        {kind === "github" && (
          <>
            <label htmlFor="forgeAuthChoice">Sign in as</label>
            <select id="forgeAuthChoice" value={auth} onChange={(event) => setAuth(event.target.value === "app" ? "app" : "token")}>
              <option value="token">A token</option>
              <option value="app">A GitHub App installation</option>
            </select>
          </>
        )}
        {useApp ? (
          <>
            <label htmlFor="forgeAppId">App ID</label>
            <input id="forgeAppId" {...bind("forgeAppId")} inputMode="numeric" autoComplete="off" />
            <label htmlFor="forgeInstallationId">Installation ID (the number at the end of the installation's settings address)</label>
            <input id="forgeInstallationId" {...bind("forgeInstallationId")} inputMode="numeric" autoComplete="off" />
            <label htmlFor="forgeAppKey">Private key (the app's .pem file; needs Contents and Pull requests: read and write)</label>
            <textarea id="forgeAppKey" {...bind("forgeAppKey")} rows={4} autoComplete="off" spellCheck={false} />
          </>
        ) : (
          <>
            <label htmlFor="forgeToken">{KINDS[kind].token}</label>
            <input id="forgeToken" {...bind("forgeToken")} type="password" autoComplete="new-password" />
          </>
        )}
        {state.saved && !state.error && !pending && (
          <p className="muted" role="status" data-testid="forge-saved">
            {state.removed ? "Disconnected. Tasks can still be downloaded as a patch." : "Connected. Finished tasks can now open pull requests."}
          </p>
        )}
        <FormError error={state.error} />
        <div className="inline-form">
          <button type="submit" disabled={pending}>
            {pending ? "Saving…" : props.forge ? "Replace connection" : "Connect"}
          </button>
          {props.forge && (
            <button type="submit" name="intent" value="remove" className="secondary" disabled={pending}>
              Disconnect
            </button>
          )}
        </div>
      </form>
    </>
  );
}

function describeForge(forge: ForgeSummary | null): string {
  if (!forge) return "none: tasks end as a downloadable patch";
  if (forge.kind === "git") return `git remote ${forge.url}`;
  if (forge.app) return `GitHub App ${forge.app.id}, installation ${forge.app.installationId}, ${forge.url || "github.com"}`;
  return `${forgeName(forge.kind)} ${forge.url || "(public service)"}`;
}
