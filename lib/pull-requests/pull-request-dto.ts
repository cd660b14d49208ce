// A task's pull request as the API and the pages show it (GET /api/v1/tasks/:id/pull-request, and the
// task's own DTO).
import { z } from "zod";
import type { Prisma } from "@/lib/db";

/** "Update branch": bringing the branch up to date with its base branch. */
export type BranchUpdateDto = { status: "queued" | "updated" | "current" | "conflict" | "failed"; message?: string };

const branchUpdateSchema = z.object({ status: z.enum(["queued", "updated", "current", "conflict", "failed"]), message: z.string().optional() });

/** Pulling the PR's review comments in as drafts (lib/review-comments). */
export type CommentImportDto = { status: "queued" | "done" | "failed"; imported?: number; error?: string };

const commentImportSchema = z.object({ status: z.enum(["queued", "done", "failed"]), imported: z.number().optional(), error: z.string().optional() });

export const PULL_REQUEST_STATUSES = ["queued", "pushing", "open", "merged", "closed", "pushed", "failed"] as const;
export type PullRequestStatus = (typeof PULL_REQUEST_STATUSES)[number];

export type PullRequestDto = {
  status: PullRequestStatus;
  /** github | gitlab | gitea | git (a plain remote: the branch is pushed, no PR is opened). */
  kind: string;
  branch: string;
  baseBranch: string;
  url: string | null;
  number: number | null;
  /** Why the last publish failed; the PR may still be open with an earlier commit (compare `turns`). */
  error: string | null;
  headCommit: string | null;
  /** How many of the task's turns the pushed branch holds. */
  turns: number;
  /** Whether the forge says the PR can be merged (null: unknown or not asked). */
  mergeable: boolean | null;
  /** The checks (CI) on the PR's head as the forge last reported them; null when none ran or not read yet. */
  checks: "pending" | "success" | "failure" | null;
  /** A publish is queued or running: the state above is the last one's until it ends. */
  publishing: boolean;
  /** The last "pull comments from the pull request", or null. */
  commentImport: CommentImportDto | null;
  /** The last "Update branch", or null. */
  branchUpdate: BranchUpdateDto | null;
  /** Someone else's PR a comment asked Patchbay to change: pushed to, never retitled or updated with its base. */
  adopted: boolean;
  updatedAt: string;
};

export const pullRequestSelect = {
  status: true,
  kind: true,
  branch: true,
  baseBranch: true,
  url: true,
  number: true,
  error: true,
  headCommit: true,
  turns: true,
  forgeState: true,
  requestedAt: true,
  settledAt: true,
  commentImport: true,
  branchUpdate: true,
  adopted: true,
  updatedAt: true,
} satisfies Prisma.PullRequestSelect;

export type PullRequestRow = Prisma.PullRequestGetPayload<{ select: typeof pullRequestSelect }>;

export function toPullRequestDto(row: PullRequestRow): PullRequestDto {
  const state = (row.forgeState ?? {}) as { mergeable?: unknown; checks?: unknown };
  return {
    status: (PULL_REQUEST_STATUSES as readonly string[]).includes(row.status) ? (row.status as PullRequestStatus) : "failed",
    kind: row.kind,
    branch: row.branch,
    baseBranch: row.baseBranch,
    url: row.url,
    number: row.number,
    error: row.error,
    headCommit: row.headCommit,
    turns: row.turns,
    mergeable: typeof state.mergeable === "boolean" ? state.mergeable : null,
    checks: state.checks === "pending" || state.checks === "success" || state.checks === "failure" ? state.checks : null,
    publishing: row.settledAt === null || row.settledAt < row.requestedAt,
    commentImport: parseCommentImport(row.commentImport),
    branchUpdate: parseBranchUpdate(row.branchUpdate),
    adopted: row.adopted,
    updatedAt: row.updatedAt.toISOString(),
  };
}

function parseCommentImport(value: unknown): CommentImportDto | null {
  const parsed = commentImportSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function parseBranchUpdate(value: unknown): BranchUpdateDto | null {
  const parsed = branchUpdateSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
