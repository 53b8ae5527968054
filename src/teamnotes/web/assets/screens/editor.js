// One note: title and Markdown, autosaved; its preview, history and public links.
import { send, under } from '../api.js';
import { Notice } from '../errors.js';
import { useAutosave } from '../autosave.js';
import { html, useEffect, useState } from '../html.js';
import { useChanges } from '../live.js';
import { Link, navigate, workspacePath } from '../router.js';
import { announce } from '../store.js';
import { ErrorMessage, Loading, Time, can, useAction, useResource } from '../ui.js';
import { ConflictPanel } from './conflict.js';
import { NEW_TITLE } from './notes.js';
import { History } from './history.js';
import { Share } from './share.js';

const STATUS = {
  saved: 'All changes saved',
  dirty: 'Unsaved changes',
  saving: 'Saving…',
  invalid: 'Not saved: a note needs a title',
  conflict: 'Not saved: changed elsewhere',
  error: 'Not saved',
  deleted: 'This note was moved to the trash',
};

function Preview({ path, version }) {
  const preview = useResource(async () => (await send('GET', `${path}/html`)).text(), [path, version]);
  return html`<section class="preview card" aria-labelledby="preview-heading">
    <h2 id="preview-heading">Preview</h2>
    <${ErrorMessage} error=${preview.error} retry=${preview.reload} />
    ${preview.data === undefined && !preview.error && html`<${Loading} label="Rendering…" />`}
    ${preview.data !== undefined &&
    html`<div class="markdown" dangerouslySetInnerHTML=${{ __html: preview.data }}></div>`}
  </section>`;
}

function PanelButton({ name, label, panel, setPanel }) {
  const open = panel === name;
  return html`<button type="button" aria-expanded=${open ? 'true' : 'false'} onClick=${() => setPanel(open ? null : name)}>
    ${label}
  </button>`;
}

export function Editor({ workspace, noteId }) {
  const path = under(workspace.id, 'notes', noteId);
  const editable = can(workspace, 'editor');
  const doc = useAutosave(path, { editable });
  const [showPreview, setShowPreview] = useState(!editable);
  const [panel, setPanel] = useState(null);
  const listPath = workspacePath(workspace.id, 'notes');
  useChanges((change) => {
    if (change.kind === 'note' && change.id === noteId) doc.applyRemote(change);
  });
  const fresh = doc.note && doc.note.version === 1 && doc.note.title === NEW_TITLE;
  useEffect(() => {
    // A note just made: its placeholder title is there to be typed over.
    const title = document.getElementById('note-title');
    if (fresh && editable && title) title.select();
  }, [fresh]);
  useEffect(() => {
    if (doc.note) document.title = `${doc.note.title} – Team Notes`;
    return () => {
      document.title = 'Team Notes';
    };
  }, [doc.note && doc.note.title]);
  const trash = useAction(async () => {
    try {
      await send('DELETE', path, { ifMatch: doc.note.version });
    } catch (error) {
      if (error.status !== 412) throw error;
      await doc.reload();
      throw new Notice('This note changed meanwhile: here it is as it is now. Move it to the trash again if you still want to.');
    }
    announce(`“${doc.note.title}” moved to the trash.`);
    navigate(listPath);
  });

  if (doc.status === 'loading') return html`<${Loading} label="Opening the note…" />`;
  if (doc.status === 'missing' || doc.status === 'failed') {
    return html`<section class="editor">
      <h1>Note</h1>
      <${ErrorMessage} error=${doc.error} retry=${doc.status === 'failed' ? doc.reload : null} />
      <p><${Link} href=${listPath}>Back to the notes</${Link}></p>
    </section>`;
  }
  const { note, draft } = doc;
  return html`<section class="editor" aria-labelledby="editor-heading">
    <div class="heading-row">
      <${Link} href=${listPath} class="back">← All notes</${Link}>
      <h1 id="editor-heading" class="visually-hidden">${note.title}</h1>
      <p class=${`save-state state-${doc.status}`} role="status">${STATUS[doc.status]}</p>
    </div>
    <div class="row tools">
      <button type="button" aria-pressed=${showPreview ? 'true' : 'false'} onClick=${() => setShowPreview(!showPreview)}>
        Preview
      </button>
      <${PanelButton} name="history" label="History" panel=${panel} setPanel=${setPanel} />
      <${PanelButton} name="share" label="Share" panel=${panel} setPanel=${setPanel} />
      ${editable &&
      html`<button type="button" class="danger" onClick=${() => trash.run()} disabled=${trash.pending}>
        Move to trash
      </button>`}
    </div>
    <${ErrorMessage} error=${trash.error} />
    ${doc.status === 'error' && html`<${ErrorMessage} error=${doc.error} retry=${doc.save} />`}
    ${doc.status === 'deleted' &&
    html`<p class="notice">
      It was deleted elsewhere; it can be restored from the
      <${Link} href=${workspacePath(workspace.id, 'trash')}>trash</${Link}>.
    </p>`}
    ${doc.remoteNewer &&
    doc.status !== 'conflict' &&
    html`<p class="notice">Someone else changed this note; saving will ask which version to keep.</p>`}
    ${doc.conflict &&
    html`<${ConflictPanel}
      draft=${draft}
      theirs=${doc.conflict}
      onKeepMine=${doc.keepMine}
      onTakeTheirs=${doc.takeTheirs}
      error=${doc.error}
    />`}
    <div class=${showPreview ? 'panes split' : 'panes'}>
      <div class="stack">
        <div class="field">
          <label for="note-title">Title</label>
          <input
            id="note-title"
            class="title-input"
            maxlength="200"
            readonly=${!editable}
            value=${draft.title}
            onInput=${(event) => doc.edit('title', event.target.value)}
            onBlur=${() => doc.save()}
          />
        </div>
        <div class="field grow">
          <label for="note-content">Content (Markdown)</label>
          <textarea
            id="note-content"
            readonly=${!editable}
            value=${draft.content}
            onInput=${(event) => doc.edit('content', event.target.value)}
            onBlur=${() => doc.save()}
          ></textarea>
        </div>
        <p class="meta">Version ${note.version}, edited <${Time} value=${note.updated_at} /></p>
      </div>
      ${showPreview && html`<${Preview} path=${path} version=${note.version} />`}
    </div>
    ${panel === 'history' &&
    html`<${History} path=${path} note=${note} editable=${editable} onRestored=${doc.replaceWith} />`}
    ${panel === 'share' && html`<${Share} path=${path} editable=${editable} />`}
  </section>`;
}
