// Slack triggers end to end: Slack's own example payloads (test/fixtures/slack) rewritten to the test's
// channels and people, signed with the app's signing secret and posted to the route as Slack does; the real
// queue and worker act on them (a task run by the scripted model in a sandbox), and the answers go back to
// the Slack imitation through @slack/web-api, every request held to the arguments Slack documents.
import { afterAll, beforeAll, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { NextRequest } from "next/server";
import { POST as postToSlackRoute } from "@/app/api/v1/webhooks/slack/route";
import { db } from "@/lib/db";
import { createEnvironment } from "@/lib/environments/create-environment";
import { getEnvironment } from "@/lib/environments/environment-queries";
import { listTriggers, retryTrigger } from "@/lib/triggers/triggers";
import { setSlackSettings } from "@/lib/triggers/slack-settings";
import { sendSlackTestEvent, signSlackRequest } from "@/lib/triggers/slack-webhook";
import { createFixtureRepo, type FixtureRepo } from "@/test/support/fixture-repo";
import { type SlackImitation, startSlackImitation } from "@/test/support/slack-imitation";
import { useScriptedWorker } from "@/test/support/scripted-worker";
import { createUser, TEST_PUBLIC_URL } from "@/test/support/test-worker";
import { triggerWhen, replySent } from "@/test/support/trigger-inbox";
import { waitFor } from "@/test/support/wait-for";

const SIGNING_SECRET = process.env.PATCHBAY_SLACK_SIGNING_SECRET ?? "";
// Filled in once the imitation runs; the trigger worker reads it when a job runs.
const triggers: { slack?: { botToken: string; apiUrl: string; timeoutMs: number } } = {};
const scripted = useScriptedWorker({}, { triggers });

let slack: SlackImitation;
let repo: FixtureRepo;

beforeAll(async () => {
  slack = await startSlackImitation();
  triggers.slack = { botToken: slack.botToken, apiUrl: slack.apiUrl, timeoutMs: 10_000 };
  repo = createFixtureRepo();
});

afterAll(async () => {
  await slack?.close();
});

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/slack/${name}`, import.meta.url), "utf8");

let nextChannel = 1;
let nextEvent = 1;

/** An environment owned by someone whose Slack profile has their Patchbay e-mail, with a channel of its own. */
async function slackEnvironment(name: string) {
  const owner = await createUser();
  const member = slack.addMember({ name: `owner-${name}`, email: owner.email.toUpperCase() });
  const channel = `C0TEST${String(nextChannel++).padStart(4, "0")}`;
  slack.addChannel(channel);
  const environment = await createEnvironment(owner.id, { name, repoUrl: repo.url });
  await setSlackSettings(owner.id, environment.id, { name, channels: [channel] });
  return { owner, member, channel, environment };
}

/** Slack's app_mention example, by `user` in `channel`, saying `text` after the app's mention. */
function mention(input: { channel: string; user: string; text: string; threadTs?: string }) {
  const payload = JSON.parse(fixture("app-mention.docs.json"));
  payload.event_id = `Ev0TEST${nextEvent++}`;
  payload.authorizations[0].user_id = slack.botUserId;
  const ts = slack.personMessage(input.channel);
  Object.assign(payload.event, { user: input.user, channel: input.channel, text: `<@${slack.botUserId}> ${input.text}`, ts, event_ts: ts });
  if (input.threadTs) payload.event.thread_ts = input.threadTs;
  return payload as { event_id: string; event: { ts: string; thread_ts?: string } };
}

/** Slack's example of a reply in a thread. */
function threadReply(input: { channel: string; user: string; text: string; threadTs: string }) {
  const payload = JSON.parse(fixture("message-in-thread.docs.json"));
  payload.event_id = `Ev0TEST${nextEvent++}`;
  payload.authorizations[0].user_id = slack.botUserId;
  const ts = slack.personMessage(input.channel);
  Object.assign(payload.event, { user: input.user, channel: input.channel, text: input.text, ts, event_ts: ts, thread_ts: input.threadTs });
  return payload;
}

/** Slack's slash command example, typed by `user` in `channel`. */
function slashCommand(input: { channel: string; user: string; text: string }) {
  const form = new URLSearchParams(fixture("slash-command.docs.txt"));
  form.set("command", "/patchbay");
  form.set("text", input.text);
  form.set("user_id", input.user);
  form.set("channel_id", input.channel);
  form.set("trigger_id", `${Date.now()}.${nextEvent++}.abcdef`);
  return form;
}

/** Posts to the Slack route as Slack does: signed with the app's secret (unless `signature` says otherwise). */
async function post(body: unknown, options: { signature?: "none" | "wrong" | "stale" } = {}) {
  const form = body instanceof URLSearchParams;
  const rawBody = form ? body.toString() : JSON.stringify(body);
  const now = Math.floor(Date.now() / 1000);
  const timestamp = options.signature === "stale" ? now - 600 : now;
  const headers: Record<string, string> = {
    "content-type": form ? "application/x-www-form-urlencoded" : "application/json",
    "x-slack-request-timestamp": String(timestamp),
  };
  if (options.signature !== "none")
    headers["x-slack-signature"] = signSlackRequest(options.signature === "wrong" ? "another-apps-secret" : SIGNING_SECRET, timestamp, rawBody);
  const response = await postToSlackRoute(new NextRequest("http://localhost/api/v1/webhooks/slack", { method: "POST", body: rawBody, headers }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { trigger?: string } };
}

const messagesIn = (channel: string) => slack.messages.filter((message) => message.channel === channel);

it("refuses requests without the app's signature, answers Slack's URL check, and records a redelivered event once", async () => {
  const { owner, member, channel, environment } = await slackEnvironment("sl-signatures");
  scripted.model.registerScript("sl-signatures", { steps: [{ say: "Nothing to change." }] });
  const payload = mention({ channel, user: member.id, text: "[[script:sl-signatures]] look at the greeting" });

  for (const signature of ["none", "wrong", "stale"] as const) {
    const refused = await post(payload, { signature });
    expect(refused.status).toBe(401);
  }
  expect(await db().trigger.count({ where: { environmentId: environment.id } })).toBe(0);

  const check = await post(JSON.parse(fixture("url-verification.docs.json")));
  expect(check).toEqual({ status: 200, body: { challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" } });

  const accepted = await post(payload);
  expect(accepted).toEqual({ status: 200, body: { trigger: expect.any(String), status: "received" } });
  // Slack sends an event again when the first answer took longer than three seconds.
  const again = await post(payload);
  expect(again.body.trigger).toBe(accepted.body.trigger);
  const done = await triggerWhen(owner.id, accepted.body.trigger ?? "", "answered", replySent("finished"));
  expect(done).toMatchObject({ source: "slack", event: "app_mention", status: "done", actor: member.id });
  expect(await db().task.count({ where: { environmentId: environment.id } })).toBe(1);
  expect(slack.violations).toEqual([]);
});

it("starts a task for the owner's mention, answers in its thread, and continues the task with a reply in the thread", async () => {
  const { owner, member, channel, environment } = await slackEnvironment("sl-mention");
  scripted.model.registerScript("sl-mention", {
    steps: [
      {
        calls: [
          {
            name: "apply_patch",
            arguments: {
              patch: '*** Begin Patch\n*** Update File: src/greet.js\n@@\n-  return "Hello, " + name;\n+  return "Hello, " + name + "!";\n*** End Patch',
            },
          },
        ],
      },
      { say: "The greeting now ends with an exclamation mark." },
    ],
  });
  scripted.model.registerScript("sl-follow-up", { steps: [{ say: "Checked again: the greeting is right." }] });
  const payload = mention({ channel, user: member.id, text: "[[script:sl-mention]] add an exclamation mark to the greeting" });
  const threadTs = payload.event.ts;

  const accepted = await post(payload);
  const done = await triggerWhen(
    owner.id,
    accepted.body.trigger ?? "",
    "done and answered",
    (trigger) => trigger.status === "done" && replySent("finished")(trigger),
  );
  const taskUrl = `${TEST_PUBLIC_URL}/tasks/${done.taskId}`;
  const task = await db().task.findUniqueOrThrow({ where: { id: done.taskId ?? "" }, select: { prompt: true, ownerId: true } });
  expect(task).toEqual({ prompt: "[[script:sl-mention]] add an exclamation mark to the greeting", ownerId: owner.id });

  // Both answers are in the mention's thread; the change waits in Patchbay (a chat request opens no pull request).
  const [started, finished, ...more] = messagesIn(channel);
  expect(more).toEqual([]);
  expect(started).toMatchObject({ threadTs, text: `Started a task for this request: <${taskUrl}|${taskUrl}> I will answer here when it ends.` });
  expect(finished?.threadTs).toBe(threadTs);
  expect(finished?.text).toContain("Done: 1 file changed. Review the change and open a pull request from the task in Patchbay.");
  expect(finished?.text).toContain("> The greeting now ends with an exclamation mark.");
  expect(finished?.text).toContain(`<${taskUrl}|Open the task in Patchbay>`);
  expect(await db().pullRequest.count({ where: { taskId: done.taskId ?? "" } })).toBe(0);
  expect(done.replies.map(({ kind, status, attempts }) => ({ kind, status, attempts }))).toEqual([
    { kind: "started", status: "sent", attempts: 1 },
    { kind: "finished", status: "sent", attempts: 1 },
  ]);

  // A reply in the thread (no mention needed) is a follow-up turn of the same task, answered in the thread.
  const followUp = await post(threadReply({ channel, user: member.id, text: "[[script:sl-follow-up]] check it once more", threadTs }));
  const continued = await triggerWhen(
    owner.id,
    followUp.body.trigger ?? "",
    "answered",
    (trigger) => trigger.status === "done" && replySent("finished")(trigger),
  );
  expect(continued).toMatchObject({ event: "message", taskId: done.taskId });
  const turns = await db().turn.findMany({ where: { taskId: done.taskId ?? "" }, orderBy: { index: "asc" }, select: { prompt: true } });
  expect(turns.map((turn) => turn.prompt)).toEqual([expect.stringContaining("add an exclamation mark"), "[[script:sl-follow-up]] check it once more"]);
  const [continuing, answered] = messagesIn(channel).slice(2);
  expect(continuing).toMatchObject({ threadTs, text: `Continuing the task with this message: <${taskUrl}|${taskUrl}> I will answer here when it ends.` });
  expect(answered?.text).toContain("> Checked again: the greeting is right.");

  // Replies in threads Patchbay has no task in, and Patchbay's own messages, are not even recorded.
  const count = await db().trigger.count({ where: { environmentId: environment.id } });
  expect((await post(threadReply({ channel, user: member.id, text: "unrelated", threadTs: slack.personMessage(channel) }))).body).toEqual({
    ignored: "a message in a thread without a Patchbay task",
  });
  const own = threadReply({ channel, user: slack.botUserId, text: "Started a task", threadTs });
  own.event.bot_id = "B0PATCHBAY";
  expect((await post(own)).status).toBe(200);
  expect(await db().trigger.count({ where: { environmentId: environment.id } })).toBe(count);
  expect(slack.violations).toEqual([]);
});

it("runs /patchbay <environment> <request>: the first answer starts the thread the last one goes to", async () => {
  const { owner, member, channel, environment } = await slackEnvironment("sl-command");
  scripted.model.registerScript("sl-command", { steps: [{ say: "The README already says that." }] });

  const unknown = await post(slashCommand({ channel, user: member.id, text: "no-such-env do something" }));
  expect(unknown).toEqual({
    status: 200,
    body: { response_type: "ephemeral", text: expect.stringMatching(/^No Patchbay environment answers to `no-such-env`/) },
  });
  const usage = await post(slashCommand({ channel, user: member.id, text: "sl-command" }));
  expect(usage.body.text).toMatch(/^Write `\/patchbay <environment> <what to do>`/);

  const accepted = await post(slashCommand({ channel, user: member.id, text: "SL-Command [[script:sl-command]] check the README" }));
  expect(accepted.body).toEqual({ response_type: "ephemeral", text: expect.stringMatching(/^Patchbay is on it: it answers in this channel/) });
  const [trigger] = await listTriggers(owner.id, { environmentId: environment.id });
  const done = await triggerWhen(owner.id, trigger?.id ?? "", "answered", replySent("finished"));
  expect(done).toMatchObject({ event: "slash_command", status: "done" });
  const [first, last, ...more] = messagesIn(channel);
  expect(more).toEqual([]);
  expect(first).toMatchObject({ threadTs: null });
  expect(first?.text).toMatch(new RegExp(`^<@${member.id}> asked: \\[\\[script:sl-command\\]\\] check the README\\nStarted a task`));
  expect(last).toMatchObject({ threadTs: first?.ts });
  expect(last?.text).toMatch(/^Finished without changing any files\./);
  expect(slack.violations).toEqual([]);
});

it("answers a person without a Patchbay account, and a mention in a channel no environment has", async () => {
  const { owner, channel, environment } = await slackEnvironment("sl-stranger");
  const stranger = slack.addMember({ name: "stranger", email: "stranger@elsewhere.test" });
  const accepted = await post(mention({ channel, user: stranger.id, text: "delete everything" }));
  const refused = await triggerWhen(owner.id, accepted.body.trigger ?? "", "refused and answered", replySent("refused"));
  expect(refused).toMatchObject({
    status: "refused",
    reason: `user not allowed: no Patchbay account has the e-mail of ${stranger.id}'s Slack profile`,
    taskId: null,
  });
  expect(messagesIn(channel).at(-1)?.text).toBe(`Nothing was started: user not allowed: no Patchbay account has the e-mail of ${stranger.id}'s Slack profile.`);
  expect(await db().task.count({ where: { environmentId: environment.id } })).toBe(0);

  const elsewhere = "C0NOBODY01";
  slack.addChannel(elsewhere);
  const payload = mention({ channel: elsewhere, user: stranger.id, text: "hello?" });
  expect((await post(payload)).body).toEqual({ ignored: "the channel belongs to no environment" });
  const notice = await waitFor("the notice in the channel", async () => messagesIn(elsewhere)[0] ?? null, 60_000, 100);
  expect(notice).toMatchObject({ threadTs: payload.event.ts, text: expect.stringMatching(/^This channel is not connected to a Patchbay environment/) });
  expect(slack.violations).toEqual([]);
});

