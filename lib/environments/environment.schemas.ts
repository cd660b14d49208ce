import { z } from "zod";
import { validateBranchName } from "@/lib/git-refs";
import { copyPathsSchema, type CopyPaths } from "@/lib/copy/path-scope";
import { forgeConnectionSchema, type ForgeSummary } from "@/lib/forge/forge-connection";
import { repoCredentialSchema, type RepoCredentialSummary } from "@/lib/repos/repo-credential";
import type { LinearView } from "@/lib/triggers/linear-settings";
import type { SlackSettings } from "@/lib/triggers/slack-settings";
import type { WebhookView } from "@/lib/triggers/webhook-settings";
import { workerLabelsSchema } from "@/lib/workers/worker-labels";
import { previewConfigSchema, type PreviewConfig } from "./preview-config";
import { setupFieldsSchema, type EnvVars, type NetworkPolicy, type NodeVersion } from "./setup-config";

export const branchNameSchema = z.string().superRefine((value, ctx) => {
  const problem = validateBranchName(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const baseFields = {
  name: z.string().trim().min(1, "Name is required.").max(100, "Name is at most 100 characters."),
  repoUrl: z.string().min(1, "Repository URL is required.").max(2000),
  defaultBranch: branchNameSchema.default("main"),
  instructions: z
    .string()
    .max(16 * 1024, "Instructions are at most 16 KiB.")
    .optional(),
  model: z.string().trim().max(200).optional(),
  /** "chat" for OpenAI-compatible servers without the Responses API. */
  modelApi: z.enum(["responses", "chat"]).default("responses"),
  /** Run in the sandbox after the agent (e.g. `npm test`); a pass ranks an attempt higher in best-of-N. */
  checkCommand: z.string().trim().max(4096).optional(),
  /** Labels a worker must carry to run this environment's tasks (PATCHBAY_WORKER_LABELS); none = any worker. */
  workerLabels: workerLabelsSchema.optional(),
  /** How to run the app for before/after screenshots; omit for no screenshots. */
  preview: previewConfigSchema.optional(),
  /** Copy mode: the paths each role may change (globs), e.g. { copywriter: ["locales/**"] }. */
  copyPaths: copyPathsSchema.optional(),
  /** Write-only: a token for https URLs or a deploy key for ssh URLs, used by the worker's fetch alone. */
  repoCredential: repoCredentialSchema.optional(),
  /** Write-only token: where pull requests go (GitHub, GitLab, Gitea/Forgejo, or a plain git remote). */
  forge: forgeConnectionSchema.optional(),
};

export const createEnvironmentSchema = z.strictObject({ ...baseFields, ...setupFieldsSchema.shape });
export type CreateEnvironmentInput = z.input<typeof createEnvironmentSchema>;

/** PATCH: every field optional; null clears an optional one. copyPaths merge per role, secrets per name. */
export const updateEnvironmentSchema = z.strictObject({
  name: baseFields.name.optional(),
  repoUrl: baseFields.repoUrl.optional(),
  defaultBranch: branchNameSchema.optional(),
  instructions: baseFields.instructions.unwrap().nullable().optional(),
  model: baseFields.model.unwrap().nullable().optional(),
  modelApi: z.enum(["responses", "chat"]).optional(),
  checkCommand: baseFields.checkCommand.unwrap().nullable().optional(),
  workerLabels: workerLabelsSchema.optional(),
  preview: previewConfigSchema.nullable().optional(),
  copyPaths: copyPathsSchema.optional(),
  repoCredential: repoCredentialSchema.nullable().optional(),
  forge: forgeConnectionSchema.nullable().optional(),
  ...setupFieldsSchema.shape,
});
export type UpdateEnvironmentInput = z.input<typeof updateEnvironmentSchema>;

export type EnvironmentDto = {
  id: string;
  name: string;
  repoUrl: string;
  defaultBranch: string;
  instructions: string | null;
  model: string | null;
  modelApi: string;
  checkCommand: string | null;
  workerLabels: string[];
  preview: PreviewConfig | null;
  copyPaths: CopyPaths;
  nodeVersion: NodeVersion;
  setupScript: string | null;
  maintenanceScript: string | null;
  env: EnvVars;
  /** Names only: secret values are write-only. */
  secrets: string[];
  /** Kind (and user name) only: the token or key is write-only. */
  repoCredential: RepoCredentialSummary | null;
  /** Kind, URL and user name only: the token is write-only. */
  forge: ForgeSummary | null;
  /** The forge's webhook: where it delivers and automatic review's settings; the secret is write-only. */
  webhook: WebhookView | null;
  /** Slack: the name `/patchbay <name>` takes and the channels whose mentions come here. */
  slack: SlackSettings | null;
  /** Linear: where its webhook delivers and the Linear user Patchbay acts as; the secret and API key are write-only. */
  linear: LinearView | null;
  network: NetworkPolicy;
  cacheKeyFiles: string[];
  createdAt: string;
};
