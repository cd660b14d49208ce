import { z } from "zod";

// Scripts are authored by hand (JSON files, test fixtures), so every object is strict:
// a typo such as "call" instead of "calls" must fail loudly instead of silently doing nothing.

export const faultKinds = ["http-401", "http-429", "http-500", "malformed-stream", "hang", "disconnect"] as const;
export const faultKindSchema = z.enum(faultKinds);
export type FaultKind = z.infer<typeof faultKindSchema>;

export const scriptCallSchema = z.strictObject({
  name: z.string().min(1),
  // An object is serialised to the JSON `arguments` string; a string is sent verbatim,
  // which lets a script emit deliberately invalid JSON arguments.
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
});
export type ScriptCall = z.infer<typeof scriptCallSchema>;

const delayMsSchema = z.number().int().nonnegative().max(600_000);

export const replyStepSchema = z
  .strictObject({
    say: z.string().optional(),
    calls: z.array(scriptCallSchema).optional(),
    delayMs: delayMsSchema.optional(),
  })
  .refine((step) => step.say !== undefined || (step.calls?.length ?? 0) > 0, {
    message: 'a step needs "say", "calls" or "fault"',
  });
export type ReplyStep = z.infer<typeof replyStepSchema>;

export const faultStepSchema = z.strictObject({
  fault: faultKindSchema,
  delayMs: delayMsSchema.optional(),
  // Fault only the first N requests that reach this step, then fall through to the next one.
  // Omitted = fault every time.
  repeat: z.number().int().positive().optional(),
});
export type FaultStep = z.infer<typeof faultStepSchema>;

export const scriptStepSchema = z.union([faultStepSchema, replyStepSchema]);
export type ScriptStep = z.infer<typeof scriptStepSchema>;

export const modelScriptSchema = z.strictObject({
  description: z.string().optional(),
  steps: z.array(scriptStepSchema),
});

/** What authors write (arguments may be omitted). */
export type ModelScript = z.input<typeof modelScriptSchema>;
/** What the server runs (defaults applied). */
export type ParsedModelScript = z.infer<typeof modelScriptSchema>;

export const scriptNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, "invalid script name");

export function isFaultStep(step: ScriptStep): step is FaultStep {
  return "fault" in step;
}

export function parseModelScript(value: unknown, source: string): ParsedModelScript {
  const result = modelScriptSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`invalid model script ${source}:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