it("keeps a reply Slack fails twice and delivers it on the third try; a reply Slack refuses fails at once and Retry sends it again", async () => {
  const { owner, member, channel, environment } = await slackEnvironment("sl-outbox");
  scripted.model.registerScript("sl-outbox", { steps: [{ say: "Nothing to change." }] });
  // The started reply meets two outages (Slack's 503, then its rate limit) before Slack takes it.
  slack.failNext("chat.postMessage", [503, 429], (args) => String(args.text).startsWith("Started"));
  const accepted = await post(mention({ channel, user: member.id, text: "[[script:sl-outbox]] look" }));
  const pending = await triggerWhen(owner.id, accepted.body.trigger ?? "", "a reply pending", (trigger) =>
    trigger.replies.some((reply) => reply.kind === "started" && reply.status === "pending"),
  );
  expect(pending.replies.find((reply) => reply.kind === "started")?.error).toMatch(
    /^Could not post in Slack: (Slack answered HTTP 503|Slack limits the app.s calls)/,
  );
  const done = await triggerWhen(owner.id, accepted.body.trigger ?? "", "answered", replySent("finished"));
  expect(done.replies.find((reply) => reply.kind === "started")).toMatchObject({ status: "sent", attempts: 3 });
  expect(messagesIn(channel).filter((message) => message.text.startsWith("Started a task"))).toHaveLength(1);

  // Patchbay's app removed from the channel: Slack answers not_in_channel, which no retry changes.
  const gone = `C0GONE${String(nextChannel++).padStart(4, "0")}`;
  await setSlackSettings(owner.id, environment.id, { name: "sl-outbox", channels: [gone] });
  const second = await post(mention({ channel: gone, user: member.id, text: "[[script:sl-outbox]] look again" }));
  const failed = await triggerWhen(owner.id, second.body.trigger ?? "", "its reply failed", (trigger) =>
    trigger.replies.some((reply) => reply.kind === "started" && reply.status === "failed"),
  );
  expect(failed.replies.find((reply) => reply.kind === "started")).toMatchObject({
    attempts: 1,
    error: "Could not post in Slack: the Patchbay app is not in the channel: invite it (/invite @Patchbay).",
  });
  expect(failed.retryable).toBe(true);
  slack.addChannel(gone);
  await triggerWhen(owner.id, second.body.trigger ?? "", "finished", (trigger) => trigger.status === "done");
  await retryTrigger(owner.id, second.body.trigger ?? "");
  const retried = await triggerWhen(owner.id, second.body.trigger ?? "", "its replies sent", (trigger) => replySent("started")(trigger));
  expect(retried.steps.map((step) => step.step)).toContain("retried");
  expect(messagesIn(gone).some((message) => message.text.startsWith("Started a task"))).toBe(true);
  expect(slack.violations).toEqual([]);
});

