// Turns the environment page's repository credential form into the PATCH field `repoCredential`: a token
// (user name optional), a pasted deploy key, or null to remove it. Nothing is checked here: the environment
// schema validates it, so the page shows exactly the messages the API gives.
import { classifyRepoUrl } from "@/lib/git-refs";
import type { RepoCredentialInput } from "@/lib/repos/repo-credential";
import { formText } from "@/lib/http/form-fields";

export type RepoCredentialKind = RepoCredentialInput["kind"];

export function repoCredentialFromForm(form: FormData): RepoCredentialInput | null {
  if (form.get("intent") === "remove") return null;
  if (form.get("credentialKind") === "deployKey") return { kind: "deployKey", privateKey: formText(form, "privateKey") };
  const username = formText(form, "username").trim();
  return { kind: "token", ...(username ? { username } : {}), token: formText(form, "token") };
}

/** The kind the form offers first: a deploy key for an ssh URL, a token otherwise. */
export function credentialKindForUrl(repoUrl: string): RepoCredentialKind {
  try {
    return classifyRepoUrl(repoUrl, { allowLocal: true }) === "ssh" ? "deployKey" : "token";
  } catch {
    // Only a hint: a stored URL that no longer parses is reported when a task fetches it.
    return "token";
  }
}
