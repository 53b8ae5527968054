// A workspace's tasks: filter, sort, add, tick off, date, and put in order.
import { idempotencyKey, patch, post, remove, under } from '../api.js';
import { Notice } from '../errors.js';
import { html, useState } from '../html.js';
import { useRereadOnChange } from '../live.js';
import { useQuery } from '../router.js';
import { announce } from '../store.js';
import { ErrorMessage, Loading, can, useAction, useResource } from '../ui.js';
import { loadPages } from './notes.js';
import { useTaskMoves } from './task-moves.js';
import { TaskRow } from './task-row.js';

const PAGE = 100;
const STATUSES = [
  ['all', 'All'],
  ['pending', 'To do'],
  ['completed', 'Done'],
];
const SORTS = [
  ['order', 'My order'],
  ['due_at', 'Due date, soonest first'],
  ['-due_at', 'Due date, latest first'],
  ['-created_at', 'Newest first'],
  ['created_at', 'Oldest first'],
  ['title', 'Title, A to Z'],
  ['-updated_at', 'Last changed first'],
];

function AddTask({ workspace, onAdded }) {
  const [title, setTitle] = useState('');
  const add = useAction(async () => {
    const task = await post(
      under(workspace.id, 'tasks'),
      { title: title.trim() },
      { headers: { 'Idempotency-Key': idempotencyKey() } },
    );
    setTitle('');
    announce(`Task “${task.title}” added.`);
    await onAdded();
  });
  const submit = (event) => {
    event.preventDefault();
    add.run();
  };
  return html`<form class="add-task row" onSubmit=${submit}>
    <div class="field grow">
      <label for="new-task">New task</label>
      <input id="new-task" required maxlength="200" value=${title} onInput=${(e) => setTitle(e.target.value)} />
    </div>
    <button class="primary" type="submit" disabled=${add.pending}>${add.pending ? 'Adding…' : 'Add task'}</button>
    <${ErrorMessage} error=${add.error} />
  </form>`;
}

// Drag and drop by the handle; the handle's arrow keys do the same from the keyboard.
function useDrag(items, move) {
  const [from, setFrom] = useState(null);
  const [over, setOver] = useState(null);
  return {
    over,
    start(event, index) {
      setFrom(index);
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', String(index));
    },
    over_(event, index) {
      if (from === null) return;
      event.preventDefault();
      setOver(index);
    },
    leave(index) {
      if (over === index) setOver(null);
    },
    drop(event, index) {
      event.preventDefault();
      if (from !== null) move(items[from].id, { to: index });
      setFrom(null);
      setOver(null);
    },
    end() {
      setFrom(null);
      setOver(null);
    },
  };
}

export function Tasks({ workspace }) {
  const [query, setQuery] = useQuery();
  const status = query.status || 'all';
  const sort = query.sort || 'order';
  const path = under(workspace.id, 'tasks');
  const tasks = useResource(() => loadPages(path, { status, sort }, PAGE), [path, status, sort]);
  const editable = can(workspace, 'editor');
  const reorderable = editable && sort === 'order';
  const [failure, setFailure] = useState(null);
  const one = (task) => under(workspace.id, 'tasks', task.id);
  // Every write names the version it saw; a 412 means the list is stale: reread it.
  const failed = (error) =>
    setFailure(error.status === 412 ? new Notice('This task changed elsewhere; the list is up to date again, try once more.') : error);
  const ordering = useTaskMoves({
    tasks,
    load: () => loadPages(path, { status, sort }, PAGE),
    itemPath: one,
    failed,
  });
  useRereadOnChange(tasks, (change) => change.kind === 'task', ordering.busy);

  const write = async (work, done) => {
    setFailure(null);
    try {
      await work();
      if (done) announce(done);
    } catch (error) {
      failed(error);
    }
    await tasks.reload({ quiet: true });
  };
  const actions = {
    toggle: (task) =>
      write(() => patch(`${one(task)}/complete`, { completed: !task.completed }, { ifMatch: task.version })),
    due: (task, value) =>
      write(() => patch(one(task), { due_at: value ? `${value}T00:00:00Z` : null }, { ifMatch: task.version })),
    change: (task, changes) => patch(one(task), changes, { ifMatch: task.version }).finally(() => tasks.reload({ quiet: true })),
    trash: (task) => write(() => remove(one(task), { ifMatch: task.version }), `“${task.title}” moved to the trash.`),
    move: (taskId, where) => {
      setFailure(null);
      ordering.move(taskId, where);
    },
  };
  const list = tasks.data;
  const drag = useDrag(list ? list.items : [], actions.move);
  return html`<section class="tasks" aria-labelledby="tasks-heading">
    <h1 id="tasks-heading">Tasks</h1>
    ${editable && html`<${AddTask} workspace=${workspace} onAdded=${() => tasks.reload({ quiet: true })} />`}
    <div class="toolbar">
      <fieldset class="segmented">
        <legend>Show</legend>
        ${STATUSES.map(
          ([value, label]) => html`<label key=${value}>
            <input type="radio" name="task-status" value=${value} checked=${status === value} onChange=${() => setQuery({ status: value === 'all' ? '' : value })} />
            ${label}
          </label>`,
        )}
      </fieldset>
      <div class="field">
        <label for="task-sort">Sort</label>
        <select id="task-sort" value=${sort} onChange=${(e) => setQuery({ sort: e.target.value === 'order' ? '' : e.target.value })}>
          ${SORTS.map(([value, label]) => html`<option key=${value} value=${value}>${label}</option>`)}
        </select>
      </div>
    </div>
    <p id="reorder-help" class="hint">
      ${reorderable
        ? 'Drag a task by its handle, or focus the handle and press the up and down arrow keys, to change its place.'
        : 'Sort by “My order” to change the order of tasks.'}
    </p>
    <${ErrorMessage} error=${failure} />
    <${ErrorMessage} error=${tasks.error} retry=${tasks.reload} />
    ${!list && !tasks.error && html`<${Loading} label="Loading tasks…" />`}
    ${list && list.items.length === 0 && html`<p class="empty">No tasks here.</p>`}
    ${list &&
    html`<ul class="task-list" aria-busy=${tasks.loading ? 'true' : 'false'}>
      ${list.items.map(
        (task, index) => html`<${TaskRow}
          key=${task.id}
          task=${task}
          index=${index}
          count=${list.items.length}
          editable=${editable}
          reorderable=${reorderable}
          actions=${actions}
          drag=${drag}
        />`,
      )}
    </ul>`}
    ${list && list.items.length < list.total && html`<p class="hint">Showing the first ${list.items.length} of ${list.total} tasks.</p>`}
  </section>`;
}
