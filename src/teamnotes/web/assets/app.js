// The top level: signed in or not, and which screen the address names.
import { loadAccount, personalWorkspace } from './account.js';
import { html, useEffect, useState } from './html.js';
import { navigate, useRoute, workspacePath } from './router.js';
import { AuthScreen } from './screens/auth.js';
import { InviteScreen, keepInvitation, pendingInvitation } from './screens/invite.js';
import { session } from './session.js';
import { Shell } from './shell.js';
import { app } from './store.js';
import { ErrorMessage, Loading } from './ui.js';

function readConfig() {
  const meta = document.querySelector('meta[name="teamnotes-config"]');
  try {
    return { ...app.get().config, ...JSON.parse(meta.content) };
  } catch {
    return app.get().config;
  }
}

// Tokens handed over in the fragment (never sent to a server): an identity
// provider's (`/#provider_token=…`) and an invitation's (`/invite#token=…`).
// Both leave the address bar, and so the history, at once.
function takeFragment() {
  const handed = new URLSearchParams(location.hash.slice(1));
  const providerToken = handed.get('provider_token');
  if (providerToken) session.adoptProvider(providerToken);
  if (location.pathname === '/invite' && handed.get('token')) keepInvitation(handed.get('token'));
  if (location.hash) history.replaceState(null, '', `${location.pathname}${location.search}`);
}

function NotFound() {
  return html`<main class="centered" id="main">
    <h1>Page not found</h1>
    <p><a href="/">Back to your notes</a></p>
  </main>`;
}

export function App() {
  const [phase, setPhase] = useState('starting');
  const [reason, setReason] = useState(null);
  const [error, setError] = useState(null);
  const route = useRoute();

  const enter = async () => {
    setPhase('starting');
    try {
      await loadAccount();
      setPhase('ready');
    } catch (failure) {
      if (failure.status === 401) return;
      setError(failure);
      setPhase('failed');
    }
  };

  useEffect(() => {
    app.set({ config: readConfig() });
    takeFragment();
    const stop = session.subscribe((why) => {
      app.set({ user: null, workspaces: null });
      setReason(why);
      setPhase('signed-out');
    });
    session.resume().then((resumed) => (resumed ? enter() : setPhase('signed-out')));
    return stop;
  }, []);

  useEffect(() => {
    if (phase === 'ready' && route.name === 'home') {
      const personal = personalWorkspace();
      if (pendingInvitation()) navigate('/invite', { replace: true });
      else if (personal) navigate(workspacePath(personal.id), { replace: true });
    }
  }, [phase, route.name]);

  if (phase === 'starting') return html`<${Loading} label="Starting Team Notes…" />`;
  if (phase === 'failed') {
    return html`<main class="centered" id="main">
      <h1>Team Notes could not start</h1>
      <${ErrorMessage} error=${error} retry=${enter} />
    </main>`;
  }
  if (phase === 'signed-out') {
    const purpose =
      route.name === 'invite' ? 'Sign in or create an account to accept the invitation.' : null;
    const signedIn = async () => {
      setReason(null);
      await enter();
    };
    return html`<${AuthScreen} reason=${reason} purpose=${purpose} onSignedIn=${signedIn} />`;
  }
  if (route.name === 'invite') return html`<${InviteScreen} />`;
  if (route.name === 'home') return html`<${Loading} />`;
  if (route.name === 'not-found') return html`<${NotFound} />`;
  return html`<${Shell} route=${route} />`;
}
