import { describe, expect, it } from "vitest";
import { REPLY_MARKER } from "./github-delivery";
import { finishedReply, refusedReply, startedReply } from "./reply-text";

describe("Patchbay's replies in a thread", () => {
  it("start with the marker, link the task, and say why nothing ran", () => {
    expect(startedReply({ taskUrl: "https://pb.example.com/tasks/t1" })).toBe(
      `${REPLY_MARKER}\nStarted a task for this request: https://pb.example.com/tasks/t1 I will answer here when it ends.`,
    );
    expect(refusedReply({ taskUrl: null, reason: "user not allowed: octocat has no Patchbay account" })).toBe(
      `${REPLY_MARKER}\nNothing was started: user not allowed: octocat has no Patchbay account.`,
    );
  });

  it("end with the pull request, the summary quoted, at most two pictures, or the error", () => {
    const shot = (route: string) => ({ route, viewport: "desktop", before: `https://pb/b${route}`, after: `https://pb/a${route}` });
    const done = finishedReply({
      taskUrl: "https://pb/tasks/t1",
      summary: "Fixed the test.\nIt was timezone-dependent.",
      pullRequestUrl: "https://github.com/acme/web/pull/3",
      screenshots: [shot("/"), shot("/a"), shot("/b")],
    });
    expect(done).toContain(`${REPLY_MARKER}\nDone: https://github.com/acme/web/pull/3\n\n> Fixed the test.\n> It was timezone-dependent.`);
    expect(done).toContain("| `/a` (desktop) | ![before](https://pb/b/a) | ![after](https://pb/a/a) |");
    expect(done).not.toContain("`/b`");
    expect(done.endsWith("[Open the task in Patchbay](https://pb/tasks/t1)")).toBe(true);
    expect(finishedReply({ taskUrl: null, summary: "Nothing to change." })).toBe(
      `${REPLY_MARKER}\nFinished without changing any files.\n\n> Nothing to change.`,
    );
    expect(finishedReply({ taskUrl: null, error: "The attempt ran longer than 30 min" })).toBe(
      `${REPLY_MARKER}\nThe task did not finish: The attempt ran longer than 30 min`,
    );
  });
});
