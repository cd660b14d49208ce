// `apply_patch`: edits files with a Codex-format patch. Parsing and matching happen in the worker; file
// reads and writes are execs in the sandbox. A malformed or non-matching patch changes nothing and the
// model gets the reason so it can correct the patch.
import { z } from "zod";
import { applyPatch, formatPatchSummary, PatchError } from "@/worker/agent/apply-patch/apply-patch";
import { parsePatch, patchLineCounts } from "@/worker/agent/apply-patch/parse-patch";
import { createContainerFileSystem } from "./container-file-system";
import { ToolFailure, type AgentTool } from "./tool";

const parameters = z.strictObject({
  patch: z
    .string()
    .min(1)
    .max(4 * 1024 * 1024)
    .describe("The whole patch, from *** Begin Patch to *** End Patch."),
});

export const applyPatchTool: AgentTool<z.infer<typeof parameters>> = {
  name: "apply_patch",
  description: [
    "Edit files with a patch. Format:",
    "*** Begin Patch",
    "*** Add File: path/new.txt        (then every line prefixed with +)",
    "*** Delete File: path/old.txt",
    "*** Update File: path/file.ts     (optionally followed by *** Move to: new/path.ts)",
    "@@ optional line that anchors the hunk (e.g. a function signature)",
    " context line (prefix space)",
    "-removed line",
    "+added line",
    "*** End of File                   (optional: the hunk must match at the end of the file)",
    "*** End Patch",
    "Paths are relative to the repository root. Give 3 lines of context around each change.",
  ].join("\n"),
  parameters,
  isMutating: true,
  async run(params, context) {
    await context.emit({ type: "tool.begin", payload: { callId: context.callId, tool: "apply_patch" } });
    const started = Date.now();
    try {
      const counts = patchLineCounts(parsePatch(params.patch));
      const summary = await applyPatch(params.patch, createContainerFileSystem(context.driver, context.sandbox, context.signal));
      const text = formatPatchSummary(summary);
      await context.emit({
        type: "tool.end",
        payload: { callId: context.callId, tool: "apply_patch", ok: true, durationMs: Date.now() - started, files: counts, summary: text },
      });
      return `Patch applied:\n${text}`;
    } catch (error) {
      if (!(error instanceof PatchError)) throw error;
      await context.emit({
        type: "tool.end",
        payload: { callId: context.callId, tool: "apply_patch", ok: false, durationMs: Date.now() - started, error: error.message },
      });
      throw new ToolFailure(`apply_patch failed, nothing was changed: ${error.message}`);
    }
  },
};
