// An environment's place in Slack: the name people type in `/patchbay <name> <request>` and the channels
// where a mention of the app works in it. Stored on Environment.slack; the Slack app itself (its signing
// secret and bot token) belongs to the whole installation (PATCHBAY_SLACK_* variables).
import { z } from "zod";
import { db, DbNull } from "@/lib/db";
import { AppError } from "@/lib/errors";

export const slackSettingsSchema = z.strictObject({
  name: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9._-]{0,39}$/, "The Slack name is one word of letters, digits, dots, dashes or underscores (at most 40), as typed after /patchbay."),
  channels: z
    .array(
      z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[CG][A-Z0-9]{6,20}$/, "A channel is given by its id, like C0123456789 (in Slack: the channel's name → About → Channel ID)."),
    )
    .max(20)
    .default([]),
});
export type SlackSettings = z.infer<typeof slackSettingsSchema>;

export function slackSettings(stored: unknown): SlackSettings | null {
  const parsed = slackSettingsSchema.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** Sets (or replaces) the environment's Slack name and channels; both must be free of other environments. */
export async function setSlackSettings(userId: string, environmentId: string, input: unknown): Promise<SlackSettings> {
  const settings = slackSettingsSchema.parse(input);
  const environment = await db().environment.findFirst({ where: { id: environmentId, ownerId: userId }, select: { id: true } });
  if (!environment) throw new AppError("not_found", "Environment not found.");
  const others = await db().environment.findMany({ where: { id: { not: environment.id }, slack: { not: DbNull } }, select: { slack: true } });
  for (const other of others.map((row) => slackSettings(row.slack)).filter((value) => value !== null)) {
    if (other.name === settings.name)
      throw new AppError("conflict", `Another environment already answers to /patchbay ${settings.name} in Slack; pick another name.`);
    const shared = settings.channels.find((channel) => other.channels.includes(channel));
    if (shared) throw new AppError("conflict", `Channel ${shared} already belongs to another environment; a channel's mentions go to one environment.`);
  }
  await db().environment.update({ where: { id: environment.id }, data: { slack: settings } });
  return settings;
}

export async function clearSlackSettings(userId: string, environmentId: string): Promise<void> {
  const { count } = await db().environment.updateMany({ where: { id: environmentId, ownerId: userId }, data: { slack: DbNull } });
  if (count === 0) throw new AppError("not_found", "Environment not found.");
}

/** The environment that answers to `/patchbay <name>`, or whose channel a mention was made in. */
export async function environmentForSlack(match: { name: string } | { channel: string }): Promise<{ id: string } | null> {
  const rows = await db().environment.findMany({
    where: "name" in match ? { slack: { path: ["name"], equals: match.name } } : { slack: { path: ["channels"], array_contains: [match.channel] } },
    select: { id: true },
    take: 1,
  });
  return rows[0] ?? null;
}
