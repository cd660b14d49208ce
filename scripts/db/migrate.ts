// `npm run db:migrate`: applies committed migrations to DATABASE_URL.
import { loadDatabaseUrl } from "@/lib/env";
import { applyMigrations } from "./run-migrations";

const applied = await applyMigrations(loadDatabaseUrl(), (line) => console.log(line));
console.log(applied.length ? `applied ${applied.length} migration(s)` : "database is up to date");
