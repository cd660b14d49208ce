-- "Update branch": the base commit each push was made on, and the state of the last update.
ALTER TABLE "PullRequest" ADD COLUMN "baseCommit" TEXT;
ALTER TABLE "PullRequest" ADD COLUMN "branchUpdate" JSONB;
