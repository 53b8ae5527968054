// One task: done or not, its due date, its title and description, its place.
import { html, useState } from '../html.js';
import { ErrorMessage, formatDate, useAction } from '../ui.js';

function dueValue(task) {
  return task.due_at ? task.due_at.slice(0, 10) : '';
}

function overdue(task) {
  return !task.completed && task.due_at && task.due_at.slice(0, 10) < new Date().toISOString().slice(0, 10);
}

function EditForm({ task, onSave, onCancel }) {
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description || '');
  const save = useAction(async () => {
    await onSave({ title: title.trim(), description: description.trim() ? description : null });
    onCancel();
  });
  const submit = (event) => {
    event.preventDefault();
    save.run();
  };
  return html`<form class="task-edit stack" onSubmit=${submit}>
    <div class="field">
      <label for=${`title-${task.id}`}>Title</label>
      <input id=${`title-${task.id}`} required maxlength="200" value=${title} onInput=${(e) => setTitle(e.target.value)} />
    </div>
    <div class="field">
      <label for=${`description-${task.id}`}>Description</label>
      <textarea
        id=${`description-${task.id}`}
        maxlength="1000"
        value=${description}
        onInput=${(e) => setDescription(e.target.value)}
      ></textarea>
    </div>
    <${ErrorMessage} error=${save.error} />
    <div class="row">
      <button class="primary" type="submit" disabled=${save.pending}>Save</button>
      <button type="button" onClick=${onCancel}>Cancel</button>
    </div>
  </form>`;
}

export function TaskRow({ task, index, count, editable, reorderable, actions, drag }) {
  const [editing, setEditing] = useState(false);
  const checkbox = `done-${task.id}`;
  const moveKeys = (event) => {
    const step = { ArrowUp: -1, ArrowDown: 1 }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    actions.move(task.id, { by: step });
  };
  const classes = ['task', 'card', task.completed ? 'done' : '', drag.over === index ? 'drop-target' : ''];
  return html`<li
    class=${classes.join(' ')}
    data-task-id=${task.id}
    onDragOver=${(event) => drag.over_(event, index)}
    onDragLeave=${() => drag.leave(index)}
    onDrop=${(event) => drag.drop(event, index)}
  >
    <div class="task-line">
      ${reorderable &&
      html`<button
        type="button"
        class="handle"
        id=${`handle-${task.id}`}
        aria-label=${`Move “${task.title}”, position ${index + 1} of ${count}`}
        aria-describedby="reorder-help"
        draggable="true"
        onDragStart=${(event) => drag.start(event, index)}
        onDragEnd=${drag.end}
        onKeyDown=${moveKeys}
      >
        ⠿
      </button>`}
      <input
        type="checkbox"
        id=${checkbox}
        checked=${task.completed}
        disabled=${!editable}
        onChange=${() => actions.toggle(task)}
      />
      <label for=${checkbox} class="task-title">${task.title}</label>
      <span class=${overdue(task) ? 'due overdue' : 'due'}>
        <label for=${`due-${task.id}`} class="visually-hidden">Due date of “${task.title}”</label>
        <input
          type="date"
          id=${`due-${task.id}`}
          value=${dueValue(task)}
          readonly=${!editable}
          onChange=${(event) => actions.due(task, event.target.value)}
        />
        ${overdue(task) && html`<span class="overdue-label">overdue since ${formatDate(task.due_at)}</span>`}
      </span>
      ${editable &&
      html`<div class="row task-buttons">
        <button type="button" class="quiet" aria-label=${`Edit “${task.title}”`} onClick=${() => setEditing(!editing)}>
          Edit
        </button>
        <button type="button" class="quiet danger" aria-label=${`Delete “${task.title}”`} onClick=${() => actions.trash(task)}>
          Delete
        </button>
      </div>`}
    </div>
    ${task.description && !editing && html`<p class="description">${task.description}</p>`}
    ${editing && html`<${EditForm} task=${task} onSave=${(changes) => actions.change(task, changes)} onCancel=${() => setEditing(false)} />`}
  </li>`;
}
