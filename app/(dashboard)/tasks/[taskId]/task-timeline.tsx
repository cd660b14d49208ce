"use client";

import { useRouter } from "next/navigation";
import { ArtifactImage } from "@/components/artifact-image";
import { useEffect, useMemo, useReducer, useState, useTransition } from "react";
import { storedEventSchema, type StoredEvent } from "@/lib/events";
import { formatRatio } from "@/components/format-ratio";
import { allowHostAction } from "../../actions";
import { applyEvent, emptyTimeline, type TimelineItem } from "./timeline-model";

/** For the environment's owner: hosts the proxy refused can be added to its allowlist from the timeline. */
export type AllowlistEditor = { environmentId: string; allowed: string[] };

/**
 * Streams the task's events (SSE); EventSource resumes from Last-Event-ID by itself after a drop. With
 * several attempts (best-of-N) their events interleave; a filter shows one attempt at a time.
 */
export function TaskTimeline({
  taskId,
  attempts,
  allowlist = null,
}: {
  taskId: string;
  attempts: { id: string; index: number }[];
  allowlist?: AllowlistEditor | null;
}) {
  const [events, dispatch] = useReducer((list: StoredEvent[], event: StoredEvent) => [...list, event], []);
  const [shown, setShown] = useState("all");
  const state = useMemo(
    () => events.filter((event) => shown === "all" || event.attemptId === shown || event.type === "turn").reduce(applyEvent, emptyTimeline),
    [events, shown],
  );
  const [connection, setConnection] = useState<"connecting" | "live" | "ended" | "retrying">("connecting");
  const router = useRouter();

  useEffect(() => {
    const source = new EventSource(`/api/v1/tasks/${taskId}/events`);
    const onEvent = (message: MessageEvent<string>) => {
      const parsed = storedEventSchema.safeParse(JSON.parse(message.data));
      if (!parsed.success) return;
      dispatch(parsed.data);
      // The page header (status, summary, diff) is server-rendered: re-render it on every transition.
      if (parsed.data.type === "status") router.refresh();
    };
    // The server says the task's latest turn is finished; without closing, EventSource would reconnect.
    source.addEventListener("end", () => {
      source.close();
      setConnection("ended");
      router.refresh();
    });
    const types = [
      "turn",
      "steer",
      "compaction",
      "status",
      "message.delta",
      "message",
      "reasoning.summary",
      "tool.begin",
      "tool.output",
      "tool.end",
      "diff",
      "error",
      "usage",
      "preview",
      "screenshot",
      "plan",
      "setup",
      "egress.blocked",
    ];
    for (const type of types) source.addEventListener(type, onEvent as EventListener);
    source.onopen = () => setConnection("live");
    source.onerror = () => setConnection(source.readyState === EventSource.CLOSED ? "ended" : "retrying");
    return () => source.close();
  }, [taskId, router]);

  return (
    <div>
      <div className="toolbar muted">
        {attempts.length > 1 && (
          <select aria-label="Show attempt" value={shown} onChange={(event) => setShown(event.target.value)} style={{ width: "auto" }}>
            <option value="all">All attempts</option>
            {attempts.map((attempt) => (
              <option key={attempt.id} value={attempt.id}>
                Attempt {attempt.index + 1}
              </option>
            ))}
          </select>
        )}
        <span data-testid="stream-state">
          {connection === "live" ? "● live" : connection === "retrying" ? "reconnecting…" : connection === "ended" ? "finished" : "connecting…"}
        </span>
        {state.usage && (
          <span>
            · {state.usage.inputTokens.toLocaleString()} input / {state.usage.outputTokens.toLocaleString()} output tokens
            {state.usage.costUsd !== undefined && ` · about $${state.usage.costUsd.toFixed(2)}`}
          </span>
        )}
      </div>
      {state.plan && <PlanChecklist steps={state.plan} />}
      <div className="timeline" data-testid="timeline">
        {state.items.length === 0 && <p className="muted">Waiting for the worker…</p>}
        {state.items.map((item, index) => (
          <TimelineEntry key={item.id} item={dropRepeatedReason(item, state.items[index - 1])} allowlist={allowlist} />
        ))}
      </div>
    </div>
  );
}

