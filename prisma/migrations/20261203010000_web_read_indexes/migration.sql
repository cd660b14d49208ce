-- The web's reads on a large database (docs/benchmarks.md §5, B14).
-- The timeline replays a task's events in id order after a cursor: with (attemptId, id) each attempt's
-- events after the cursor are one ordered index range, instead of every event of the attempt read and sorted
-- on every page.
CREATE INDEX "Event_attemptId_id_idx" ON "Event"("attemptId", "id");
-- Copy changes are visible to the environment's owner: their newest ones are one index range per
-- environment. Also serves the foreign key when an environment is deleted.
CREATE INDEX "Task_environmentId_mode_createdAt_idx" ON "Task"("environmentId", "mode", "createdAt");
