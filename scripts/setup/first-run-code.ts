// Prints the first-run setup code while the install has no users; npm start runs it before the web app.
// Each run replaces the previous code. Usage: tsx scripts/setup/first-run-code.ts [login URL]
import { issueSetupCode } from "@/lib/auth/first-run";
import { disconnectDb } from "@/lib/db";

const loginUrl = process.argv[2] ?? "http://localhost:3000/login";
const code = await issueSetupCode();
if (code) console.log(`First run: open ${loginUrl} and enter the setup code ${code}`);
await disconnectDb();
