// Turns the environment page's "Pull requests" form into the PATCH field `forge`: a connection (kind,
// URL, user name, token) or null to disconnect. Nothing is checked here: the environment schema
// validates it, so the page shows exactly the messages the API gives.
import type { ForgeConnectionInput } from "@/lib/forge/forge-connection";
import { formText } from "@/lib/http/form-fields";

export function forgeFromForm(form: FormData): ForgeConnectionInput | null {
  if (form.get("intent") === "remove") return null;
  const username = formText(form, "forgeUsername").trim();
  const kind = formText(form, "forgeKind") as ForgeConnectionInput["kind"];
  // A GitHub App installation instead of a token: its key is the secret then.
  const app =
    kind === "github" && formText(form, "forgeAuth") === "app"
      ? { id: formText(form, "forgeAppId").trim(), installationId: formText(form, "forgeInstallationId").trim(), privateKey: formText(form, "forgeAppKey") }
      : null;
  return {
    kind,
    url: formText(form, "forgeUrl").trim(),
    ...(username ? { username } : {}),
    ...(app ? { app } : { token: formText(form, "forgeToken") }),
  };
}
