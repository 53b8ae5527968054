// Putting tasks in order: each move shows at once, and is carried out one after the
// other on the list as the API has it then (the versions and orders of the moves
// before it included), so that quick moves never trip over each other's writes.
import { patch } from '../api.js';
import { useRef } from '../html.js';
import { moved, moves } from '../reorder.js';
import { announce } from '../store.js';

// `where`: {by: -1 | 1} from the keyboard, {to: index} from a drop.
function placeOf(items, taskId, where) {
  const from = items.findIndex((task) => task.id === taskId);
  const to = 'by' in where ? from + where.by : where.to;
  return from < 0 || to < 0 || to >= items.length || to === from ? null : { from, to };
}

// A moved row's handle loses focus as the list is laid out anew; it gets it back
// unless the focus went elsewhere meanwhile.
function refocus(taskId) {
  requestAnimationFrame(() => {
    const handle = document.getElementById(`handle-${taskId}`);
    const lost = document.activeElement === document.body || document.activeElement === handle;
    if (handle && lost) handle.focus();
  });
}

export function useTaskMoves({ tasks, load, itemPath, failed }) {
  const queue = useRef(Promise.resolve());
  const pending = useRef(0);

  const carryOut = async (taskId, where) => {
    try {
      const { items } = await load();
      const place = placeOf(items, taskId, where);
      if (place) {
        for (const { task, order } of moves(items, place.from, place.to)) {
          await patch(itemPath(task), { order }, { ifMatch: task.version });
        }
        const title = items[place.from].title;
        announce(`Moved “${title}” to position ${place.to + 1} of ${items.length}.`);
      }
    } catch (error) {
      failed(error);
    }
    // The last move in line shows the list as it now is; earlier ones would undo
    // on screen the moves still waiting.
    if (pending.current === 1) {
      await tasks.reload({ quiet: true });
      refocus(taskId);
    }
  };

  const move = (taskId, where) => {
    const shown = tasks.latest();
    const place = shown && placeOf(shown.items, taskId, where);
    if (!place) return;
    tasks.setData({ ...shown, items: moved(shown.items, place.from, place.to) });
    refocus(taskId);
    pending.current += 1;
    queue.current = queue.current
      .then(() => carryOut(taskId, where))
      .finally(() => {
        pending.current -= 1;
      });
  };

  return { move, busy: () => pending.current > 0 };
}
