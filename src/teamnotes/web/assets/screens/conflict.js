// The choice a 412 asks for: this tab's draft and the version saved meanwhile.
import { html, useState } from '../html.js';
import { ErrorMessage, Time, useAction } from '../ui.js';

function Version({ heading, title, content, children }) {
  return html`<section class="version card" aria-label=${heading}>
    <h3>${heading}</h3>
    ${children}
    <p class="version-title">${title}</p>
    <pre class="version-content">${content || '(empty)'}</pre>
  </section>`;
}

export function ConflictPanel({ draft, theirs, onKeepMine, onTakeTheirs, error }) {
  const [comparing, setComparing] = useState(false);
  const keep = useAction(onKeepMine);
  return html`<section class="conflict" role="alert" aria-labelledby="conflict-heading">
    <h2 id="conflict-heading">This note was changed while you were editing</h2>
    <p>
      Version ${theirs.version} was saved <${Time} value=${theirs.updated_at} />, by someone else or in
      another tab. Your changes are not saved yet: choose what to keep. Nothing is overwritten until you do.
    </p>
    <div class="row">
      <button class="primary" type="button" onClick=${() => keep.run()} disabled=${keep.pending}>
        ${keep.pending ? 'Saving…' : 'Keep mine'}
      </button>
      <button type="button" onClick=${onTakeTheirs}>Take theirs</button>
      <button type="button" aria-expanded=${comparing ? 'true' : 'false'} onClick=${() => setComparing(!comparing)}>
        ${comparing ? 'Hide both' : 'See both'}
      </button>
    </div>
    <${ErrorMessage} error=${keep.error || error} />
    ${comparing &&
    html`<div class="both">
      <${Version} heading="Your version (not saved)" title=${draft.title} content=${draft.content} />
      <${Version} heading=${`Their version (${theirs.version})`} title=${theirs.title} content=${theirs.content} />
    </div>`}
  </section>`;
}
