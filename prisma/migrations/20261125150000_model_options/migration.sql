-- AlterTable
ALTER TABLE "Environment" ADD COLUMN "modelApi" TEXT NOT NULL DEFAULT 'responses';

-- AlterTable
ALTER TABLE "Task" ADD COLUMN "reasoningEffort" TEXT;
