-- AlterTable
ALTER TABLE "Environment" ADD COLUMN "copyPaths" JSONB;
ALTER TABLE "Turn" ADD COLUMN "copyRequest" JSONB;
ALTER TABLE "Attempt" ADD COLUMN "copyChanges" JSONB;

-- CreateTable
CREATE TABLE "CopyCatalog" (
    "id" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "commit" TEXT NOT NULL,
    "branch" TEXT NOT NULL,
    "entries" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "checkedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CopyCatalog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CopyCatalog_environmentId_commit_key" ON "CopyCatalog"("environmentId", "commit");
CREATE INDEX "CopyCatalog_environmentId_checkedAt_idx" ON "CopyCatalog"("environmentId", "checkedAt");

-- AddForeignKey
ALTER TABLE "CopyCatalog" ADD CONSTRAINT "CopyCatalog_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "Environment"("id") ON DELETE CASCADE ON UPDATE CASCADE;
