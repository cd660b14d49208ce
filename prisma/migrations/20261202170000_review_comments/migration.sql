-- Review comments on a task's diff lines, sent to the agent together as one follow-up turn.
CREATE TABLE "ReviewComment" (
    "id" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "side" TEXT NOT NULL DEFAULT 'new',
    "body" TEXT NOT NULL,
    "turnIndex" INTEGER,
    "number" INTEGER,
    "resolved" BOOLEAN,
    "reply" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewComment_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "ReviewComment_taskId_createdAt_idx" ON "ReviewComment"("taskId", "createdAt");

ALTER TABLE "ReviewComment" ADD CONSTRAINT "ReviewComment_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
