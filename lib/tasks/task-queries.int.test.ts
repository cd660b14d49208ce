// The task list and the task's DTO against real Postgres: who sees which task (the author, and the
// environment's owner for copy changes), newest first within the limit, and each task's turn count.
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createUser } from "@/test/support/test-worker";
import { getTask, listTasks } from "./task-queries";

async function environmentOf(ownerId: string): Promise<string> {
  const environment = await db().environment.create({
    data: { ownerId, name: "list", repoUrl: "https://example.com/list.git", defaultBranch: "main" },
    select: { id: true },
  });
  return environment.id;
}

let minute = 0;
/** A task created a minute after the previous one, with `turns` turns of one finished attempt each. */
async function task(ownerId: string, environmentId: string, mode: "code" | "copy", title: string, turns = 1): Promise<string> {
  minute += 1;
  const row = await db().task.create({
    data: {
      ownerId,
      environmentId,
      mode,
      prompt: title,
      branch: "main",
      title,
      createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
      turns: {
        create: Array.from({ length: turns }, (_, index) => ({ index, prompt: title, attempts: { create: { index: 0, status: "completed" as const } } })),
      },
    },
    select: { id: true },
  });
  return row.id;
}

describe("listTasks", () => {
  it("lists the author's tasks and the copy changes proposed in their environments, newest first, within the limit", async () => {
    const engineer = await createUser();
    const copywriter = await createUser();
    await db().user.update({ where: { id: copywriter.id }, data: { role: "copywriter" } });
    const stranger = await createUser();
    const mine = await environmentOf(engineer.id);
    const theirs = await environmentOf(stranger.id);

    const own1 = await task(engineer.id, mine, "code", "own 1");
    const copy1 = await task(copywriter.id, mine, "copy", "copy in mine 1");
    await task(copywriter.id, mine, "code", "not a copy change");
    await task(copywriter.id, theirs, "copy", "copy in theirs");
    await task(stranger.id, mine, "code", "stranger's code in mine");
    const own2 = await task(engineer.id, theirs, "code", "own 2 elsewhere", 3);
    const ownCopy = await task(engineer.id, mine, "copy", "own copy in mine");
    const copy2 = await task(copywriter.id, mine, "copy", "copy in mine 2");

    const listed = await listTasks(engineer.id);
    expect(listed.map((dto) => dto.id)).toEqual([copy2, ownCopy, own2, copy1, own1]);
    expect(listed.find((dto) => dto.id === own2)?.turns).toBe(3);
    expect(listed.find((dto) => dto.id === own1)?.turns).toBe(1);
    expect(listed.find((dto) => dto.id === copy2)?.author).toBe(copywriter.email);

    // The limit takes the newest across both ways of seeing a task.
    expect((await listTasks(engineer.id, 3)).map((dto) => dto.id)).toEqual([copy2, ownCopy, own2]);
    expect((await listTasks(engineer.id, 1)).map((dto) => dto.id)).toEqual([copy2]);

    // The copywriter sees only their own tasks, in the copywriter's view.
    const theirList = await listTasks(copywriter.id);
    expect(theirList.map((dto) => dto.title)).toEqual(["copy in mine 2", "copy in theirs", "not a copy change", "copy in mine 1"]);
    expect(theirList.every((dto) => dto.attempts.every((attempt) => attempt.baseCommit === null && attempt.finalMessage === null))).toBe(true);

    expect(await listTasks((await createUser()).id)).toEqual([]);
  });
});

describe("getTask", () => {
  it("counts the task's turns and keeps the same visibility as the list", async () => {
    const engineer = await createUser();
    const copywriter = await createUser();
    const environment = await environmentOf(engineer.id);
    const code = await task(engineer.id, environment, "code", "two turns", 2);
    const copy = await task(copywriter.id, environment, "copy", "a copy change");
    const dto = await getTask(engineer.id, code);
    expect(dto.turns).toBe(2);
    expect(dto).toEqual((await listTasks(engineer.id)).find((listed) => listed.id === code));
    expect((await getTask(engineer.id, copy)).turns).toBe(1);
    await expect(getTask(copywriter.id, code)).rejects.toMatchObject({ code: "not_found" });
  });
});
