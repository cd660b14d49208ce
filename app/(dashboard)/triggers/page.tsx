import Link from "next/link";
import { redirect } from "next/navigation";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { requireUser } from "@/lib/http/require-user";
import { listTriggers, type TriggerDto } from "@/lib/triggers/triggers";
import { LiveRefresh } from "../live-refresh";
import { RetryTriggerButton } from "./retry-button";

const statusBadge: Record<TriggerDto["status"], string> = {
  received: "badge running",
  started: "badge running",
  done: "badge completed",
  ignored: "badge cancelled",
  refused: "badge failed",
  failed: "badge failed",
};

// The trigger inbox: every webhook delivery to the user's environments and what became of it, step by step,
// so a mention that started nothing says why. Refreshes while something is still on its way.
export default async function TriggersPage({ searchParams }: { searchParams: Promise<{ environment?: string }> }) {
  const user = await requireUser();
  if (user.role === "copywriter") redirect("/copy");
  const { environment } = await searchParams;
  const triggers = await listTriggers(user.id, { environmentId: environment && isPlausibleId(environment) ? environment : null });
  const moving = triggers.some(
    (trigger) => trigger.status === "received" || trigger.status === "started" || trigger.replies.some((reply) => reply.status === "pending"),
  );
  return (
    <>
      <h1>Triggers</h1>
      <LiveRefresh active={moving} />
      <p className="muted">
        Webhook deliveries from GitHub to your environments: what each asked, whether it was verified and matched, the task it started and the replies sent
        back. Turn webhooks on from an environment's page.
      </p>
      <div className="panel">
        {triggers.length === 0 ? (
          <p className="muted" style={{ margin: 0 }}>
            Nothing has arrived yet.
          </p>
        ) : (
          <table data-testid="triggers">
            <thead>
              <tr>
                <th>When</th>
                <th>What</th>
                <th>Status</th>
                <th>Steps</th>
                <th>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {triggers.map((trigger) => (
                <tr key={trigger.id} data-testid="trigger" data-status={trigger.status}>
                  <td>
                    <time dateTime={trigger.createdAt}>{trigger.createdAt.replace("T", " ").slice(0, 19)}</time>
                  </td>
                  <td>
                    <code>{trigger.event}</code> {trigger.url ? <a href={trigger.url}>{trigger.summary}</a> : trigger.summary}
                    {trigger.taskId && (
                      <>
                        {" "}
                        · <Link href={`/tasks/${trigger.taskId}`}>task</Link>
                      </>
                    )}
                  </td>
                  <td>
                    <span className={statusBadge[trigger.status]}>{trigger.status}</span>
                    {trigger.reason && <div className="muted">{trigger.reason}</div>}
                  </td>
                  <td>
                    <ol className="steps">
                      {trigger.steps.map((step, index) => (
                        <li key={`${step.step}-${index}`} title={step.at}>
                          {step.step}
                          {step.detail ? <span className="muted"> ({step.detail})</span> : null}
                        </li>
                      ))}
                      {trigger.replies
                        .filter((reply) => reply.status !== "sent")
                        .map((reply) => (
                          <li key={`reply-${reply.kind}`} data-testid="reply" data-status={reply.status}>
                            reply "{reply.kind}": {reply.status} after {reply.attempts} {reply.attempts === 1 ? "try" : "tries"}
                            {reply.error ? <span className="muted"> ({reply.error})</span> : null}
                          </li>
                        ))}
                    </ol>
                  </td>
                  <td>{trigger.retryable && <RetryTriggerButton triggerId={trigger.id} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
