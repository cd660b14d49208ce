import { forgeName } from "@/lib/forge/forge-kinds";
import Link from "next/link";
import { notFound } from "next/navigation";
import { isPlausibleId } from "@/lib/http/plausible-id";
import { getEnvironment } from "@/lib/environments/environment-queries";
import type { EnvironmentDto } from "@/lib/environments/environment.schemas";
import { isAppError } from "@/lib/errors";
import { requireUser } from "@/lib/http/require-user";
import { getTask } from "@/lib/tasks/task-queries";
import type { TaskDto } from "@/lib/tasks/task.schemas";
import { AttemptsPanel } from "./attempts-panel";
import { LiveRefresh } from "../../live-refresh";
import { CancelButton } from "./cancel-button";
import { CopyChangesView } from "./copy-changes-view";
import { DiffView } from "./diff-view";
import { FollowUpForm } from "./follow-up-form";
import { PullRequestPanel } from "./pull-request-panel";
import { ReviewButton } from "./review-button";
import { ReviewPanel } from "./review-panel";
import { ScreenshotsView } from "./screenshots-view";
import { SetupSummary } from "./setup-summary";
import { type AllowlistEditor, TaskTimeline } from "./task-timeline";

export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const { taskId } = await params;
  if (!isPlausibleId(taskId)) notFound();
  const user = await requireUser();
  let task: TaskDto;
  try {
    task = await getTask(user.id, taskId);
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
  const attempt = task.attempt;
  const finished = task.status === "completed" || task.status === "failed" || task.status === "cancelled";
  // Copywriters review words and pictures; the code diff, commands and logs are for engineers.
  const plain = user.role === "copywriter";
  const environment = plain ? null : await ownedEnvironment(user.id, task.environment.id);
  const allowlist: AllowlistEditor | null = environment ? { environmentId: environment.id, allowed: environment.network.allow } : null;
  const remote = environment?.forge ? environment.forge.url || forgeName(environment.forge.kind) : null;
  return (
    <>
      <p className="muted">
        <Link href="/">← Tasks</Link> · {allowlist ? <Link href={`/environments/${task.environment.id}`}>{task.environment.name}</Link> : task.environment.name}{" "}
        · branch <code>{task.branch}</code>
        {attempt?.baseCommit && (
          <>
            {" "}
            at <code>{attempt.baseCommit.slice(0, 12)}</code>
          </>
        )}
      </p>
      <h1>
        {task.title}{" "}
        <span className={`badge ${task.status}`} data-testid="task-status">
          {task.status}
        </span>
        {task.mode === "ask" && <span className="badge">question</span>}
        {task.mode === "copy" && <span className="badge">copy</span>}
        {task.mode === "setup" && <span className="badge">setup check</span>}
        {task.mode === "pages" && <span className="badge">page pictures</span>}
        {task.mode === "review" && <span className="badge">review</span>}
      </h1>
      {task.mode === "pages" && (
        <p>
          The pictures and the texts found on them are on <Link href={`/copy/${task.environment.id}`}>Copy</Link>.
        </p>
      )}
      {task.mode === "copy" && <p className="muted">Proposed by {task.author}</p>}
      {task.mode !== "copy" && (
        <div className="panel" style={{ whiteSpace: "pre-wrap" }}>
          {task.prompt}
        </div>
      )}
      {plain && <LiveRefresh active={!finished} />}
      {task.mode === "copy" && !finished && <p data-testid="copy-progress">Applying your changes and checking the site… this usually takes under a minute.</p>}
      {!finished && <CancelButton taskId={task.id} />}
      {task.attempts.length > 1 && (
        <>
          <h2>Attempts</h2>
          <AttemptsPanel
            taskId={task.id}
            attempts={task.attempts}
            chosen={attempt?.index ?? null}
            recommended={task.recommendedAttempt}
            selected={task.selectedAttempt}
          />
        </>
      )}
      {task.waitingFor && (
        <p className="muted" data-testid="task-waiting">
          {task.waitingFor}
        </p>
      )}
      {task.error && (
        <div className="error" data-testid="task-error">
          {task.error}
        </div>
      )}
      {!plain && attempt?.setup && <SetupSummary report={attempt.setup} />}
      {finished && attempt?.finalMessage && (
        <div className="panel" data-testid="final-message">
          <h2 style={{ marginTop: 0 }}>{task.mode === "ask" ? "Answer" : "Summary"}</h2>
          <div style={{ whiteSpace: "pre-wrap" }}>{attempt.finalMessage}</div>
        </div>
      )}
      {task.mode === "copy" && attempt && attempt.copyChanges.length > 0 && (
        <>
          <h2>Text changes</h2>
          <CopyChangesView changes={attempt.copyChanges} reviewer={!plain} />
        </>
      )}
      {!plain &&
        finished &&
        task.mode !== "ask" &&
        task.mode !== "setup" &&
        task.mode !== "pages" &&
        (task.status === "completed" || (attempt?.filesChanged ?? 0) > 0) && (
          <>
            <h2>
              Diff{" "}
              {attempt && (
                <span className="muted">
                  {attempt.filesChanged} file(s) <span className="add">+{attempt.additions}</span> <span className="del">−{attempt.deletions}</span>
                </span>
              )}
            </h2>
            {/* Keyed by the attempt shown, so picking another attempt loads its diff. */}
            <DiffView
              key={attempt?.id}
              taskId={task.id}
              canComment={task.mode === "code" && task.author === user.email}
              findings={task.mode === "review" ? attempt?.findings : undefined}
              forgeComments={task.pullRequest !== null && task.pullRequest.kind !== "git" && task.pullRequest.number !== null}
            />
          </>
        )}
      {!plain && finished && (task.mode === "code" || task.mode === "copy") && (task.pullRequest || (attempt?.filesChanged ?? 0) > 0) && (
        <>
          <PullRequestPanel taskId={task.id} turns={task.turns} pullRequest={task.pullRequest} remote={remote} />
          {environment && <ReviewButton taskId={task.id} environmentId={task.environment.id} />}
        </>
      )}
      {task.mode === "review" && finished && attempt && (
        <ReviewPanel
          taskId={task.id}
          reviewOf={task.reviewOf}
          pullRequest={task.reviewPullRequest}
          findings={attempt.findings}
          post={attempt.reviewPost}
          canPost={environment?.forge !== undefined && environment.forge !== null && environment.forge.kind !== "git"}
          owner={task.author === user.email}
        />
      )}
      {attempt?.screenshots && (
        <>
          <h2>Screenshots</h2>
          <ScreenshotsView screenshots={attempt.screenshots} plain={plain} />
        </>
      )}
      {!plain && (
        <>
          <h2>Timeline</h2>
          {/* Keyed by turn count: a new turn re-opens the event stream, which ends with each turn. */}
          <TaskTimeline
            key={task.turns}
            taskId={task.id}
            attempts={task.attempts.map((candidate) => ({ id: candidate.id, index: candidate.index }))}
            allowlist={allowlist}
          />
        </>
      )}
      {task.mode !== "copy" && task.mode !== "setup" && task.mode !== "pages" && task.mode !== "review" && (
        <FollowUpForm taskId={task.id} running={!finished} />
      )}
    </>
  );
}

/**
 * The environment when the viewer owns it: only its owner may change its allowlist (anyone else's timeline
 * has no Allow button) and sees where its pull requests go.
 */
async function ownedEnvironment(userId: string, environmentId: string): Promise<EnvironmentDto | null> {
  try {
    return await getEnvironment(userId, environmentId);
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") return null;
    throw error;
  }
}
