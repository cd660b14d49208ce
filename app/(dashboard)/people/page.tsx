import { notFound } from "next/navigation";
import { listInvitations, listPeople, ROLES } from "@/lib/auth/people";
import { webEnv } from "@/lib/env";
import { requireUser } from "@/lib/http/require-user";
import { AddPersonForm } from "./add-person-form";
import { InviteForm } from "./invite-form";
import { RevokeInvitationButton } from "./revoke-invitation-button";
import { RoleForm } from "./role-form";

export default async function PeoplePage() {
  const user = await requireUser();
  // Not found rather than forbidden: the page does not exist for anyone but admins.
  if (user.role !== "admin") notFound();
  const people = await listPeople();
  const invitations = await listInvitations(user.id);
  const github = Boolean(webEnv().GITHUB_ID && webEnv().GITHUB_SECRET);
  const now = new Date().toISOString();
  return (
    <>
      <h1>People</h1>
      <div className="panel">
        <h2 style={{ marginTop: 0 }}>Add a person</h2>
        <AddPersonForm roles={ROLES} />
      </div>
      <div className="panel">
        <h2 style={{ marginTop: 0 }}>Invite by GitHub email</h2>
        {!github && <p className="muted">GitHub sign-in is off (set GITHUB_ID and GITHUB_SECRET); invitations take effect once it is on.</p>}
        <InviteForm roles={ROLES} />
        {invitations.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Invited email</th>
                <th>Role</th>
                <th>Expires</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.email}</td>
                  <td>{invitation.role}</td>
                  <td className="muted">{invitation.expiresAt < now ? "expired" : invitation.expiresAt.slice(0, 10)}</td>
                  <td>
                    <RevokeInvitationButton invitationId={invitation.id} email={invitation.email} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
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
