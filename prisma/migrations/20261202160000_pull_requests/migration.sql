-- Pull requests: an environment's forge connection (token sealed like secrets) and one PR per task.
ALTER TABLE "Environment" ADD COLUMN "forge" JSONB;

CREATE TABLE "PullRequest" (
    "id" TEXT NOT NULL,
    "taskId" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "baseBranch" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "url" TEXT,
    "number" INTEGER,
    "headCommit" TEXT,
    "turns" INTEGER NOT NULL DEFAULT 0,
    "forgeState" JSONB,
    "requestedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "settledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PullRequest_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "PullRequest_taskId_key" ON "PullRequest"("taskId");

ALTER TABLE "PullRequest" ADD CONSTRAINT "PullRequest_taskId_fkey" FOREIGN KEY ("taskId") REFERENCES "Task"("id") ON DELETE CASCADE ON UPDATE CASCADE;
