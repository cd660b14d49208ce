import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readSlackEvent, readSlashCommand, slackText } from "./slack-delivery";

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/slack/${name}`, import.meta.url), "utf8");
const example = (name: string) => JSON.parse(fixture(name)) as { event: Record<string, unknown>; authorizations: { user_id: string }[] };

describe("readSlackEvent", () => {
  it("answers Slack's URL check with its challenge", () => {
    expect(readSlackEvent(JSON.parse(fixture("url-verification.docs.json")))).toEqual({
      kind: "url_verification",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });

  it("reads Slack's app_mention example as a request without the app's own mention", () => {
    const payload = example("app-mention.docs.json");
    // In the example the mentioned app is U0LAN0Z89; the authorization names the app's member.
    payload.authorizations[0] = { user_id: "U0LAN0Z89" };
    expect(readSlackEvent(payload)).toEqual({
      kind: "mention",
      eventId: "Ev123ABC456",
      channel: "C123ABC456",
      ts: "1515449522.000016",
      threadTs: null,
      user: "U061F7AUR",
      request: "is it everything a river should be?",
    });
  });

  it("reads a reply in a thread, and ignores channel messages, apps' messages and mentions sent twice", () => {
    const payload = example("message-in-thread.docs.json");
    expect(readSlackEvent(payload)).toMatchObject({ kind: "thread message", threadTs: "1355517500.000001", request: "Hello world" });
    const outside = example("message-in-thread.docs.json");
    delete outside.event.thread_ts;
    expect(readSlackEvent(outside)).toMatchObject({ kind: "ignored", reason: "a channel message outside any thread" });
    const fromApp = example("message-in-thread.docs.json");
    fromApp.event.bot_id = "B0123";
    expect(readSlackEvent(fromApp)).toMatchObject({ kind: "ignored" });
    const edited = example("message-in-thread.docs.json");
    edited.event.subtype = "message_changed";
    expect(readSlackEvent(edited)).toMatchObject({ kind: "ignored" });
    const mention = example("message-in-thread.docs.json");
    mention.event.text = "<@U123ABC456> also fix the footer";
    expect(readSlackEvent(mention)).toMatchObject({ kind: "ignored", reason: "a mention, answered as app_mention" });
  });

  it("ignores what it does not read instead of throwing", () => {
    expect(readSlackEvent(null)).toMatchObject({ kind: "ignored" });
    expect(readSlackEvent({ type: "event_callback" })).toMatchObject({ kind: "ignored" });
    expect(readSlackEvent({ ...example("app-mention.docs.json"), event: { type: "reaction_added", user: "U1", channel: "C1", ts: "1.2" } })).toMatchObject({
      kind: "ignored",
      reason: "reaction_added events start nothing",
    });
  });
});

describe("readSlashCommand", () => {
  it("reads Slack's example command: the first word names the environment", () => {
    const form = new URLSearchParams(fixture("slash-command.docs.txt"));
    expect(readSlashCommand(form)).toEqual({
      kind: "command",
      command: "/weather",
      name: "94070",
      request: "",
      user: "U2147483697",
      channel: "C2147483705",
      triggerId: "13345224609.738474920.8088930838d88f008e0",
    });
    // Slack escapes &, < and > in what people type.
    form.set("text", "Web  make the signup button say &lt;b&gt;Create account&lt;/b&gt; &amp; more");
    expect(readSlashCommand(form)).toMatchObject({ name: "web", request: "make the signup button say <b>Create account</b> & more" });
  });

  it("refuses a form that is not a command", () => {
    expect(readSlashCommand(new URLSearchParams("text=hi"))).toEqual({ kind: "invalid", reason: "not a slash command Patchbay reads" });
  });
});

describe("slackText", () => {
  it("turns Slack's markup back into what the person typed", () => {
    expect(slackText("<@UAPP> fix <https://example.com/a|the page> for <@U2|ann> in <#C1|general> &lt;3", "UAPP")).toBe(
      "fix the page (https://example.com/a) for @ann in #general <3",
    );
    expect(slackText("<!here> see <https://x.test>", null)).toBe("@here see https://x.test");
  });
});
