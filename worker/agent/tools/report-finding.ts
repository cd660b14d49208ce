// `report_finding`: in review mode, the agent reports one problem of the reviewed change — severity, file,
// line range, title, explanation, optional replacement — and the task page shows it anchored in the diff.
import { type FindingInput, findingSchema } from "@/lib/reviews/review-findings";
import type { AgentTool } from "./tool";

export type FindingReports = { record(finding: FindingInput): Promise<void> };

export function reportFindingTool(reports: FindingReports): AgentTool<FindingInput> {
  return {
    name: "report_finding",
    description:
      "Report one problem in the change under review, anchored to a line range of the changed file. Call it once per problem; give a suggestion only when the exact replacement for those lines is small and certain.",
    parameters: findingSchema,
    isMutating: false,
    async run(finding, context) {
      await context.emit({ type: "tool.begin", payload: { callId: context.callId, tool: "report_finding" } });
      await reports.record(finding);
      const lines = finding.start_line === finding.end_line ? `${finding.start_line}` : `${finding.start_line}-${finding.end_line}`;
      await context.emit({
        type: "tool.end",
        payload: {
          callId: context.callId,
          tool: "report_finding",
          ok: true,
          durationMs: 0,
          summary: `${finding.severity} ${finding.path}:${lines} ${finding.title}`,
        },
      });
      return `Recorded finding ${finding.severity} at ${finding.path}:${lines}.`;
    },
  };
}
