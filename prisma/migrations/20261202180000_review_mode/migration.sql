-- Review mode: a task that reviews another task's change and reports findings, which can be posted to
-- that task's pull request as one review.
ALTER TYPE "TaskMode" ADD VALUE 'review';
ALTER TABLE "Task" ADD COLUMN "reviewOfTaskId" TEXT;
ALTER TABLE "Attempt" ADD COLUMN "reviewPost" JSONB;

CREATE TABLE "ReviewFinding" (
    "id" TEXT NOT NULL,
    "attemptId" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "startLine" INTEGER NOT NULL,
    "endLine" INTEGER NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "suggestion" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewFinding_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "ReviewFinding_attemptId_idx" ON "ReviewFinding"("attemptId");

ALTER TABLE "ReviewFinding" ADD CONSTRAINT "ReviewFinding_attemptId_fkey" FOREIGN KEY ("attemptId") REFERENCES "Attempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;