function TimelineEntry({ item, allowlist }: { item: TimelineItem; allowlist: AllowlistEditor | null }) {
  switch (item.kind) {
    case "turn":
      return (
        <div className="item turn" data-testid="timeline-turn">
          <span className="muted">{item.index === 0 ? "Task" : `Follow-up ${item.index}`}</span>
          <div>{item.prompt}</div>
        </div>
      );
    case "compaction":
      return (
        <details className="item muted" data-testid="timeline-compaction">
          <summary>
            Context compacted at {item.tokensBefore.toLocaleString()} tokens ({item.itemsBefore} → {item.itemsAfter} items)
          </summary>
          <div style={{ whiteSpace: "pre-wrap" }}>{item.summary}</div>
        </details>
      );
    case "steer":
      return (
        <div className="item turn" data-testid="timeline-steer">
          <span className="muted">Message while running</span>
          <div>{item.text}</div>
        </div>
      );
    case "status":
      return (
        <div className="item status" data-testid="timeline-status">
          <span className={`badge ${item.status === "provisioning" ? "running" : item.status}`}>{item.status}</span> {item.message}
        </div>
      );
    case "message":
      return (
        <div className="item message" data-testid="timeline-message">
          {item.text}
        </div>
      );
    case "reasoning":
      return <div className="item muted">{item.text}</div>;
    case "command":
      return (
        <div className="cmd" data-testid={item.label ? "timeline-script" : "timeline-command"}>
          {item.label && <div className="label">{item.label}</div>}
          <div className="line">$ {item.command}</div>
          {item.output && <pre>{item.output}</pre>}
          <div className="meta">
            {item.running
              ? "running…"
              : `exit ${item.exitCode ?? "?"} · ${((item.durationMs ?? 0) / 1000).toFixed(1)} s${item.timedOut ? " · timed out" : ""}${item.truncated ? " · output cut" : ""}`}
          </div>
        </div>
      );
    case "edit":
      return (
        <div className="item" data-testid="timeline-edit">
          <strong>{item.running ? "Editing files…" : item.ok ? "Edited files" : "Patch rejected"}</strong>
          {item.error && <div className="error">{item.error}</div>}
          <div className="files">
            {item.files.map((file) => (
              <div key={file.path}>
                {file.path} <span className="add">+{file.added}</span> <span className="del">−{file.removed}</span>
              </div>
            ))}
          </div>
        </div>
      );
    case "tool":
      return (
        <div className="item">
          {item.tool} {item.running ? "…" : item.ok ? "done" : "failed"}
          {item.error && <div className="error">{item.error}</div>}
        </div>
      );
    case "diff":
      return (
        <div className="item" data-testid="timeline-diff">
          {item.filesChanged} file(s) changed <span className="add">+{item.additions}</span> <span className="del">−{item.deletions}</span>
        </div>
      );
    case "error":
      return (
        <div className="item error">
          <div className="error">{item.message}</div>
        </div>
      );
    case "plan":
      return (
        <div className="item muted" data-testid="timeline-plan">
          Plan updated{item.explanation ? `: ${item.explanation}` : ""} ({item.steps.filter((step) => step.status === "completed").length}/{item.steps.length}{" "}
          done)
        </div>
      );
    case "preview":
      return (
        <div className={`item ${item.stage === "failed" ? "error" : "status"}`} data-testid="timeline-preview">
          Preview ({item.side}): {item.message}
        </div>
      );
    case "screenshot":
      return (
        <div className="item" data-testid="timeline-screenshot">
          Screenshot {item.route} · {item.viewport} ·{" "}
          {item.status === "changed" && item.changedRatio !== undefined ? `changed (${formatRatio(item.changedRatio)})` : item.status}
          {item.artifactId && (
            <div>
              <ArtifactImage className="thumb" src={`/api/v1/artifacts/${item.artifactId}`} alt={`Screenshot of ${item.route} (${item.viewport})`} />
            </div>
          )}
        </div>
      );
    case "setup":
      return (
        <div className={`item status setup ${item.cache}`} data-testid="setup-verdict">
          {item.message}
        </div>
      );
    case "blocked":
      return <BlockedHost host={item.host} phase={item.phase} allowlist={allowlist} />;
    default: {
      const unreachable: never = item;
      return unreachable;
    }
  }
}

function BlockedHost({ host, phase, allowlist }: { host: string; phase: string; allowlist: AllowlistEditor | null }) {
  const [allowed, setAllowed] = useState(() => allowlist?.allowed.includes(host) ?? false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const router = useRouter();
  const allow = (editor: AllowlistEditor) =>
    startTransition(async () => {
      const result = await allowHostAction(editor.environmentId, host);
      setError(result.error ?? null);
      if (!result.error) {
        setAllowed(true);
        router.refresh();
      }
    });
  return (
    <div className="item blocked" data-testid="egress-blocked">
      <span data-testid="egress-blocked-text">blocked: {host} — not on this environment&apos;s allowlist</span> <span className="muted">({phase})</span>{" "}
      {allowlist &&
        (allowed ? (
          <span className="muted">· allowed from the next task on</span>
        ) : (
          <button type="button" className="secondary" disabled={pending} onClick={() => allow(allowlist)}>
            Allow
          </button>
        ))}
      {error && <div className="error">{error}</div>}
    </div>
  );
}

/** A final status right after an error event repeats its text; show the reason once. */
function dropRepeatedReason(item: TimelineItem, previous: TimelineItem | undefined): TimelineItem {
  if (item.kind !== "status" || previous?.kind !== "error" || item.message !== previous.message) return item;
  return { kind: "status", id: item.id, status: item.status };
}

const PLAN_MARKS: Record<string, string> = { completed: "☑", in_progress: "▶", pending: "☐" };

function PlanChecklist({ steps }: { steps: { step: string; status: string }[] }) {
  return (
    <div className="panel plan" data-testid="plan">
      <strong>Plan</strong>
      <ul>
        {steps.map((step, index) => (
          <li key={`${index}:${step.step}`} className={step.status}>
            <span aria-hidden="true">{PLAN_MARKS[step.status] ?? "☐"}</span> {step.step}
          </li>
        ))}
      </ul>
    </div>
  );
}
