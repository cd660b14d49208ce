import { describe, expect, it } from "vitest";
import { slackFinishedReply, slackRefusedReply, slackStartedReply } from "./slack-reply-text";

const taskUrl = "https://patchbay.test/tasks/t1";
const shot = { route: "/signup", viewport: "desktop", before: "https://patchbay.test/a/1", after: "https://patchbay.test/a/2" };

describe("Slack replies", () => {
  it("link the task in Slack's link syntax", () => {
    expect(slackStartedReply({ taskUrl }).text).toBe(`Started a task for this request: <${taskUrl}|${taskUrl}> I will answer here when it ends.`);
    expect(slackStartedReply({ taskUrl, continued: "steer" }).text).toMatch(/^Passed this to the running task/);
  });

  it("escape what Slack would read as markup", () => {
    expect(slackRefusedReply({ taskUrl: null, reason: "user not allowed: <b>&" }).text).toBe("Nothing was started: user not allowed: &lt;b&gt;&amp;.");
  });

  it("say where an unpublished change is, with the summary and the first pictures as image blocks", () => {
    const reply = slackFinishedReply({ taskUrl, summary: "Changed the label.\nTests pass.", filesChanged: 2, screenshots: [shot] });
    expect(reply.text).toContain("Done: 2 files changed. Review the change and open a pull request from the task in Patchbay.");
    expect(reply.text).toContain("> Changed the label.\n> Tests pass.");
    expect(reply.blocks?.map((block) => block.type)).toEqual(["section", "image", "image"]);
    expect(reply.blocks?.[2]).toMatchObject({ image_url: shot.after, title: { text: "After: /signup (desktop)" } });
  });

  it("answer a pull request, no change and a failure without pictures", () => {
    expect(slackFinishedReply({ taskUrl, pullRequestUrl: "https://github.test/a/b/pull/3" }).text).toMatch(/^Done: <https:\/\/github.test\/a\/b\/pull\/3\|/);
    const unchanged = slackFinishedReply({ taskUrl, filesChanged: 0, screenshots: [shot] });
    expect(unchanged.text).toMatch(/^Finished without changing any files\./);
    expect(unchanged.blocks).toBeUndefined();
    expect(slackFinishedReply({ taskUrl, error: "the model timed out" }).text).toMatch(/^The task did not finish: the model timed out/);
  });
});
