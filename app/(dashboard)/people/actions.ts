"use server";

import { revalidatePath } from "next/cache";
import { assertAdmin, createInvitation, createPerson, revokeInvitation, setRole } from "@/lib/auth/people";
import { requireUser } from "@/lib/http/require-user";
import { actionErrorMessage, formText } from "@/lib/http/form-fields";

export type AddPersonState = { error?: string; added?: string };
export type RoleFormState = { error?: string; saved?: boolean };
export type InviteState = { error?: string; invited?: string };

// Server actions are public endpoints: each one checks the caller's role in the database itself.
export async function addPersonAction(_previous: AddPersonState, form: FormData): Promise<AddPersonState> {
  const user = await requireUser();
  let added: string;
  try {
    await assertAdmin(user.id);
    const person = await createPerson({ email: formText(form, "email"), password: formText(form, "password"), role: formText(form, "role") });
    added = person.email;
  } catch (error) {
    return { error: actionErrorMessage(error) };
  }
  revalidatePath("/people");
  return { added };
}

export async function changeRoleAction(userId: string, _previous: RoleFormState, form: FormData): Promise<RoleFormState> {
  const user = await requireUser();
  try {
    await setRole(user.id, userId, formText(form, "role"));
  } catch (error) {
    return { error: actionErrorMessage(error) };
  }
  revalidatePath("/people");
  return { saved: true };
}

export async function inviteAction(_previous: InviteState, form: FormData): Promise<InviteState> {
  const user = await requireUser();
  let invited: string;
  try {
    invited = (await createInvitation(user.id, { email: formText(form, "email"), role: formText(form, "role") })).email;
  } catch (error) {
    return { error: actionErrorMessage(error) };
  }
  revalidatePath("/people");
  return { invited };
}

export async function revokeInvitationAction(invitationId: string): Promise<{ error?: string }> {
  const user = await requireUser();
  try {
    await revokeInvitation(user.id, invitationId);
  } catch (error) {
    return { error: actionErrorMessage(error) };
  }
  revalidatePath("/people");
  return {};
}
