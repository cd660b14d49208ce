-- A pull request Patchbay did not open (a comment on it asked for a change): its commits go on its branch,
-- but its title and description stay the author's.
ALTER TABLE "PullRequest" ADD COLUMN "adopted" BOOLEAN NOT NULL DEFAULT false;
