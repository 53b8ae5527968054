// Moving a task within the list: the `order` values it and its neighbours take.
//
// The tasks between the old and the new place keep their `order` values, shifted
// by one place, and the moved task takes the value of the place it lands on; so
// only that range changes, and one PATCH per task changed is all it takes. Equal
// values in the range (possible through PUT) are first made distinct.

// [{task, order}] of the tasks whose order changes when `tasks[from]` moves to `to`.
export function moves(tasks, from, to) {
  if (from === to || from < 0 || to < 0 || from >= tasks.length || to >= tasks.length) return [];
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
