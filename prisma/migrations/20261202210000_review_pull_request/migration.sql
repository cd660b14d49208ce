-- Review mode on a pull request given by its URL: its number on the task, the reviewed head on the attempt.
ALTER TABLE "Task" ADD COLUMN "reviewPullRequest" INTEGER;
ALTER TABLE "Attempt" ADD COLUMN "reviewedHead" TEXT;