it("keeps Slack names and channels to one environment each, and its test event lands in the inbox", async () => {
  const { owner, channel, environment } = await slackEnvironment("sl-settings");
  const other = await createEnvironment(owner.id, { name: "sl-settings-2", repoUrl: repo.url });
  await expect(setSlackSettings(owner.id, other.id, { name: "sl-settings", channels: [] })).rejects.toThrow(/already answers to \/patchbay sl-settings/);
  await expect(setSlackSettings(owner.id, other.id, { name: "other", channels: [channel] })).rejects.toThrow(/already belongs to another environment/);
  await expect(setSlackSettings(owner.id, other.id, { name: "two words", channels: [] })).rejects.toThrow(/one word/);
  expect((await getEnvironment(owner.id, environment.id)).slack).toEqual({ name: "sl-settings", channels: [channel] });

  const sent = await sendSlackTestEvent(owner.id, environment.id, SIGNING_SECRET);
  const [test] = await listTriggers(owner.id, { environmentId: environment.id });
  expect(test).toMatchObject({ id: sent.body.trigger, source: "slack", event: "test", status: "done", summary: "test: the Slack signing secret works" });
  const stranger = await createUser();
  await expect(sendSlackTestEvent(stranger.id, environment.id, SIGNING_SECRET)).rejects.toThrow("Environment not found.");
});
