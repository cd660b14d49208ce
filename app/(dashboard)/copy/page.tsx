import Link from "next/link";
import { listCopyEnvironments } from "@/lib/copy/copy-environments";
import { DEMO_ENVIRONMENT_NAME } from "@/lib/demo/demo-environment";
import { requireUser } from "@/lib/http/require-user";
import { DemoButton } from "./demo-button";

export default async function CopyPage() {
  const user = await requireUser();
  const { role, environments } = await listCopyEnvironments(user.id);
  return (
    <>
      <h1>Copy</h1>
      <p className="muted">Change the words on your site — button labels, headings, messages — without touching code.</p>
      {environments.length === 0 ? (
        <div className="panel" data-testid="no-copy-environments">
          {role === "copywriter" ? (
            <p>No site has been opened to copywriters yet. Ask an engineer to list the paths copywriters may change on an environment.</p>
          ) : (
            <>
              <p>
                You have no environments yet. <Link href="/environments">Add an environment</Link> to edit its texts here, or start with the demo:
              </p>
              <DemoButton />
            </>
          )}
        </div>
      ) : (
        <ul className="panel" data-testid="copy-environments">
          {environments.map((environment) => (
            <li key={environment.id}>
              <Link href={`/copy/${environment.id}`}>{environment.name}</Link>
              {environment.allowedPaths && <span className="muted"> · you may change {environment.allowedPaths.join(", ")}</span>}
            </li>
          ))}
        </ul>
      )}
      {role !== "copywriter" && environments.length > 0 && !environments.some((environment) => environment.name === DEMO_ENVIRONMENT_NAME) && (
        <div className="panel">
          <DemoButton />
        </div>
      )}
    </>
  );
}
