-- AlterTable
ALTER TABLE "Environment" ADD COLUMN "checkCommand" TEXT;

-- AlterTable
ALTER TABLE "Turn" ADD COLUMN "selectedAttemptId" TEXT;

-- AlterTable
ALTER TABLE "Attempt" ADD COLUMN "checkPassed" BOOLEAN,
ADD COLUMN "checkOutput" TEXT;
