import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { formatBytes } from "@/lib/format-bytes";
import type { EnvironmentDto } from "@/lib/environments/environment.schemas";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { setupCacheSummary } from "@/lib/environments/setup-cache-store";
import { DEFAULT_ALLOWED_HOSTS } from "@/lib/environments/setup-config";
import { ageText } from "@/lib/environments/setup-report";
import { webEnv } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { linearWebhookUrl } from "@/lib/triggers/linear-settings";
import { isWebhookForge } from "@/lib/triggers/webhook-settings";
import { requireUser } from "@/lib/http/require-user";
import { readSandboxTools, type SandboxTools } from "@/lib/workers/sandbox-tools";
import { credentialKindForUrl } from "../repo-credential-form-data";
import { setupFormValues } from "../setup-form-data";
import { RepoCredentialForm } from "./repo-credential-form";
import { ForgeForm } from "./forge-form";
import { LinearForm } from "./linear-form";
import { SetupCheckButtons } from "./setup-check-buttons";
import { SetupForm } from "./setup-form";
import { SlackForm } from "./slack-form";
import { WebhookForm } from "./webhook-form";

export default async function EnvironmentPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  if (!isPlausibleId(environmentId)) notFound();
  const user = await requireUser();
  if (user.role === "copywriter") redirect("/copy");
  let environment: EnvironmentDto;
  try {
    environment = await getEnvironment(user.id, environmentId);
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
  const [cache, tools] = await Promise.all([
    setupCacheSummary(environment.id),
    // The versions come from Redis; the page still works (and says so) while Redis is down.
    readSandboxTools().catch(() => "unreachable" as const),
  ]);
  return (
    <>
      <p className="muted">
        <Link href="/environments">← Environments</Link> · <span className="files">{environment.repoUrl}</span> · branch{" "}
        <code>{environment.defaultBranch}</code>
      </p>
      <h1>{environment.name}</h1>
      <div className="setup-layout">
        <div className="panel">
          <h2 style={{ marginTop: 0 }}>Setup</h2>
          <SetupForm
            environmentId={environment.id}
            initial={setupFormValues(environment)}
            secretNames={environment.secrets}
            defaultHosts={DEFAULT_ALLOWED_HOSTS}
          />
        </div>
        <div>
          <div className="panel" data-testid="repo-credential">
            <h2 style={{ marginTop: 0 }}>Repository access</h2>
            <RepoCredentialForm
              environmentId={environment.id}
              credential={environment.repoCredential}
              suggestedKind={credentialKindForUrl(environment.repoUrl)}
            />
          </div>
          <div className="panel" data-testid="forge">
            <h2 style={{ marginTop: 0 }}>Pull requests</h2>
            <ForgeForm environmentId={environment.id} forge={environment.forge} />
          </div>
          <div className="panel" data-testid="webhook">
            <h2 style={{ marginTop: 0 }}>Webhook</h2>
            <WebhookForm
              environmentId={environment.id}
              webhook={environment.webhook}
              forge={isWebhookForge(environment.forge?.kind) ? environment.forge.kind : null}
            />
          </div>
          <div className="panel" data-testid="slack">
            <h2 style={{ marginTop: 0 }}>Slack</h2>
            <SlackForm environmentId={environment.id} slack={environment.slack} appConfigured={Boolean(webEnv().PATCHBAY_SLACK_SIGNING_SECRET)} />
          </div>
          <div className="panel" data-testid="linear">
            <h2 style={{ marginTop: 0 }}>Linear</h2>
            <LinearForm environmentId={environment.id} linear={environment.linear} webhookUrl={linearWebhookUrl(environment.id)} />
          </div>
          <div className="panel" data-testid="setup-cache">
            <h2 style={{ marginTop: 0 }}>Setup cache</h2>
            <dl className="facts">
              <dt>Entries</dt>
              <dd data-testid="cache-entries">{cache.entries}</dd>
              <dt>Size</dt>
              <dd data-testid="cache-size">{formatBytes(cache.sizeBytes)}</dd>
              <dt>Last used</dt>
              <dd data-testid="cache-last-used">
                {cache.lastUsedAt ? (
                  <time dateTime={cache.lastUsedAt} title={cache.lastUsedAt}>
                    {ageText(new Date(cache.lastUsedAt))}
                  </time>
                ) : (
                  "never"
                )}
              </dd>
            </dl>
            <p className="muted">Test setup runs the setup (or reuses its cache) without the agent and reports the result.</p>
            <SetupCheckButtons environmentId={environment.id} />
          </div>
          <div className="panel" data-testid="sandbox-tools">
            <h2 style={{ marginTop: 0 }}>Sandbox tools</h2>
            <SandboxToolList tools={tools} />
          </div>
        </div>
      </div>
    </>
  );
}

function SandboxToolList({ tools }: { tools: SandboxTools | null | "unreachable" }) {
  if (tools === "unreachable") return <p className="error">Could not read the tool versions: Redis is unreachable.</p>;
  if (!tools) return <p className="muted">No worker has reported yet: the versions appear once a worker has started.</p>;
  return (
    <>
      <dl className="facts">
        {Object.entries(tools.tools)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, version]) => (
            <div key={name} style={{ display: "contents" }}>
              <dt>{name}</dt>
              <dd>{version}</dd>
            </div>
          ))}
      </dl>
      <p className="muted">
        Image <code>{tools.image}</code> ({tools.imageId.replace(/^sha256:/, "").slice(0, 12)}), reported {ageText(new Date(tools.reportedAt))}.
      </p>
    </>
  );
}
