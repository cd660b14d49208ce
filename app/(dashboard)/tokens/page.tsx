import type { ApiTokenStatus } from "@/lib/auth/api-token.schemas";
import { listApiTokens } from "@/lib/auth/api-tokens";
import { requireUser } from "@/lib/http/require-user";
import { CreateTokenForm } from "./create-token-form";
import { RevokeTokenButton } from "./revoke-token-button";

const statusBadge: Record<ApiTokenStatus, string> = { active: "badge completed", expired: "badge failed", revoked: "badge cancelled" };

// Everyone has this page: a token acts as its owner, with the owner's current role, on the REST API.
export default async function TokensPage() {
  const user = await requireUser();
  const tokens = await listApiTokens(user.id);
  return (
    <>
      <h1>API tokens</h1>
      <div className="panel">
        <h2 style={{ marginTop: 0 }}>Create a token</h2>
        <p className="muted">A token lets scripts use the REST API as you, with your role. Patchbay keeps only a hash of it, so it is shown once.</p>
        <CreateTokenForm />
      </div>
      <div className="panel">
        {tokens.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            You have no API tokens yet.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Token</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th>Status</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((token) => (
                <tr key={token.id}>
                  <td>{token.name ?? <span className="muted">(unnamed)</span>}</td>
                  <td className="files">{token.hint ?? <span className="muted">—</span>}</td>
                  <td className="muted">{token.createdAt.slice(0, 10)}</td>
                  <td className="muted">{token.expiresAt ? token.expiresAt.slice(0, 10) : "never"}</td>
                  <td className="muted">{token.lastUsedAt ? new Date(token.lastUsedAt).toLocaleString() : "never"}</td>
                  <td>
                    <span className={statusBadge[token.status]}>{token.status}</span>
                    {token.revokedAt && <span className="muted"> {token.revokedAt.slice(0, 10)}</span>}
                  </td>
                  <td>{token.status === "active" && <RevokeTokenButton token={token} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
