import { notFound } from "next/navigation";
import { listPeople, ROLES } from "@/lib/auth/people";
import { requireUser } from "@/lib/http/require-user";
import { AddPersonForm } from "./add-person-form";
import { RoleForm } from "./role-form";

export default async function PeoplePage() {
  const user = await requireUser();
  // Not found rather than forbidden: the page does not exist for anyone but admins.
  if (user.role !== "admin") notFound();
  const people = await listPeople();
  return (
    <>
      <h1>People</h1>
      <div className="panel">
        <h2 style={{ marginTop: 0 }}>Add a person</h2>
        <AddPersonForm roles={ROLES} />
      </div>
      <div className="panel">
        <p className="muted" style={{ marginTop: 0 }}>
          A role change applies from the person&apos;s next page load or API request; nobody needs to sign in again.
        </p>
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Added</th>
            </tr>
          </thead>
          <tbody>
            {people.map((person) => (
              <tr key={person.id}>
                <td>
                  {person.email}
                  {person.id === user.id && <span className="muted"> (you)</span>}
                </td>
                <td>{person.name ?? ""}</td>
                <td>
                  {/* Keyed by the stored role so the form starts afresh whenever the role really changes. */}
                  <RoleForm key={`${person.id}:${person.role}`} person={person} roles={ROLES} />
                </td>
                <td className="muted">{person.createdAt.slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
