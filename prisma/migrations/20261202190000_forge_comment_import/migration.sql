-- Review comments left on the pull request on the forge, pulled in as drafts (once each).
ALTER TABLE "ReviewComment" ADD COLUMN "externalId" TEXT;
ALTER TABLE "ReviewComment" ADD COLUMN "externalAuthor" TEXT;
CREATE UNIQUE INDEX "ReviewComment_taskId_externalId_key" ON "ReviewComment"("taskId", "externalId");
ALTER TABLE "PullRequest" ADD COLUMN "commentImport" JSONB;
