-- Copy mode's page pictures: a task mode that renders the app's pages at the branch head, and on each
-- commit's catalog the pictures with where every text was found on them.
ALTER TYPE "TaskMode" ADD VALUE 'pages';
ALTER TABLE "CopyCatalog" ADD COLUMN "pageMap" JSONB;
