import Link from "next/link";
import { listEnvironments } from "@/lib/environments/environment-queries";
import { requireUser } from "@/lib/http/require-user";
import { listTasks } from "@/lib/tasks/task-queries";
import { LiveRefresh } from "./live-refresh";
import { DemoButton } from "./copy/demo-button";
import { NewTaskForm } from "./new-task-form";

export default async function TasksPage() {
  const user = await requireUser();
  const [environments, tasks] = await Promise.all([listEnvironments(user.id), listTasks(user.id)]);
  const anyActive = tasks.some((task) => task.status === "queued" || task.status === "running");
  return (
    <>
      <h1>Tasks</h1>
      <div className="panel">
        {user.role === "copywriter" ? (
          <p>
            To change texts on a site, open <Link href="/copy">Copy</Link>. Your proposed changes appear below.
          </p>
        ) : environments.length === 0 ? (
          <>
            <p>
              No environments yet. <Link href="/environments">Create an environment</Link> for a repository first, or try copy mode on the demo site:
            </p>
            <DemoButton />
          </>
        ) : (
          <NewTaskForm environments={environments.map((env) => ({ id: env.id, name: env.name, defaultBranch: env.defaultBranch }))} />
        )}
      </div>
      <div className="panel">
        {tasks.length === 0 ? (
          <p className="muted">No tasks yet.</p>
        ) : (
          <table data-testid="task-list">
            <thead>
              <tr>
                <th>Task</th>
                <th>Environment</th>
                <th>Status</th>
                <th>Changes</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((task) => (
                <tr key={task.id}>
                  <td>
                    <Link href={`/tasks/${task.id}`}>{task.title || "(untitled)"}</Link>
                  </td>
                  <td>{task.environment.name}</td>
                  <td>
                    <span className={`badge ${task.status}`} data-testid="task-status">
                      {task.status}
                    </span>
                  </td>
                  <td>
                    {task.attempt && task.attempt.filesChanged > 0 ? (
                      <>
                        <span className="add">+{task.attempt.additions}</span> <span className="del">−{task.attempt.deletions}</span>
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="muted">{new Date(task.createdAt).toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <LiveRefresh active={anyActive} />
    </>
  );
}
