// A note's public links (API.md §7): read-only pages for anyone with the address.
import { get, post, remove, withQuery } from '../api.js';
import { html, useRef, useState } from '../html.js';
import { announce } from '../store.js';
import { ErrorMessage, Loading, Time, copyText, formatDate, useAction, useResource } from '../ui.js';

function LinkRow({ link, editable, onRevoke }) {
  const field = useRef(null);
  const address = `${location.origin}${link.path}`;
  const copy = async () => {
    const copied = await copyText(address, field.current);
    announce(copied ? 'Link copied.' : 'Press Ctrl+C to copy the selected link.');
  };
  const id = `link-${link.id}`;
  return html`<li class="link-row">
    <label for=${id} class="visually-hidden">Public link</label>
    <input id=${id} ref=${field} readonly value=${address} onFocus=${(event) => event.target.select()} />
    <span class="meta">
      made <${Time} value=${link.created_at} />${link.expires_at ? `, expires ${formatDate(link.expires_at)}` : ''}
    </span>
    <div class="row">
      <button type="button" onClick=${copy}>Copy link</button>
      <a href=${link.path} target="_blank" rel="noopener">Open</a>
      ${editable && html`<button type="button" class="danger" onClick=${() => onRevoke(link)}>Revoke</button>`}
    </div>
  </li>`;
}

export function Share({ path, editable }) {
  const links = useResource(() => get(withQuery(`${path}/links`, { limit: 100 })), [path]);
  const [expires, setExpires] = useState('');
  const create = useAction(async () => {
    const body = { expires_at: expires ? `${expires}T23:59:59Z` : null };
    await post(`${path}/links`, body);
    setExpires('');
    announce('Public link made.');
    await links.reload({ quiet: true });
  });
  const revoke = useAction(async (link) => {
    await remove(`${path}/links/${link.id}`);
    announce('Link revoked: it no longer works.');
    await links.reload({ quiet: true });
  });
  const submit = (event) => {
    event.preventDefault();
    create.run();
  };
  return html`<section class="share card" aria-labelledby="share-heading">
    <h2 id="share-heading">Public links</h2>
    <p class="hint">Anyone with a link can read this note, as it is now and as it changes, until the link is revoked.</p>
    <${ErrorMessage} error=${links.error} retry=${links.reload} />
    <${ErrorMessage} error=${create.error || revoke.error} />
    ${!links.data && !links.error && html`<${Loading} label="Loading links…" />`}
    ${links.data && links.data.items.length === 0 && html`<p class="empty">No public links.</p>`}
    ${links.data &&
    html`<ul class="links">
      ${links.data.items.map(
        (link) => html`<${LinkRow} key=${link.id} link=${link} editable=${editable} onRevoke=${revoke.run} />`,
      )}
    </ul>`}
    ${editable &&
    html`<form class="row" onSubmit=${submit}>
      <div class="field">
        <label for="link-expires">Expires after (optional)</label>
        <input id="link-expires" type="date" value=${expires} onInput=${(event) => setExpires(event.target.value)} />
      </div>
      <button class="primary" type="submit" disabled=${create.pending}>Create public link</button>
    </form>`}
  </section>`;
}
