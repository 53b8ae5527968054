// The signed-in user and their workspaces, as every screen sees them.
import { get } from './api.js';
import { app } from './store.js';

export async function loadAccount() {
  const [user, workspaces] = await Promise.all([get('/auth/me'), listWorkspaces()]);
  app.set({ user, workspaces });
}

async function listWorkspaces() {
  const page = await get('/workspaces?limit=100');
  return page.items;
}

export async function refreshWorkspaces() {
  app.set({ workspaces: await listWorkspaces() });
}

export function personalWorkspace() {
  const { workspaces } = app.get();
  return (workspaces || []).find((workspace) => workspace.personal) || null;
}

// The personal workspace is called "Personal" until its owner renames it.
export function workspaceLabel(workspace) {
  if (!workspace.personal || workspace.name.toLowerCase().includes('personal')) return workspace.name;
  return `${workspace.name} (personal)`;
}
