-- "Update branch": the base commit each push was made on, the state of the last update, and the turn that
-- moves a conflicting change onto the newer base for the agent to resolve.
ALTER TABLE "PullRequest" ADD COLUMN "baseCommit" TEXT;
ALTER TABLE "PullRequest" ADD COLUMN "branchUpdate" JSONB;
ALTER TABLE "Turn" ADD COLUMN "rebaseOnto" TEXT;
