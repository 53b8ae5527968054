-- The mixed workload: 60 % reads of one item (notes and tasks alike), 20 % lists
-- (tasks filtered and sorted, notes by default order), 10 % PATCH with If-Match,
-- 5 % creates, 5 % searches. Every request carries an X-Request-ID that names its
-- kind, so the status counts come out per kind.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")

local pool
local sent = 0
local task_lists = {
  "/tasks?status=pending&sort=-due_at&limit=20",
  "/tasks?status=all&sort=order&limit=20",
  "/tasks?status=completed&sort=-updated_at&limit=20",
}

function init(args)
  seed_random()
  pool = patch_pool()
end

local function get(path, auth, kind)
  sent = sent + 1
  return wrk.format("GET", path, { ["Authorization"] = auth, ["X-Request-ID"] = kind .. sent })
end

function request()
  local r = math.random()
  local user = random_user()
  if r < 0.30 then
    return get("/notes/" .. user.notes[math.random(#user.notes)], user.auth, "n")
  elseif r < 0.60 then
    return get("/tasks/" .. user.tasks[math.random(#user.tasks)], user.auth, "t")
  elseif r < 0.70 then
    return get(task_lists[math.random(#task_lists)], user.auth, "l")
  elseif r < 0.80 then
    return get("/notes?limit=20", user.auth, "m")
  elseif r < 0.90 then
    return patch_request(pool, "p")
  elseif r < 0.95 then
    sent = sent + 1
    local headers = json_headers(user.auth)
    headers["X-Request-ID"] = "c" .. sent
    local body = string.format('{"title":"Mixed-load task %d-%d","due_at":"2027-03-0%dT08:00:00Z"}', thread_index, sent, 1 + sent % 9)
    return wrk.format("POST", "/tasks", headers, body)
  else
    return get("/notes?q=" .. queries[math.random(#queries)], user.auth, "s")
  end
end

function response(status, headers, body)
  local request_id = request_id_of(headers)
  local kind = request_id:sub(1, 1)
  count_status(kind .. ":" .. status)
  if kind == "p" or kind == "g" then
    patch_response(pool, status, headers, request_id)
  end
end
