// Prints the e2e environment as shell exports for scripts/e2e/serve.sh.
import { e2eEnv } from "./env";

for (const [key, value] of Object.entries(e2eEnv)) console.log(`export ${key}=${JSON.stringify(value)}`);
