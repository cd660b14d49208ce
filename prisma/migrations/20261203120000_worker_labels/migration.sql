-- Worker labels (lib/workers/worker-labels.ts): what an environment requires of the worker that runs its
-- tasks, and a copy on each attempt taken when it is queued (it names the attempt's queue).
ALTER TABLE "Environment" ADD COLUMN "workerLabels" TEXT[] DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Attempt" ADD COLUMN "workerLabels" TEXT[] DEFAULT ARRAY[]::TEXT[];
