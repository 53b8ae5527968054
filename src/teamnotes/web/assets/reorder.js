// Moving a task within the list: the `order` values it and its neighbours take.
//
// Where the moved task alone can take a value that puts it in its new place, only
// it is written. Otherwise the tasks between the old and the new place keep their
// `order` values, shifted by one place, and the moved task takes the value of the
// place it lands on: only that range changes, one PATCH per task changed. Equal
// values in the range (possible through PUT) are first made distinct.

const INT32 = 2 ** 31;

// One write when it can: the top is one below the first, the bottom one above the
// last, and a place between two tasks whose values leave room takes one between.
function oneWrite(tasks, from, to) {
  const rest = tasks.filter((_, index) => index !== from);
  const before = rest[to - 1];
  const after = rest[to];
  let order = null;
  if (!before && after.order - 1 >= -INT32) order = after.order - 1;
  else if (!after && before.order + 1 < INT32) order = before.order + 1;
  else if (before && after && after.order - before.order > 1) {
    order = before.order + Math.floor((after.order - before.order) / 2);
  }
  return order === null ? null : [{ task: tasks[from], order }];
}

// [{task, order}] of the tasks whose order changes when `tasks[from]` moves to `to`.
export function moves(tasks, from, to) {
  if (from === to || from < 0 || to < 0 || from >= tasks.length || to >= tasks.length) return [];
  const single = oneWrite(tasks, from, to);
  if (single) return single;
  const low = Math.min(from, to);
  const high = Math.max(from, to);
  const range = tasks.slice(low, high + 1);
  const values = [];
  for (const task of range) {
    const previous = values.length ? values[values.length - 1] : null;
    values.push(previous === null || task.order > previous ? task.order : previous + 1);
  }
  const arranged = [...range];
  const [moved] = arranged.splice(from - low, 1);
  arranged.splice(to - low, 0, moved);
  return arranged
    .map((task, index) => ({ task, order: values[index] }))
    .filter(({ task, order }) => task.order !== order);
}

// The list as it looks after the move, for showing it before the API confirms it.
export function moved(tasks, from, to) {
  const arranged = [...tasks];
  const [task] = arranged.splice(from, 1);
  arranged.splice(to, 0, task);
  return arranged;
}
