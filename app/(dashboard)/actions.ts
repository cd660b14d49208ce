"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { ZodError } from "zod";
import { createDemoEnvironment } from "@/lib/demo/demo-environment";
import { createEnvironment } from "@/lib/environments/create-environment";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { resetSetupCache } from "@/lib/environments/setup-cache-store";
import { updateEnvironment } from "@/lib/environments/update-environment";
import { isAppError } from "@/lib/errors";
import { requireUser } from "@/lib/http/require-user";
import { addFollowUp } from "@/lib/tasks/add-follow-up";
import { cancelTask } from "@/lib/tasks/cancel-task";
import { createSetupCheck } from "@/lib/tasks/create-setup-check";
import { createTask } from "@/lib/tasks/create-task";
import { selectAttempt } from "@/lib/tasks/select-attempt";
import { previewFromForm } from "./environments/preview-form-data";
import { repoCredentialFromForm } from "./environments/repo-credential-form-data";
import { forgeFromForm } from "./environments/forge-form-data";
import { requestBranchUpdate, requestPullRequest } from "@/lib/pull-requests/pull-requests";
import { fixFinding, requestReviewPost } from "@/lib/reviews/review-tasks";
import { newSetupFromForm, setupFromForm } from "./environments/setup-form-data";
import { autoReviewFromForm } from "./environments/webhook-form-data";
import { disableWebhook, enableWebhook, retryTrigger, sendTestEvent, updateAutoReview } from "@/lib/triggers/triggers";
import { clearSlackSettings, setSlackSettings } from "@/lib/triggers/slack-settings";
import { sendSlackTestEvent } from "@/lib/triggers/slack-webhook";
import { clearLinearSettings, setLinearSettings } from "@/lib/triggers/linear-settings";
import { sendLinearTestEvent } from "@/lib/triggers/linear-webhook";
import { webEnv } from "@/lib/env";

export type FormState = { error?: string };

