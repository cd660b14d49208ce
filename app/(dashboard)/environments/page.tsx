import Link from "next/link";
import { redirect } from "next/navigation";
import { listEnvironments } from "@/lib/environments/environment-queries";
import { requireUser } from "@/lib/http/require-user";
import { CopyPathsForm } from "./copy-paths-form";
import { EnvironmentForm } from "./environment-form";

export default async function EnvironmentsPage() {
  const user = await requireUser();
  if (user.role === "copywriter") redirect("/copy");
  const environments = await listEnvironments(user.id);
  return (
    <>
      <h1>Environments</h1>
      <div className="panel">
        <h2 style={{ marginTop: 0 }}>New environment</h2>
        <EnvironmentForm />
      </div>
      <div className="panel">
        {environments.length === 0 ? (
          <p className="muted">No environments yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Repository</th>
                <th>Default branch</th>
                <th>Copywriters may change</th>
              </tr>
            </thead>
            <tbody>
              {environments.map((env) => (
                <tr key={env.id}>
                  <td>
                    <Link href={`/environments/${env.id}`}>{env.name}</Link>
                    <div className="muted">{env.setupScript ? `setup script · Node.js ${env.nodeVersion}` : "no setup script"}</div>
                  </td>
                  <td className="files">{env.repoUrl}</td>
                  <td className="files">{env.defaultBranch}</td>
                  <td>
                    <CopyPathsForm environmentId={env.id} environmentName={env.name} paths={env.copyPaths.copywriter ?? []} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
