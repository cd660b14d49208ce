// Who sees a task: its author, and for copy changes also the environment's owner — the engineer who
// reviews and ships what copywriters propose. Changing a task (cancel, follow-up, select) stays the author's.
import type { Prisma } from "@/lib/db";

export function visibleTo(userId: string): Prisma.TaskWhereInput {
  return { OR: [{ ownerId: userId }, { mode: "copy", environment: { ownerId: userId } }] };
}
