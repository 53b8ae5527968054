// Sign in, create an account, or sign in through the identity provider.
import { html, useState } from '../html.js';
import { session } from '../session.js';
import { app, useStore } from '../store.js';
import { ErrorMessage, useAction } from '../ui.js';

function Field({ id, label, error, ...input }) {
  const hint = error ? `${id}-error` : undefined;
  return html`<div class="field">
    <label for=${id}>${label}</label>
    <input id=${id} aria-invalid=${error ? 'true' : undefined} aria-describedby=${hint} ...${input} />
    ${error && html`<p class="field-error" id=${hint}>${error}</p>`}
  </div>`;
}

function PasswordForm({ mode, onDone }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const registering = mode === 'register';
  const action = useAction(async () => {
    if (registering) await session.register(email.trim(), password, name.trim());
    else await session.signIn(email.trim(), password);
    await onDone();
  });
  const submit = (event) => {
    event.preventDefault();
    action.run();
  };
  const fieldError = (field) => (action.error && action.error.forField ? action.error.forField(field) : null);
  return html`<form class="stack" onSubmit=${submit} aria-busy=${action.pending}>
    ${registering &&
    html`<${Field}
      id="auth-name"
      label="Your name (optional)"
      autocomplete="name"
      value=${name}
      onInput=${(event) => setName(event.target.value)}
      error=${fieldError('display_name')}
    />`}
    <${Field}
      id="auth-email"
      label="Email"
      type="email"
      autocomplete="email"
      required
      value=${email}
      onInput=${(event) => setEmail(event.target.value)}
      error=${fieldError('email')}
    />
    <${Field}
      id="auth-password"
      label="Password"
      type="password"
      autocomplete=${registering ? 'new-password' : 'current-password'}
      minlength=${registering ? 8 : undefined}
      required
      value=${password}
      onInput=${(event) => setPassword(event.target.value)}
      error=${fieldError('password')}
    />
    ${registering && html`<p class="hint">At least 8 characters.</p>`}
    <${ErrorMessage} error=${action.error} />
    <button class="primary" type="submit" disabled=${action.pending}>
      ${action.pending ? 'Please wait…' : registering ? 'Create account' : 'Sign in'}
    </button>
  </form>`;
}

export function AuthScreen({ onSignedIn, reason, purpose }) {
  const { config } = useStore(app);
  const [mode, setMode] = useState('sign-in');
  // The tabs pattern: arrow keys move between the two, Tab goes on to the form.
  const arrows = (event) => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const next = mode === 'sign-in' ? 'register' : 'sign-in';
    setMode(next);
    document.getElementById(`tab-${next}`).focus();
  };
  const tab = (name, label) =>
    html`<button
      type="button"
      role="tab"
      id=${`tab-${name}`}
      aria-selected=${mode === name ? 'true' : 'false'}
      aria-controls="auth-panel"
      tabindex=${mode === name ? 0 : -1}
      onClick=${() => setMode(name)}
    >
      ${label}
    </button>`;
  return html`<main class="auth" id="main">
    <h1>Team Notes</h1>
    <p class="lead">Markdown notes and tasks, for you and your team.</p>
    ${purpose && html`<p class="notice">${purpose}</p>`}
    ${reason && html`<p class="notice" role="status">${reason}</p>`}
    ${config.localAuth &&
    html`<div class="card">
      <div role="tablist" aria-label="Sign in or create an account" class="tabs" onKeyDown=${arrows}>
        ${tab('sign-in', 'Sign in')} ${tab('register', 'Create account')}
      </div>
      <div role="tabpanel" id="auth-panel" aria-labelledby=${`tab-${mode}`}>
        <h2>${mode === 'register' ? 'Create an account' : 'Sign in'}</h2>
        <${PasswordForm} key=${mode} mode=${mode} onDone=${onSignedIn} />
      </div>
    </div>`}
    ${config.providerSignIn &&
    html`<p class="provider">
      <a class="button" href=${config.providerSignIn}>Sign in with your identity provider</a>
    </p>`}
    <p class="hint">The API and its docs: <a href="/docs">/docs</a>.</p>
  </main>`;
}