function userMessage(error: unknown): string {
  if (error instanceof ZodError) {
    return error.issues.map((issue) => (issue.path.length > 1 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join(" ");
  }
  if (isAppError(error)) return error.userMessage;
  throw error;
}

function optional(value: FormDataEntryValue | null): string | undefined {
  const text = typeof value === "string" ? value.trim() : "";
  return text ? text : undefined;
}

export async function createTaskAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await requireUser();
  let taskId: string;
  try {
    const task = await createTask(user.id, {
      environmentId: String(form.get("environmentId") ?? ""),
      prompt: String(form.get("prompt") ?? ""),
      branch: optional(form.get("branch")),
      mode: form.get("mode") === "ask" ? "ask" : "code",
      reasoningEffort: optional(form.get("reasoningEffort")),
      attempts: Number(form.get("attempts") ?? 1) || 1,
    });
    taskId = task.id;
  } catch (error) {
    return { error: userMessage(error) };
  }
  redirect(`/tasks/${taskId}`);
}

export async function createEnvironmentAction(_previous: FormState, form: FormData): Promise<FormState> {
  const user = await requireUser();
  try {
    await createEnvironment(user.id, {
      name: String(form.get("name") ?? ""),
      repoUrl: String(form.get("repoUrl") ?? "").trim(),
      defaultBranch: optional(form.get("defaultBranch")),
      instructions: optional(form.get("instructions")),
      model: optional(form.get("model")),
      modelApi: form.get("modelApi") === "chat" ? "chat" : "responses",
      checkCommand: optional(form.get("checkCommand")),
      preview: previewFromForm(form),
      copyPaths: { copywriter: globLines(form.get("copywriterPaths")) },
      ...newSetupFromForm(form),
    });
  } catch (error) {
    return { error: userMessage(error) };
  }
  redirect("/");
}

export async function createDemoEnvironmentAction(): Promise<FormState> {
  const user = await requireUser();
  let environmentId: string;
  try {
    environmentId = (await createDemoEnvironment(user.id)).id;
  } catch (error) {
    return { error: userMessage(error) };
  }
  redirect(`/copy/${environmentId}`);
}

export async function updateCopyPathsAction(environmentId: string, _previous: FormState, form: FormData): Promise<FormState & { saved?: number }> {
  const user = await requireUser();
  try {
    await updateEnvironment(user.id, environmentId, { copyPaths: { copywriter: globLines(form.get("copywriterPaths")) } });
    revalidatePath("/environments");
    return { saved: Date.now() };
  } catch (error) {
    return { error: userMessage(error) };
  }
}

/** The environment page's setup form: every setup field plus the check command and worker labels. */
export async function updateSetupAction(environmentId: string, _previous: FormState, form: FormData): Promise<FormState & { saved?: number }> {
  const user = await requireUser();
  try {
    await updateEnvironment(user.id, environmentId, {
      ...setupFromForm(form),
      checkCommand: optional(form.get("checkCommand")) ?? null,
      workerLabels: String(form.get("workerLabels") ?? ""),
    });
    revalidatePath(`/environments/${environmentId}`);
    return { saved: Date.now() };
  } catch (error) {
    return { error: userMessage(error) };
  }
}

/** The environment page's repository credential: set or replace a token or deploy key, or remove it. */
export async function updateRepoCredentialAction(
  environmentId: string,
  _previous: FormState,
  form: FormData,
): Promise<FormState & { saved?: number; removed?: boolean }> {
  const user = await requireUser();
  try {
    const repoCredential = repoCredentialFromForm(form);
    await updateEnvironment(user.id, environmentId, { repoCredential });
    revalidatePath(`/environments/${environmentId}`);
    return { saved: Date.now(), removed: repoCredential === null };
  } catch (error) {
    return { error: userMessage(error) };
  }
}

/** Runs an action as the signed-in person; a refusal comes back as the form's error, in the API's words. */
async function asSignedIn<T extends object>(run: (userId: string) => Promise<T>): Promise<FormState & Partial<T>> {
  const user = await requireUser();
  try {
    return await run(user.id);
  } catch (error) {
    return { error: userMessage(error) } as FormState & Partial<T>;
  }
}

/** The environment page's pull request remote: connect, replace or disconnect. */
export async function updateForgeAction(environmentId: string, _previous: FormState, form: FormData) {
  return asSignedIn(async (userId) => {
    const forge = forgeFromForm(form);
    await updateEnvironment(userId, environmentId, { forge });
    revalidatePath(`/environments/${environmentId}`);
    return { saved: Date.now(), removed: forge === null };
  });
}

/** The task page's "Create pull request" (and "Publish again" after a failure). */
export async function createPullRequestAction(taskId: string): Promise<FormState> {
  return asSignedIn(async (userId) => {
    await requestPullRequest(userId, taskId);
    revalidatePath(`/tasks/${taskId}`);
    return {};
  });
}

/** The task page's "Update branch": merge the base branch's head into the task's branch. */
export async function updateBranchAction(taskId: string): Promise<FormState> {
  return asSignedIn(async (userId) => {
    await requestBranchUpdate(userId, taskId);
    revalidatePath(`/tasks/${taskId}`);
    return {};
  });
}

/** "Review this change": a review task of the task's change; the page then opens it. */
export async function startReviewAction(environmentId: string, taskId: string) {
  return asSignedIn(async (userId) => ({ redirectTo: `/tasks/${(await createTask(userId, { mode: "review", environmentId, taskId })).id}` }));
}

/** A review's "Fix this": a follow-up of the reviewed task, which the page then opens. */
export async function fixFindingAction(reviewTaskId: string, findingId: string) {
  return asSignedIn(async (userId) => ({ redirectTo: `/tasks/${(await fixFinding(userId, reviewTaskId, findingId)).taskId}` }));
}

/** A review's "Post to pull request". */
export async function postReviewAction(reviewTaskId: string): Promise<FormState> {
  return asSignedIn(async (userId) => {
    await requestReviewPost(userId, reviewTaskId);
    revalidatePath(`/tasks/${reviewTaskId}`);
    return {};
  });
}

export async function resetSetupCacheAction(environmentId: string, _previous: FormState): Promise<FormState & { removed?: number }> {
  const user = await requireUser();
  try {
    const { removed } = await resetSetupCache(user.id, environmentId);
    revalidatePath(`/environments/${environmentId}`);
    return { removed };
  } catch (error) {
    return { error: userMessage(error) };
  }
}

/** "Test setup": a setup-only task; its page shows the verdict live. */
export async function testSetupAction(environmentId: string, _previous: FormState): Promise<FormState> {
  const user = await requireUser();
  let taskId: string;
  try {
    taskId = (await createSetupCheck(user.id, environmentId)).id;
  } catch (error) {
    return { error: userMessage(error) };
  }
  redirect(`/tasks/${taskId}`);
}

/** "Allow" on a refused host in the timeline: adds it to the environment's allowlist, once. */
export async function allowHostAction(environmentId: string, host: string): Promise<FormState> {
  const user = await requireUser();
  try {
    const { network } = await getEnvironment(user.id, environmentId);
    const allow = [...new Set([...network.allow, host.trim().toLowerCase()])];
    await updateEnvironment(user.id, environmentId, { network: { ...network, allow } });
    revalidatePath(`/environments/${environmentId}`);
    return {};
  } catch (error) {
    return { error: userMessage(error) };
  }
}

/** One glob per line; blank lines and surrounding spaces ignored. */
function globLines(value: FormDataEntryValue | null): string[] {
  return String(value ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

export async function followUpAction(taskId: string, _previous: FormState, form: FormData): Promise<FormState & { sent?: number }> {
  const user = await requireUser();
  try {
    const followUp = await addFollowUp(user.id, taskId, { text: String(form.get("text") ?? "") });
    return { sent: followUp.turn };
  } catch (error) {
    return { error: userMessage(error) };
  }
}

export async function selectAttemptAction(taskId: string, attemptIndex: number): Promise<FormState> {
  const user = await requireUser();
  try {
    await selectAttempt(user.id, taskId, attemptIndex);
    return {};
  } catch (error) {
    return { error: userMessage(error) };
  }
}

export async function cancelTaskAction(taskId: string): Promise<FormState> {
  const user = await requireUser();
  try {
    await cancelTask(user.id, taskId);
    return {};
  } catch (error) {
    return { error: userMessage(error) };
  }
}

/** The environment page's webhook: turned on (or a new secret), shown once in the answer. */
export async function enableWebhookAction(environmentId: string, _previous: FormState): Promise<FormState & { secret?: string; url?: string }> {
  return asSignedIn(async (userId) => {
    const { secret, url } = await enableWebhook(userId, environmentId, {});
    revalidatePath(`/environments/${environmentId}`);
    return { secret, url };
  });
}

/** Automatic review's settings on the environment page. */
export async function updateAutoReviewAction(environmentId: string, _previous: FormState, form: FormData): Promise<FormState & { saved?: number }> {
  return asSignedIn(async (userId) => {
    // The login field is there only for GitLab and Gitea (GitHub goes by the account linked at sign-in).
    const forgeLogin = form.get("forgeLogin");
    await updateAutoReview(userId, environmentId, { autoReview: autoReviewFromForm(form), ...(forgeLogin === null ? {} : { forgeLogin: String(forgeLogin) }) });
    revalidatePath(`/environments/${environmentId}`);
    return { saved: Date.now() };
  });
}

export async function disableWebhookAction(environmentId: string): Promise<FormState> {
  return asSignedIn(async (userId) => {
    await disableWebhook(userId, environmentId);
    revalidatePath(`/environments/${environmentId}`);
    return {};
  });
}

/** "Send a test event": a signed ping through the same path as GitHub's; it shows in the inbox. */
export async function sendTestEventAction(environmentId: string, _previous: FormState): Promise<FormState & { sent?: string }> {
  return asSignedIn(async (userId) => {
    const result = await sendTestEvent(userId, environmentId);
    revalidatePath("/triggers");
    return { sent: result.body.trigger };
  });
}

/** The inbox's Retry. */
export async function retryTriggerAction(triggerId: string): Promise<FormState> {
  return asSignedIn(async (userId) => {
    await retryTrigger(userId, triggerId);
    revalidatePath("/triggers");
    return {};
  });
}

/** The environment's Slack name and channels (one channel id per line or comma-separated). */
export async function saveSlackAction(environmentId: string, _previous: FormState, form: FormData): Promise<FormState & { saved?: number }> {
  return asSignedIn(async (userId) => {
    const channels = String(form.get("channels") ?? "")
      .split(/[\s,]+/)
      .filter(Boolean);
    await setSlackSettings(userId, environmentId, { name: String(form.get("name") ?? ""), channels });
    revalidatePath(`/environments/${environmentId}`);
    return { saved: Date.now() };
  });
}

export async function clearSlackAction(environmentId: string): Promise<FormState> {
  return asSignedIn(async (userId) => {
    await clearSlackSettings(userId, environmentId);
    revalidatePath(`/environments/${environmentId}`);
    return {};
  });
}

/** "Send a test event" for Slack: a request signed with the Slack app's secret, received like Slack's. */
export async function sendSlackTestEventAction(environmentId: string, _previous: FormState): Promise<FormState & { sent?: string }> {
  return asSignedIn(async (userId) => {
    const result = await sendSlackTestEvent(userId, environmentId, webEnv().PATCHBAY_SLACK_SIGNING_SECRET);
    revalidatePath("/triggers");
    return { sent: String(result.body.trigger) };
  });
}

/** The environment's Linear webhook: its signing secret and the API key Patchbay acts with (blank keeps the stored one). */
export async function saveLinearAction(environmentId: string, _previous: FormState, form: FormData): Promise<FormState & { saved?: number }> {
  return asSignedIn(async (userId) => {
    await setLinearSettings(userId, environmentId, { signingSecret: String(form.get("signingSecret") ?? ""), apiKey: String(form.get("apiKey") ?? "") });
    revalidatePath(`/environments/${environmentId}`);
    return { saved: Date.now() };
  });
}

export async function clearLinearAction(environmentId: string): Promise<FormState> {
  return asSignedIn(async (userId) => {
    await clearLinearSettings(userId, environmentId);
    revalidatePath(`/environments/${environmentId}`);
    return {};
  });
}

/** "Send a test event" for Linear: a delivery signed with the environment's signing secret, received like Linear's. */
export async function sendLinearTestEventAction(environmentId: string, _previous: FormState): Promise<FormState & { sent?: string }> {
  return asSignedIn(async (userId) => {
    const result = await sendLinearTestEvent(userId, environmentId);
    revalidatePath("/triggers");
    return { sent: result.body.trigger };
  });
}
