"use client";

import { useActionState, useState } from "react";
import { useFieldValues } from "@/components/use-field-values";
import type { RepoCredentialSummary } from "@/lib/repos/repo-credential";
import { type FormState, updateRepoCredentialAction } from "../../actions";
import type { RepoCredentialKind } from "../repo-credential-form-data";
import { FormError } from "@/components/form-footer";

type Typed = { username: string; token: string; privateKey: string };
const nothingTyped: Typed = { username: "", token: "", privateKey: "" };

/** The credential the worker fetches the repository with: shown by kind only, set, replaced or removed. */
export function RepoCredentialForm(props: { environmentId: string; credential: RepoCredentialSummary | null; suggestedKind: RepoCredentialKind }) {
  const [state, action, pending] = useActionState<FormState & { saved?: number; removed?: boolean }, FormData>(
    updateRepoCredentialAction.bind(null, props.environmentId),
    {},
  );
  // Controlled so a rejected submission keeps everything that was typed, the token or key included.
  const [kind, setKind] = useState<RepoCredentialKind>(props.credential?.kind ?? props.suggestedKind);
  const { bind, reset: clearTyped } = useFieldValues(nothingTyped);
  // After a successful save the credential is stored: clear the inputs so no token or key stays on the page.
  // A rejected submission has no `saved`, and must not count as a new save.
  const [handledSave, setHandledSave] = useState(state.saved);
  if (state.saved !== undefined && state.saved !== handledSave) {
    setHandledSave(state.saved);
    clearTyped();
  }

  return (
    <>
      <dl className="facts">
        <dt>Credential</dt>
        <dd data-testid="repo-credential-status">{describeCredential(props.credential)}</dd>
      </dl>
      <p className="muted">
        Private repositories need a token (https URLs) or a deploy key (ssh URLs). The worker uses it to fetch the repository, on its own host only; it never
        reaches the agent or the setup script. Write-only: enter it again to replace it.
      </p>
      {/* Outside the form: React resets a form after its action, and a controlled select does not survive
          that reset (it falls back to its first option). The form gets the kind from a hidden input. */}
      <label htmlFor="credentialKind">Kind</label>
      <select id="credentialKind" value={kind} onChange={(event) => setKind(event.target.value === "deployKey" ? "deployKey" : "token")}>
        <option value="token">Token (https URL)</option>
        <option value="deployKey">Deploy key (ssh URL)</option>
      </select>
      <form action={action}>
        <input type="hidden" name="credentialKind" value={kind} />
        {kind === "token" ? (
          <>
            <label htmlFor="credentialUsername">User name (optional; x-access-token when empty)</label>
            <input id="credentialUsername" {...bind("username")} autoComplete="off" spellCheck={false} />
            <label htmlFor="credentialToken">Token</label>
            <input id="credentialToken" {...bind("token")} type="password" autoComplete="new-password" />
          </>
        ) : (
          <>
            <label htmlFor="credentialPrivateKey">Private key (OpenSSH, without a passphrase)</label>
            <textarea
              id="credentialPrivateKey"
              {...bind("privateKey")}
              className="mono"
              rows={4}
              placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
              autoComplete="off"
              spellCheck={false}
            />
          </>
        )}
        {state.saved && !state.error && !pending && (
          <p className="muted" role="status" data-testid="repo-credential-saved">
            {state.removed ? "Removed. The repository is fetched without a credential." : "Saved. The next fetch uses it."}
          </p>
        )}
        <FormError error={state.error} />
        <div className="inline-form">
          <button type="submit" disabled={pending}>
            {pending ? "Saving…" : props.credential ? "Replace credential" : "Save credential"}
          </button>
          {props.credential && (
            <button type="submit" name="intent" value="remove" className="secondary" disabled={pending}>
              Remove credential
            </button>
          )}
        </div>
      </form>
    </>
  );
}

function describeCredential(credential: RepoCredentialSummary | null): string {
  if (!credential) return "none";
  if (credential.kind === "deployKey") return "deploy key set";
  return credential.username ? `token set, user name ${credential.username}` : "token set";
}
