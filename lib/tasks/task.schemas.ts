import type { PullRequestDto } from "@/lib/pull-requests/pull-request-dto";
import type { FindingDto, ReviewPostDto } from "@/lib/reviews/review-findings";
import type { SetupReport } from "@/lib/environments/setup-report";
import { z } from "zod";
import type { ScreenshotsDto } from "@/lib/artifacts/screenshots-dto";
import type { CopyChange } from "@/lib/copy/copy-request";
import type { WordDiffPart } from "@/lib/copy/word-diff";
import { branchNameSchema } from "@/lib/environments/environment.schemas";
import type { AttemptStatusValue, TaskStatus } from "./task-status";

export function createTaskSchema(maxPromptBytes: number) {
  return z.strictObject({
    environmentId: z.string().min(1, "environmentId is required.").max(64),
    prompt: z
      .string()
      .refine((value) => value.trim().length > 0, "Prompt is empty: say what you want changed.")
      .refine(
        (value) => Buffer.byteLength(value, "utf8") <= maxPromptBytes,
        `Prompt is larger than ${Math.round(maxPromptBytes / 1024)} KiB; shorten it or put the details in a file in the repository.`,
      ),
    branch: branchNameSchema.optional(),
    /** "code" changes the repository; "ask" answers a question about it without changing anything. */
    mode: z.enum(["code", "ask"]).default("code"),
    /** For reasoning models; omitted = the model's default. */
    reasoningEffort: z.enum(["minimal", "low", "medium", "high"]).optional(),
    /** Best-of-N: independent attempts, each in its own sandbox; the person picks one. */
    attempts: z.number().int().min(1, "attempts must be 1 to 4.").max(4, "attempts must be 1 to 4.").default(1),
  });
}
export type CreateTaskInput = z.infer<ReturnType<typeof createTaskSchema>>;

export type AttemptDto = {
  id: string;
  /** Review mode: what the agent reported (report_finding), most severe first; empty otherwise. */
  findings: FindingDto[];
  /** Review mode: the findings posted to the reviewed task's pull request, or null. */
  reviewPost: ReviewPostDto | null;
  index: number;
  /** The environment's check command passed (true), failed (false) or did not run (null). */
  checkPassed: boolean | null;
  status: AttemptStatusValue;
  error: string | null;
  /** The worker labels it was queued with (its environment's at the time); [] = any worker. */
  workerLabels: string[];
  baseCommit: string | null;
  finalMessage: string | null;
  filesChanged: number;
  additions: number;
  deletions: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  steps: number;
  /** Before/after screenshots with their pixel difference; null when the environment has no preview. */
  screenshots: ScreenshotsDto | null;
  /** Copy mode: each text change with its word-level diff; empty for other modes. */
  /** `addedMarkup`: HTML tags the change adds (lib/copy/added-markup.ts), for the reviewing engineer. */
  copyChanges: (CopyChange & { parts: WordDiffPart[]; addedMarkup: string[] })[];
  /** The setup phase: cache verdict and reason, key, duration, refused hosts; null before it ran. */
  setup: SetupReport | null;
  startedAt: string | null;
  finishedAt: string | null;
};

export type TaskDto = {
  id: string;
  title: string;
  prompt: string;
  mode: string;
  branch: string;
  status: TaskStatus;
  error?: string;
  /** Queued with worker labels no running worker has: what it waits for ("Waiting for a worker labelled gpu…"). */
  waitingFor?: string;
  environment: { id: string; name: string };
  /** Email of the person who created the task (copy tasks are also shown to the environment's owner). */
  author: string;
  /** How many turns (the first prompt plus follow-ups); status and attempt are the latest turn's. */
  turns: number;
  createdAt: string;
  updatedAt: string;
  /** The attempt that stands for the task: the selected one, else the recommended one. */
  attempt: AttemptDto | null;
  /** Every attempt of the latest turn (best-of-N gives several). */
  attempts: AttemptDto[];
  selectedAttempt: number | null;
  recommendedAttempt: number | null;
  /** The task's pull request (one per task), or null when none was created. */
  pullRequest: PullRequestDto | null;
  /** Review mode: the id of the task whose change this one reviews… */
  reviewOf: string | null;
  /** …or the number of the pull request it reviews. */
  reviewPullRequest: number | null;
};
