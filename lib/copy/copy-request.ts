// What a copy task asks for: string edits by catalog id (with the text the person saw), and the pages
// to screenshot. Parsed from the API body, stored on the Turn (copyRequest), read back by the worker.
import { z } from "zod";

export const MAX_COPY_EDITS = 100;
export const MAX_COPY_TEXT = 5000;

export const copyEditSchema = z.strictObject({
  id: z.string().min(1).max(64),
  /** The text as the person saw it in the catalog; an edit to text that changed since is refused. */
  from: z.string().max(MAX_COPY_TEXT * 4),
  text: z.string().max(MAX_COPY_TEXT, `A text can be at most ${MAX_COPY_TEXT} characters.`),
});
export type CopyEditInput = z.infer<typeof copyEditSchema>;

/** Either the edits themselves, or a sentence such as `change "Sign up" to "Create account" on the pricing page`. */
export const createCopyTaskSchema = z
  .strictObject({
    environmentId: z.string().min(1, "environmentId is required.").max(64),
    mode: z.literal("copy"),
    edits: z
      .array(copyEditSchema)
      .min(1, "Change at least one text before proposing.")
      .max(MAX_COPY_EDITS, `Propose at most ${MAX_COPY_EDITS} text changes at a time.`)
      .optional(),
    request: z.string().trim().min(1, "The request is empty.").max(MAX_COPY_TEXT).optional(),
  })
  .refine((value) => (value.edits === undefined) !== (value.request === undefined), "Send either edits or a request, not both.");

export const storedCopyRequestSchema = z.object({
  edits: z.array(copyEditSchema),
  /** The files the edited strings were in when proposed: the worker reads only these (absent = all copy files). */
  paths: z.array(z.string()).optional(),
  /** Routes where the edited strings appear; empty = the environment's configured preview routes. */
  routes: z.array(z.string()),
  /** Per edit id, the other languages that have the edited message: their translations are now out of date. */
  translations: z.record(z.string(), z.array(z.string())).optional(),
});
export type CopyRequest = z.infer<typeof storedCopyRequestSchema>;

/** One applied edit, as the worker records it on the attempt for the word-level diff. */
export const copyChangeSchema = z.object({
  id: z.string(),
  path: z.string(),
  line: z.number().int(),
  kind: z.string(),
  key: z.string().optional(),
  component: z.string().optional(),
  before: z.string(),
  after: z.string(),
  /** Languages whose translation of this message no longer matches it (translated by the team's own process). */
  translations: z.array(z.string()).optional(),
});
export type CopyChange = z.infer<typeof copyChangeSchema>;

export function parseCopyChanges(value: unknown): CopyChange[] {
  const parsed = z.array(copyChangeSchema).safeParse(value);
  return parsed.success ? parsed.data : [];
}
