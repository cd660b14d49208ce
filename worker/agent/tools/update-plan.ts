// `update_plan`: the agent keeps a visible checklist. Each call replaces the whole plan; the task page
// shows the latest one live. It changes nothing in the workspace.
import { z } from "zod";
import type { AgentTool } from "./tool";

const parameters = z.strictObject({
  explanation: z.string().max(2000).optional().describe("Why the plan changed, in a sentence (optional)."),
  plan: z
    .array(
      z.strictObject({
        step: z.string().min(1).max(500).describe("A short, concrete step."),
        status: z.enum(["pending", "in_progress", "completed"]),
      }),
    )
    .min(1)
    .max(30)
    .refine((steps) => steps.filter((step) => step.status === "in_progress").length <= 1, "At most one step can be in_progress."),
});

export const updatePlanTool: AgentTool<z.infer<typeof parameters>> = {
  name: "update_plan",
  description:
    "Record your plan as a short checklist the person can follow live. Send the whole list each time, with each step pending, in_progress (at most one) or completed. Use it for tasks with several steps; skip it for one-step tasks.",
  parameters,
  isMutating: false,
  async run(params, context) {
    await context.emit({ type: "plan", payload: { ...(params.explanation ? { explanation: params.explanation } : {}), steps: params.plan } });
    const done = params.plan.filter((step) => step.status === "completed").length;
    return `Plan updated (${done}/${params.plan.length} steps completed).`;
  },
};
